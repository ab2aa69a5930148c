// Static analysis of RE2 patterns, for streaming: the longest text a pattern can match (in UTF-16 code units)
// and the set of characters a match can consist of (its alphabet). Both are conservative over-approximations:
// a construct this analyser does not understand widens the answer (longer, or "any character"), never narrows it.
//
// Why: a streaming redactor must hold back enough text that a match split across deltas is still found whole.
// The max length bounds the holdback; the alphabet lets ordinary text flow: a match still "open" at the end of
// the buffer can only start inside the trailing run of alphabet characters (see scanner.ts).
//
// Unbounded repetition (`*`, `+`, `{n,}`) in a custom pattern is rewritten to a bounded one (`{0,K}`, `{1,K}`,
// `{n,K}`) with K chosen so the whole pattern matches at most MAX_CUSTOM_MATCH characters: the documented meaning
// of a custom pattern is "RE2 semantics, with every repetition capped at K".
import RE2 from 're2';

/** Characters a match may contain: an ASCII bitmap plus "any non-ASCII character". */
export interface Alphabet {
  readonly ascii: Uint8Array;
  nonAscii: boolean;
}

export function emptyAlphabet(): Alphabet {
  return { ascii: new Uint8Array(128), nonAscii: false };
}

export function fullAlphabet(): Alphabet {
  return { ascii: new Uint8Array(128).fill(1), nonAscii: true };
}

export function inAlphabet(a: Alphabet, code: number): boolean {
  return code < 128 ? a.ascii[code] === 1 : a.nonAscii;
}

export interface PatternInfo {
  /** Longest possible match in UTF-16 code units; Infinity when unbounded. */
  maxLength: number;
  alphabet: Alphabet;
  /** Source offsets of unbounded quantifiers, with the bounded replacement for a given cap. */
  unbounded: { start: number; end: number; min: number }[];
}

const MAX_REPEAT = 1000; // RE2's own limit on counted repetition

class Frame {
  alts: number[] = [];
  cur = 0;
  lastAtom = 0;
  lastAtomStart = -1;
  fold: boolean;
  constructor(fold: boolean) {
    this.fold = fold;
  }
}

function addChar(a: Alphabet, code: number, fold: boolean): void {
  if (code >= 128) {
    a.nonAscii = true;
    return;
  }
  a.ascii[code] = 1;
  if (fold) {
    // RE2 case folding also maps some non-ASCII characters to ASCII letters (K: Kelvin sign, s: long s).
    const c = String.fromCharCode(code);
    const lo = c.toLowerCase().charCodeAt(0);
    const up = c.toUpperCase().charCodeAt(0);
    if (lo < 128) a.ascii[lo] = 1;
    if (up < 128) a.ascii[up] = 1;
    if (/[ks]/i.test(c)) a.nonAscii = true;
  }
}

function addRange(a: Alphabet, from: number, to: number, fold: boolean): void {
  for (let c = from; c <= Math.min(to, 127); c++) addChar(a, c, fold);
  if (to >= 128) a.nonAscii = true;
}

const CLASS_ESCAPES: Record<string, (a: Alphabet) => number> = {
  d: (a) => {
    addRange(a, 48, 57, false);
    return 1;
  },
  w: (a) => {
    addRange(a, 48, 57, false);
    addRange(a, 65, 90, false);
    addRange(a, 97, 122, false);
    addChar(a, 95, false);
    return 1;
  },
  s: (a) => {
    for (const c of [9, 10, 12, 13, 32]) addChar(a, c, false);
    return 1;
  },
};

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };

function any(a: Alphabet): void {
  a.ascii.fill(1);
  a.nonAscii = true;
}

/**
 * Reads one escape at src[i] === '\\'. Returns [next index, atom length, codepoint or -1], adding what it may
 * match to the alphabet. Zero-width assertions return length 0.
 */
function readEscape(src: string, i: number, a: Alphabet, fold: boolean): [number, number, number] {
  const c = src[i + 1] ?? '';
  if (c === '') return [i + 1, 1, 92];
  if ('bBAz'.includes(c)) return [i + 2, 0, -1];
  if (c in CLASS_ESCAPES) return [i + 2, (CLASS_ESCAPES[c] as (x: Alphabet) => number)(a), -1];
  if ('DWSpPC'.includes(c)) {
    any(a);
    let j = i + 2;
    if ((c === 'p' || c === 'P') && src[j] === '{') {
      const close = src.indexOf('}', j);
      j = close < 0 ? src.length : close + 1;
    } else if (c === 'p' || c === 'P') j += 1;
    return [j, 2, -1];
  }
  if (c in SIMPLE_ESCAPES) {
    const code = SIMPLE_ESCAPES[c] as number;
    addChar(a, code, fold);
    return [i + 2, 1, code];
  }
  if (c === 'x') {
    let j = i + 2;
    let hex: string;
    if (src[j] === '{') {
      const close = src.indexOf('}', j);
      hex = src.slice(j + 1, close < 0 ? src.length : close);
      j = close < 0 ? src.length : close + 1;
    } else {
      hex = src.slice(j, j + 2);
      j += 2;
    }
    const code = Number.parseInt(hex, 16);
    if (!Number.isFinite(code)) {
      any(a);
      return [j, 2, -1];
    }
    addChar(a, code, fold);
    return [j, code > 0xffff ? 2 : 1, code];
  }
  if (c >= '0' && c <= '7') {
    let j = i + 1;
    while (j < i + 4 && src[j] !== undefined && (src[j] as string) >= '0' && (src[j] as string) <= '7') j++;
    const code = Number.parseInt(src.slice(i + 1, j), 8);
    addChar(a, code, fold);
    return [j, 1, code];
  }
  const code = src.codePointAt(i + 1) ?? 0;
  addChar(a, code, fold);
  return [i + 1 + (code > 0xffff ? 2 : 1), code > 0xffff ? 2 : 1, code];
}

/** Parses a bracket class starting at src[i] === '['. Returns [next index, atom length]. */
function readClass(src: string, i: number, a: Alphabet, fold: boolean): [number, number] {
  let j = i + 1;
  let negated = false;
  if (src[j] === '^') {
    negated = true;
    j++;
  }
  const local = emptyAlphabet();
  let len = 1;
  let first = true;
  while (j < src.length && (src[j] !== ']' || first)) {
    first = false;
    if (src.startsWith('[:', j)) {
      const close = src.indexOf(':]', j);
      if (close > 0) {
        any(local);
        len = 2;
        j = close + 2;
        continue;
      } // POSIX classes: widen
    }
    let lo: number;
    if (src[j] === '\\') {
      const [next, l, code] = readEscape(src, j, local, fold);
      j = next;
      if (l === 2) len = 2;
      if (code < 0) continue;
      lo = code;
    } else {
      lo = src.codePointAt(j) ?? 0;
      j += lo > 0xffff ? 2 : 1;
      addChar(local, lo, fold);
      if (lo > 0xffff) len = 2;
    }
    if (src[j] === '-' && src[j + 1] !== ']' && j + 1 < src.length) {
      j++;
      let hi: number;
      if (src[j] === '\\') {
        const [next, , code] = readEscape(src, j, local, fold);
        j = next;
        hi = code < 0 ? 0x10ffff : code;
      } else {
        hi = src.codePointAt(j) ?? 0;
        j += hi > 0xffff ? 2 : 1;
      }
      addRange(local, lo, hi, fold);
      if (hi > 0xffff) len = 2;
    }
  }
  if (negated) {
    any(a);
    len = 2;
  } else {
    for (let c = 0; c < 128; c++) if (local.ascii[c]) a.ascii[c] = 1;
    if (local.nonAscii) a.nonAscii = true;
  }
  return [j + 1, len];
}

/** Max match length, alphabet and unbounded quantifiers of an RE2 pattern. Assumes it compiles. */
export function analyzePattern(src: string): PatternInfo {
  const alphabet = emptyAlphabet();
  const unbounded: PatternInfo['unbounded'] = [];
  const stack: Frame[] = [new Frame(false)];
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const atom = (len: number, start: number) => {
    const f = top();
    f.cur += len;
    f.lastAtom = len;
    f.lastAtomStart = start;
  };
  const repeat = (max: number) => {
    const f = top();
    f.cur += f.lastAtom * (max - 1);
    f.lastAtom *= max;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const start = i;
    if (c === '\\') {
      if (src[i + 1] === 'Q') {
        const close = src.indexOf('\\E', i + 2);
        const lit = src.slice(i + 2, close < 0 ? src.length : close);
        for (const ch of lit) {
          atom(ch.length, start);
          addChar(alphabet, ch.codePointAt(0) ?? 0, top().fold);
        }
        i = close < 0 ? src.length : close + 2;
        continue;
      }
      const [next, len] = readEscape(src, i, alphabet, top().fold);
      atom(len, start);
      i = next;
    } else if (c === '[') {
      const [next, len] = readClass(src, i, alphabet, top().fold);
      atom(len, start);
      i = next;
    } else if (c === '.') {
      any(alphabet); // (?s) or not: '.' may match any non-newline character
      atom(2, start);
      i++;
    } else if (c === '(') {
      let fold = top().fold;
      let j = i + 1;
      if (src[j] === '?') {
        const m = /^\?([a-zA-Z-]*)(\)|:)/.exec(src.slice(j));
        if (m) {
          const flags = m[1] ?? '';
          const neg = flags.indexOf('-');
          const on = neg < 0 ? flags : flags.slice(0, neg);
          const off = neg < 0 ? '' : flags.slice(neg);
          if (on.includes('i')) fold = true;
          if (off.includes('i')) fold = false;
          if (m[2] === ')') {
            top().fold = fold;
            i = j + m[0].length;
            continue;
          } // flags for the rest of the group
          j += m[0].length;
        } else {
          const close = src.indexOf('>', j);
          j = close < 0 ? src.length : close + 1; // (?P<name> / (?<name>
        }
      }
      const f = new Frame(fold);
      f.lastAtomStart = start;
      stack.push(f);
      i = j;
    } else if (c === ')') {
      const f = stack.length > 1 ? (stack.pop() as Frame) : top();
      const len = Math.max(f.cur, ...f.alts);
      atom(len, f.lastAtomStart);
      i++;
    } else if (c === '|') {
      const f = top();
      f.alts.push(f.cur);
      f.cur = 0;
      f.lastAtom = 0;
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      const lazy = src[i + 1] === '?' ? 1 : 0;
      if (c === '?') repeat(1);
      else {
        unbounded.push({ start: i, end: i + 1, min: c === '+' ? 1 : 0 });
        repeat(Infinity);
      }
      i += 1 + lazy;
    } else if (c === '{' && /^\{\d+(,\d*)?\}/.test(src.slice(i))) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i)) as RegExpExecArray;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Infinity : Number(m[3]);
      if (max === Infinity) unbounded.push({ start: i, end: i + m[0].length, min });
      repeat(Math.min(max, max === Infinity ? Infinity : MAX_REPEAT));
      i += m[0].length;
    } else if (c === '^' || c === '$') {
      i++;
    } else {
      const code = src.codePointAt(i) ?? 0;
      addChar(alphabet, code, top().fold);
      atom(code > 0xffff ? 2 : 1, start);
      i += code > 0xffff ? 2 : 1;
    }
  }
  while (stack.length > 1) {
    const f = stack.pop() as Frame;
    atom(Math.max(f.cur, ...f.alts), f.lastAtomStart);
  }
  const root = top();
  const maxLength = Math.max(root.cur, ...root.alts);
  return { maxLength: Number.isNaN(maxLength) ? Infinity : maxLength, alphabet, unbounded };
}

/** Longest match a custom pattern may have after its unbounded repetitions are capped. */
export const MAX_CUSTOM_MATCH = 4096;

export interface BoundedPattern {
  source: string;
  info: PatternInfo;
  /** The cap put on unbounded repetitions (undefined: the pattern was bounded already). */
  cap?: number;
}

/** Rewrites `*`, `+` and `{n,}` to bounded repetitions so the pattern matches at most MAX_CUSTOM_MATCH characters. */
export function boundPattern(source: string, maxMatch = MAX_CUSTOM_MATCH): BoundedPattern {
  const info = analyzePattern(source);
  if (info.unbounded.length === 0) return { source, info };
  let last: BoundedPattern | undefined;
  for (let cap = 256; cap >= 1; cap = Math.floor(cap / 2)) {
    let out = '';
    let at = 0;
    for (const u of info.unbounded) {
      out += `${source.slice(at, u.start)}{${u.min},${Math.max(u.min, cap)}}`;
      at = u.end;
    }
    out += source.slice(at);
    const bounded = analyzePattern(out);
    last = { source: out, info: bounded, cap };
    if (bounded.maxLength <= maxMatch) {
      try {
        new RE2(out, 'u');
        return last;
      } catch {
        /* program too large for RE2: try a smaller cap */
      }
    }
  }
  return last as BoundedPattern;
}

/**
 * Start of the trailing run of alphabet characters of view[..bEnd) (absolute offsets; view starts at `base`),
 * given the run as it was when the text ended at `prevEnd`: only the characters after prevEnd are looked at, and none
 * before `limit` (a caller for whom every position before `limit` is decided anyway gets `limit` for a longer run).
 */
export function inAlphabetRun(
  view: string,
  base: number,
  prevEnd: number,
  bEnd: number,
  alphabet: Alphabet,
  prevRun: number,
  limit = 0,
): number {
  const stop = Math.max(prevEnd, limit);
  let j = bEnd;
  while (j > stop && inAlphabet(alphabet, view.charCodeAt(j - 1 - base))) j--;
  return j > prevEnd ? j : Math.min(prevRun, prevEnd);
}

/**
 * The last two positions of characters outside `alphabet` in view[..bEnd) (absolute offsets, -1 for none), given the
 * pair as it was when the text ended at `prevEnd`: walks back from the end, only over the new characters and not
 * before `limit` (where it reports `limit - 1` as outside: the caller treats every position before `limit` as
 * decided anyway).
 */
export function lastOutside(
  view: string,
  base: number,
  prevEnd: number,
  bEnd: number,
  alphabet: Alphabet,
  prev: readonly [number, number],
  limit = 0,
): [number, number] {
  const found: number[] = [];
  const stop = Math.max(prevEnd, limit);
  for (let j = bEnd - 1; j >= stop && found.length < 2; j--)
    if (!inAlphabet(alphabet, view.charCodeAt(j - base))) found.push(j);
  if (found.length < 2 && limit > prevEnd) found.push(limit - 1);
  if (found.length >= 2) return [found[0] as number, found[1] as number];
  if (found.length === 1) return [found[0] as number, prev[0]];
  return [prev[0], prev[1]];
}
