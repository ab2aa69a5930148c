// The gateway's own credentials (upstream API keys from --upstream-credentials-dir / the config, the Redis
// password) treated as canaries in model output: a model that emits one — whole or split across streamed deltas,
// in any output field — gets it redacted, and the caller counts it. Literal match (a KMP automaton per
// credential: each output character is looked at once per credential, linear in the response), holding back per
// channel only the longest partial match at the end of the text (never more than the longest credential - 1). A text
// that ENDS inside a credential (cut by max_tokens or the output cap) has that trailing part redacted when it is
// MIN_CANARY_LENGTH characters or more.
import type { OutputTransform, Verdict } from '../transform.ts';

export const CREDENTIAL_MARKER = '[REDACTED:gateway-credential]';
/** Shorter strings are not treated as canaries (they would match ordinary text). */
export const MIN_CANARY_LENGTH = 8;

interface Pattern {
  readonly text: string;
  /** KMP failure function. */
  readonly fail: Int32Array;
}

function compile(text: string): Pattern {
  const fail = new Int32Array(text.length);
  let k = 0;
  for (let i = 1; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== text.charCodeAt(k)) k = fail[k - 1] as number;
    if (text.charCodeAt(i) === text.charCodeAt(k)) k++;
    fail[i] = k;
  }
  return { text, fail };
}

/** The credentials, compiled once (share one instance across requests). */
export class CanarySet {
  readonly patterns: readonly Pattern[];
  constructor(credentials: Iterable<string>) {
    const seen = new Set<string>();
    const list: Pattern[] = [];
    for (const c of credentials) {
      if (typeof c !== 'string' || c.length < MIN_CANARY_LENGTH || seen.has(c)) continue;
      seen.add(c);
      list.push(compile(c));
    }
    this.patterns = list;
  }
  get size(): number {
    return this.patterns.length;
  }
}

/** One channel's streaming matcher: text in, text out with every credential replaced. */
export class CanaryStream {
  readonly #set: CanarySet;
  readonly #state: Int32Array;
  /** Unreleased text, and redaction ranges inside it (relative to #buf, merged, ascending). */
  #buf = '';
  #ranges: [number, number][] = [];
  hits = 0;

  constructor(set: CanarySet) {
    this.#set = set;
    this.#state = new Int32Array(set.patterns.length);
  }

  push(text: string): string {
    if (this.#set.size === 0) return text;
    const start = this.#buf.length;
    this.#buf += text;
    const buf = this.#buf;
    const pats = this.#set.patterns;
    for (let i = start; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      for (let p = 0; p < pats.length; p++) {
        const pat = pats[p] as Pattern;
        let k = this.#state[p] as number;
        while (k > 0 && c !== pat.text.charCodeAt(k)) k = pat.fail[k - 1] as number;
        if (c === pat.text.charCodeAt(k)) k++;
        if (k === pat.text.length) {
          this.#mark(i + 1 - k, i + 1);
          this.hits++;
          k = pat.fail[k - 1] as number;
        }
        this.#state[p] = k;
      }
    }
    let partial = 0;
    for (let p = 0; p < pats.length; p++) partial = Math.max(partial, this.#state[p] as number);
    return this.#release(buf.length - partial);
  }

  end(): string {
    // the text ends inside a credential (a response cut by max_tokens or the output cap): a trailing prefix of
    // MIN_CANARY_LENGTH or more characters counts as the credential (at most MIN_CANARY_LENGTH - 1 characters leave)
    let partial = 0;
    for (let p = 0; p < this.#set.patterns.length; p++) partial = Math.max(partial, this.#state[p] as number);
    if (partial >= MIN_CANARY_LENGTH) {
      this.#mark(this.#buf.length - partial, this.#buf.length);
      this.hits++;
    }
    const out = this.#release(this.#buf.length);
    this.#state.fill(0);
    return out;
  }

  /** Characters held back. */
  get held(): number {
    return this.#buf.length;
  }

  #mark(a: number, b: number): void {
    const last = this.#ranges[this.#ranges.length - 1];
    if (last && a < last[1]) last[1] = Math.max(last[1], b);
    else this.#ranges.push([a, b]);
  }

  #release(cut0: number): string {
    let cut = cut0;
    for (const [a, b] of this.#ranges) if (a < cut && cut < b) cut = a;
    let out = '';
    let at = 0;
    const keep: [number, number][] = [];
    for (const r of this.#ranges) {
      if (r[1] <= cut) {
        out += this.#buf.slice(at, r[0]) + CREDENTIAL_MARKER;
        at = r[1];
      } else keep.push([r[0] - cut, r[1] - cut]);
    }
    out += this.#buf.slice(at, cut);
    this.#buf = this.#buf.slice(cut);
    this.#ranges = keep;
    return out;
  }
}

/** Per-channel canary matching as an output transform stage, ahead of `inner` (the tenant's guardrails, if any). */
export class CanaryTransform implements OutputTransform {
  readonly #set: CanarySet;
  readonly #inner: OutputTransform | undefined;
  readonly #streams = new Map<number, CanaryStream>();
  /** Credentials found in this response (all channels). */
  hits = 0;
  readonly review?: (final: boolean) => Promise<'release' | 'hold'>;

  constructor(set: CanarySet, inner: OutputTransform | undefined) {
    this.#set = set;
    this.#inner = inner;
    if (inner?.review) this.review = (final) => (inner.review as (f: boolean) => Promise<'release' | 'hold'>)(final);
  }

  push(index: number, text: string): string {
    const s = this.#stream(index);
    const before = s.hits;
    const out = s.push(text);
    this.hits += s.hits - before;
    return this.#inner ? this.#inner.push(index, out) : out;
  }

  flush(index: number): string {
    const s = this.#streams.get(index);
    const rest = s ? s.end() : '';
    this.#streams.delete(index);
    if (!this.#inner) return rest;
    return this.#inner.push(index, rest) + this.#inner.flush(index);
  }

  verdict(): Verdict | undefined {
    return this.#inner?.verdict();
  }

  #stream(index: number): CanaryStream {
    let s = this.#streams.get(index);
    if (!s) {
      s = new CanaryStream(this.#set);
      this.#streams.set(index, s);
    }
    return s;
  }
}

const bySecrets = new WeakMap<{ readonly literals: readonly string[] }, { count: number; set: CanarySet }>();

/** The canary set for the gateway's credential set (compiled once, again only when credentials were added). */
export function canarySetFor(secrets: { readonly literals: readonly string[] }): CanarySet {
  const hit = bySecrets.get(secrets);
  if (hit && hit.count === secrets.literals.length) return hit.set;
  const set = new CanarySet(secrets.literals);
  bySecrets.set(secrets, { count: secrets.literals.length, set });
  return set;
}

/** The response's transform with the credential canaries in front (undefined: no credentials and no transform). */
export function withCanaries(
  set: CanarySet,
  inner: OutputTransform | undefined,
): CanaryTransform | OutputTransform | undefined {
  return set.size === 0 ? inner : new CanaryTransform(set, inner);
}
