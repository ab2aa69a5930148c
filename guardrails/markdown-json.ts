// The exfiltration stage for a channel whose text is JSON (tool-call / function-call arguments, content under a JSON
// response_format). Two readings in a row (JsonExfilStream):
//
// 1. Each decoded string value (keys included), as a client renders it after JSON.parse (JsonValues): a small
//    streaming tokenizer — outside strings the bytes pass; inside a string the escapes are decoded (`\uXXXX` by
//    UTF-16 unit, so a surrogate pair is two units that join again), the value goes through its own markdown stage
//    (markdown.ts, markdown syntax, its own state) and what that emits is written back as JSON string content. So
//    `https:\/\/…`, `\u0068ttps`, `<img src=\"…\">` and `\n` escapes are read as what they decode to, and no
//    construct runs across values (a code span the JSON text opens across values hides nothing). The parsed values
//    are what a markdown channel would serve. Written back: as long as the stage's text is the value's own (up to
//    its CRLF / NUL normalisation), the input's characters as they came — escapes, `\r\n`, `\u0000` — so an
//    unchanged value is served byte for byte and an escaped `\u002a` never becomes a `*` in the JSON text; from the
//    first difference (a rewrite) on, JSON with every markup character (`*` `_` `~` backtick `<` `>` `&` `[` `]`
//    `(` `)` `!`) written as a `\uXXXX` escape. A value that is itself JSON text (`{…}`, `[…]`: a tool argument
//    holding a JSON document) is read again by both readings, MAX_NESTING levels deep. `NaN`, `Infinity` and
//    `-Infinity` (Python's json.loads accepts them) are read as values. Before any string, text that is not JSON
//    (a ```json fence, `Here is the JSON:`, a BOM) is prose: it passes up to the next `{` or `[`, where reading 1
//    starts again; so is text after a document closes (its last `}` / `]`): a second ```json fence is read too.
// 2. The whole text as markdown with JSON-preserving rewrites (markdown.ts ExfilSyntax `json`): a client that renders
//    the text as it is (a chat UI showing JSON content) or fails to parse it; constructs the JSON text forms across
//    values. From the first sign that the text is not JSON (a character outside strings that JSON cannot have there,
//    a raw control character in a string, an invalid escape) reading 1 ends the value being read and lets the rest
//    pass, and reading 2 alone covers it.
//
// Streamed equals whole for any split: both readings are split-independent; the write-back compares the stage's text
// with the input unit by unit, holding what the stage emitted beyond the input read so far; the encoder holds a
// trailing high surrogate until the next unit; a value of at most PLAIN_MAX units with none of `[` `<` backtick is
// judged at its end (written back without a parse when linkify finds nothing in it and it is not JSON text); whether
// a value is JSON text is decided by its first characters (looksJson). Work is linear: each input character is
// decoded once per level (at most MAX_NESTING + 1) and each reading is bounded as markdown.ts bounds it.
import { ExfilStream, linkifyTest, type ExfilChunk, type ExfilFinding, type ExfilPolicy } from './markdown.ts';

/** A value at most this long with none of `[` `<` backtick is held and judged whole at its end (no parse). */
const PLAIN_MAX = 256;
const SPECIAL = /[[<`]/;

/**
 * Characters JSON can have outside a string: structure, whitespace, numbers, true / false / null, and the NaN /
 * Infinity / -Infinity that Python's json.loads (and parsers built on it) accept.
 */
const OUTSIDE = /^[\t\n\r {}[\],:0-9+\-.eEtrufalsnNIiy]$/;

const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX = /^[0-9a-fA-F]$/;

/** `s` as JSON string content. */
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

/**
 * Markup a changed value writes as `\uXXXX` escapes from where its text differs from the input: what a renderer of
 * the JSON text would read as emphasis, a code span, a tag, an entity or a link (so a value the stage changed never
 * turns an escaped markup character into a literal one, e.g. `\u002a\u002a` inside a secret).
 */
const MARKUP = /[!&()*<>[\]_`~]/g;

/** `s` as JSON string content, markup escaped. */
const safeInner = (s: string) =>
  jsonInner(s).replace(MARKUP, (c) => `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** JSON text nested in a string value is read again (reading 1) up to this depth. */
const MAX_NESTING = 3;

/**
 * Whether a decoded value is JSON text to read again: its first non-blank character (within the first PLAIN_MAX)
 * is `{`, or `[` followed by `{`, `[`, `"`, a digit, `-`, `t`, `f` or `n`; undefined while that is not known yet.
 */
export function looksJson(held: string, final: boolean): boolean | undefined {
  const s = held.slice(0, PLAIN_MAX);
  let i = 0;
  while (i < s.length && BLANK.test(s[i] as string)) i++;
  if (i < s.length && s[i] !== '{' && s[i] !== '[') return false;
  if (s[i] === '{') return true;
  if (i < s.length) {
    i++;
    while (i < s.length && BLANK.test(s[i] as string)) i++;
    if (i < s.length) return ARRAY_ITEM.test(s[i] as string);
  }
  return final || held.length >= PLAIN_MAX ? false : undefined;
}
const BLANK = /^[\t\n\r ]$/;
const ARRAY_ITEM = /^[{["0-9tfn-]$/;

/** A value's own stage: markdown, or (JSON nested in the value) the JSON channel's two readings again. */
interface ValueStage {
  readonly held: number;
  push(delta: string): ExfilChunk;
  end(last?: string): ExfilChunk;
}

/**
 * One string literal: decoded text in, JSON string content out. What the value's stage emits is matched against the
 * decoded input from the value's start: as long as it is the same text (up to the stage's CRLF / NUL
 * normalisation), the input's own characters are written back (its escapes and line endings as they came); from the
 * first difference (a rewrite) on, the stage's text is written as JSON with markup escaped (safeInner). Output the
 * stage has emitted beyond the input read so far waits for the input. Decoded offsets map back to the input through
 * the escapes seen (for findings and the write-back).
 */
class JsonValue {
  readonly #policy: ExfilPolicy;
  readonly #depth: number;
  /** Input offset of the literal's first content character. */
  readonly #rawStart: number;
  /** Decoded text held while the value may still skip the stage (undefined once the stage runs). */
  #plain: string | undefined = '';
  /** The held text has one of `[` `<` backtick. */
  #special = false;
  #stage: ValueStage | undefined;
  /** A high surrogate the encoder holds until the next unit (after a difference). */
  #pendingHigh = '';
  #decoded = 0;
  /** Decoded offsets of escapes and the extra input characters each adds (cumulative). */
  readonly #escAt: number[] = [];
  readonly #escExtra: number[] = [];
  /** Input characters not written yet, from input offset #rawAt. */
  #raw = '';
  #rawAt: number;
  /** Decoded units not matched yet, from decoded offset #matched. */
  #dec = '';
  #matched = 0;
  /** Stage output not matched yet (waiting for input). */
  #out = '';
  /** The stage's text differs from the input: written with safeInner from there on. */
  #differs = false;

  constructor(policy: ExfilPolicy, rawStart: number, depth: number) {
    this.#policy = policy;
    this.#rawStart = rawStart;
    this.#rawAt = rawStart;
    this.#depth = depth;
  }

  get held(): number {
    return (this.#plain?.length ?? 0) + (this.#stage?.held ?? 0) + this.#pendingHigh.length + this.#out.length;
  }

  /** Records an escape decoding to one unit, `at` units into the next push, `rawLength` input characters long. */
  escape(at: number, rawLength: number): void {
    const prev = this.#escExtra[this.#escExtra.length - 1] ?? 0;
    this.#escAt.push(this.#decoded + at);
    this.#escExtra.push(prev + rawLength - 1);
  }

  /** `s` decoded from the input characters `raw` (an escape's start may come before its end). */
  push(s: string, raw: string): ExfilChunk {
    if (!this.#differs) {
      this.#raw += raw;
      this.#dec += s;
    }
    if (s === '') return { text: '', findings: [] };
    this.#decoded += s.length;
    if (this.#plain !== undefined) {
      this.#plain += s;
      this.#special ||= SPECIAL.test(s);
      const nested = looksJson(this.#plain, false);
      if (this.#plain.length <= PLAIN_MAX && (nested === undefined || !this.#special))
        return this.#write({ text: '', findings: [] }, false);
      const held = this.#plain;
      this.#plain = undefined;
      this.#stage = this.#newStage(nested === true);
      return this.#write(this.#stage.push(held), false);
    }
    return this.#write((this.#stage as ValueStage).push(s), false);
  }

  end(): ExfilChunk {
    let c: ExfilChunk;
    const plain = this.#plain;
    const nested = plain !== undefined && looksJson(plain, true) === true;
    if (plain !== undefined && !nested && !linkifyTest(plain)) c = { text: plain, findings: [] };
    else c = (this.#stage ?? this.#newStage(nested)).end(plain ?? '');
    this.#plain = undefined;
    const out = this.#write(c, true);
    out.text += this.#pendingHigh === '' ? '' : safeInner(this.#pendingHigh);
    this.#pendingHigh = '';
    return out;
  }

  #newStage(nested: boolean): ValueStage {
    return nested && this.#depth < MAX_NESTING
      ? new JsonExfilStream(this.#policy, this.#depth + 1)
      : new ExfilStream(this.#policy);
  }

  /** The stage's chunk as JSON string content: the input's characters while it matches, else safeInner. */
  #write(c: ExfilChunk, final: boolean): ExfilChunk {
    const findings = c.findings.map((f) => this.#mapFinding(f));
    if (this.#differs) return { text: this.#encode(c.text), findings };
    const out = this.#out + c.text;
    const dec = this.#dec;
    let i = 0;
    let j = 0;
    let same = true;
    while (i < out.length && j < dec.length) {
      const o = out[i] as string;
      const d = dec[j] as string;
      if (o === d || (o === '\uFFFD' && d === '\0')) j++;
      else if (o === '\n' && d === '\r') {
        // CRLF or CR, normalised to LF by the stage: wait for the unit after the CR
        if (j + 1 >= dec.length && !final) break;
        j += dec[j + 1] === '\n' ? 2 : 1;
      } else {
        same = false;
        break;
      }
      i++;
    }
    const rawEnd = this.#rawOf(this.#matched + j) - this.#rawAt;
    const text = this.#raw.slice(0, rawEnd);
    if (!same || (final && i < out.length)) {
      this.#differs = true;
      this.#raw = '';
      this.#dec = '';
      this.#out = '';
      return { text: text + this.#encode(out.slice(i)), findings };
    }
    this.#raw = this.#raw.slice(rawEnd);
    this.#rawAt += rawEnd;
    this.#dec = dec.slice(j);
    this.#matched += j;
    this.#out = out.slice(i);
    return { text, findings };
  }

  /** Stage output after a difference, as JSON string content (a trailing high surrogate waits for the next unit). */
  #encode(t: string): string {
    let s = this.#pendingHigh + t;
    this.#pendingHigh = '';
    if (s !== '' && isHighSurrogate(s.charCodeAt(s.length - 1))) {
      this.#pendingHigh = s.slice(-1);
      s = s.slice(0, -1);
    }
    return safeInner(s);
  }

  #mapFinding(f: ExfilFinding): ExfilFinding {
    return { detector: f.detector, start: this.#rawOf(f.start), end: this.#rawOf(f.end) };
  }

  /** The input offset of decoded offset `d` (approximate after a CRLF the stage normalised). */
  #rawOf(d: number): number {
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
 * The first reading of a JSON channel: each string value through its own stage (JsonValue), written back as JSON
 * string content. Before any string, text that is not JSON is prose, passed up to the next `{` or `[`. After one,
 * from the first sign that the text is not JSON (a character outside strings that JSON cannot have there, a raw
 * control character in a string, an invalid escape) the rest passes as it is (the value being read ends there,
 * judged): the reading of the whole text as markdown that follows covers it.
 */
class JsonValues {
  readonly #policy: ExfilPolicy;
  readonly #depth: number;
  #value: JsonValue | undefined;
  /** An escape being read (from its backslash), when a delta ended inside it. */
  #esc = '';
  /** Input characters consumed. */
  #offset = 0;
  /** Not JSON: everything from here on passes. */
  #raw = false;
  /** Prose before the JSON (no string read yet): it passes up to the next `{` or `[`. */
  #prose = false;
  /** A string literal was opened: from the next sign that the text is not JSON, it passes (#raw). */
  #strings = false;
  /** `{` / `[` open outside strings: when a document closes (back to 0), what follows is prose again. */
  #open = 0;

  constructor(policy: ExfilPolicy, depth: number) {
    this.#policy = policy;
    this.#depth = depth;
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
    if (this.#prose) {
      while (k < delta.length && delta[k] !== '{' && delta[k] !== '[') k++;
      this.#prose = k === delta.length;
    } else while (k < delta.length && delta[k] !== '"' && OUTSIDE.test(delta[k] as string)) this.#structure(delta[k++]);
    out.text += delta.slice(i, k);
    this.#offset += k - i;
    if (k === delta.length || this.#prose) return k;
    if (delta[k] === '{' || delta[k] === '[') return k;
    if (delta[k] !== '"') {
      // before any string: prose (a ```json fence, `Here is the JSON:`, a BOM) up to the next `{` or `[`
      if (this.#strings) this.#raw = true;
      else this.#prose = true;
      return k;
    }
    this.#strings = true;
    out.text += '"';
    this.#offset++;
    this.#value = new JsonValue(this.#policy, this.#offset, this.#depth);
    return k + 1;
  }

  /**
   * A structure character outside strings: a document that closes (its last `}` / `]`) ends the JSON read so far, so
   * text after it (a second ```json fence, `and the corrected one:`) is prose up to the next `{` or `[` again.
   */
  #structure(c: string | undefined): void {
    if (c === '{' || c === '[') this.#open++;
    else if ((c === '}' || c === ']') && this.#open > 0 && --this.#open === 0) this.#strings = false;
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
    merge(out, value.push(run, delta.slice(i, k)));
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

  /** `depth`: 0 for the channel, n for JSON text nested n string values deep (JsonValue). */
  constructor(policy: ExfilPolicy, depth = 0) {
    this.#rewrite = policy.rewrite;
    this.#values = new JsonValues({ ...policy, syntax: 'markdown' }, depth);
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
