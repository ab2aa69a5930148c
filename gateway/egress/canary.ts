// The gateway's own credentials (upstream API keys from --upstream-credentials-dir / the config, the Redis
// password) treated as canaries in model output: a model that emits one — whole or split across streamed deltas,
// in any output field — gets it redacted, and the caller counts it. Matched on the detection view the tenant
// guardrails use, down to its ASCII skeleton (guardrails/text.ts skeletonCodePoint: zero-width, soft hyphen and
// other invisible characters dropped, NFKC, UTS #39 look-alike letters and digits folded, accents and other marks
// removed from precomposed letters, stroked letters, small capitals, ε χ and newer Latin letters read as their ASCII
// letter, Unicode tag characters and regional indicators as the ASCII character they encode — the credentials are
// ASCII, so everything can be read down to ASCII) and case-insensitively (as tenant canaries are), so one
// invisible or look-alike character does not split a match; the redaction covers the original span. A KMP
// automaton per credential over the view: each view character is looked at once per credential, linear in the
// response. Per channel only the original text of the longest partial match at the end is held back: at most the
// longest credential's view length in code points, plus MAX_HELD_INVISIBLE invisible characters inside it
// (further invisible characters inside a partial match are dropped from the output, so a run of them cannot make
// the holdback grow). A text that ENDS inside a credential (cut by max_tokens or the output cap) has that
// trailing part redacted when it is MIN_CANARY_LENGTH characters (of the view) or more.
import {
  afterUnit,
  decodeAt,
  endsToken,
  mayDecode,
  nextBackslash,
  nextContext,
  START,
  withAside,
  withoutAside,
  type ViewContext,
} from '../../guardrails/render-view.ts';
import { isHighSurrogate, skeletonCodePoint } from '../../guardrails/text.ts';
import { CarryRetry } from '../../guardrails/carry-retry.ts';
import type { OutputTransform, Verdict } from '../transform.ts';

export const CREDENTIAL_MARKER = '[REDACTED:gateway-credential]';
/** Shorter strings are not treated as canaries (they would match ordinary text). */
export const MIN_CANARY_LENGTH = 8;
/** Invisible characters kept inside a held partial match; more are dropped (they show nothing). */
export const MAX_HELD_INVISIBLE = 64;

/**
 * The matching view of one code point: the guardrails' ASCII skeleton (accents, strokes, small capitals, tag
 * characters and regional indicators read as their ASCII letter), ASCII letters lower-cased.
 */
function viewOf(cp: number): string {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? String.fromCharCode(cp + 32) : String.fromCharCode(cp);
  const f = skeletonCodePoint(cp);
  return f.length === 0 ? f : f.toLowerCase();
}

/** The matching view of a whole string. */
export function canaryView(text: string): string {
  let out = '';
  for (const ch of text) out += viewOf(ch.codePointAt(0) as number);
  return out;
}

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
  /** The longest pattern (view characters). */
  readonly maxLength: number;
  constructor(credentials: Iterable<string>) {
    const seen = new Set<string>();
    const list: Pattern[] = [];
    for (const c of credentials) {
      if (typeof c !== 'string') continue;
      const v = canaryView(c);
      if (v.length < MIN_CANARY_LENGTH || seen.has(v)) continue;
      seen.add(v);
      list.push(compile(v));
    }
    this.patterns = list;
    this.maxLength = list.reduce((m, p) => Math.max(m, p.text.length), 0);
  }
  get size(): number {
    return this.patterns.length;
  }
}

/** One channel's streaming matcher: text in, text out with every credential replaced. */
export class CanaryStream {
  readonly #set: CanarySet;
  readonly #state: Int32Array;
  /** Unreleased original text, and redaction ranges inside it (relative to #buf, merged, ascending). */
  #buf = '';
  #ranges: [number, number][] = [];
  /** Absolute original offset of #buf[0]. */
  #base = 0;
  /** Original start (absolute) of the last maxLength view characters, by view index modulo maxLength. */
  readonly #ring: Float64Array;
  /** View characters seen so far. */
  #views = 0;
  /** Absolute offsets of the invisible characters in #buf (ascending, from #invHead on). */
  #invisible: number[] = [];
  #invHead = 0;
  /**
   * Text carried to the next push: a high surrogate that ended the last one (its pair comes with the next), or a
   * construct a renderer or a JSON parser may decode that may still continue (`\u00`, `&#1`, `<b`: render-view.ts).
   */
  #carry = '';
  readonly #retry = new CarryRetry();
  /** What the view has read so far (render-view.ts ViewContext), for the constructs at the start of a push. */
  #context: ViewContext = START;
  hits = 0;
  /** Invisible characters dropped inside a partial match (beyond MAX_HELD_INVISIBLE). */
  dropped = 0;

  constructor(set: CanarySet) {
    this.#set = set;
    this.#state = new Int32Array(set.patterns.length);
    this.#ring = new Float64Array(Math.max(1, set.maxLength));
  }

  push(text: string): string {
    if (this.#set.size === 0) return text;
    // a long carry (a construct that may still continue) is read again once it has doubled (carry-retry.ts)
    if (!this.#retry.due(this.#carry.length + text.length)) {
      this.#carry += text;
      return '';
    }
    this.#scan(this.#carry + text, false);
    this.#retry.left(this.#carry.length);
    const k = this.#partial();
    let upTo = k > 0 ? this.#startOf(k) - this.#base : this.#buf.length;
    // a construct dropped inside a token is held until what it holds was read (#showAside)
    if (this.#context.aside) upTo = Math.min(upTo, this.#context.aside.start - this.#base);
    return this.#release(upTo);
  }

  end(): string {
    if (this.#set.size === 0) return '';
    if (this.#carry !== '') this.#scan(this.#carry, true);
    if (this.#context.aside) this.#context = this.#showAside(this.#context);
    // the text ends inside a credential (a response cut by max_tokens or the output cap): a trailing prefix of
    // MIN_CANARY_LENGTH or more view characters counts as the credential (at most MIN_CANARY_LENGTH - 1 leave)
    const partial = this.#partial();
    if (partial >= MIN_CANARY_LENGTH) {
      this.#mark(this.#startOf(partial) - this.#base, this.#buf.length);
      this.hits++;
    }
    const out = this.#release(this.#buf.length);
    this.#state.fill(0);
    return out;
  }

  /** Characters held back. */
  get held(): number {
    return this.#buf.length + this.#carry.length;
  }

  #partial(): number {
    let k = 0;
    for (let p = 0; p < this.#state.length; p++) k = Math.max(k, this.#state[p] as number);
    return k;
  }

  /** Absolute original start of the view character `k` back from the last one (k >= 1). */
  #startOf(k: number): number {
    const ring = this.#ring;
    return ring[(this.#views - k) % ring.length] as number;
  }

  /**
   * Feeds `text` (appended to #buf, less dropped invisible characters) through every automaton. A construct a client
   * decodes (JSON `\uXXXX` in tool-call arguments, HTML references, markdown escapes, markup a renderer hides:
   * guardrails/render-view.ts decodeAt) is read as what it decodes to, over its whole original span. Every channel is
   * read as JSON a client may parse (all JSON escapes, nested levels too: `<\/b>`, `\\u0054`): the stream does not
   * know which field is JSON, and reading a markdown field so only redacts more of a credential written with them.
   */
  #scan(text: string, final: boolean): void {
    this.#carry = '';
    let seg = 0; // start of the part of `text` not yet appended to #buf
    let ctx = this.#context;
    let plain = -1; // the last plain code unit not yet folded into ctx
    let backslash = -1; // render-view.ts nextBackslash, carried
    let i = 0;
    while (i < text.length) {
      const unit = text.charCodeAt(i);
      if (!final && i === text.length - 1 && isHighSurrogate(unit)) {
        this.#carry = text.slice(i);
        break;
      }
      const at = this.#base + this.#buf.length + (i - seg); // absolute original offset of this character
      if (mayDecode(unit, ctx)) {
        if (plain !== -1) {
          ctx = afterUnit(ctx, plain);
          plain = -1;
        }
        backslash = nextBackslash(text, i, backslash);
        const d = decodeAt(text, i, final, ctx, true, backslash);
        if (d === 'partial') {
          this.#carry = text.slice(i);
          break;
        }
        if (d !== undefined) {
          for (const ch of d.text) {
            const c = ch.codePointAt(0) as number;
            if (ctx.aside && endsToken(ctx.aside, c, at)) ctx = this.#showAside(ctx);
            this.#feed(viewOf(c), at, d.end - i);
          }
          ctx = nextContext(ctx, text, i, d);
          if (d.aside !== undefined) ctx = withAside(ctx, d.aside, at, at + d.end - i);
          i = d.end;
          continue;
        }
      }
      const cp = text.codePointAt(i) as number;
      const w = cp > 0xffff ? 2 : 1;
      if (ctx.aside && endsToken(ctx.aside, cp, at)) ctx = this.#showAside(ctx);
      plain = text.charCodeAt(i + w - 1);
      const v = viewOf(cp);
      if (v.length === 0) {
        const k = this.#partial();
        if (k > 0 && this.#invisibleSince(this.#startOf(k)) >= MAX_HELD_INVISIBLE) {
          // inside a partial match and already MAX_HELD_INVISIBLE of them held: drop this one
          this.#buf += text.slice(seg, i);
          seg = i + w;
          this.dropped++;
        } else this.#invisible.push(at);
        i += w;
        continue;
      }
      this.#feed(v, at, w);
      i += w;
    }
    if (plain !== -1) ctx = afterUnit(ctx, plain);
    this.#context = ctx;
    this.#buf += text.slice(seg, text.length - this.#carry.length);
  }

  /**
   * A construct dropped inside a token that holds a long word (render-view.ts ViewContext.aside): what it holds is
   * read once the token ends, on its own line, over the construct's original span.
   */
  #showAside(ctx: ViewContext): ViewContext {
    const a = ctx.aside;
    if (a) for (const ch of `\n${a.text}\n`) this.#feed(viewOf(ch.codePointAt(0) as number), a.start, a.end - a.start);
    return withoutAside(ctx);
  }

  /** View characters `v` of the original text at absolute offset `at`, `w` code units long, through every automaton. */
  #feed(v: string, at: number, w: number): void {
    const pats = this.#set.patterns;
    const ring = this.#ring;
    for (let j = 0; j < v.length; j++) {
      const c = v.charCodeAt(j);
      ring[this.#views % ring.length] = at;
      this.#views++;
      for (let p = 0; p < pats.length; p++) {
        const pat = pats[p] as Pattern;
        let k = this.#state[p] as number;
        while (k > 0 && c !== pat.text.charCodeAt(k)) k = pat.fail[k - 1] as number;
        if (c === pat.text.charCodeAt(k)) k++;
        if (k === pat.text.length) {
          this.#mark(this.#startOf(k) - this.#base, at + w - this.#base);
          this.hits++;
          k = pat.fail[k - 1] as number;
        }
        this.#state[p] = k;
      }
    }
  }

  /** Invisible characters held at absolute offset `from` or later. */
  #invisibleSince(from: number): number {
    const a = this.#invisible;
    let lo = this.#invHead;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((a[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    return a.length - lo;
  }

  #mark(a0: number, b0: number): void {
    let a = a0;
    let b = b0;
    // a longer credential can end later and start earlier than the last range: merge every overlapped one
    for (let last = this.#ranges.at(-1); last && a < last[1]; last = this.#ranges.at(-1)) {
      a = Math.min(a, last[0]);
      b = Math.max(b, last[1]);
      this.#ranges.pop();
    }
    this.#ranges.push([a, b]);
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
    this.#base += cut;
    // forget the invisible characters released
    const inv = this.#invisible;
    while (this.#invHead < inv.length && (inv[this.#invHead] as number) < this.#base) this.#invHead++;
    if (this.#invHead > 1024 && this.#invHead * 2 > inv.length) {
      this.#invisible = inv.slice(this.#invHead);
      this.#invHead = 0;
    }
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
