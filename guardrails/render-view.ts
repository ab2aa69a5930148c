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
//    arguments and JSON answers are parsed by the client, which then holds the character itself;
//  - inline markup a renderer shows nothing of: HTML tags without attributes and empty comments (`<b>`, `</span>`,
//    `<wbr>`, `<!---->`), code-span backticks inside a word and runs of two or three `*` and of two `~` (bold, strikethrough; a longer run is a mask). A secret
//    written `**ghp_**Zq8x…` or `ghp_Zq8x<b>…</b>…` renders as the whole token, so it is scanned as one.
//    Not dropped (documented limits): `_` (part of many tokens), a single `*` (part of passwords), link syntax, and
//    tags with attributes and comments with text — what they hold reaches any program reading the answer, so the
//    rules must see it.
// A more permissive view than any one renderer only redacts more. Streaming: a construct that may still be
// incomplete at the end of a delta is not consumed (the caller carries it to the next delta), so the view of a
// stream is the view of the whole text, for any split.
import { decodeHTMLStrict, replaceCodePoint } from 'entities/decode';
import { skeletonCodePoint } from './text.ts';

/** The longest HTML5 entity name is 31 characters. */
export const MAX_NAME = 32;
export const MAX_DIGITS = 16;

const AMP = 38;
const BACKSLASH = 92;

/** The longest HTML tag or comment dropped as markup (a longer one is text). */
export const MAX_TAG = 256;

/** True when `s` holds a character a renderer may decode or hide (`&`, `\`, `<`, `` ` ``, `*`, `~`): otherwise its view is its fold. */
export function mayRender(s: string): boolean {
  return MAY_RENDER.test(s);
}
const MAY_RENDER = /[&\\<`*~]/;
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

type Decoded = { end: number; text: string } | 'partial' | undefined;

/** The construct starting at `i` (`&` or `\`): its end and decoded text, 'partial' when more text could change it, undefined: literal. */
export function decodeAt(s: string, i: number, final: boolean, before = -1): Decoded {
  const n = s.length;
  const c0 = s.charCodeAt(i);
  if (c0 === BACKSLASH) {
    if (i + 1 >= n) return final ? undefined : 'partial';
    const c = s.charCodeAt(i + 1);
    if (c === 117 || c === 120) return stringEscapeAt(s, i, final);
    return isAsciiPunct(c) ? { end: i + 2, text: s[i + 1] as string } : undefined;
  }
  if (c0 === LT) return markupTagAt(s, i, final);
  if (c0 === BACKTICK || c0 === STAR || c0 === TILDE) return markupRunAt(s, i, final, before);
  if (c0 !== AMP) return undefined;
  if (i + 1 >= n) return final ? undefined : 'partial';
  if (s.charCodeAt(i + 1) === 35) {
    // numeric: &#digits or &#x hexdigits, `;` optional
    let j = i + 2;
    if (j >= n) return final ? undefined : 'partial';
    const hex = s.charCodeAt(j) === 120 || s.charCodeAt(j) === 88;
    if (hex) j++;
    const start = j;
    while (j < n && (hex ? isHex(s.charCodeAt(j)) : isDigit(s.charCodeAt(j)))) {
      j++;
      if (j - start > MAX_DIGITS) return undefined;
    }
    if (j >= n && !final) return 'partial';
    if (j === start) return undefined;
    const value = Number.parseInt(s.slice(start, j), hex ? 16 : 10);
    const cp = value > 0x10ffff ? 0xfffd : replaceCodePoint(value);
    const end = j < n && s.charCodeAt(j) === 59 ? j + 1 : j;
    return { end, text: String.fromCodePoint(cp) };
  }
  // named: &name;
  let j = i + 1;
  if (!isAlpha(s.charCodeAt(j))) return undefined;
  while (j < n && isAlnum(s.charCodeAt(j))) {
    j++;
    if (j - i - 1 > MAX_NAME) return undefined;
  }
  if (j >= n) return final ? undefined : 'partial';
  if (s.charCodeAt(j) !== 59) return undefined;
  const ref = s.slice(i, j + 1);
  const text = decodeHTMLStrict(ref);
  return text === ref ? undefined : { end: j + 1, text };
}

/** A run of a markup character is read at most this far: a longer one is text (a mask `****`, a code fence). */
export const RUN_CAP = 4;

/**
 * A run of `*`, `~` or backticks at s[i]: markup (dropped) when it is `**` / `***` (bold, bold italic), `~~`
 * (strikethrough), or one to three backticks between two token characters (a code span inside a token:
 * `ghp_Zq8x\`T4mN\`cR1y` renders as one token); elsewhere a backtick stays — it quotes Go raw strings and JavaScript
 * templates, which rules read as quotes — and a run of RUN_CAP or more is a mask or a fence. Decided at the run's
 * first character with at most RUN_CAP characters of lookahead; the rest of a run read as text is text (its
 * previous character is the same), so the work is bounded whatever the run's length.
 */
function markupRunAt(s: string, i: number, final: boolean, before: number): Decoded {
  const n = s.length;
  const c0 = s.charCodeAt(i);
  const prev = i > 0 ? s.charCodeAt(i - 1) : before;
  if (prev === c0) return undefined;
  let j = i + 1;
  while (j < n && j - i < RUN_CAP && s.charCodeAt(j) === c0) j++;
  const len = j - i;
  if (len >= RUN_CAP) return undefined;
  if (j >= n) return final ? undefined : 'partial';
  if (c0 === BACKTICK) return isTokenChar(prev) && isTokenChar(s.charCodeAt(j)) ? { end: j, text: '' } : undefined;
  const markup = c0 === STAR ? len === 2 || len === 3 : len === 2;
  return markup ? { end: j, text: '' } : undefined;
}

/** `\uXXXX` (two of them for a surrogate pair), `\u{…}` (1-6 hex digits) or `\xHH` at s[i] === '\\'. */
function stringEscapeAt(s: string, i: number, final: boolean): Decoded {
  const n = s.length;
  const hexRun = (from: number, max: number): number => {
    let j = from;
    while (j < n && j - from < max && isHex(s.charCodeAt(j))) j++;
    return j - from;
  };
  // fewer digits than needed: more text may bring them, or it is not an escape
  const short = (end: number): Decoded => (end >= n && !final ? 'partial' : undefined);
  if (s.charCodeAt(i + 1) === 120) {
    const h = hexRun(i + 2, 2);
    if (h < 2) return short(i + 2 + h);
    return { end: i + 4, text: String.fromCharCode(Number.parseInt(s.slice(i + 2, i + 4), 16)) };
  }
  if (s.charCodeAt(i + 2) === 123) {
    const h = hexRun(i + 3, 6);
    if (i + 3 + h >= n) return short(i + 3 + h);
    if (h === 0 || s.charCodeAt(i + 3 + h) !== 125) return undefined;
    const cp = Number.parseInt(s.slice(i + 3, i + 3 + h), 16);
    return { end: i + 4 + h, text: String.fromCodePoint(cp > 0x10ffff ? 0xfffd : cp) };
  }
  const h = hexRun(i + 2, 4);
  if (h < 4) return short(i + 2 + h);
  const unit = Number.parseInt(s.slice(i + 2, i + 6), 16);
  if (unit >= 0xd800 && unit <= 0xdbff) {
    // a high surrogate: joined with a following \uDC00-\uDFFF escape, else a replacement character
    const rest = s.slice(i + 6, i + 12);
    if (LOW_ESCAPE.test(rest))
      return { end: i + 12, text: String.fromCharCode(unit, Number.parseInt(rest.slice(2), 16)) };
    if (!final && rest.length < 6 && LOW_ESCAPE_PREFIX.test(rest)) return 'partial';
  }
  const isSurrogate = unit >= 0xd800 && unit <= 0xdfff;
  return { end: i + 6, text: isSurrogate ? '\ufffd' : String.fromCharCode(unit) };
}
const LOW_ESCAPE = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/;
const LOW_ESCAPE_PREFIX = /^(?:\\(?:u(?:[dD](?:[c-fC-F][0-9a-fA-F]{0,1})?)?)?)?$/;

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;

/**
 * An HTML tag without attributes (`<b>`, `</span>`, `<wbr>`, `<br />`) or an empty comment (`<!---->`, `<!-- -->`)
 * at s[i] === '<', dropped from the view. A tag with attributes or a comment with text stays in the view: what it
 * holds is text a program reading the answer receives (`<img src="…?d=ghp_…">`), so the rules must see it.
 */
const EMPTY_CONSTRUCTS = ['<!-->', '<!--->', '<![CDATA[]]>'];
/** Tag names as renderers read them: letters, digits, `-`, `_`, `:` (`<o:p>`), `.`. */
const isTagNameChar = (c: number): boolean => isAlnum(c) || c === 45 || c === 95 || c === 58 || c === 46;

function markupTagAt(s: string, i: number, final: boolean): Decoded {
  const n = s.length;
  const more = (j: number): Decoded => (j >= n && j - i < MAX_TAG && !final ? 'partial' : undefined);
  // the empty ones of what a renderer hides: `<!---->`, the abrupt `<!-->` and `<!--->`, `<![CDATA[]]>`
  for (const empty of EMPTY_CONSTRUCTS) {
    if (s.startsWith(empty, i)) return { end: i + empty.length, text: '' };
    if (i + empty.length > n && empty.startsWith(s.slice(i))) return more(n);
  }
  if (s.startsWith('<!--', i)) {
    let j = i + 4;
    while (j < n && j - i < MAX_TAG && isSpace(s.charCodeAt(j))) j++;
    if (s.startsWith('-->', j)) return { end: j + 3, text: '' };
    return j + 3 > n && '-->'.startsWith(s.slice(j)) ? more(n) : undefined;
  }
  let j = i + 1;
  if (j < n && s.charCodeAt(j) === 47) j++;
  if (j >= n) return more(j);
  if (!isAlpha(s.charCodeAt(j))) return undefined;
  while (j < n && j - i < MAX_TAG && isTagNameChar(s.charCodeAt(j))) j++;
  while (j < n && j - i < MAX_TAG && isSpace(s.charCodeAt(j))) j++;
  if (j < n && s.charCodeAt(j) === 47) j++;
  while (j < n && j - i < MAX_TAG && isSpace(s.charCodeAt(j))) j++;
  if (j >= n) return more(j);
  return s.charCodeAt(j) === 62 ? { end: j + 1, text: '' } : undefined;
}

export interface RenderView {
  view: string;
  /** Per view character: absolute original start and end of what it came from. */
  starts: number[];
  ends: number[];
  /** Characters of the input consumed (less than its length when a construct may continue in the next delta). */
  consumed: number;
}

/**
 * The detection view of `text` (its first character at absolute original offset `origAt`): references and escapes
 * decoded, then every code point read as its ASCII skeleton where it has one (text.ts skeletonCodePoint: look-alikes
 * folded, accents and other marks removed, tag characters decoded). The secrets, canaries and the other output rules
 * are ASCII, so a model cannot carry them past the rules with accents, combining marks or invisible tag
 * characters; patterns a tenant writes with other characters are read the same way (view-pattern.ts). `final`: no more text follows (nothing is left unconsumed).
 */
export function renderFoldText(text: string, origAt: number, final: boolean, before = -1): RenderView {
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const emit = (s: string, a: number, b: number): void => {
    for (let k = 0; k < s.length;) {
      const cp = s.codePointAt(k) as number;
      const f = cp < 0x80 ? String.fromCharCode(cp) : skeletonCodePoint(cp);
      if (f.length > 0) {
        parts.push(f);
        for (let m = 0; m < f.length; m++) {
          starts.push(origAt + a);
          ends.push(origAt + b);
        }
      }
      k += cp > 0xffff ? 2 : 1;
    }
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === AMP || c === BACKSLASH || c === LT || c === BACKTICK || c === STAR || c === TILDE) {
      const d = decodeAt(text, i, final, before);
      if (d === 'partial') return { view: parts.join(''), starts, ends, consumed: i };
      if (d !== undefined) {
        emit(d.text, i, d.end);
        i = d.end;
        continue;
      }
    }
    const cp = text.codePointAt(i) as number;
    const w = cp > 0xffff ? 2 : 1;
    emit(text.slice(i, i + w), i, i + w);
    i += w;
  }
  return { view: parts.join(''), starts, ends, consumed: n };
}
