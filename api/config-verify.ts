// The one gateway config verifier. Everything that reads a compiled config goes through it: the gateway
// (a file, shards from the cluster, an object from `-f` manifests), `parseGatewayConfig` (CLI, tests).
//
// It reads a config one tenant at a time — the zod schemas of api/gateway-config.ts for the structure,
// the canonical-JSON sha256 fed tenant by tenant, and the rules across objects (unique served names,
// unique key hashes) — and hands each verified tenant to a sink as soon as it is verified. From JSON text
// (ConfigTextReader) the text arrives in chunks (file reads, shards) and only one tenant's text is parsed
// at a time: a 10,000-tenant config (~16 MB) is never held as one string, one parsed tree and one
// validated copy at once. Whatever the sink built is discarded by the caller when verification fails.
import { createHash, type Hash } from 'node:crypto';
import { z } from 'zod';
import { CfgModel, CfgTenant, GATEWAY_CONFIG_SCHEMA_VERSION, type GatewayConfig } from './gateway-config.ts';
import type { MemoChunk, MemoEntry, TenantMemo } from './config-memo.ts';

export { TenantMemo } from './config-memo.ts';

export class ConfigInvalidError extends Error {
  override name = 'ConfigInvalidError';
}

const invalid = (where: string, what: string): ConfigInvalidError =>
  new ConfigInvalidError(`invalid gateway config: ${where}: ${what}`);

/** Receives what has been verified so far; the caller discards it if verification fails later. */
export interface ConfigSink {
  models?(models: readonly CfgModel[]): void;
  tenant(tenant: CfgTenant): void;
}

export interface VerifiedHead {
  hash: string;
  schemaVersion: typeof GATEWAY_CONFIG_SCHEMA_VERSION;
  models: CfgModel[];
  tenants: number;
}

const Models = z.array(CfgModel);
const SchemaVersion = z.literal(GATEWAY_CONFIG_SCHEMA_VERSION);
const HashField = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const AnyArray = z.array(z.unknown());
const ROOT_MEMBERS = new Set(['hash', 'models', 'schemaVersion', 'tenants']);

/**
 * canonicalJson (api/gateway-config.ts) for validated values — plain objects, arrays, strings, numbers,
 * booleans, null, no undefined in arrays — without its intermediate arrays: the per-tenant hash input is
 * the verifier's largest cost. config-verify.test.ts checks the two agree.
 */
export function canonicalText(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) as string;
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += i > 0 ? `,${canonicalText(v[i])}` : canonicalText(v[i]);
    return `${s}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let s = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalText(x)}`;
    first = false;
  }
  return `${s}}`;
}

/** zod issues of a part of the config, reported at their place in the whole (as one schema would). */
function parseAt<T>(schema: z.ZodType<T>, value: unknown, path: (string | number)[]): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new z.ZodError(r.error.issues.map((i) => ({ ...i, path: [...path, ...i.path] })));
}

/** The verifier proper: root members in any order, tenants one at a time. */
export class ConfigVerifier {
  readonly #sink: ConfigSink;
  readonly #hash: Hash = createHash('sha256');
  #buf = '';
  #claimed: string | undefined;
  #schemaVersion: typeof GATEWAY_CONFIG_SCHEMA_VERSION | undefined;
  #models: CfgModel[] | undefined;
  readonly #seen = new Set<string>();
  /** Canonical tenant texts that arrived before models and schemaVersion (hash order needs those first). */
  #pending: string[] | undefined = [];
  #tenants = 0;
  readonly #keyHashes = new Set<string>();

  readonly #memo: TenantMemo | undefined;

  constructor(sink: ConfigSink, memo?: TenantMemo) {
    this.#sink = sink;
    this.#memo = memo;
  }

  /** The hash the config claims, once its `hash` member has been read. */
  get claimedHash(): string | undefined {
    return this.#claimed;
  }

  /** A root member other than `tenants` (already parsed). */
  member(name: string, value: unknown): void {
    this.#enter(name);
    if (name === 'hash') {
      const r = HashField.safeParse(value);
      if (!r.success) throw invalid('hash', 'must be sha256:<64 hex>');
      this.#claimed = r.data;
    } else if (name === 'schemaVersion') {
      this.#schemaVersion = parseAt(SchemaVersion, value, ['schemaVersion']);
    } else if (name === 'models') {
      const models = parseAt(Models, value, ['models']);
      const names = new Set<string>();
      for (const m of models) {
        if (names.has(m.servedName)) throw invalid('models', `duplicate servedName ${m.servedName}`);
        names.add(m.servedName);
      }
      this.#models = models;
      this.#sink.models?.(models);
    } else {
      parseAt(AnyArray, value, ['tenants']);
    }
    this.#flushPending();
  }

  beginTenants(): void {
    this.#enter('tenants');
  }

  /** One element of `tenants` (already parsed), in order. */
  tenant(value: unknown): void {
    const t = parseAt(CfgTenant, value, ['tenants', this.#tenants]);
    // Hashed before the sink sees it (a sink may share equal sub-objects in place).
    this.#accept(t, canonicalText(t));
  }

  /** One element of `tenants` as its JSON text: from the memo when an earlier load verified the same text. */
  tenantText(text: string, parse: (text: string) => unknown): void {
    let e = this.#memo?.lookup(text);
    if (!e) {
      const t = parseAt(CfgTenant, parse(text), ['tenants', this.#tenants]);
      const canonical = canonicalText(t);
      // the text it came as, when that is canonical (as the operator writes it): one string kept, not two
      e = { tenant: t, text, canonical: canonical === text ? text : canonical };
      this.#memo?.remember(e);
    }
    this.#recording?.push(e);
    this.#accept(e.tenant, e.canonical);
  }

  /** Entries of the tenants verified since `record()` (a chunk of whole tenants the reader may memoize). */
  #recording: MemoEntry[] | undefined;
  record(): void {
    this.#recording = [];
  }
  recorded(): MemoEntry[] {
    const r = this.#recording ?? [];
    this.#recording = undefined;
    return r;
  }

  /** The tenants of a memoized chunk, in order; the chunk's own text is hashed when it is canonical. */
  replay(chunk: MemoChunk, text: string): void {
    if (!chunk.canonical || this.#pending) {
      for (const e of chunk.entries) this.#accept(e.tenant, e.canonical);
      return;
    }
    for (const e of chunk.entries) this.#accept(e.tenant, undefined);
    this.#write(text);
  }

  /** `canonical` undefined: the caller hashes the text itself (a replayed chunk). */
  #accept(t: CfgTenant, canonical: string | undefined): void {
    const i = this.#tenants++;
    for (const k of t.keys) {
      if (this.#keyHashes.has(k.sha256)) throw invalid('tenants', `key ${k.id} shares its hash with another key`);
      this.#keyHashes.add(k.sha256);
    }
    if (canonical !== undefined) {
      if (this.#pending) this.#pending.push(canonical);
      else this.#write(i > 0 ? `,${canonical}` : canonical);
    }
    this.#sink.tenant(t);
  }

  end(): VerifiedHead {
    if (!this.#seen.has('schemaVersion')) parseAt(SchemaVersion, undefined, ['schemaVersion']);
    if (!this.#seen.has('models')) parseAt(Models, undefined, ['models']);
    if (!this.#seen.has('tenants')) parseAt(AnyArray, undefined, ['tenants']);
    if (this.#claimed === undefined) throw invalid('hash', 'must be sha256:<64 hex>');
    this.#flushPending();
    this.#write(']}');
    this.#hash.update(this.#buf);
    this.#buf = '';
    const expected = `sha256:${this.#hash.digest('hex')}`;
    if (this.#claimed !== expected) throw invalid('hash', `hash does not match content (expected ${expected})`);
    return { hash: this.#claimed, schemaVersion: this.#schemaVersion!, models: this.#models!, tenants: this.#tenants };
  }

  #enter(name: string): void {
    if (!ROOT_MEMBERS.has(name)) throw invalid('(root)', `unrecognized key ${JSON.stringify(name.slice(0, 40))}`);
    if (this.#seen.has(name)) throw invalid('(root)', `duplicate key ${JSON.stringify(name)}`);
    this.#seen.add(name);
  }

  #flushPending(): void {
    if (!this.#pending || this.#models === undefined || this.#schemaVersion === undefined) return;
    const pending = this.#pending;
    this.#pending = undefined;
    this.#write(
      `{"models":${canonicalText(this.#models)},"schemaVersion":${JSON.stringify(this.#schemaVersion)},"tenants":[`,
    );
    pending.forEach((text, i) => this.#write(i > 0 ? `,${text}` : text));
  }

  /** Fed to the hash in ~64 KB pieces: one update per tenant would cost more than the hashing. */
  #write(s: string): void {
    this.#buf += s;
    if (this.#buf.length > 65_536) {
      this.#hash.update(this.#buf);
      this.#buf = '';
    }
  }
}

/** A config already parsed into an object (YAML, `-f` manifests, tests). */
export function verifyConfigObject(raw: unknown, sink: ConfigSink): VerifiedHead {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('(root)', 'expected an object');
  const v = new ConfigVerifier(sink);
  for (const [name, value] of Object.entries(raw)) {
    if (name !== 'tenants') {
      v.member(name, value);
      continue;
    }
    if (!Array.isArray(value)) parseAt(AnyArray, value, ['tenants']);
    v.beginTenants();
    for (const t of value as unknown[]) v.tenant(t);
  }
  return v.end();
}

/** Parse and verify an untrusted config (text already parsed, or an object): the whole config, collected. */
export function parseGatewayConfig(value: unknown): GatewayConfig {
  const tenants: CfgTenant[] = [];
  const head = verifyConfigObject(value, { tenant: (t) => void tenants.push(t) });
  return { schemaVersion: head.schemaVersion, models: head.models, tenants, hash: head.hash };
}

// ---- JSON text, in chunks ----------------------------------------------------------------------------

/** Where the reader is: in the root object, its keys and values, or the tenants array and its elements. */
const S = {
  RootStart: 0,
  KeyOrEnd: 1,
  Key: 2,
  KeyText: 3,
  Colon: 4,
  ValueStart: 5,
  Value: 6,
  AfterValue: 7,
  ElemOrEnd: 8,
  Elem: 9,
  ElemValue: 10,
  AfterElem: 11,
  Done: 12,
} as const;
type State = (typeof S)[keyof typeof S];

const WS = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Reads a config's JSON text in chunks, in order (any split, e.g. file reads or shards). The root object
 * and the `tenants` array are scanned here; every other value is captured as text and parsed on its own
 * with JSON.parse, each tenant as it completes. Structure errors name a character offset, never content.
 */
export class ConfigTextReader {
  readonly #v: ConfigVerifier;
  #state: State = S.RootStart;
  #offset = 0;
  #key = '';
  #keyParts: string[] = [];
  /** Pieces of the value being captured (a root member's or one tenant's). */
  #parts: string[] = [];
  #depth = 0;
  #inString = false;
  #escape = false;
  /** A number or literal (true/false/null): ends at the first delimiter. */
  #bare = false;

  readonly #memo: TenantMemo | undefined;

  constructor(sink: ConfigSink, memo?: TenantMemo) {
    this.#v = new ConfigVerifier(sink, memo);
    this.#memo = memo;
  }

  get claimedHash(): string | undefined {
    return this.#v.claimedHash;
  }

  /**
   * The next chunk of text. With a memo, a chunk an earlier load saw as whole tenants (a shard of the
   * operator's) that arrives again between two tenants is replayed from the memo without being scanned.
   */
  feed(chunk: string): void {
    const between = this.#state === S.ElemOrEnd || this.#state === S.AfterElem;
    if (this.#memo && between) {
      const known = this.#memo.chunk(chunk);
      if (known && known.first === (this.#state === S.ElemOrEnd)) {
        this.#v.replay(known, chunk);
        this.#state = S.AfterElem;
        this.#offset += chunk.length;
        return;
      }
      this.#v.record();
    }
    const first = this.#state === S.ElemOrEnd;
    this.#scanChunk(chunk);
    if (this.#memo && between) {
      const entries = this.#v.recorded();
      if (entries.length > 0 && this.#state === S.AfterElem) {
        let len = entries.length - (first ? 1 : 0);
        let canonical = true;
        for (const e of entries) {
          len += e.text.length;
          canonical &&= e.canonical === e.text;
        }
        this.#memo.rememberChunk(chunk, { entries, first, canonical: canonical && len === chunk.length });
      }
    }
  }

  #scanChunk(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      switch (this.#state) {
        case S.RootStart:
          if (WS(c) || c === 0xfeff) {
            i++;
            break;
          }
          if (c !== 0x7b) throw this.#syntax(i);
          this.#state = S.KeyOrEnd;
          i++;
          break;
        case S.KeyOrEnd:
        case S.Key:
          if (WS(c)) {
            i++;
            break;
          }
          if (c === 0x7d && this.#state === S.KeyOrEnd) {
            this.#state = S.Done;
            i++;
            break;
          }
          if (c !== 0x22) throw this.#syntax(i);
          this.#keyParts = [];
          this.#escape = false;
          this.#state = S.KeyText;
          i++;
          break;
        case S.KeyText: {
          const start = i;
          while (i < n) {
            const d = chunk.charCodeAt(i);
            if (this.#escape) this.#escape = false;
            else if (d === 0x5c) this.#escape = true;
            else if (d === 0x22) break;
            i++;
          }
          this.#keyParts.push(chunk.slice(start, i));
          if (i < n) {
            const raw = this.#keyParts.join('');
            if (raw.length > 200) throw this.#syntax(i);
            try {
              this.#key = JSON.parse(`"${raw}"`) as string;
            } catch {
              throw this.#syntax(i);
            }
            this.#state = S.Colon;
            i++;
          }
          break;
        }
        case S.Colon:
          if (WS(c)) {
            i++;
            break;
          }
          if (c !== 0x3a) throw this.#syntax(i);
          this.#state = S.ValueStart;
          i++;
          break;
        case S.ValueStart:
          if (WS(c)) {
            i++;
            break;
          }
          if (this.#key === 'tenants' && c === 0x5b) {
            this.#v.beginTenants();
            this.#state = S.ElemOrEnd;
            i++;
            break;
          }
          this.#begin(c);
          this.#state = S.Value;
          break;
        case S.Value:
        case S.ElemValue: {
          const end = this.#scan(chunk, i);
          this.#parts.push(chunk.slice(i, end < 0 ? n : end));
          if (end < 0) {
            i = n;
            break;
          }
          i = end;
          const text = this.#parts.join('');
          this.#parts = [];
          if (this.#state === S.Value) {
            this.#v.member(this.#key, this.#json(text, this.#key));
            this.#state = S.AfterValue;
          } else {
            this.#v.tenantText(text, (x) => this.#json(x, 'tenants'));
            this.#state = S.AfterElem;
          }
          break;
        }
        case S.AfterValue:
          if (WS(c)) {
            i++;
            break;
          }
          if (c === 0x2c) {
            this.#state = S.Key;
            i++;
            break;
          }
          if (c === 0x7d) {
            this.#state = S.Done;
            i++;
            break;
          }
          throw this.#syntax(i);
        case S.ElemOrEnd:
        case S.Elem:
          if (WS(c)) {
            i++;
            break;
          }
          if (c === 0x5d && this.#state === S.ElemOrEnd) {
            this.#state = S.AfterValue;
            i++;
            break;
          }
          this.#begin(c);
          this.#state = S.ElemValue;
          break;
        case S.AfterElem:
          if (WS(c)) {
            i++;
            break;
          }
          if (c === 0x2c) {
            this.#state = S.Elem;
            i++;
            break;
          }
          if (c === 0x5d) {
            this.#state = S.AfterValue;
            i++;
            break;
          }
          throw this.#syntax(i);
        case S.Done:
          if (WS(c)) {
            i++;
            break;
          }
          throw this.#syntax(i);
      }
    }
    this.#offset += n;
  }

  end(): VerifiedHead {
    if (this.#state !== S.Done)
      throw new ConfigInvalidError(`invalid gateway config: the JSON text ends early (at character ${this.#offset})`);
    return this.#v.end();
  }

  #begin(c: number): void {
    this.#parts = [];
    this.#depth = 0;
    this.#inString = false;
    this.#escape = false;
    this.#bare = c !== 0x7b && c !== 0x5b && c !== 0x22;
  }

  /** Index just past the end of the value being captured, or -1 if it goes on past this chunk. */
  #scan(chunk: string, from: number): number {
    const n = chunk.length;
    let i = from;
    if (this.#bare) {
      while (i < n) {
        const c = chunk.charCodeAt(i);
        if (c === 0x2c || c === 0x7d || c === 0x5d || WS(c)) return i;
        i++;
      }
      return -1;
    }
    let depth = this.#depth;
    let inString = this.#inString;
    let escape = this.#escape;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escape) escape = false;
        else if (c === 0x5c) escape = true;
        else if (c === 0x22) {
          inString = false;
          if (depth === 0) {
            this.#inString = false;
            return i + 1;
          }
        }
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          this.#depth = 0;
          this.#inString = false;
          return i + 1;
        }
      }
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escape = escape;
    return -1;
  }

  #json(text: string, where: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new ConfigInvalidError(
        `invalid gateway config: ${where}: not valid JSON (before character ${this.#offset})`,
      );
    }
  }

  #syntax(i: number): ConfigInvalidError {
    return new ConfigInvalidError(`invalid gateway config: not valid JSON at character ${this.#offset + i}`);
  }
}

/** Verify a config's JSON text, given in chunks, handing each tenant to the sink as it is verified. */
export async function verifyConfigText(
  chunks: AsyncIterable<string> | Iterable<string>,
  sink: ConfigSink,
): Promise<VerifiedHead> {
  const r = new ConfigTextReader(sink);
  for await (const c of chunks) r.feed(c);
  return r.end();
}
