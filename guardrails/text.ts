// The detection view: detectors run on a folded copy of the text, so that a secret with zero-width characters,
// combining marks, full-width forms or Cyrillic/Greek look-alikes inside it is still found. The fold is per code
// point (never looks at neighbours), so folding a stream delta by delta gives the same view as folding the whole
// text; each view character remembers the original character it came from, and redaction replaces the original
// span. The client never sees the view.
import type RE2 from 're2';

const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  Ѕ: 'S',
  І: 'I',
  Ј: 'J',
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  // Greek
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  ο: 'o',
  ν: 'v',
  ρ: 'p',
  τ: 't',
  ι: 'i',
  κ: 'k',
  α: 'a',
  // punctuation look-alikes that matter inside tokens
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '−': '-',
  '∕': '/',
  '⁄': '/',
  '＠': '@',
  '․': '.',
  '‧': '.',
};

const INVISIBLE = /^[\p{Cf}\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]$/u;

const cache = new Map<number, string>();
const CACHE_MAX = 20_000;

/** The view of one code point: '' for invisible characters, otherwise NFKC + look-alike folding. */
export function foldCodePoint(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  const ch = String.fromCodePoint(cp);
  let out: string;
  if (INVISIBLE.test(ch)) out = '';
  else {
    out = '';
    for (const c of ch.normalize('NFKC')) out += INVISIBLE.test(c) ? '' : (CONFUSABLES[c] ?? c);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(cp, out);
  return out;
}

const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/** A search of view[lo, hi) from `from` (absolute offsets) on the view's bytes when ASCII: the match's bounds. */
export function searchView(
  re: RE2,
  view: string,
  lo: number,
  hi: number,
  from: number,
): { start: number; end: number } | null {
  const bytes = asciiBytes(view);
  re.lastIndex = from - lo;
  if (bytes) {
    const m = re.exec(bytes.subarray(lo, hi));
    return m ? { start: m.index + lo, end: m.index + lo + m[0].length } : null;
  }
  const m = re.exec(view.slice(lo, hi));
  return m ? { start: m.index + lo, end: m.index + lo + m[0].length } : null;
}

let lastText: string | undefined;
let lastBytes: Buffer | undefined;

/**
 * The text as bytes when it is ASCII (byte offsets are then character offsets), else undefined; the last answer is
 * kept. RE2 converts a JavaScript string to UTF-8 on every call with a new string (a copy and a Buffer allocation,
 * ~1 µs); a Buffer (or a subarray of one) is searched as it is. The scanner's view is searched by many rules per
 * pass: one conversion per pass instead of one per call.
 */
export function asciiBytes(s: string): Buffer | undefined {
  if (s !== lastText) {
    lastText = s;
    lastBytes = isAscii(s) ? Buffer.from(s, 'latin1') : undefined;
  }
  return lastBytes;
}

/**
 * Folds `text` (well-formed UTF-16) whose first character is at absolute original offset `origAt`.
 * Returns the view and, per view character, the absolute original start and end of its source character.
 */
export function foldText(text: string, origAt: number): { view: string; starts: number[]; ends: number[] } {
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) as number;
    const w = cp > 0xffff ? 2 : 1;
    const f = cp < 0x80 ? (text[i] as string) : foldCodePoint(cp);
    if (f.length > 0) {
      parts.push(f);
      for (let k = 0; k < f.length; k++) {
        starts.push(origAt + i);
        ends.push(origAt + i + w);
      }
    }
    i += w;
  }
  return { view: parts.join(''), starts, ends };
}

/** True when the code unit is the first half of a surrogate pair. */
export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Lone surrogates replaced by U+FFFD (String.prototype.toWellFormed, ES2024, typed here for the ES2023 lib). */
export function toWellFormed(s: string): string {
  return (s as unknown as { toWellFormed(): string }).toWellFormed();
}
