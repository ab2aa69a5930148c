// A tenant's pattern (a custom pattern, a canary) rewritten for the detection view the output scanner searches
// (render-view.ts: every code point read through text.ts skeletonCodePoint — look-alikes folded, accents and other
// marks removed, tag characters decoded). The view of "Клиент-42" is "Kлиeнт-42" and the view of "Référence" is
// "Reference", so a pattern written with those characters would never match its own text: each non-ASCII
// character the pattern names is read the same way.
//  - a literal character (raw, `\x{…}`, `\xHH`, octal, `\Q…\E`) becomes its view: `é` → `(?:e)`, a dropped mark →
//    `(?:)`;
//  - a bracket class keeps its members and gains their views: `[ÄÖÜ]` → `[ÄÖÜAOU]`, a range with non-ASCII
//    bounds gains the view of every character in it (at most RANGE_LIMIT characters are enumerated);
//  - a negated class, `\p{…}`, `.` and everything ASCII are left as written. A negated class then matches the view
//    of a character it excluded (more redaction); a script or category class (`\p{Cyrillic}`, `\p{Greek}`) no
//    longer matches the letters the view reads as Latin (`Москва` is `Mocквa` there: `\p{Cyrillic}+` finds `кв`) —
//    less redaction: write the letters or a range (`[А-Яа-я]`), which are rewritten (guardrails/README.md).
import { skeletonCodePoint } from './text.ts';

/** Characters of one class range whose views are added (a wider range gains the views of its first ones only). */
export const RANGE_LIMIT = 0x3000;

const SPECIAL = new Set('\\^$.|?*+()[]{}');
const CLASS_SPECIAL = new Set('\\]^-[');

const chr = (cp: number): string => String.fromCodePoint(cp);

function escapeLiteral(s: string): string {
  let out = '';
  for (const ch of s) out += SPECIAL.has(ch) ? `\\${ch}` : ch;
  return out;
}

function escapeClassMember(ch: string): string {
  return CLASS_SPECIAL.has(ch) ? `\\${ch}` : ch;
}

/** A literal character in the view: itself when the view keeps it, else a group holding its view. */
function literal(cp: number, view: (cp: number) => string): string | undefined {
  if (cp < 0x80) return undefined;
  const v = view(cp);
  return v === chr(cp) ? undefined : `(?:${escapeLiteral(v)})`;
}

/** The code point of an escape at src[i] === '\\' naming one character, its end; undefined for other escapes. */
function escapedChar(src: string, i: number): { cp: number; end: number } | undefined {
  const c = src[i + 1];
  if (c === 'x') {
    if (src[i + 2] === '{') {
      const close = src.indexOf('}', i + 3);
      if (close < 0) return undefined;
      const cp = Number.parseInt(src.slice(i + 3, close), 16);
      return Number.isFinite(cp) && cp <= 0x10ffff ? { cp, end: close + 1 } : undefined;
    }
    const cp = Number.parseInt(src.slice(i + 2, i + 4), 16);
    return /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4)) ? { cp, end: i + 4 } : undefined;
  }
  if (c !== undefined && c >= '0' && c <= '7') {
    let j = i + 1;
    while (j < i + 4 && src[j] !== undefined && (src[j] as string) >= '0' && (src[j] as string) <= '7') j++;
    return { cp: Number.parseInt(src.slice(i + 1, j), 8), end: j };
  }
  const cp = src.codePointAt(i + 1);
  // an escaped non-ASCII character (`\é`) is that character; ASCII escapes (\d, \b, \n, \.) are left alone
  return cp !== undefined && cp >= 0x80 ? { cp, end: i + 1 + (cp > 0xffff ? 2 : 1) } : undefined;
}

/** End of the escape at src[i] === '\\' (`\p{…}`, `\pL`, `\d`, …), for escapes copied as written. */
function escapeEnd(src: string, i: number): number {
  const c = src[i + 1];
  if ((c === 'p' || c === 'P') && src[i + 2] === '{') {
    const close = src.indexOf('}', i + 3);
    return close < 0 ? src.length : close + 1;
  }
  if (c === 'p' || c === 'P') return Math.min(src.length, i + 3);
  return Math.min(src.length, i + 2);
}

/** The bracket class at src[i] === '[': its end and the class with the views of its members added. */
function viewClass(src: string, i: number, view: (cp: number) => string): { end: number; text: string } {
  let j = i + 1;
  const negated = src[j] === '^';
  if (negated) j++;
  const added = new Set<string>();
  const add = (cp: number): void => {
    if (cp < 0x80) return;
    const v = view(cp);
    if (v !== chr(cp) && [...v].length === 1) added.add(v);
  };
  // one member: a character (its code point) or anything else (-1)
  const member = (): number => {
    if (src[j] === '\\') {
      const e = escapedChar(src, j);
      if (e) {
        j = e.end;
        return e.cp;
      }
      const c = src[j + 1];
      j = escapeEnd(src, j);
      return c === undefined || /[dDwWsSpP]/.test(c) ? -1 : (c.codePointAt(0) as number);
    }
    const cp = src.codePointAt(j) as number;
    j += cp > 0xffff ? 2 : 1;
    return cp;
  };
  let first = true;
  while (j < src.length && (src[j] !== ']' || first)) {
    first = false;
    if (src.startsWith('[:', j)) {
      const close = src.indexOf(':]', j);
      if (close > 0) {
        j = close + 2;
        continue;
      }
    }
    const lo = member();
    if (src[j] === '-' && src[j + 1] !== ']' && j + 1 < src.length) {
      j++;
      const hi = member();
      if (lo >= 0 && hi >= 0) for (let cp = Math.max(lo, 0x80); cp <= Math.min(hi, lo + RANGE_LIMIT); cp++) add(cp);
      continue;
    }
    if (lo >= 0) add(lo);
  }
  const end = Math.min(src.length, j + 1);
  if (negated || added.size === 0) return { end, text: src.slice(i, end) };
  const extra = [...added].map(escapeClassMember).join('');
  return { end, text: `${src.slice(i, j)}${extra}${src.slice(j, end)}` };
}

/** `src` (RE2 syntax) rewritten to match in the detection view what it matches in the original text. */
export function viewPattern(src: string, view: (cp: number) => string = skeletonCodePoint): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\\' && src[i + 1] === 'Q') {
      const close = src.indexOf('\\E', i + 2);
      const lit = src.slice(i + 2, close < 0 ? src.length : close);
      for (const ch of lit) out += literal(ch.codePointAt(0) as number, view) ?? escapeLiteral(ch);
      i = close < 0 ? src.length : close + 2;
    } else if (c === '\\') {
      const e = escapedChar(src, i);
      const end = e ? e.end : escapeEnd(src, i);
      out += (e && literal(e.cp, view)) ?? src.slice(i, end);
      i = end;
    } else if (c === '[') {
      const k = viewClass(src, i, view);
      out += k.text;
      i = k.end;
    } else {
      const cp = src.codePointAt(i) as number;
      const w = cp > 0xffff ? 2 : 1;
      out += literal(cp, view) ?? src.slice(i, i + w);
      i += w;
    }
  }
  return out;
}
