// The *head* of a pattern: a short pattern H such that every match of the rule's pattern R starting at s has a
// prefix matching H at s. H is cut from R itself: the leading items of R's top-level concatenation while their
// longest match stays within a budget; a group is entered when it does not fit (an alternation gives the
// alternation of its alternatives' heads); a repetition X{n,m} that does not fit contributes X{k} with k <= n.
//
// Why: a keyword rule's full pattern can be long (gitleaks' generic-api-key: ~290 characters, most of it the secret
// and its terminator), but whether it can start at a keyword is decided in the first few dozen characters (the
// keyword, an identifier, an assignment operator). So:
// - where the head does not match, the full pattern is not run at all (a short RE2 search instead of a long one);
// - in a stream, a keyword occurrence is settled as soon as the head's text has arrived and the head does not match
//   there — instead of holding the text after every `key`, `token`, `secret` in prose for the rule's whole length.
// The head is a necessary condition only (a head match says nothing); the full pattern decides.
import RE2 from 're2';
import { analyzePattern } from '../pattern.ts';

/** Longest match a head may have. */
export const HEAD_BUDGET = 48;

interface Item {
  src: string;
  /** A group: its opening (`(?:`, `(`, `(?i:`, `(?P<n>`), and its content. */
  group?: { open: string; body: string };
  /** A quantifier on the item, parsed: {min, max} (max Infinity for unbounded), the atom it applies to. */
  rep?: { atom: string; min: number; lazy: boolean };
  /** Flags set for the rest of the enclosing group (`(?i)`). */
  flags?: boolean;
}

/** Index just past the atom starting at src[i] (escape, class, group, or one character), or -1 when not understood. */
function atomEnd(src: string, i: number): number {
  const c = src[i];
  if (c === '\\') {
    const n = src[i + 1];
    if (n === undefined || n === 'Q') return -1;
    if ((n === 'x' || n === 'p' || n === 'P') && src[i + 2] === '{') {
      const e = src.indexOf('}', i + 2);
      return e < 0 ? -1 : e + 1;
    }
    if (n === 'x') return i + 4;
    if (n === 'p' || n === 'P') return i + 3;
    return i + 2;
  }
  if (c === '[') {
    let j = i + 1;
    if (src[j] === '^') j++;
    if (src[j] === ']') j++;
    while (j < src.length && src[j] !== ']') {
      if (src[j] === '\\') j += 2;
      else if (src.startsWith('[:', j)) {
        const e = src.indexOf(':]', j);
        if (e < 0) return -1;
        j = e + 2;
      } else j++;
    }
    return j < src.length ? j + 1 : -1;
  }
  if (c === '(') {
    let depth = 0;
    for (let j = i; j < src.length; j++) {
      const d = src[j];
      if (d === '\\') {
        j++;
        continue;
      }
      if (d === '[') {
        const e = atomEnd(src, j);
        if (e < 0) return -1;
        j = e - 1;
        continue;
      }
      if (d === '(') depth++;
      else if (d === ')') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  return i + (src.codePointAt(i) !== undefined && (src.codePointAt(i) as number) > 0xffff ? 2 : 1);
}

/** The top-level items of `src` (a concatenation) or its alternatives when it has a top-level `|`. */
function split(src: string): { alternatives: Item[][] } | undefined {
  const alternatives: Item[][] = [[]];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '|') {
      alternatives.push([]);
      i++;
      continue;
    }
    if (c === ')' || c === '*' || c === '+' || c === '?' || c === '{') return undefined; // unbalanced / dangling
    const end = atomEnd(src, i);
    if (end < 0) return undefined;
    const atom = src.slice(i, end);
    const item: Item = { src: atom };
    if (c === '(') {
      const flagOnly = /^\(\?[a-zA-Z-]*\)$/.exec(atom);
      if (flagOnly) item.flags = true;
      else {
        const open = /^\((?:\?(?:P?<[A-Za-z_]\w*>|[a-zA-Z-]*:))?/.exec(atom)?.[0] ?? '(';
        item.group = { open, body: atom.slice(open.length, -1) };
      }
    }
    let j = end;
    const q = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/.exec(src.slice(j));
    if (q) {
      if (item.flags) return undefined;
      const m = /^(?:([*+?])|\{(\d+)(?:,(\d*))?\})(\?)?/.exec(q[0]) as RegExpExecArray;
      const min = m[1] === '+' ? 1 : m[1] !== undefined ? 0 : Number(m[2]);
      item.rep = { atom, min, lazy: m[4] !== undefined };
      item.src = atom + q[0];
      j += q[0].length;
    }
    (alternatives[alternatives.length - 1] as Item[]).push(item);
    i = j;
  }
  return { alternatives };
}

const maxLen = (src: string): number => analyzePattern(src).maxLength;

/** The head of `src` within `budget` characters: a pattern, or undefined when none worth having (empty). */
function headOf(src: string, budget: number, depth = 0): { src: string; proper: boolean; solid: boolean } | undefined {
  if (depth > 8) return undefined;
  const s = split(src);
  if (!s) return undefined;
  if (s.alternatives.length > 1) {
    // `(?i)` inside an alternative holds for the later alternatives too: not split then
    if (s.alternatives.some((a) => a.some((x) => x.flags))) return undefined;
    const heads = s.alternatives.map((a) => headOf(a.map((x) => x.src).join(''), budget, depth + 1));
    if (heads.some((h) => h === undefined || !h.solid)) return undefined;
    const hs = heads as { src: string; proper: boolean; solid: boolean }[];
    return { src: `(?:${hs.map((h) => h.src).join('|')})`, proper: hs.some((h) => h.proper), solid: true };
  }
  const items = s.alternatives[0] as Item[];
  let out = '';
  let used = 0;
  let solid = false; // the head requires at least one character
  for (let k = 0; k < items.length; k++) {
    const it = items[k] as Item;
    if (it.flags) {
      out += it.src;
      continue;
    }
    const len = maxLen(it.src);
    if (used + len <= budget) {
      out += it.src;
      used += len;
      if (analyzeMin(it) > 0) solid = true;
      continue;
    }
    // does not fit: a group's own head, or the minimal repetitions of a repeated atom, then stop
    if (it.group && !it.rep) {
      const inner = headOf(it.group.body, budget - used, depth + 1);
      if (inner && inner.solid) {
        const open =
          it.group.open === '(' || it.group.open.startsWith('(?P<') || it.group.open.startsWith('(?<')
            ? '(?:'
            : it.group.open;
        out += `${open}${inner.src})`;
        solid = true;
      }
    } else if (it.rep && it.rep.min > 0) {
      const one = maxLen(it.rep.atom);
      const k2 = Math.min(it.rep.min, Math.floor((budget - used) / Math.max(1, one)));
      if (k2 > 0) {
        out += `(?:${it.rep.atom}){${k2}}`;
        solid = true;
      }
    }
    return solid ? { src: out, proper: true, solid } : undefined;
  }
  return solid ? { src: out, proper: false, solid } : undefined;
}

/** Whether an item needs at least one character (a quantifier with min 0, an assertion or an empty group do not). */
function analyzeMin(it: Item): number {
  if (it.rep && it.rep.min === 0) return 0;
  if (/^\\[bBAz]$|^[\^$]$/.test(it.src)) return 0;
  try {
    return new RE2(`^(?:${it.src})$`, 'u').test('') ? 0 : 1;
  } catch {
    return 0;
  }
}

export interface Head {
  /** The head pattern (searched with RE2, 'u'). */
  source: string;
  re: RE2;
  /** Its longest match. */
  maxLength: number;
}

/**
 * The head of a (bounded) pattern, or undefined when it would not be shorter than the pattern by much or cannot be
 * cut (a construct the splitter does not read: then the full pattern is used, as without a head).
 */
export function patternHead(source: string, fullMaxLength: number, budget = HEAD_BUDGET): Head | undefined {
  const h = headOf(source, budget);
  if (!h || !h.proper) return undefined;
  const maxLength = maxLen(h.src);
  if (!Number.isFinite(maxLength) || maxLength * 2 > fullMaxLength) return undefined;
  try {
    return { source: h.src, re: new RE2(h.src, 'gu'), maxLength };
  } catch {
    return undefined;
  }
}

/**
 * The prefix closure of a pattern: a pattern matching exactly the prefixes (the empty one included) of R's matches,
 * built on R's syntax (P(a) = a or nothing; P(X Y) = P(X) | X P(Y); P(X|Y) = P(X) | P(Y); P(X{n,m}) = X{0,m-1} P(X);
 * an assertion may be cut before, so it is optional). Undefined when the splitter does not read the pattern.
 * A stream uses it to settle a position s: when no match of R is complete in the text so far and P(R) does not match
 * all of view[s, end), no continuation of the text can make R match at s (RE2 will not say whether its DFA died).
 */
export function prefixClosure(src: string, depth = 0): string | undefined {
  if (depth > 12) return undefined;
  const s = split(src);
  if (!s) return undefined;
  if (s.alternatives.length > 1) {
    if (s.alternatives.some((a) => a.some((x) => x.flags))) return undefined;
    const ps = s.alternatives.map((a) => concatClosure(a, depth));
    return ps.some((p) => p === undefined) ? undefined : `(?:${ps.join('|')})`;
  }
  return concatClosure(s.alternatives[0] as Item[], depth);
}

function concatClosure(items: readonly Item[], depth: number): string | undefined {
  // built from the end: P(i_k .. i_n) = P(i_k) | i_k P(i_k+1 .. i_n)
  let rest = '';
  for (let k = items.length - 1; k >= 0; k--) {
    const it = items[k] as Item;
    if (it.flags) {
      rest = `${it.src}${rest}`;
      continue;
    }
    const p = itemClosure(it, depth);
    if (p === undefined) return undefined;
    rest = rest === '' ? p : `(?:${p}|${it.src}${rest})`;
  }
  return rest === '' ? '' : rest;
}

function itemClosure(it: Item, depth: number): string | undefined {
  if (it.rep) {
    const base: Item = it.group ? { src: it.rep.atom, group: it.group } : { src: it.rep.atom };
    const p = itemClosure(base, depth + 1);
    if (p === undefined) return undefined;
    const raw = it.src.slice(it.rep.atom.length);
    const q = raw.length > 1 && raw.endsWith('?') ? raw.slice(0, -1) : raw; // lazy or not: the same prefixes
    let max: number;
    if (q === '?') max = 1;
    else if (q === '*' || q === '+') max = Infinity;
    else {
      const m = /^\{(\d+)(?:,(\d*))?\}$/.exec(q);
      if (!m) return undefined;
      max = m[2] === undefined ? Number(m[1]) : m[2] === '' ? Infinity : Number(m[2]);
    }
    if (max === 0) return '';
    const before = max === 1 ? '' : max === Infinity ? `(?:${it.rep.atom})*` : `(?:${it.rep.atom}){0,${max - 1}}`;
    return `(?:${before}${p})`;
  }
  if (it.group) {
    const inner = prefixClosure(it.group.body, depth + 1);
    if (inner === undefined) return undefined;
    const open =
      it.group.open === '(' || it.group.open.startsWith('(?P<') || it.group.open.startsWith('(?<')
        ? '(?:'
        : it.group.open;
    return `${open}${inner})`;
  }
  if (/^\\[bBAz]$|^[\^$]$/.test(it.src)) return `(?:${it.src})?`;
  return `(?:${it.src})?`;
}
