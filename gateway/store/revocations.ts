// The gateway-side view of the store's revocation set: read on every request without a round trip, refreshed
// from the store every `refreshMs` (default 1 s: a revocation or a lift reaches every replica within ~1 s) and
// right after this replica's own revocations.
//
// Revocations survive the store (issue #15): a revocation this replica has seen is never dropped because the
// store stopped listing it (Redis restarted empty, flushed, failed over to a replica that missed it). It is
// written back (re-seeded) on the next refresh, so every replica and the operator (through this replica's Lease,
// then the LLMTenant status) keep seeing it. Only an operator's lift (`tollgate keys unrevoke`, recorded
// in the store's lifted set) removes one. A revocation this replica could not write (store down) is enforced
// here at once and written on every refresh until it lands.
//
// Revocations are keyed by the key material's sha256 (issue #13): rotating a key issues new material, which is
// clean, and lifting one (`tollgate keys unrevoke`) lifts exactly that material. The anomaly detector names keys
// by id, so the cache learns, from every authentication, which material each key id currently has (bounded) and
// revokes that material. Entries keyed by key id (written before #13, or when the material is unknown) are still
// enforced for that id; `tollgate keys unrevoke KEY_ID` lifts them.
import { StoreUnavailableError, type Store, type StoredRevocation } from './types.ts';

export interface RevocationMerge {
  /** What this replica enforces from now on. */
  readonly next: Map<string, StoredRevocation>;
  /** Known here, missing from the store and not lifted: write them back. */
  readonly reseed: [string, StoredRevocation][];
  /** Known here and lifted by an operator: no longer enforced. */
  readonly dropped: string[];
}

/** Pure: the store's set, what this replica knew, and the operator's lifts. */
export function mergeRevocations(
  known: ReadonlyMap<string, StoredRevocation>,
  remote: ReadonlyMap<string, StoredRevocation>,
  lifted: ReadonlySet<string>,
): RevocationMerge {
  const next = new Map<string, StoredRevocation>();
  const reseed: [string, StoredRevocation][] = [];
  const dropped: string[] = [];
  for (const [k, v] of remote) next.set(k, v);
  for (const [k, v] of known) {
    if (remote.has(k)) continue;
    if (lifted.has(k)) {
      dropped.push(k);
      continue;
    }
    next.set(k, v);
    reseed.push([k, v]);
  }
  return { next, reseed, dropped };
}

const SHA256_HEX = /^[a-f0-9]{64}$/;
const MAX_MATERIAL = 200_000;

export class RevocationCache {
  readonly #store: Store;
  readonly #refreshMs: number;
  readonly #onError: (op: 'revoke' | 'revocations', err: unknown) => void;
  readonly #onReseed: (keyIds: string[]) => void;
  #known = new Map<string, StoredRevocation>();
  /** key id -> the sha256 of the material last authenticated under it. */
  readonly #material = new Map<string, string>();
  readonly #pending = new Map<string, StoredRevocation>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(
    store: Store,
    opts: {
      refreshMs?: number;
      onError?: (op: 'revoke' | 'revocations', err: unknown) => void;
      onReseed?: (keyIds: string[]) => void;
    } = {},
  ) {
    this.#store = store;
    this.#refreshMs = opts.refreshMs ?? 1000;
    this.#onError = opts.onError ?? (() => undefined);
    this.#onReseed = opts.onReseed ?? (() => undefined);
  }

  /** A material hash, a legacy key-id entry, or a key id whose material (as last authenticated here) is revoked. */
  has(keyIdOrHash: string): boolean {
    if (this.#known.has(keyIdOrHash) || this.#pending.has(keyIdOrHash)) return true;
    const m = this.#material.get(keyIdOrHash);
    return m !== undefined && (this.#known.has(m) || this.#pending.has(m));
  }

  /** Auth's question (gateway/auth.ts): is this key's material (or, legacy, its id) revoked? Learns id -> material. */
  check(key: { readonly id: string; readonly sha256: string }): boolean {
    if (this.#material.get(key.id) !== key.sha256) {
      if (this.#material.size >= MAX_MATERIAL) this.#material.clear();
      this.#material.set(key.id, key.sha256);
    }
    return (
      this.#known.has(key.sha256) ||
      this.#pending.has(key.sha256) ||
      this.#known.has(key.id) ||
      this.#pending.has(key.id)
    );
  }

  /** The material (sha256) a revocation of this key id or hash lands on; the id itself when unknown. */
  target(keyIdOrHash: string): string {
    return SHA256_HEX.test(keyIdOrHash) ? keyIdOrHash : (this.#material.get(keyIdOrHash) ?? keyIdOrHash);
  }

  get size(): number {
    let n = this.#known.size;
    for (const k of this.#pending.keys()) if (!this.#known.has(k)) n++;
    return n;
  }

  /** Every revocation in force here (shared and pending), for publishing to the operator. */
  list(): [string, StoredRevocation][] {
    const all = new Map(this.#known);
    for (const [k, v] of this.#pending) if (!all.has(k)) all.set(k, v);
    return [...all];
  }

  /** Seeds revocations known from elsewhere (e.g. this replica's own earlier Lease); written on the next refresh. */
  seed(entries: Iterable<[string, StoredRevocation]>): void {
    for (const [k, v] of entries) if (!this.has(k)) this.#pending.set(k, v);
  }

  /** Local revocations not yet written to the store. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Enforced locally at once; written to the store now or, when it is down, on a later refresh. `keyId` is a
   * key id (revoked by its current material when this replica has seen it) or a material hash.
   */
  async revoke(keyId: string, reason: string, by = 'gateway'): Promise<{ first: boolean; shared: boolean }> {
    const target = this.target(keyId);
    const first = !this.has(target);
    if (first)
      this.#pending.set(target, { reason, at: new Date().toISOString(), ...(target !== keyId ? { keyId } : {}), by });
    const shared = await this.#flush();
    if (shared) await this.refresh();
    return { first, shared: !this.#pending.has(target) };
  }

  /** Writes pending revocations; true when none is left. */
  async #flush(): Promise<boolean> {
    for (const [keyId, r] of [...this.#pending]) {
      try {
        await this.#store.revoke(keyId, r.reason, { keyId: r.keyId, by: r.by });
        this.#pending.delete(keyId);
        this.#known.set(keyId, r);
      } catch (e) {
        if (!(e instanceof StoreUnavailableError)) throw e;
        this.#onError('revoke', e);
        return false;
      }
    }
    return true;
  }

  /** Reloads the set from the store (keeping the last known set when it cannot be read); re-seeds what it lost. */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        await this.#flush();
        // Only what was known before the read can be "missing from the store": a revocation written while the
        // read was in flight is kept as it is, not re-seeded.
        const before = new Map(this.#known);
        const [remote, lifted] = await Promise.all([this.#store.revocations(), this.#store.liftedRevocations()]);
        const m = mergeRevocations(before, remote, lifted);
        for (const [k, v] of this.#known) if (!before.has(k) && !m.next.has(k)) m.next.set(k, v);
        this.#known = m.next;
        for (const k of m.dropped) this.#pending.delete(k);
        if (m.reseed.length > 0) {
          for (const [k, v] of m.reseed) this.#pending.set(k, v);
          this.#onReseed(m.reseed.map(([k]) => k));
          await this.#flush();
        }
      } catch (e) {
        this.#onError('revocations', e);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  start(): void {
    if (this.#timer) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
