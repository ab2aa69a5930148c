// The verifier's memory between loads (used by config-verify.ts): tenants and chunks of text it verified
// before, by their exact text.
import type { CfgTenant } from './gateway-config.ts';

/**
 * Tenants verified by an earlier load, by their exact JSON text: a config source that loads one config after
 * another (the in-cluster source, on every publication) hands the same memo to each load, and a tenant whose
 * text did not change is neither parsed, validated nor canonicalised again — a change to one tenant of 10,000
 * costs about one tenant's verification, not 10,000. Verification is a pure function of the text, so a hit
 * is what verifying it again would give. Only the last load's tenants are kept (`commit` after a load that
 * was applied; a refused load leaves the memo as it was).
 */
export class TenantMemo {
  #previous = new Map<string, MemoEntry>();
  #next = new Map<string, MemoEntry>();
  /** Chunks of text (shards) made of whole tenants, by their exact text: replayed without being scanned. */
  #chunksBefore = new Map<string, MemoChunk>();
  #chunksNext = new Map<string, MemoChunk>();
  hits = 0;
  misses = 0;
  /** Chunks replayed whole (their tenants are counted in `hits` too). */
  chunkHits = 0;

  get size(): number {
    return this.#previous.size;
  }

  /** @internal the verifier's lookup (counts toward hits/misses). */
  lookup(text: string): MemoEntry | undefined {
    const e = this.#previous.get(text);
    if (e) {
      this.hits++;
      this.#next.set(text, e);
    } else this.misses++;
    return e;
  }

  /** @internal */
  remember(e: MemoEntry): void {
    this.#next.set(e.text, e);
  }

  /** @internal a chunk of whole tenants seen by the last applied load (its tenants count as hits). */
  chunk(text: string): MemoChunk | undefined {
    const c = this.#chunksBefore.get(text);
    if (!c) return undefined;
    this.chunkHits++;
    this.hits += c.entries.length;
    for (const e of c.entries) this.#next.set(e.text, e);
    this.#chunksNext.set(text, c);
    return c;
  }

  /** @internal */
  rememberChunk(text: string, c: MemoChunk): void {
    this.#chunksNext.set(text, c);
  }

  /** The load that just ended was applied: its tenants are the ones to remember. */
  commit(): void {
    this.#previous = this.#next;
    this.#next = new Map();
    this.#chunksBefore = this.#chunksNext;
    this.#chunksNext = new Map();
  }

  /** The load that just ended was refused (or failed): forget what it saw. */
  discard(): void {
    this.#next = new Map();
    this.#chunksNext = new Map();
  }
}

export interface MemoEntry {
  readonly tenant: CfgTenant;
  /** The JSON text it was found by. */
  readonly text: string;
  /** Its canonical JSON text (the hash input); usually the very same string as `text`. */
  readonly canonical: string;
}

export interface MemoChunk {
  readonly entries: readonly MemoEntry[];
  /** It began the tenants array (no comma before its first tenant). */
  readonly first: boolean;
  /** It is exactly its tenants' canonical texts joined by commas: it is hashed as it is. */
  readonly canonical: boolean;
}
