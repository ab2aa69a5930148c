// The rendered view: what a markdown or HTML client shows for a text is what the output detectors must scan. A
// token written with one character as an HTML character reference (`ghp_Qm7rT2&#118;Xy9…`) or with a markdown
// backslash escape (`ghp\_Qm7r…`) renders as the token itself, so the detection view decodes both before folding
// (text.ts), and every view character keeps the original span it came from: redaction replaces the original
// characters (the reference or escape included).
//
// Decoded, in one left-to-right pass (what is decoded is not decoded again, as a renderer does):
//  - numeric references `&#118;`, `&#x76;` — also without the `;` (browsers decode those in HTML text), up to
//    MAX_DIGITS digits (longer runs of leading zeros are left as text: a documented limit);
//  - named references with `;` (`&lowbar;`, every HTML5 name);
//  - markdown backslash escapes: `\` before ASCII punctuation;
//  - JSON and JavaScript string escapes `\uXXXX` (a surrogate pair of two as one character), `\u{…}` and `\xHH`: tool-call
//    arguments and JSON answers are parsed by the client, which then holds the character itself. In the JSON channel
//    (`json`) every JSON escape (`\/ \" \\ \b \f \n \r \t` too: `<\/b>` is a tag), JSON_LEVELS levels deep (a nested
//    document parsed again: `\\u0054` is a `T`). Markup and references are read on the escape-decoded text
//    (`\u002a\u002a` is bold, `\u0026#x34;` a reference, `\u003cb\u003e` a tag);
//  - inline markup a renderer shows nothing of (measured against markdown-it, html on): HTML tags without attributes,
//    comments, CDATA, processing instructions and declarations holding no long word and no `<` past LT_INSIDE
//    (`<b>`, `</span>`, `<wbr>`, `<!-- x -->`, `<?x?>`, `<!DOCTYPE html>`, `<?<?>`), `**` / `***` / `~~`, longer `*` /
//    `~` runs that can pair in their paragraph (a lone one is a mask: `ghp_****abcd`, `sk-****` stay), code spans
//    that join a token (any number of backticks, padding dropped; a span ends where markdown-it ends the paragraph
//    or a table cell: blockBreakAt). Decisions look at the previous VIEW character (ViewContext: a backtick after a
//    dropped `<b>` follows the token character before it). A secret written `**ghp_**Zq8x…`, `ghp_Zq8x<b>…</b>…` or
//    `ghp_Zq8x\` T4mN \`2b…` renders as the whole token, so it is scanned as one.
//    Not dropped (documented limits): `_` (part of many tokens), a single `*` (part of passwords), link syntax, and
//    tags with attributes, comments and instructions holding a long word — what they hold reaches any program
//    reading the answer, so the rules must see it: kept in place, or, between two token characters, dropped there and
//    shown after the token (ViewContext.aside); and a tag whose name holds a long word and a digit standing alone
//    (`Your key: <ghp_…>`: a browser hides it, a program reading the answer receives it) is kept in place.
// A more permissive view than any one renderer only redacts more. Streaming: a construct that may still be
// incomplete at the end of a delta is not consumed (the caller carries it to the next delta, with the ViewContext the
// view ended with), so the view of a stream is the view of the whole text, for any split. Every construct reads at
// most MAX_LOOKAHEAD characters (of the escape-decoded text) past its start: the work is linear in the text.
import { decodeHTMLStrict, replaceCodePoint } from 'entities/decode';
import { skeletonCodePoint } from './text.ts';

/** The longest HTML5 entity name is 31 characters. */
export const MAX_NAME = 32;
export const MAX_DIGITS = 16;

const AMP = 38;
const BACKSLASH = 92;

/** The longest HTML tag or comment dropped as markup (a longer one is text). */
export const MAX_TAG = 256;

/**
 * True when `s` holds a character a renderer may decode or hide (`&`, `\`, `<`, `` ` ``, `*`, `~`) or a blockquote marker
 * (`>`): otherwise its view is its fold.
 */
export function mayRender(s: string): boolean {
  return MAY_RENDER.test(s);
}
const MAY_RENDER = /[&\\<>`*~]/;
const LT = 60;
const BACKTICK = 96;
const STAR = 42;
const TILDE = 126;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);
/** Characters of tokens and canaries: a backtick between two of them is a code span inside a token. */
const isTokenChar = (c: number): boolean =>
  isAlnum(c) || c === 45 || c === 95 || c === 46 || c === 47 || c === 43 || c === 61 || c > 127;
/** ASCII punctuation as CommonMark defines it (what a backslash escapes). */
const isAsciiPunct = (c: number): boolean =>
  (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);

/**
 * What the view has read just before a position, carried from one call (one delta) to the next by the caller: the
 * decisions about hidden markup look at the previous VIEW character (after the constructs the view drops), not at the
 * previous raw one — `ghp_Zq8x<b>\`T4mN\`</b>…` renders as one token.
 */
export interface ViewContext {
  /** The previous view character's code unit (before folding), -1 at the start. */
  readonly view: number;
  /** The previous character once JSON escapes are decoded (`\u002a` is a `*`): a `*` or backtick run continues it. */
  readonly raw: number;
  /** The run `raw` ends was hidden: its continuation (a run longer than RUN_MAX) is hidden too. */
  readonly hiding: boolean;
  /** A long `*` / `~` run was hidden before: a later one may close it (emphasis pairs across the paragraph). */
  readonly open: boolean;
  /** A code span of this many backticks was opened and not hidden: its closing run is text too (0: none). */
  readonly span: number;
  /** Bit n: a run of n backticks (30: 30 or more) found no matching run within PAIR_WINDOW; a later one may close it. */
  readonly ticks: number;
  /**
   * A comment, instruction, declaration or CDATA section holding a long word, dropped between two token characters
   * (the renderer joins the token around it): its text, shown in the view once the token ends (renderFoldText).
   */
  readonly aside?: Aside;
  /**
   * The current line started with `>` (a blockquote line): markdown-it strips the marker of its continuation lines,
   * so a code span pairs across `\n> ` and shows no `>` (blockBreakAt, codeSpanText).
   */
  readonly quote: boolean;
}

/** What a construct dropped inside a token holds, and its absolute original span. */
export interface Aside {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export const START: ViewContext = { view: -1, raw: -1, hiding: false, open: false, span: 0, ticks: 0, quote: false };

/** The context after a plain (not decoded) code unit. */
export function afterUnit(ctx: ViewContext, unit: number): ViewContext {
  if (ctx.view === unit && ctx.raw === unit && !ctx.hiding) return ctx;
  const next = {
    view: unit,
    raw: unit,
    hiding: false,
    open: ctx.open,
    span: ctx.span,
    ticks: ctx.ticks,
    quote: ctx.quote,
  };
  return ctx.aside ? { ...next, aside: ctx.aside } : next;
}

/** What a construct read leaves for the context after it. */
interface ConstructMarks {
  /** A hidden `*`/`~`/backtick run (its continuation is hidden too). */
  hiding?: boolean;
  /** Opens a long emphasis run (ViewContext.open). */
  opens?: boolean;
  /** ViewContext.span after it. */
  span?: number;
  /** ViewContext.ticks after it. */
  ticks?: number;
  /** Dropped between token characters, holding a long word: its view text, shown after the token (Aside). */
  aside?: string;
  /** ViewContext.quote after it. */
  quote?: boolean;
}

export type Decoded =
  | (ConstructMarks & {
      end: number;
      text: string;
      /** The last character read, JSON escapes decoded (ViewContext.raw after it). */
      last: number;
    })
  | 'partial'
  | undefined;

/** The context after a construct decoded at s[i] (`d`), or after the plain character at s[i] (`d` undefined). */
export function nextContext(ctx: ViewContext, s: string, i: number, d: Decoded): ViewContext {
  if (d === undefined || d === 'partial') return afterUnit(ctx, s.charCodeAt(i));
  const view = d.text.length > 0 ? d.text.charCodeAt(d.text.length - 1) : ctx.view;
  const next = {
    view,
    raw: d.last,
    hiding: d.hiding === true,
    open: ctx.open || d.opens === true,
    span: d.span ?? ctx.span,
    ticks: d.ticks ?? ctx.ticks,
    quote: d.quote ?? ctx.quote,
  };
  return ctx.aside ? { ...next, aside: ctx.aside } : next;
}

const END = -1;
const MORE = -2;

/** Code units read by a Layer: at(k) the k-th unit (END, MORE past the text), end(k) the raw offset after the first k. */
interface Units {
  at(k: number): number;
  end(k: number): number;
}

/** Decoded units as the markup readers read them. */
interface Decoding extends Units {
  slice(a: number, b: number): string;
  /** Units from the same escape as unit 0 (2 for a surrogate pair), once unit 0 was read. */
  firstWidth(): number;
}

/** The raw text from s[i] on (nothing decoded: no backslash within reach). */
class Raw implements Decoding {
  readonly #s: string;
  readonly #i: number;
  readonly #final: boolean;
  constructor(s: string, i: number, final: boolean) {
    this.#s = s;
    this.#i = i;
    this.#final = final;
  }
  at(k: number): number {
    const p = this.#i + k;
    if (p < this.#s.length) return this.#s.charCodeAt(p);
    return this.#final ? END : MORE;
  }
  end(k: number): number {
    return this.#i + k;
  }
  slice(a: number, b: number): string {
    return this.#s.slice(this.#i + a, this.#i + b);
  }
  firstWidth(): number {
    return 1;
  }
}

/**
 * The units of a source with string escapes decoded (`\u002a` is a `*`), read lazily: markup and references are read
 * on it, so `\u002a\u002a` is bold markup and `\u0026#x34;` a reference, as a client that parses the JSON and renders
 * the value sees them. at(k): the k-th decoded code unit, END when the text ends there, MORE when a later delta could
 * bring more (the construct is then 'partial'). `json`: every JSON escape is decoded (`\/ \" \\ \b \f \n \r \t` too:
 * the JSON channel, where the client runs JSON.parse), else only `\uXXXX`, `\u{…}` and `\xHH`.
 */
class Layer implements Decoding {
  readonly #src: Units;
  readonly #json: boolean;
  readonly #codes: number[] = [];
  readonly #ends: number[] = [];
  #p = 0;
  #stop = 0; // 0 reading, END or MORE
  constructor(src: Units, json: boolean) {
    this.#src = src;
    this.#json = json;
  }
  at(k: number): number {
    while (this.#codes.length <= k) if (!this.#step()) return this.#stop;
    return this.#codes[k] as number;
  }
  /** Raw offset after the first k decoded units (k >= 1). */
  end(k: number): number {
    return this.#ends[k - 1] as number;
  }
  /** Decoded units already read that came from the same escape as unit 0 (2 for a surrogate pair). */
  firstWidth(): number {
    let k = 1;
    while (k < this.#codes.length && this.#ends[k] === this.#ends[0]) k++;
    return k;
  }
  slice(a: number, b: number): string {
    return String.fromCharCode(...this.#codes.slice(a, b));
  }
  #step(): boolean {
    if (this.#stop !== 0) return false;
    const src = this.#src;
    const p = this.#p;
    const c = src.at(p);
    if (c < 0) {
      this.#stop = c;
      return false;
    }
    if (c === BACKSLASH) {
      const d = escapeOn(src, p, this.#json);
      if (d === 'partial') {
        this.#stop = MORE;
        return false;
      }
      if (d !== undefined) {
        const e = src.end(p + d.n);
        for (let k = 0; k < d.text.length; k++) {
          this.#codes.push(d.text.charCodeAt(k));
          this.#ends.push(e);
        }
        this.#p = p + d.n;
        return true;
      }
    }
    this.#codes.push(c);
    this.#ends.push(src.end(p + 1));
    this.#p = p + 1;
    return true;
  }
}

/**
 * JSON nested in a JSON string value is parsed again by a client (a tool argument holding a document): in the JSON
 * channel the view decodes this many levels of escapes (`\\u0054` is a `T` two levels down), as markdown-json.ts
 * reads this many levels. A level decodes what the one below produced (`\\u002a` is the text `\u002a` one level down,
 * a `*` two levels down: a more permissive view than a one-level client only redacts more).
 */
export const JSON_LEVELS = 3;

/** The text from s[i] on, escape-decoded (JSON_LEVELS levels in the JSON channel). */
function layerAt(s: string, i: number, final: boolean, json: boolean, backslash: number): Decoding {
  // without a backslash within the MAX_LOOKAHEAD characters a construct reads, there is nothing to decode: the raw
  // text is read as it is (no buffering, no levels stacked)
  const b = nextBackslash(s, i, backslash);
  if (b >= s.length || b - i > MAX_LOOKAHEAD + 2) return new Raw(s, i, final);
  let L = new Layer(new Raw(s, i, final), json);
  if (json) for (let d = 1; d < JSON_LEVELS; d++) L = new Layer(L, true);
  return L;
}

/**
 * The offset of the first backslash at or after s[i] (s.length: none), given `known`, a value an earlier call returned
 * for an offset at or before i (-1: none). A caller walking a text carries it: the search is linear in the text.
 */
export function nextBackslash(s: string, i: number, known = -1): number {
  if (known >= i) return known;
  const p = s.indexOf('\\', i);
  return p < 0 ? s.length : p;
}

/** A construct read on a Layer: `k` decoded units consumed. */
type Read = (ConstructMarks & { k: number; text: string }) | 'partial' | undefined;

/** Markup triggers: what a decoded escape may turn into that is then read as markup or a reference. */
const isTrigger = (c: number): boolean => c === AMP || c === LT || c === BACKTICK || c === STAR || c === TILDE;

/**
 * The construct starting at `i` (`&`, `\`, `<`, `` ` ``, `*`, `~`): its end and decoded text, 'partial' when more
 * text could change it, undefined: literal. `ctx`: what was read before (ViewContext; the caller carries it). `json`:
 * the text is JSON a client parses before rendering (every JSON escape decoded, JSON_LEVELS levels deep).
 * `backslash`: nextBackslash(s, i) when the caller carries it (-1: found here).
 */
export function decodeAt(
  s: string,
  i: number,
  final: boolean,
  ctx: ViewContext = START,
  json = false,
  backslash = -1,
): Decoded {
  const n = s.length;
  const c0 = s.charCodeAt(i);
  if (c0 === BACKSLASH) {
    if (i + 1 >= n) return final ? undefined : 'partial';
    const c = s.charCodeAt(i + 1);
    if (json || c === 117 || c === 120) {
      const L = layerAt(s, i, final, json, i);
      const u = L.at(0);
      if (u === MORE) return 'partial';
      if (u >= 0 && L.end(1) > i + 1) {
        // an escaped markup character: read the markup on the decoded text (two layers: escape, then markup)
        if (mayRead(u, ctx)) {
          const m = readOn(L, ctx);
          if (m !== undefined) return m;
        }
        const w = L.firstWidth();
        return { end: L.end(1), text: L.slice(0, w), last: L.at(w - 1) };
      }
    }
    return isAsciiPunct(c) ? { end: i + 2, text: s[i + 1] as string, last: -2 } : undefined;
  }
  if (!mayRead(c0, ctx)) return undefined;
  return readOn(layerAt(s, i, final, json, backslash), ctx);
}

const PIPE = 124;
const isLineEnd = (c: number): boolean => c === 10 || c === 13;

/**
 * A character read as a construct on the decoded text: markup, `>` (a blockquote marker when at a line start:
 * quoteMarkerAt), or (a code span left open) padding, a line end, `|`.
 */
const mayRead = (c: number, ctx: ViewContext): boolean =>
  isTrigger(c) || (ctx.ticks !== 0 && (isPad(c) || c === PIPE)) || c === GT || (ctx.quote && isLineEnd(c));
const GT = 62;

/** True when decodeAt may read a construct at a character `c` (after `ctx`): the callers' fast-path test. */
export function mayDecode(c: number, ctx: ViewContext): boolean {
  return c === BACKSLASH || mayRead(c, ctx);
}

/**
 * With a code span left open (ViewContext.ticks): a paragraph end (a line that ends the paragraph, blockBreakAt) or
 * a table cell's end (`|`) closes nothing — markdown-it reads each block and cell alone — so the open runs are
 * forgotten; padding before the closing run is dropped (padBeforeCloser).
 */
function tickBreakAt(L: Decoding, ctx: ViewContext): Read {
  const c = L.at(0);
  if (c === PIPE) return { k: 1, text: '|', ticks: 0 };
  if (isLineEnd(c)) {
    const e = lineEndAt(L, 0);
    if (e === MORE) return 'partial';
    const b = blockBreakAt(L, e, ctx.quote);
    if (b === 'partial') return 'partial';
    if (b) return { k: 1, text: String.fromCharCode(c), ticks: 0, quote: false };
  }
  const p = padBeforeCloser(L, ctx);
  return p === undefined && isLineEnd(c) ? { k: 1, text: String.fromCharCode(c), quote: false } : p;
}

/** Padding at L[k]: a space, tab, line feed, CR or CRLF (markdown-it reads CR and CRLF as a line end): its length. */
function padAt(L: Units, k: number): number {
  const c = L.at(k);
  if (c === MORE) return MORE;
  if (c === 13) {
    const d = L.at(k + 1);
    if (d === MORE) return MORE;
    return d === 10 ? 2 : 1;
  }
  return isPad(c) ? 1 : 0;
}

/** The line ending at L[k] (LF, CR or CRLF): its length, 0 when none, MORE when the text may still bring its LF. */
function lineEndAt(L: Units, k: number): number {
  const c = L.at(k);
  return c === MORE ? MORE : isLineEnd(c) ? padAt(L, k) : 0;
}

/** How far a line is read to know whether it ends a paragraph (a longer run of spaces or rule characters: it does). */
export const LINE_PEEK = 64;

/**
 * The indentation of the line at L[k]: where its first other character is and its column (tabs to multiples of 4);
 * 'long' when it runs LINE_PEEK past `from`, 'partial' when the text ends inside it.
 */
function indentAt(L: Units, k: number, from: number): { j: number; col: number } | 'partial' | 'long' {
  let j = k;
  let col = 0;
  for (;;) {
    const c = L.at(j);
    if (c === MORE) return 'partial';
    if (c === 32) col++;
    else if (c === 9) col += 4 - (col % 4);
    else return { j, col };
    if (++j - from >= LINE_PEEK) return 'long';
  }
}

/**
 * True when the line at L[k] ends the paragraph before it in markdown-it (a code span cannot pair across it): a
 * blank line (spaces and tabs only), the end of the text, or a line that starts a block a paragraph gives way to —
 * an ATX heading, a blockquote, a fence, an HTML block, a list item, a thematic break, a setext underline. Read
 * permissively where it is safe: a line starting (after its indentation) with a character no token holds (`#`, `>`,
 * `<`, `` ` ``, `~`, `*`, `|`, …) is taken as a break, since a code span across it would show that character inside
 * the token anyway; a line starting with a token character (`-`, `+`, `=`, `_`, a digit) is a break only where
 * markdown-it makes it one (`- x` or `-` alone, `1. x`, `===`, `___`), since a span across `\n-x\n` renders `-x`.
 */
function blockBreakAt(L: Units, k: number, quote = false, from = k): boolean | 'partial' {
  const ind = indentAt(L, k, from);
  if (ind === 'partial') return 'partial';
  // (past a quote marker the line is read no further: taken as a continuation, which only joins more)
  if (ind === 'long') return from === k;
  const { j, col } = ind;
  const c = L.at(j);
  if (c === GT && quote && col < 4) {
    // a continuation line of the blockquote: what follows its marker (and one space) is the line markdown-it reads;
    // nested markers (`> >`, `>>`) are stripped the same way (recheck 8, finding 01)
    const sp = L.at(j + 1);
    if (sp === MORE) return 'partial';
    const next = sp === 32 ? j + 2 : j + 1;
    return next - from >= LINE_PEEK ? false : blockBreakAt(L, next, true, from);
  }
  if (c === BACKTICK) return fenceAt(L, j, col, from + LINE_PEEK);
  if (c === END || isLineEnd(c) || !isTokenChar(c)) return true;
  if (col >= 4) return false; // indented code cannot interrupt a paragraph: a continuation line
  const next = L.at(j + 1);
  if (next === MORE) return 'partial';
  const spaceAfter = next === 32 || next === 9;
  if (c === 45)
    return spaceAfter || next < 0 || isLineEnd(next) || onlyTo(L, j, (x) => x === 45 || x === 32 || x === 9);
  if (c === 43) return spaceAfter;
  if (c === 61) return onlyTo(L, j, (x) => x === 61 || x === 32 || x === 9);
  if (c === 95) return onlyTo(L, j, (x) => x === 95 || x === 32 || x === 9);
  if (!isDigit(c)) return false;
  let d = j;
  while (d - j < 9 && isDigit(L.at(d))) d++;
  const m = L.at(d);
  const sp = L.at(d + 1);
  if (m === MORE || sp === MORE) return 'partial';
  return (m === 46 || m === 41) && (sp === 32 || sp === 9);
}

/**
 * True when the line at L[k] ends the paragraph before it in markdown-it, read strictly (an emphasis run pairs across
 * every other line: closerAhead; recheck 8, finding 05 — blockBreakAt's permissive reading, safe for code spans, took
 * `(see notes)`, `#tag`, `2. x`, `+ ` as breaks): a blank line, the end of the text, a blockquote, an ATX heading, a
 * fence, an HTML block of types 2-5, a thematic break or setext underline, a non-empty bullet item, an ordered item
 * numbered 1. Anything else (or a line too long to tell) continues it.
 */
function paragraphEndsAt(L: Units, k: number, quote: boolean, from = k): boolean | 'partial' {
  const ind = indentAt(L, k, from);
  if (ind === 'partial') return 'partial';
  if (ind === 'long') return false;
  const { j, col } = ind;
  const c = L.at(j);
  if (c === END || isLineEnd(c)) return true;
  if (col >= 4) return false;
  const next = L.at(j + 1);
  if (next === MORE) return 'partial';
  const spaceAfter = next === 32 || next === 9;
  if (c === GT) {
    if (!quote) return true;
    const at = spaceAfter ? j + 2 : j + 1;
    return at - from >= LINE_PEEK ? false : paragraphEndsAt(L, at, true, from);
  }
  if (c === 35) return atxAt(L, j);
  if (c === BACKTICK) return fenceAt(L, j, col, from + LINE_PEEK);
  if (c === TILDE)
    return L.at(j + 1) === TILDE && L.at(j + 2) === TILDE ? true : L.at(j + 2) === MORE ? 'partial' : false;
  if (c === LT) return htmlBlockAt(L, j);
  if (c === STAR || c === 45 || c === 95) {
    const rule = onlyTo(L, j, (x) => x === c || x === 32 || x === 9);
    if (rule === 'partial') return 'partial';
    if (rule && (c === 45 || countTo(L, j, c) >= 3)) return true; // a thematic break (or a `-` setext underline)
    if (c === 95) return false;
    return spaceAfter ? nonBlankAfter(L, j + 2) : false; // a bullet item with content
  }
  if (c === 43) return spaceAfter ? nonBlankAfter(L, j + 2) : false;
  if (c === 61) return onlyTo(L, j, (x) => x === 61 || x === 32 || x === 9);
  if (c === 49 && (next === 46 || next === 41)) {
    const sp = L.at(j + 2);
    if (sp === MORE) return 'partial';
    return sp === 32 || sp === 9 ? nonBlankAfter(L, j + 3) : false;
  }
  return false;
}

/** How many `c` the line from L[j] holds (read up to LINE_PEEK). */
function countTo(L: Units, j: number, c: number): number {
  let n = 0;
  for (let e = j; e - j < LINE_PEEK; e++) {
    const x = L.at(e);
    if (x < 0 || isLineEnd(x)) break;
    if (x === c) n++;
  }
  return n;
}

/** True when the line from L[j] holds a non-space character (read up to LINE_PEEK; longer: true). */
function nonBlankAfter(L: Units, j: number): boolean | 'partial' {
  const blank = onlyTo(L, j, (x) => x === 32 || x === 9);
  return blank === 'partial' ? 'partial' : !blank;
}

/** An ATX heading at L[j] === '#': 1-6 `#` then a space, a tab or the line end. */
function atxAt(L: Units, j: number): boolean | 'partial' {
  let e = j;
  while (e - j < 7 && L.at(e) === 35) e++;
  const c = L.at(e);
  if (c === MORE) return 'partial';
  return e - j <= 6 && (c < 0 || c === 32 || c === 9 || isLineEnd(c));
}

/** An HTML block that can interrupt a paragraph, at L[j] === '<' (types 2-5: a comment, `<?`, `<!X`, CDATA). */
function htmlBlockAt(L: Units, j: number): boolean | 'partial' {
  const c1 = L.at(j + 1);
  const c2 = L.at(j + 2);
  if (c1 === MORE || c2 === MORE) return 'partial';
  if (c1 === 63) return true;
  if (c1 !== 33) return false;
  return c2 === 45 || c2 === 91 || isAlpha(c2);
}

/** The most characters of quote markers read after a line end in a code span left open (quoteMarkers). */
const MAX_QUOTE_MARKERS = 256;

/**
 * The blockquote markers at L[j] (each up to 3 spaces, `>` and one space; nested ones too: markdown-it strips them of a
 * continuation line): their length, MORE when the text may bring more. Past MAX_QUOTE_MARKERS no more are read.
 */
function quoteMarkers(L: Units, j: number): number {
  let e = j;
  for (;;) {
    let g = e;
    while (g - e < 3 && L.at(g) === 32) g++;
    const c = L.at(g);
    if (c === MORE) return MORE;
    if (c !== GT || g - j >= MAX_QUOTE_MARKERS) return e - j;
    const sp = L.at(g + 1);
    if (sp === MORE) return MORE;
    e = sp === 32 ? g + 2 : g + 1;
  }
}

/**
 * A fence at L[j]: 3+ backticks at most 3 columns in, and no backtick after them on the line (CommonMark: a backtick
 * fence's info string holds none; such a line is paragraph text, its run may close a code span — recheck 8, finding
 * 07). Fewer backticks may be the closing run of a code span. The line is read up to `limit` (a longer one is taken
 * as no fence: a span pairing across it only joins more).
 */
function fenceAt(L: Units, j: number, col: number, limit: number): boolean | 'partial' {
  if (col >= 4) return false;
  let e = j;
  while (e - j < 3 && L.at(e) === BACKTICK) e++;
  if (e - j < 3) return L.at(e) === MORE ? 'partial' : false;
  for (let run = true; e < limit; e++) {
    const c = L.at(e);
    if (c === MORE) return 'partial';
    if (c === END || isLineEnd(c)) return true;
    if (c !== BACKTICK) run = false;
    else if (!run) return false;
  }
  return false;
}

/** True when every character from L[j] to the line's end is `ok` ('partial' when the text may still bring more). */
function onlyTo(L: Units, j: number, ok: (c: number) => boolean): boolean | 'partial' {
  for (let e = j; e - j < LINE_PEEK; e++) {
    const c = L.at(e);
    if (c === MORE) return 'partial';
    if (c === END || isLineEnd(c)) return true;
    if (!ok(c)) return false;
  }
  return true;
}

/**
 * A space, tab or line end right before the run that closes a code span opened more than PAIR_WINDOW before, inside a
 * token (`…ghp_Zq8x \`T4mN…`): the padding a renderer strips, dropped.
 */
function padBeforeCloser(L: Decoding, ctx: ViewContext): Read {
  if (!isTokenChar(ctx.view)) return undefined;
  const pad = padAt(L, 0);
  if (pad === MORE) return 'partial';
  const m = ctx.quote && isLineEnd(L.at(0)) ? quoteMarkers(L, pad) : 0;
  if (m === MORE) return 'partial';
  const p = pad + m;
  let len = 0;
  while (len < RUN_MAX && L.at(p + len) === BACKTICK) len++;
  const after = L.at(p + len);
  if (after === MORE) return 'partial';
  if (len === 0 || (ctx.ticks & (1 << Math.min(len, 30))) === 0 || !continuesToken(after)) return undefined;
  return { k: p, text: '' };
}

/** A markup construct or reference at L[0], read on the escape-decoded text. */
function readOn(L: Decoding, ctx: ViewContext): Decoded {
  const c = L.at(0);
  let r: Read;
  if (c === AMP) r = referenceAt(L);
  else if (c === LT) r = markupTagAt(L, ctx.view);
  else if (c === BACKTICK) r = backtickRunAt(L, ctx);
  else if (c === STAR || c === TILDE) r = markupRunAt(L, c, ctx);
  else if (c === GT) r = quoteMarkerAt(ctx);
  else if (ctx.ticks !== 0) r = tickBreakAt(L, ctx);
  else if (isLineEnd(c)) r = { k: 1, text: String.fromCharCode(c), quote: false };
  else r = undefined;
  if (r === undefined || r === 'partial') return r;
  const out: Decoded = { end: L.end(r.k), text: r.text, last: L.at(r.k - 1) };
  if (r.hiding) out.hiding = true;
  if (r.opens) out.opens = true;
  if (r.span !== undefined) out.span = r.span;
  if (r.ticks !== undefined) out.ticks = r.ticks;
  if (r.aside !== undefined) out.aside = r.aside;
  if (r.quote !== undefined) out.quote = r.quote;
  return out;
}

/**
 * A `>` right after a line end (or at the start of the text): a blockquote line (ViewContext.quote). Decided here, on
 * the context the caller folded the previous plain character into — not in mayRead, whose context may not hold it
 * yet (recheck 8, finding 08: the quote was then decided differently at a delta boundary).
 */
function quoteMarkerAt(ctx: ViewContext): Read {
  // after a space or tab too: a marker indented 1-3 spaces or in a list item (`- >`) starts a quote (recheck 8,
  // finding 01); read so mid-line (`a > b`), the rest of the line only joins more
  const v = ctx.view;
  return v === -1 || isLineEnd(v) || v === 32 || v === 9 ? { k: 1, text: '>', quote: true } : undefined;
}

/** `&#118;`, `&#x76;` (`;` optional), `&name;` on the decoded text. */
function referenceAt(L: Decoding): Read {
  const c1 = L.at(1);
  if (c1 === MORE) return 'partial';
  if (c1 === END) return undefined;
  if (c1 === 35) {
    let j = 2;
    const h = L.at(j);
    if (h === MORE) return 'partial';
    const hex = h === 120 || h === 88;
    if (hex) j++;
    const start = j;
    for (;;) {
      const d = L.at(j);
      if (d === MORE) return 'partial';
      if (d === END || !(hex ? isHex(d) : isDigit(d))) break;
      j++;
      if (j - start > MAX_DIGITS) return undefined;
    }
    if (j === start) return undefined;
    const value = Number.parseInt(L.slice(start, j), hex ? 16 : 10);
    const cp = value > 0x10ffff ? 0xfffd : replaceCodePoint(value);
    return { k: L.at(j) === 59 ? j + 1 : j, text: String.fromCodePoint(cp) };
  }
  if (!isAlpha(c1)) return undefined;
  let j = 1;
  for (;;) {
    const d = L.at(j);
    if (d === MORE) return 'partial';
    if (d === END) return undefined;
    if (!isAlnum(d)) break;
    j++;
    if (j - 1 > MAX_NAME) return undefined;
  }
  if (L.at(j) !== 59) return undefined;
  const ref = L.slice(0, j + 1);
  const text = decodeHTMLStrict(ref);
  return text === ref ? undefined : { k: j + 1, text };
}

/** A run of a markup character is read at most this far; a longer run is hidden (or kept) in pieces of this length. */
export const RUN_MAX = 160;
/** How far past a long `*` run a closing run, or past a backtick run its matching run, is looked for. */
export const PAIR_WINDOW = 128;
/**
 * How far past a long `*` / `~` run glued to a token a closing run is looked for in its paragraph (recheck 7, finding
 * 03: a mask `sk_live_****…4242` in the middle of an answer was read as its two ends joined once PAIR_WINDOW more
 * characters followed; markdown-it shows it, having no closer in the paragraph).
 */
export const EMPHASIS_WINDOW = 512;
/**
 * The most a construct reads past its start, in characters of the escape-decoded text (a tag or comment: MAX_TAG;
 * a run and its pair: 2 RUN_MAX + EMPHASIS_WINDOW, and a line read to know whether it ends the paragraph): a carried
 * construct is at most this long (in the raw text up to six times that per level of JSON escapes when every character
 * is a `\uXXXX` escape).
 */
export const MAX_LOOKAHEAD = Math.max(MAX_TAG + 4, 2 * RUN_MAX + EMPHASIS_WINDOW + LINE_PEEK + 2);

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
const isSpaceOrEnd = (c: number): boolean => c < 0 || isSpace(c);
const isPunctuation = (c: number): boolean => c >= 0 && c < 128 && isAsciiPunct(c);

/** How many times `c` repeats at the start of the layer (at most RUN_MAX). */
function runOf(L: Decoding, c: number): number {
  let k = 0;
  while (k < RUN_MAX && L.at(k) === c) k++;
  return k;
}

/**
 * A run of `*` or `~` on the decoded text. `**` / `***` (bold, bold italic) and `~~` (strikethrough) are dropped as
 * before. A longer run (`****`, `~~~~`) is emphasis as much as a mask: markdown-it hides `a****b****c` but shows
 * `ghp_****abcd`, `sk-****`, `key ghp_****abcd and sk-****wxyz`. So a long run (4+ `*`, 3+ `~`) between two
 * non-space characters is hidden when a run that can close it (right-flanking, 2+) follows within EMPHASIS_WINDOW in
 * its paragraph, when it can close and a long run that can open came before (ViewContext.open), or when the
 * paragraph goes on past EMPHASIS_WINDOW (undecided: hidden); it stays (a mask) when the paragraph or the text ends
 * within EMPHASIS_WINDOW with nothing to pair — so a mask is not read as a cut token. A run of RUN_MAX or more after a non-space character
 * is hidden piece by piece (markdown-it pairs runs of any length). Work per run is bounded by MAX_LOOKAHEAD.
 */
function markupRunAt(L: Decoding, c0: number, ctx: ViewContext): Read {
  if (ctx.raw === c0) {
    if (!ctx.hiding) return undefined;
    return { k: runOf(L, c0), text: '', hiding: true };
  }
  const len = runOf(L, c0);
  const glue = !isSpaceOrEnd(ctx.view);
  if (len >= RUN_MAX) return glue ? { k: len, text: '', hiding: true, opens: true } : undefined;
  const next = L.at(len);
  if (next === MORE) return 'partial';
  if (len === 1) return undefined;
  if (c0 === STAR ? len <= 3 : len === 2) return { k: len, text: '', hiding: true };
  // CommonMark flanking on the previous view character: a left-flanking run may open, a right-flanking one close
  const prev = ctx.view;
  const left = !isSpaceOrEnd(next) && (!isPunctuation(next) || isSpaceOrEnd(prev) || isPunctuation(prev));
  const right = !isSpaceOrEnd(prev) && (!isPunctuation(prev) || isSpaceOrEnd(next) || isPunctuation(next));
  const hidden: Read = { k: len, text: '', hiding: true, opens: left || undefined };
  if (!glue || isSpaceOrEnd(next)) return left ? { k: len, text: L.slice(0, len), opens: true } : undefined;
  if (ctx.open && right) return hidden;
  const pair = closerAhead(L, len, c0, ctx.quote);
  if (pair === 'partial') return 'partial';
  if (pair) return hidden;
  return left ? { k: len, text: L.slice(0, len), opens: true } : undefined;
}

/**
 * A run of 2+ `c0` that can close emphasis within EMPHASIS_WINDOW after `from` in the same paragraph (true), none
 * before the paragraph or the text ends (false), or more text than that (true: undecided).
 */
function closerAhead(L: Decoding, from: number, c0: number, quote: boolean): boolean | 'partial' {
  let k = from;
  while (k < from + EMPHASIS_WINDOW) {
    const c = L.at(k);
    if (c === MORE) return 'partial';
    if (c === END) return false;
    if (isLineEnd(c)) {
      const e = lineEndAt(L, k);
      if (e === MORE) return 'partial';
      const b = paragraphEndsAt(L, k + e, quote);
      if (b === 'partial') return 'partial';
      if (b) return false;
      k += e;
      continue;
    }
    if (c !== c0) {
      k++;
      continue;
    }
    let e = k;
    while (e - k < RUN_MAX && L.at(e) === c0) e++;
    const after = L.at(e);
    if (after === MORE) return 'partial';
    const before = L.at(k - 1);
    const rightFlanking = !isSpace(before) && (!isPunctuation(before) || isSpaceOrEnd(after) || isPunctuation(after));
    if (e - k >= 2 && rightFlanking) return true;
    k = e;
  }
  const c = L.at(k);
  if (c === MORE) return 'partial';
  return c !== END;
}

const isPad = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
/** After a code span: a character that continues a token, or a construct the view may drop or decode. */
const continuesToken = (c: number): boolean =>
  c >= 0 && (isTokenChar(c) || c === LT || c === AMP || c === STAR || c === TILDE || c === BACKSLASH);

/**
 * A backtick run on the decoded text. A code span (the next run of exactly as many backticks, within PAIR_WINDOW and
 * the paragraph) that joins a token — a token character before it (in the view) or after it — renders as its
 * content: dropped delimiters, line endings read as spaces, one padding space stripped from each side
 * (`ghp_Zq8x\` T4mN \`2b…` is one token). Any other code span keeps its backticks (Go raw strings, JavaScript
 * templates: rules read them as quotes). With no matching run in the window but more text, the run alone is dropped
 * between two token characters (one space, tab or newline of padding after it). A run of RUN_MAX or more after a token
 * character is hidden piece by piece.
 */
function backtickRunAt(L: Decoding, ctx: ViewContext): Read {
  if (ctx.raw === BACKTICK) {
    if (!ctx.hiding) return undefined;
    return { k: runOf(L, BACKTICK), text: '', hiding: true };
  }
  const len = runOf(L, BACKTICK);
  const left = isTokenChar(ctx.view);
  if (len >= RUN_MAX) return left ? { k: len, text: '', hiding: true } : undefined;
  if (len >= 3 && (ctx.view === -1 || isLineEnd(ctx.view))) {
    const fence = fenceAt(L, 0, 0, LINE_PEEK);
    if (fence === 'partial') return 'partial';
    if (fence) return undefined; // a fence: no code span
  }
  if (ctx.span === len) return { k: len, text: L.slice(0, len), span: 0 }; // the closing run of a span kept as text
  const next = L.at(len);
  if (next === MORE) return 'partial';
  const bit = 1 << Math.min(len, 30);
  if ((ctx.ticks & bit) !== 0) {
    // the matching run of one that found none within PAIR_WINDOW: markdown-it closes that code span here
    const ticks = ctx.ticks & ~bit;
    if (left || continuesToken(next)) return { k: len, text: '', hiding: true, ticks };
    return { k: len, text: L.slice(0, len), ticks };
  }
  const close = matchingRun(L, len, ctx.quote);
  if (close === 'partial') return 'partial';
  if (close >= 0) {
    const after = L.at(close + len);
    if (after === MORE) return 'partial';
    if (!left && !continuesToken(after)) return { k: len, text: L.slice(0, len), span: len };
    return { k: close + len, text: proseView(codeSpanText(L.slice(len, close), ctx.quote)), hiding: true };
  }
  // no matching run before the text or the paragraph ends: markdown-it shows it; one to three backticks between two
  // token characters are dropped as before all the same (more permissive than a renderer)
  if (close === -2) return len <= 3 && left && isTokenChar(next) ? { k: len, text: '', hiding: true } : undefined;
  // none within the window but more text: a later run may close it (ticks); the run alone is dropped between two
  // token characters (one space, tab or newline of padding after it)
  const ticks = ctx.ticks | bit;
  const kept: Read = { k: len, text: L.slice(0, len), ticks };
  if (!left) return kept;
  if (isTokenChar(next)) return { k: len, text: '', hiding: true, ticks };
  const pad0 = padAt(L, len);
  if (pad0 === MORE) return 'partial';
  if (pad0 === 0) return kept;
  const m = ctx.quote && isLineEnd(next) ? quoteMarkers(L, len + pad0) : 0;
  if (m === MORE) return 'partial';
  const pad = pad0 + m;
  const n2 = L.at(len + pad);
  if (n2 === MORE) return 'partial';
  return isTokenChar(n2) ? { k: len + pad, text: '', hiding: true, ticks } : kept;
}

/**
 * Offset of the next run of exactly `len` backticks after `len`: -1 none within PAIR_WINDOW (more text), -2 none
 * before the end of the text, of the paragraph (a line that ends it: blockBreakAt) or of a table cell (`|`).
 */
function matchingRun(L: Decoding, len: number, quote: boolean): number | 'partial' {
  let k = len;
  while (k < len + PAIR_WINDOW) {
    const c = L.at(k);
    if (c === MORE) return 'partial';
    if (c === END || c === PIPE) return -2;
    if (isLineEnd(c)) {
      const e = lineEndAt(L, k);
      if (e === MORE) return 'partial';
      const b = blockBreakAt(L, k + e, quote);
      if (b === 'partial') return 'partial';
      if (b) return -2;
      k += e;
      continue;
    }
    if (c !== BACKTICK) {
      k++;
      continue;
    }
    let e = k;
    while (e - k <= RUN_MAX && L.at(e) === BACKTICK) e++;
    if (L.at(e) === MORE) return 'partial';
    if (e - k === len) return k;
    k = e;
  }
  return L.at(k) === MORE ? 'partial' : -1;
}

/**
 * The view of a short text read as prose (a hidden code span's content): references and markup decoded as elsewhere,
 * more than a renderer does inside a code span — a span misread by the window reads no less than before.
 */
function proseView(t: string): string {
  let out = '';
  let ctx = START;
  // a construct inside it dropped with an aside (`<?a<?ghp_…?>`: the inner one after a token character) has its text
  // shown after the token, as in the view itself — not lost with the construct
  let aside = '';
  for (let j = 0; j < t.length;) {
    const d = decodeAt(t, j, true, ctx);
    const read = d !== undefined && d !== 'partial';
    const text = read ? d.text : (t[j] as string);
    if (aside !== '' && text !== '' && !isTokenChar(text.charCodeAt(0))) {
      out += `\n${aside}\n`;
      aside = '';
    }
    out += text;
    if (read) {
      if (d.aside !== undefined) aside += aside === '' ? d.aside : `\n${d.aside}`;
      ctx = nextContext(ctx, t, j, d);
      j = d.end;
    } else {
      ctx = afterUnit(ctx, t.charCodeAt(j));
      j++;
    }
  }
  return aside === '' ? out : `${out}\n${aside}\n`;
}

/** `s` with the blockquote markers (each: up to 3 spaces, `>`, one space; nested ones too) after each line end removed. */
function withoutQuoteMarkers(s: string): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    out += s[i] as string;
    i++;
    if (!isLineEnd(c) || (c === 13 && s.charCodeAt(i) === 10)) continue;
    for (;;) {
      let j = i;
      while (j - i < 3 && s.charCodeAt(j) === 32) j++;
      if (s.charCodeAt(j) !== GT) break;
      i = s.charCodeAt(j + 1) === 32 ? j + 2 : j + 1;
    }
  }
  return out;
}

/**
 * A hidden code span's content as the view reads it: line endings as spaces, and the padding on either side dropped
 * (a renderer strips one space from each side when both have one; one space on one side only is read as padding
 * too — a more permissive view only redacts more).
 */
function codeSpanText(span: string, quote: boolean): string {
  // in a blockquote markdown-it strips the marker (and one space) of each continuation line
  const raw = quote ? withoutQuoteMarkers(span) : span;
  let a = 0;
  let b = raw.length;
  while (a < b && isSpace(raw.charCodeAt(a))) a++;
  while (b > a && isSpace(raw.charCodeAt(b - 1))) b--;
  let out = '';
  for (let k = a; k < b; k++) {
    const c = raw.charCodeAt(k);
    out += c === 10 || c === 13 ? ' ' : (raw[k] as string);
  }
  return out;
}

/** What a JSON escape `\\` + this character decodes to (besides `\\u`). */
const JSON_SIMPLE: Record<number, number> = { 34: 34, 92: 92, 47: 47, 98: 8, 102: 12, 110: 10, 114: 13, 116: 9 };

/** A string escape at src[p] === '\\': the source units it takes and its text. */
type Escape = { n: number; text: string } | 'partial' | undefined;

/**
 * `\uXXXX` (two of them for a surrogate pair), `\u{…}` (1-6 hex digits) or `\xHH` at src[p] === '\\', and with `json`
 * the other JSON escapes (`\n`, `\/`, `\"`, `\\`, …). 'partial': a later delta may complete it.
 */
function escapeOn(src: Units, p: number, json: boolean): Escape {
  const e = src.at(p + 1);
  if (e === MORE) return 'partial';
  const simple = json ? JSON_SIMPLE[e] : undefined;
  if (simple !== undefined) return { n: 2, text: String.fromCharCode(simple) };
  if (e !== 117 && e !== 120) return undefined;
  // up to `max` hex digits from q: their count, and whether the text may still bring more
  let more = false;
  const hexRun = (q: number, max: number): number => {
    let j = 0;
    for (; j < max; j++) {
      const c = src.at(q + j);
      if (c === MORE) more = true;
      if (c < 0 || !isHex(c)) break;
    }
    return j;
  };
  const hexValue = (q: number, len: number): number => {
    let v = 0;
    for (let j = 0; j < len; j++) v = v * 16 + Number.parseInt(String.fromCharCode(src.at(q + j)), 16);
    return v;
  };
  const short = (): Escape => (more ? 'partial' : undefined);
  if (e === 120) {
    const h = hexRun(p + 2, 2);
    return h < 2 ? short() : { n: 4, text: String.fromCharCode(hexValue(p + 2, 2)) };
  }
  const brace = src.at(p + 2);
  if (brace === MORE) return 'partial';
  if (brace === 123) {
    const h = hexRun(p + 3, 6);
    const close = src.at(p + 3 + h);
    if (close === MORE) return 'partial';
    if (h === 0 || close !== 125) return undefined;
    const cp = hexValue(p + 3, h);
    return { n: 4 + h, text: String.fromCodePoint(cp > 0x10ffff ? 0xfffd : cp) };
  }
  const h = hexRun(p + 2, 4);
  if (h < 4) return short();
  const unit = hexValue(p + 2, 4);
  if (unit >= 0xd800 && unit <= 0xdbff) {
    // a high surrogate: joined with a following \uDC00-\uDFFF escape, else a replacement character
    const low = lowEscapeAt(src, p + 6);
    if (low === 'partial') return 'partial';
    if (low !== undefined) return { n: 12, text: String.fromCharCode(unit, low) };
  }
  const isSurrogate = unit >= 0xd800 && unit <= 0xdfff;
  return { n: 6, text: isSurrogate ? '\ufffd' : String.fromCharCode(unit) };
}

/** A `\uDC00`-`\uDFFF` escape at src[q]: its unit, undefined if none, 'partial' if the text may still bring one. */
function lowEscapeAt(src: Units, q: number): number | 'partial' | undefined {
  for (let j = 0; j < 6; j++) {
    const c = src.at(q + j);
    if (c === MORE) return 'partial';
    const ok =
      j === 0
        ? c === BACKSLASH
        : j === 1
          ? c === 117
          : j === 2
            ? c === 100 || c === 68
            : j === 3
              ? (c >= 99 && c <= 102) || (c >= 67 && c <= 70)
              : c >= 0 && isHex(c);
    if (!ok) return undefined;
  }
  let v = 0;
  for (let j = 2; j < 6; j++) v = v * 16 + Number.parseInt(String.fromCharCode(src.at(q + j)), 16);
  return v;
}

/**
 * Dropped from the view at s[i] === '<' (read on the escape-decoded text): an HTML tag without attributes (`<b>`,
 * `</span>`, `<wbr>`, `<br />`), an empty comment (`<!---->`, `<!-- -->`, the abrupt `<!-->`, `<!--->`), an empty
 * CDATA section, and a processing instruction `<?…?>` or a declaration `<!x …>` (`<!DOCTYPE html>`: markdown-it passes
 * them as inline HTML, browsers read them as bogus comments) that holds no run of MAX_HIDDEN_WORD token characters.
 * A tag with attributes, a comment with text and an instruction or declaration holding such a run stay in the view:
 * what they hold is text a program reading the answer receives (`<img src="…?d=ghp_…">`), so the rules must see it.
 * So does a tag whose name holds such a run and a digit, standing alone (`Your key: <ghp_…>`: markupTagAt).
 */
const EMPTY_CONSTRUCTS = ['<!-->', '<!--->', '<![CDATA[]]>'];
/** Around a token written as a tag standing alone (markupTagAt), besides a space and the text's ends: before it
 *  `(` `[` `{` `"` `'` `` ` `` `:` `=` `,` `;` `>`, after it `)` `]` `}` `"` `'` `` ` `` `,` `;` `!` `?` (not `<`: a
 *  dropped tag after it would join what follows). */
const STANDS_ALONE_BEFORE = [40, 91, 123, 34, 39, 96, 58, 61, 44, 59, 62];
const STANDS_ALONE_AFTER = [41, 93, 125, 34, 39, 96, 44, 59, 33, 63];
/** Tag names as renderers read them: letters, digits, `-`, `_`, `:` (`<o:p>`), `.`. */
const isTagNameChar = (c: number): boolean => isAlnum(c) || c === 45 || c === 95 || c === 58 || c === 46;
/** An instruction or declaration holding this many token characters in a row may hold a secret: kept in the view. */
export const MAX_HIDDEN_WORD = 8;

/** `prev`: the view character before the `<` (-1 at the start); a token character there glues the construct. */
function markupTagAt(L: Decoding, prev: number): Read {
  const glued = isTokenChar(prev);
  const startsWith = (lit: string, at: number): boolean | 'partial' => {
    for (let k = 0; k < lit.length; k++) {
      const c = L.at(at + k);
      if (c === MORE) return 'partial';
      if (c !== lit.charCodeAt(k)) return false;
    }
    return true;
  };
  for (const empty of EMPTY_CONSTRUCTS) {
    const m = startsWith(empty, 0);
    if (m === 'partial') return 'partial';
    if (m) return { k: empty.length, text: '' };
  }
  for (const [open, close, browserEnd] of HIDDEN_CONSTRUCTS) {
    const m = startsWith(open, 0);
    if (m === 'partial') return 'partial';
    if (m) return hiddenUntil(L, open.length, close, browserEnd, glued);
  }
  const c1 = L.at(1);
  if (c1 === MORE) return 'partial';
  if (c1 === 33 && isAlpha(L.at(2))) return hiddenUntil(L, 2, '>', true, glued);
  if (c1 === 33 && L.at(2) === MORE) return 'partial';
  let j = 1;
  if (c1 === 47) j++;
  const c = L.at(j);
  if (c === MORE) return 'partial';
  if (c === END || !isAlpha(c)) return undefined;
  const skip = (ok: (c: number) => boolean): void => {
    while (j < MAX_TAG && L.at(j) >= 0 && ok(L.at(j))) j++;
  };
  let word = 0;
  let long = false;
  let digit = false;
  skip((c) => {
    word = isTokenChar(c) ? word + 1 : 0;
    if (word >= MAX_HIDDEN_WORD) long = true;
    if (isDigit(c)) digit = true;
    return isTagNameChar(c);
  });
  skip(isSpace);
  if (L.at(j) === 47) j++;
  skip(isSpace);
  const e = L.at(j);
  if (e === MORE) return j < MAX_TAG ? 'partial' : undefined;
  if (e !== 62) return undefined;
  // A name holding a long word and a digit may be a token written as a tag (`Your key: <ghp_…>`: a browser hides it,
  // a program reading the answer receives it): kept in place as text when it stands alone — a space, the start or an
  // opening character before it, a space, the end or a closing character after it — so the rules see it. Anywhere
  // else it is dropped as any tag is: kept, it would split the value around it (`jane.doe@<Customer1>contoso.com`,
  // `key: <Cfg12345>Xk9f…`; seventh and eighth attack runs). Element names (`<blockquote>`) and placeholders hold no
  // digit.
  if (long && digit && (prev < 0 || isSpace(prev) || STANDS_ALONE_BEFORE.includes(prev))) {
    const after = L.at(j + 1);
    if (after === MORE) return 'partial';
    if (after === END || isSpace(after) || STANDS_ALONE_AFTER.includes(after)) return undefined;
  }
  return { k: j + 1, text: '' };
}

/**
 * [opening, markdown-it's closing, the browser ends it at the first `>`]: a comment (`-->` for both), a CDATA section
 * and a processing instruction (markdown-it needs `]]>` / `?>`; in HTML text a browser reads both as bogus comments,
 * which end at the first `>`: what follows it is shown).
 */
const HIDDEN_CONSTRUCTS: [string, string, boolean][] = [
  ['<!--', '-->', false],
  ['<![CDATA[', ']]>', true],
  ['<?', '?>', true],
];

/**
 * A `<` inside the first LT_INSIDE characters of a comment, CDATA section, instruction or declaration is read as part of
 * it (`<?<?>`, `<!a<b>`); a later one ends the read (the construct is then text in the view: a documented limit), so
 * a run of `<?` costs at most LT_INSIDE reads per character.
 */
export const LT_INSIDE = 16;

/**
 * A comment, CDATA section, instruction or declaration at L[0], its content from L[from], whose markdown-it end
 * `close` comes within MAX_TAG: dropped up to where a browser ends it (`browserEnd`: the first `>`), unless a `<`
 * comes past LT_INSIDE. Holding a run of MAX_HIDDEN_WORD token characters, it is kept in place, or when `glued` (after
 * a token character) dropped with its text as an aside (shown after the token: ViewContext.aside).
 */
function hiddenUntil(L: Decoding, from: number, close: string, browserEnd: boolean, glued: boolean): Read {
  let word = 0;
  let long = false;
  let hiddenTo = -1; // the browser's end, once seen
  for (let j = from; j < MAX_TAG; j++) {
    const c = L.at(j);
    if (c === MORE) return 'partial';
    if (c === END) return undefined;
    // a `<` past LT_INSIDE stops the read (a tag may start there; no read past the next construct: linear)
    if (c === LT && j >= LT_INSIDE) return undefined;
    if (hiddenTo < 0) {
      word = isTokenChar(c) ? word + 1 : 0;
      if (word >= MAX_HIDDEN_WORD) {
        if (!glued) return undefined;
        long = true;
      }
      if (browserEnd && c === 62) hiddenTo = j + 1;
    }
    let m = 0;
    while (m < close.length && L.at(j + m) === close.charCodeAt(m)) m++;
    if (m < close.length && L.at(j + m) === MORE) return 'partial';
    if (m < close.length) continue;
    const k = browserEnd && hiddenTo >= 0 ? hiddenTo : j + close.length;
    // holding a long word after a token character: dropped here (the token joins), its text shown after the token
    return long ? { k, text: '', aside: proseView(L.slice(0, k)) } : { k, text: '' };
  }
  return undefined;
}

export interface RenderView {
  view: string;
  /** Per view character: absolute original start and end of what it came from. */
  starts: number[];
  ends: number[];
  /** Characters of the input consumed (less than its length when a construct may continue in the next delta). */
  consumed: number;
  /** What was read up to `consumed`: pass it as `before` with the next delta. */
  context: ViewContext;
  /**
   * Where (index into `view`) the construct whose aside context.aside holds was dropped, when that happened in this
   * call (-1: none pending, or pending from an earlier call): the caller holds the text from there until it is shown.
   */
  asideAt: number;
}

/**
 * The detection view of `text` (its first character at absolute original offset `origAt`): references and escapes
 * decoded, then every code point read as its ASCII skeleton where it has one (text.ts skeletonCodePoint: look-alikes
 * folded, accents and other marks removed, tag characters decoded). The secrets, canaries and the other output rules
 * are ASCII, so a model cannot carry them past the rules with accents, combining marks or invisible tag
 * characters; patterns a tenant writes with other characters are read the same way (view-pattern.ts). `final`: no
 * more text follows (nothing is left unconsumed). `before`: the context the previous delta's view ended with. `json`:
 * the text is JSON a client parses before rendering (decodeAt).
 */
export function renderFoldText(
  text: string,
  origAt: number,
  final: boolean,
  before: ViewContext = START,
  json = false,
): RenderView {
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let ctx = before;
  let asideAt = -1;
  const emit = (s: string, a: number, b: number): void => {
    for (let k = 0; k < s.length;) {
      const cp = s.codePointAt(k) as number;
      if (ctx.aside !== undefined && endsToken(ctx.aside, cp, a)) {
        // the token ends: what a construct dropped inside it held is shown now, on its own line
        const aside = ctx.aside;
        ctx = withoutAside(ctx);
        emit(`\n${aside.text}\n`, aside.start, aside.end);
      }
      const f = cp < 0x80 ? String.fromCharCode(cp) : skeletonCodePoint(cp);
      if (f.length > 0) {
        parts.push(f);
        for (let m = 0; m < f.length; m++) {
          starts.push(a);
          ends.push(b);
        }
      }
      k += cp > 0xffff ? 2 : 1;
    }
  };
  let plain = -1; // the last plain code unit not yet folded into ctx
  let backslash = -1; // nextBackslash, carried
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (mayDecode(c, ctx)) {
      if (plain !== -1) {
        ctx = afterUnit(ctx, plain);
        plain = -1;
      }
      backslash = nextBackslash(text, i, backslash);
      const d = decodeAt(text, i, final, ctx, json, backslash);
      if (d === 'partial')
        return { view: parts.join(''), starts, ends, consumed: i, context: ctx, asideAt: ctx.aside ? asideAt : -1 };
      if (d !== undefined) {
        emit(d.text, origAt + i, origAt + d.end);
        ctx = nextContext(ctx, text, i, d);
        if (d.aside !== undefined) {
          if (ctx.aside === undefined) asideAt = starts.length;
          ctx = withAside(ctx, d.aside, origAt + i, origAt + d.end);
        }
        i = d.end;
        continue;
      }
    }
    const cp = text.codePointAt(i) as number;
    const w = cp > 0xffff ? 2 : 1;
    emit(text.slice(i, i + w), origAt + i, origAt + i + w);
    plain = text.charCodeAt(i + w - 1);
    i += w;
  }
  if (plain !== -1) ctx = afterUnit(ctx, plain);
  if (final && ctx.aside !== undefined) emit('\n', origAt + n, origAt + n); // the text ends: the aside is shown
  return { view: parts.join(''), starts, ends, consumed: n, context: ctx, asideAt: ctx.aside ? asideAt : -1 };
}

/** The context with the aside of a construct at [start, end) (absolute) added to the one pending. */
export function withAside(ctx: ViewContext, text: string, start: number, end: number): ViewContext {
  const prev = ctx.aside;
  const aside = prev ? { text: `${prev.text}\n${text}`, start: prev.start, end } : { text, start, end };
  return { ...ctx, aside };
}

/**
 * True when a view character `cp` at absolute original offset `at` ends the token a pending aside waits for (it is
 * then shown before `cp`): a character no token holds, or the text has run on MAX_ASIDE_RUN characters past the
 * first construct the aside holds (the holdback stays bounded). Every construct glued to a token is joined, however
 * many came before (the aside holds no more than the text held since its first construct): recheck 8, findings 02
 * and 06 — a full aside kept the next construct in place, and the aside was shown 1024 characters past the
 * construct, both splitting a token markdown-it renders whole.
 */
export const endsToken = (aside: Aside, cp: number, at: number): boolean =>
  !isTokenChar(cp) || at - aside.start > MAX_ASIDE_RUN;
/**
 * How far past its first construct a token may run before the aside is shown anyway (in the token: a secret across
 * that point is split — a documented limit; a model must write a single token this long).
 */
export const MAX_ASIDE_RUN = 64 * 1024;

/** The context without its aside (shown). */
export function withoutAside(ctx: ViewContext): ViewContext {
  return {
    view: ctx.view,
    raw: ctx.raw,
    hiding: ctx.hiding,
    open: ctx.open,
    span: ctx.span,
    ticks: ctx.ticks,
    quote: ctx.quote,
  };
}
