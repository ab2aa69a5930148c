// The exfiltration stage for a channel whose text is JSON (tool-call / function-call arguments, content under a JSON
// response_format). Two readings in a row (JsonExfilStream):
//
// 1. Each decoded string value (keys included), as a client renders it after JSON.parse (JsonValues): a small
//    streaming tokenizer — outside strings the bytes pass; inside a string the escapes are decoded (`\uXXXX` by
//    UTF-16 unit, so a surrogate pair is two units that join again), the value goes through its own markdown stage
//    (markdown.ts, markdown syntax, its own state) and what that emits is written back as JSON string content. So
//    `https:\/\/…`, `\u0068ttps`, `<img src=\"…\">` and `\n` escapes are read as what they decode to, and no
//    construct runs across values (a code span the JSON text opens across values hides nothing). The parsed values
//    are what a markdown channel would serve; escapes that need none come out decoded (`\/` → `/`), and CRLF in a
//    value that goes through a parse comes out LF, as markdown-it normalises it.
// 2. The whole text as markdown with JSON-preserving rewrites (markdown.ts ExfilSyntax `json`): a client that renders
//    the text as it is (a chat UI showing JSON content) or fails to parse it; constructs the JSON text forms across
//    values. From the first sign that the text is not JSON (a character outside strings that JSON cannot have there,
//    a raw control character in a string, an invalid escape) reading 1 ends the value being read and lets the rest
//    pass, and reading 2 alone covers it.
//
// Streamed equals whole for any split: both readings are split-independent; the encoder holds a trailing high
// surrogate until the next unit; a value of at most PLAIN_MAX units with none of `[` `<` backtick is judged at its
// end (written back as decoded, without a parse, when linkify finds nothing in it). Work is linear: each input
// character is decoded once and each reading is bounded as markdown.ts bounds it (about twice the markdown channel's
// cost).
import { ExfilStream, linkifyTest, type ExfilChunk, type ExfilFinding, type ExfilPolicy } from './markdown.ts';

/** A value at most this long with none of `[` `<` backtick is held and judged whole at its end (no parse). */
const PLAIN_MAX = 256;
const SPECIAL = /[[<`]/;

/** Characters JSON can have outside a string: structure, whitespace, numbers, true / false / null. */
const OUTSIDE = /^[\t\n\r {}[\],:0-9+\-.eEtrufalsn]$/;

const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX = /^[0-9a-fA-F]$/;

/** `s` as JSON string content. */
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

/**
 * One string literal: decoded text in, JSON string content out. Decoded offsets map back to the input through the
 * escapes seen (for findings).
 */
class JsonValue {
  readonly #policy: ExfilPolicy;
  /** Input offset of the literal's first content character. */
  readonly #rawStart: number;
  /** Decoded text held while the value may still skip the stage (undefined once the stage runs). */
  #plain: string | undefined = '';
  #stage: ExfilStream | undefined;
  /** A high surrogate the encoder holds until the next unit. */
  #pendingHigh = '';
  #decoded = 0;
  /** Decoded offsets of escapes and the extra input characters each adds (cumulative). */
  readonly #escAt: number[] = [];
  readonly #escExtra: number[] = [];

  constructor(policy: ExfilPolicy, rawStart: number) {
    this.#policy = policy;
    this.#rawStart = rawStart;
  }

  get held(): number {
    return (this.#plain?.length ?? 0) + (this.#stage?.held ?? 0) + this.#pendingHigh.length;
  }

  /** Records an escape decoding to one unit, `at` units into the next push, `rawLength` input characters long. */
  escape(at: number, rawLength: number): void {
    const prev = this.#escExtra[this.#escExtra.length - 1] ?? 0;
    this.#escAt.push(this.#decoded + at);
    this.#escExtra.push(prev + rawLength - 1);
  }

  push(s: string): ExfilChunk {
    if (s === '') return { text: '', findings: [] };
    this.#decoded += s.length;
    if (this.#plain !== undefined) {
      this.#plain += s;
      if (this.#plain.length <= PLAIN_MAX && !SPECIAL.test(s)) return { text: '', findings: [] };
      const held = this.#plain;
      this.#plain = undefined;
      this.#stage = new ExfilStream(this.#policy);
      return this.#out(this.#stage.push(held));
    }
    return this.#out((this.#stage as ExfilStream).push(s));
  }

  end(): ExfilChunk {
    let c: ExfilChunk;
    if (this.#plain !== undefined && !linkifyTest(this.#plain)) c = { text: this.#plain, findings: [] };
    else {
      const stage = this.#stage ?? new ExfilStream(this.#policy);
      c = stage.end(this.#plain ?? '');
    }
    this.#plain = undefined;
    const out = this.#out(c);
    out.text += this.#pendingHigh === '' ? '' : jsonInner(this.#pendingHigh);
    this.#pendingHigh = '';
    return out;
  }

  #out(c: ExfilChunk): ExfilChunk {
    let s = this.#pendingHigh + c.text;
    this.#pendingHigh = '';
    if (s !== '' && isHighSurrogate(s.charCodeAt(s.length - 1))) {
      this.#pendingHigh = s.slice(-1);
      s = s.slice(0, -1);
    }
    return { text: jsonInner(s), findings: c.findings.map((f) => this.#mapFinding(f)) };
  }

  #mapFinding(f: ExfilFinding): ExfilFinding {
    return { detector: f.detector, start: this.#raw(f.start), end: this.#raw(f.end) };
  }

  /** The input offset of decoded offset `d` (approximate after a CRLF the stage normalised). */
  #raw(d: number): number {
    let lo = 0;
    let hi = this.#escAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#escAt[mid] as number) < d) lo = mid + 1;
      else hi = mid;
    }
    return this.#rawStart + d + (lo > 0 ? (this.#escExtra[lo - 1] as number) : 0);
  }
}

/**
 * The first reading of a JSON channel: each string value through its own markdown stage, written back as JSON string
 * content. From the first sign that the text is not JSON (a character outside strings that JSON cannot have there,
 * a raw control character in a string, an invalid escape) the rest passes as it is (the value being read ends
 * there, judged): the reading of the whole text as markdown that follows covers it.
 */
class JsonValues {
  readonly #policy: ExfilPolicy;
  #value: JsonValue | undefined;
  /** An escape being read (from its backslash), when a delta ended inside it. */
  #esc = '';
  /** Input characters consumed. */
  #offset = 0;
  /** Not JSON: everything from here on passes. */
  #raw = false;

  constructor(policy: ExfilPolicy) {
    this.#policy = policy;
  }

  get held(): number {
    return this.#esc.length + (this.#value?.held ?? 0);
  }

  push(delta: string): ExfilChunk {
    const out: ExfilChunk = { text: '', findings: [] };
    let i = 0;
    while (i < delta.length) {
      if (this.#raw) {
        out.text += delta.slice(i);
        this.#offset += delta.length - i;
        break;
      }
      i = this.#value ? this.#inString(delta, i, out) : this.#outside(delta, i, out);
    }
    return out;
  }

  end(): ExfilChunk {
    const out: ExfilChunk = { text: '', findings: [] };
    // an unterminated string (or escape): what was read of it, judged, and the escape's text as it came
    if (this.#value) this.#notJson(out, this.#esc);
    return out;
  }

  /** Outside strings: JSON structure passes; a quote opens a value. */
  #outside(delta: string, i: number, out: ExfilChunk): number {
    let k = i;
    while (k < delta.length && delta[k] !== '"' && OUTSIDE.test(delta[k] as string)) k++;
    out.text += delta.slice(i, k);
    this.#offset += k - i;
    if (k === delta.length) return k;
    if (delta[k] !== '"') {
      this.#raw = true;
      return k;
    }
    out.text += '"';
    this.#offset++;
    this.#value = new JsonValue(this.#policy, this.#offset);
    return k + 1;
  }

  /** Inside a string: decode up to the closing quote or the end of the delta, pass the run to the value. */
  #inString(delta: string, i: number, out: ExfilChunk): number {
    const value = this.#value as JsonValue;
    let run = '';
    let k = i;
    let bad = false;
    for (; k < delta.length; k++) {
      const c = delta[k] as string;
      if (this.#esc !== '') {
        this.#esc += c;
        const decoded = this.#escape();
        if (decoded === null) {
          bad = true;
          break;
        }
        if (decoded === undefined) continue;
        if (decoded.length === 1) value.escape(run.length, this.#esc.length);
        run += decoded;
        this.#esc = '';
      } else if (c === '\\') this.#esc = c;
      else if (c === '"' || c < ' ') break;
      else run += c;
    }
    merge(out, value.push(run));
    this.#offset += k - i;
    if (k === delta.length) return k;
    if (bad || delta[k] !== '"') {
      // an invalid escape (its text so far included) or a raw control character: not JSON
      const rest = bad ? this.#esc : '';
      this.#offset += bad ? 1 : 0;
      this.#notJson(out, rest);
      return bad ? k + 1 : k;
    }
    merge(out, this.#closeValue());
    out.text += '"';
    this.#offset++;
    return k + 1;
  }

  /** The text is not JSON: the value being read ends (judged), `rest` and everything after it pass. */
  #notJson(out: ExfilChunk, rest: string): void {
    merge(out, this.#closeValue());
    out.text += rest;
    this.#esc = '';
    this.#raw = true;
  }

  /** The escape in #esc: undefined while incomplete, null when invalid, else the UTF-16 unit it stands for. */
  #escape(): string | null | undefined {
    const e = this.#esc;
    const kind = e[1] as string;
    if (kind !== 'u') return SIMPLE[kind] ?? null;
    if (e.length > 2 && !HEX.test(e[e.length - 1] as string)) return null;
    return e.length < 6 ? undefined : String.fromCharCode(Number.parseInt(e.slice(2), 16));
  }

  #closeValue(): ExfilChunk {
    const out = (this.#value as JsonValue).end();
    this.#value = undefined;
    return out;
  }
}

/**
 * The exfiltration stage for one JSON channel: `push` deltas, then `end` (the interface of ExfilStream). Two
 * readings in a row: each decoded string value as markdown (a client that parses the JSON and renders values), then
 * the whole text as markdown with JSON-preserving rewrites (markdown.ts ExfilSyntax `json`: a client that renders the
 * text, or does not parse it; constructs the JSON text forms across values). Findings: offsets in the input for the
 * first reading, in the first reading's output for the second.
 */
export class JsonExfilStream {
  readonly #values: JsonValues;
  readonly #text: ExfilStream;
  /** Flag mode: reading 1 only reports, the text goes on as it came (escapes not rewritten). */
  readonly #rewrite: boolean;
  #done = false;

  constructor(policy: ExfilPolicy) {
    this.#rewrite = policy.rewrite;
    this.#values = new JsonValues({ ...policy, syntax: 'markdown' });
    this.#text = new ExfilStream({ ...policy, syntax: 'json' });
  }

  get held(): number {
    return this.#values.held + this.#text.held;
  }

  push(delta: string): ExfilChunk {
    if (this.#done) throw new Error('JsonExfilStream: push after end');
    const v = this.#values.push(delta);
    return after(v, this.#text.push(this.#rewrite ? v.text : delta));
  }

  end(last = ''): ExfilChunk {
    if (this.#done) return { text: '', findings: [] };
    this.#done = true;
    const v = merge(this.#values.push(last), this.#values.end());
    return after(v, this.#text.end(this.#rewrite ? v.text : last));
  }
}

/** The second reading's chunk, with the first reading's findings before its own. */
function after(first: ExfilChunk, second: ExfilChunk): ExfilChunk {
  return { text: second.text, findings: [...first.findings, ...second.findings] };
}

function merge(into: ExfilChunk, c: ExfilChunk): ExfilChunk {
  into.text += c.text;
  if (c.findings.length > 0) into.findings.push(...c.findings);
  return into;
}
