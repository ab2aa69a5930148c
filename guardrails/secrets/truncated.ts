// Text that ends inside a secret. A response cut by max_tokens (the engine's, or the gateway's own output cap) may
// end part-way through a credential: the part no longer matches its rule and would be released as typed, and the
// client chooses where the cut falls. At the END of a text (whole-text scans and a stream's final flush alike) the
// scanner asks each rule for a trailing partial match here and redacts it:
//
// - a rule of the adopted ruleset (gitleaks / Tollgate / kingfisher) or a built-in regex rule: the text from some
//   start s to the end is a prefix of a match of the rule's pattern (its prefix closure, head.ts), the part before the
//   secret group (an identifier and `=`, say) is complete, and the rule's distinctive part is present in it — one of
//   its keywords where the keyword must stand (ghp_, AKIA, xoxb, sk_live, api_key…), or its anchor at s (bearer,
//   AccountKey, scheme://). Only the part of the partial inside the secret group is redacted (as for a whole match);
//   none when the cut falls before it. A partial that is itself a whole match at s is left to the rule's own decision
//   (validators, entropy, allowlists); a partial secret that is a look-alike (placeholder vocabulary, filler, a
//   constant's name) is not redacted, nor one that neither holds the rule's keyword (a provider prefix) nor looks
//   like a random token's start (partialSecret: prose after `secret key`, a port after `host:`); a rule whose secret
//   group cannot be split out of its pattern (nested in an alternation) is left out;
// - a canary (system-prompt canary rule): a trailing prefix of at least CANARY_PREFIX characters counts as the canary
//   (so it blocks like the canary): at most CANARY_PREFIX - 1 characters of a canary can leave by a cut;
// - a JWT (finder rule `jwt`): `eyJ` and at least JWT_PARTIAL - 3 more base64url characters (header, claims, dots);
// - a PEM block cut after its BEGIN line is redacted to the end by its own finder (detectors.ts: the body run).
// Rules with no distinctive part (credit cards, PII, custom patterns without a leading literal of 3+ characters) get
// no trailing-partial redaction: a run of digits, a word or `user@host` at the end of a text is not evidence enough
// (a cut e-mail address looks like an ssh login or a git author).
//
// Streaming: every start found here is one the stream still holds at the end (a prefix of a possible match, in the
// rule's alphabet, shorter than its longest match, after its last recorded match: the scanner's holdback keeps such
// text), so the stream's final flush sees the same text as the whole-text scan and decides the same.
import RE2 from 're2';
import { analyzePattern, inAlphabet } from '../pattern.ts';
import { KEYWORD_CONTEXT, type Hit, type Rule } from '../rules.ts';
import { isAscii } from '../text.ts';
import { prefixClosure } from './head.ts';
import { KeywordAutomaton } from './keywords.ts';
import { lookalikeReason } from './lookalike.ts';
import { secretRuleset } from './ruleset.ts';

/** A canary's trailing prefix of this many characters counts as the canary (the shortest canary a policy accepts). */
export const CANARY_PREFIX = 8;
/** A trailing `eyJ…` run of this many characters counts as a JWT (`eyJhbGci` = `{"alg`). */
export const JWT_PARTIAL = 8;
/** Characters of a text's end a keyword is looked for in (longer than any rule's longest match plus its context). */
const TAIL = 4096;
/** A secret's literal prefix of this many characters is distinctive (sk-, ghp_, xoxb-). */
const MIN_LITERAL = 3;
/** Longest text before a cut secret part looked at (an identifier, operator and quotes; a call's callee and args). */
const BEFORE_CAP = 160;
/** Candidate starts tried per rule (leftmost first) before giving up: bounded work per flush. */
const MAX_CANDIDATES = 4;

interface Compiled {
  /** `A(?P<tt>C)$`: A the pattern before the secret group, C the prefix closure of the rest (no captures: bounds). */
  bounds: RE2;
  /** The same with the group, asked on the partial alone. */
  groups: RE2;
  keywords?: { list: readonly string[]; inside: boolean };
  /** The literal the secret part starts with (lower case; a provider prefix such as `sk-`, `ghp_`), or ''. */
  literal: string;
  /** Sticky anchor asked at the start (built-in regex rules), and the same unanchored. */
  anchor?: RE2;
  anchorSearch?: RE2;
  /** A custom pattern: its literal prefix alone is its distinctive part. */
  custom?: boolean;
  /** A URL's userinfo password (connection strings): any cut value but a port's digits is evidence. */
  userinfo?: boolean;
  /** Shortest partial redacted (a canary's CANARY_PREFIX). */
  minLength: number;
  /** Longest text before the secret part (the identifier and operator of an assignment; 0 for a whole-match rule). */
  beforeLength: number;
}

const compiledOf = new WeakMap<Rule, Compiled | null>();

/** Whether the rule's anchor matches somewhere in view[lo - 1 ..] (an unanchored search of the anchor alone). */
function anchorIn(c: Compiled, view: string, lo: number): boolean {
  const re = (c.anchorSearch ??= new RE2((c.anchor as RE2).source, 'u'));
  return re.test(view.slice(lo > 0 ? lo - 1 : 0));
}

/** Index just past the bracket class opening at src[i]. */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++;
  while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

/**
 * Splits a pattern around its secret group when that group stands at the top level: [before, group body, after].
 * The group is `secret` by name, else number `group`, else the first capturing group. Undefined: no such split
 * (no group, a nested one, a quantified one, or a top-level alternation).
 */
export function splitSecretGroup(src: string, group?: number): [string, string, string] | undefined {
  let depth = 0;
  let n = 0;
  const opens: { at: number; depth: number; n: number; named: boolean; bodyAt: number }[] = [];
  const closes = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      i = classEnd(src, i) - 1;
      continue;
    }
    if (c === '|' && depth === 0) return undefined;
    if (c === '(') {
      const named = /^\(\?P?<([A-Za-z_]\w*)>/.exec(src.slice(i));
      const capturing = src[i + 1] !== '?' || named !== null;
      if (capturing) {
        n++;
        const bodyAt = named ? i + named[0].length : i + 1;
        opens.push({ at: i, depth, n, named: named?.[1] === 'secret', bodyAt });
      }
      stack.push(capturing ? opens.length - 1 : -1);
      depth++;
    } else if (c === ')') {
      depth--;
      const o = stack.pop();
      if (o !== undefined && o >= 0) closes.set(o, i);
    }
  }
  const pick =
    opens.findIndex((o) => o.named) >= 0
      ? opens.findIndex((o) => o.named)
      : group !== undefined && group > 0
        ? opens.findIndex((o) => o.n === group)
        : opens.length > 0
          ? 0
          : -1;
  const o = opens[pick];
  const close = closes.get(pick);
  if (!o || close === undefined || o.depth !== 0) return undefined;
  const after = src.slice(close + 1);
  if (/^[*+?{]/.test(after)) return undefined;
  return [src.slice(0, o.at), src.slice(o.bodyAt, close), after];
}

/** The leading literal of a pattern (after `(?i)`, `\b`, `^`): characters it must start with. */
export function leadingLiteral(src: string): string {
  let i = 0;
  let out = '';
  for (;;) {
    const flags = /^\(\?[a-zA-Z]+\)|^\\b|^\^/.exec(src.slice(i));
    if (!flags) break;
    i += flags[0].length;
  }
  while (i < src.length) {
    const c = src[i] as string;
    if (/[A-Za-z0-9_ :@#=!~,'"/-]/.test(c)) {
      if (/^[*+?{]/.test(src[i + 1] ?? '')) break;
      out += c;
      i++;
    } else if (c === '\\' && /[^A-Za-z0-9]/.test(src[i + 1] ?? 'a')) {
      if (/^[*+?{]/.test(src[i + 2] ?? '')) break;
      out += src[i + 1];
      i += 2;
    } else break;
  }
  return out;
}

/** The top-level alternatives of a pattern. */
function alternatives(src: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let at = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(src, i) - 1;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(src.slice(at, i));
      at = i + 1;
    }
  }
  out.push(src.slice(at));
  return out;
}

/** The literal every match of a secret pattern starts with (sk-, ghp_, xoxb-), common to its alternatives. */
function secretLiteral(src: string): string {
  const lits = alternatives(src).map(leadingLiteral);
  let lit = lits[0] ?? '';
  for (const l of lits) while (!l.startsWith(lit)) lit = lit.slice(0, -1);
  return lit;
}

/** Bounds and groups regexes for a pattern's trailing partial matches (undefined: the closure cannot be built). */
function partialRegexes(src: string, group?: number): { bounds: RE2; groups: RE2; beforeLength: number } | undefined {
  const split = splitSecretGroup(src, group);
  // a secret group that cannot be split out (nested in an alternation, say): the partial's secret part is unknown
  if (!split && hasCapture(src)) return undefined;
  const before = split ? split[0] : '';
  const rest = split ? `(?:${split[1]})${split[2]}` : src;
  const closure = prefixClosure(rest);
  if (closure === undefined) return undefined;
  try {
    const bounds = new RE2(`${withoutGroups(before)}(?:${withoutGroups(closure)})$`, 'gu');
    const groups = new RE2(`^${before}(?P<tt>${closure})$`, 'du');
    return { bounds, groups, beforeLength: analyzePattern(before).maxLength };
  } catch {
    return undefined;
  }
}

function hasCapture(src: string): boolean {
  return withoutGroups(src) !== src;
}

/** Capturing groups made non-capturing (named ones too). */
function withoutGroups(src: string): string {
  return src.replace(/\\.|\[(?:\\.|[^\]\\])*\]|\((?!\?)|\(\?P?<[A-Za-z_]\w*>/g, (m) =>
    m === '(' || m.startsWith('(?') ? '(?:' : m,
  );
}

const literals = new WeakMap<Rule, string>();

/** The literal prefix (lower case) a rule's secret part starts with, '' when none; string work only (no RE2). */
function literalOf(rule: Rule): string {
  let lit = literals.get(rule);
  if (lit === undefined) {
    const adopted = rule.keywords ? secretRuleset().patterns.get(rule) : undefined;
    const src = adopted ? adopted.regex : rule.source;
    const split = src === undefined ? undefined : splitSecretGroup(src, adopted?.secretGroup);
    lit =
      src === undefined || rule.kind === 'pii' || rule.kind === 'exfiltration'
        ? ''
        : rule.kind === 'custom'
          ? leadingLiteral(src)
          : secretLiteral(split ? split[1] : src);
    lit = lit.toLowerCase();
    literals.set(rule, lit);
  }
  return lit;
}

function compile(rule: Rule): Compiled | null {
  if (rule.kind === 'exfiltration') return null;
  const adopted = rule.keywords ? secretRuleset().patterns.get(rule) : undefined;
  if (adopted) {
    const re = partialRegexes(adopted.source, adopted.secretGroup);
    if (!re) return null;
    const inside = (rule.keywords?.before ?? 0) === 0;
    return { ...re, literal: literalOf(rule), keywords: { list: rule.keywords?.list ?? [], inside }, minLength: 1 };
  }
  if (rule.source === undefined) return null;
  const re = partialRegexes(rule.source);
  if (!re) return null;
  if (rule.kind === 'canary') return { ...re, literal: '', minLength: CANARY_PREFIX };
  if (rule.kind === 'pii') return null;
  if (rule.anchor) {
    const anchor = new RE2(rule.anchor.re.source, 'yu');
    const userinfo = rule.name === 'connection-string' && rule.source.includes('://');
    return { ...re, literal: literalOf(rule), anchor, minLength: 1, ...(userinfo ? { userinfo } : {}) };
  }
  const literal = literalOf(rule);
  if (literal.length >= MIN_LITERAL && rule.kind === 'custom')
    return { ...re, literal, custom: true, minLength: literal.length + 1 };
  return null;
}

function compiled(rule: Rule): Compiled | null {
  let c = compiledOf.get(rule);
  if (c === undefined) {
    c = compile(rule);
    compiledOf.set(rule, c);
  }
  return c;
}

let lower: { view: string; at: number; text: string } | undefined;

/** The view's last TAIL characters in lower case (asked by every keyword rule at one end of text: computed once). */
function lowerTail(view: string): { at: number; text: string } {
  if (lower?.view !== view) {
    const at = Math.max(0, view.length - TAIL);
    lower = { view, at, text: view.slice(at).toLowerCase() };
  }
  return lower;
}

let token: { view: string; from: number; text: string; lower: string; random: boolean } | undefined;

/** Characters a cut secret part does not hold (whitespace, quotes, brackets, separators: they end a token). */
const DELIM = /[\s"'`<>(){}[\],;]/;

/** The text's last token from `from` on (its trailing run without DELIM characters, at most TAIL characters). */
function lastToken(view: string, from: number): { text: string; lower: string; random: boolean } {
  if (token?.view !== view || token.from !== from) {
    let j = view.length;
    const stop = Math.max(from, view.length - TAIL);
    while (j > stop && !DELIM.test(view[j - 1] as string)) j--;
    const text = view.slice(j);
    token = { view, from, text, lower: text.toLowerCase(), random: partialSecret(text, undefined) };
  }
  return token;
}

/** A trailing `eyJ…` run: base64url and dots from a word start to the end. */
function jwtPartial(view: string, from: number): number {
  let j = view.length;
  while (j > from && /[A-Za-z0-9_.-]/.test(view[j - 1] as string)) j--;
  for (let s = view.indexOf('eyJ', j); s >= 0 && s < view.length; s = view.indexOf('eyJ', s + 1)) {
    if (s > 0 && /\w/.test(view[s - 1] as string)) continue;
    return view.length - s >= JWT_PARTIAL ? s : -1;
  }
  return -1;
}

function keywordPlaced(
  view: string,
  s: number,
  end: number,
  kw: NonNullable<Compiled['keywords']>,
  rule: Rule,
): boolean {
  const k = rule.keywords as NonNullable<Rule['keywords']>;
  // inside: one keyword starts in [s, s + offset] and is whole in the text; context: one starts before s within `before`
  const lo = kw.inside ? s : Math.max(0, s - k.before);
  const hi = kw.inside ? Math.min(end, s + k.offset + k.maxLength) : s + k.maxLength;
  const w = view.slice(lo, Math.min(hi, end)).toLowerCase();
  return kw.list.some((word) => {
    for (let i = w.indexOf(word); i >= 0; i = w.indexOf(word, i + 1)) {
      if (lo + i + word.length > end) break;
      if (kw.inside ? lo + i <= s + k.offset : lo + i <= s) return true;
    }
    return false;
  });
}

interface Plan {
  /** Rules asked whatever the last token is (canaries) or whenever it is not empty (rules without keywords). */
  canaries: number[];
  unkeyed: number[];
  /** Every keyword and literal prefix of every rule, and the rules each belongs to. */
  words: KeywordAutomaton | undefined;
  owners: number[][];
}

const plans = new WeakMap<readonly Rule[], Plan>();

function planOf(rules: readonly Rule[]): Plan {
  let p = plans.get(rules);
  if (!p) {
    const index = new Map<string, number>();
    const owners: number[][] = [];
    const canaries: number[] = [];
    const unkeyed: number[] = [];
    rules.forEach((rule, i) => {
      if (rule.kind === 'canary') canaries.push(i);
      else if (!rule.keywords && rule.kind !== 'pii' && rule.kind !== 'exfiltration') unkeyed.push(i);
      const lit = rule.kind === 'canary' ? '' : literalOf(rule);
      for (const w of [...(rule.keywords?.list ?? []), ...(lit.length >= MIN_LITERAL ? [lit] : [])]) {
        let k = index.get(w);
        if (k === undefined) {
          k = owners.length;
          index.set(w, k);
          owners.push([]);
        }
        const o = owners[k] as number[];
        if (o[o.length - 1] !== i) o.push(i);
      }
    });
    const words = index.size > 0 ? new KeywordAutomaton([...index.keys()]) : undefined;
    p = { canaries, unkeyed, words, owners };
    plans.set(rules, p);
  }
  return p;
}

/**
 * Every rule's trailing partial match at the end of `view` (rule index and hit), each starting at or after
 * `fromOf(i)`. Rules are asked only when the text's last token can hold their partial: canaries always; others when
 * the last token is not empty and holds one of their keywords or literal prefixes, or looks random and one of them
 * occurs in the text's tail (rules without keywords: whenever it looks random).
 */
export function trailingPartials(rules: readonly Rule[], view: string, fromOf: (i: number) => number): [number, Hit][] {
  const plan = planOf(rules);
  let min = view.length;
  for (let i = 0; i < rules.length; i++) min = Math.min(min, fromOf(i));
  const tok = lastToken(view, min);
  const asked = new Set(plan.canaries);
  if (tok.text !== '') {
    const add = (k: number) => {
      for (const i of plan.owners[k] as number[]) asked.add(i);
    };
    const url = tok.text.includes('://'); // a connection string's userinfo password: see distinctive()
    for (const i of plan.unkeyed)
      if (tok.random || url || literalOf(rules[i] as Rule).length >= MIN_LITERAL) asked.add(i);
    if (tok.random) {
      // a keyword stands at most BEFORE_CAP + KEYWORD_CONTEXT before the last token (see trailingPartial)
      const t = lowerTail(view);
      const from = Math.max(0, view.length - tok.text.length - BEFORE_CAP - KEYWORD_CONTEXT - t.at);
      plan.words?.scan(t.text, from, t.text.length, add);
    } else plan.words?.scan(tok.lower, 0, tok.lower.length, add);
  }
  const out: [number, Hit][] = [];
  for (const i of [...asked].sort((a, b) => a - b)) {
    const hit = trailingPartial(rules[i] as Rule, view, fromOf(i));
    if (hit) out.push([i, hit]);
  }
  return out;
}

/**
 * The trailing partial match of `rule` in `view` (the text ends at view.length) starting at or after `from`, or null.
 * Pure: depends only on view[from - KEYWORD_CONTEXT .. end].
 */
export function trailingPartial(rule: Rule, view: string, from: number): Hit | null {
  const end = view.length;
  if (from >= end || !inAlphabet(rule.alphabet, view.charCodeAt(end - 1))) return null;
  // Cheap first (every rule is asked at every end of text): a cut secret part other than a canary's lies in the
  // text's last token (no whitespace) and is distinctive, so that token holds the rule's keyword or literal prefix,
  // or looks random (partialSecret on a suffix implies it on the whole token). A necessary condition only.
  const tok = rule.kind === 'canary' ? undefined : lastToken(view, from);
  if (tok && tok.text === '') return null;
  const isJwt = rule.name === 'jwt' && rule.source === undefined && rule.kind === 'secret';
  const c = isJwt ? null : compiled(rule);
  if (!isJwt && !c) return null;
  if (tok && c && !tok.random && !(c.userinfo && tok.text.includes('://'))) {
    const words = c.literal.length >= MIN_LITERAL ? [...(c.keywords?.list ?? []), c.literal] : (c.keywords?.list ?? []);
    if (!words.some((k) => tok.lower.includes(k))) return null;
  }
  // the partial lies in the rule's trailing alphabet run and is shorter than its longest match
  let lo = Math.max(from, end - rule.maxLength + 1);
  // and the secret part lies in the last token: the partial starts at most the text before the secret part earlier
  // (at most BEFORE_CAP characters before it: bounded work on rules with long call-shaped heads)
  if (tok && c) lo = Math.max(lo, end - tok.text.length - Math.min(c.beforeLength, BEFORE_CAP));
  let j = end;
  while (j > lo && inAlphabet(rule.alphabet, view.charCodeAt(j - 1))) j--;
  lo = j;
  if (isJwt) {
    const s = jwtPartial(view, lo);
    return s < 0 ? null : hitOf(view, s, s);
  }
  if (!c) return null;
  if (c.keywords) {
    // one of the rule's keywords in the tail (or just before it); without a literal prefix to go by, a partial starts
    // at most `offset` before the first of them (inside keywords), or after it (context keywords)
    const t = lowerTail(view);
    const kw = rule.keywords as NonNullable<Rule['keywords']>;
    const from = Math.max(0, lo - kw.before - t.at);
    let first = Infinity;
    for (const k of c.keywords.list) {
      const i = t.text.indexOf(k, from);
      if (i >= 0 && i < first) first = i;
    }
    const lit = c.literal.length >= MIN_LITERAL && t.text.indexOf(c.literal, from) >= 0;
    if (first === Infinity && !lit) return null;
    if (!lit) lo = Math.max(lo, t.at + first - (c.keywords.inside ? kw.offset : 0));
  } else if (c.anchor) {
    // the anchor stands at the start of every partial long enough to hold it; a shorter one is not evidence
    if (!anchorIn(c, view, lo)) return null;
  }
  const base = lo > 0 ? lo - 1 : 0;
  const tail = view.slice(base);
  const ascii = isAscii(tail);
  const subject = ascii ? Buffer.from(tail, 'latin1') : tail;
  let at = lo - base;
  for (let k = 0; k < MAX_CANDIDATES && at < tail.length; k++) {
    c.bounds.lastIndex = at;
    const m = c.bounds.exec(subject as string);
    if (!m) return null;
    const s = m.index + base;
    at = m.index + 1;
    if (end - s < c.minLength) return null;
    const placed = c.keywords !== undefined && keywordPlaced(view, s, end, c.keywords, rule);
    // (asked on the text from one character before s: a rule looks one character back, never further)
    const b = s > 0 ? s - 1 : 0;
    const rest = view.slice(b);
    if (c.anchor) {
      c.anchor.lastIndex = s - b;
      if (!c.anchor.test(rest)) continue;
    }
    // a whole match at s: the rule's own decision stands (validators, entropy, allowlists)
    const whole = rule.find(rest, s - b);
    if (whole && whole.start === s - b) continue;
    const g = c.groups.exec(view.slice(s));
    const span = g?.indices?.groups?.['tt'];
    if (!span || span[0] >= span[1]) continue;
    const spanStart = s + span[0];
    const secret = view.slice(spanStart);
    if (rule.kind !== 'canary') {
      if (DELIM.test(secret)) continue;
      const nl = view.lastIndexOf('\n', spanStart - 1);
      if (lookalikeReason(secret, view.slice(Math.max(nl + 1, spanStart - 64), spanStart), false) !== undefined)
        continue;
      if (!distinctive(c, secret, placed)) continue;
    }
    return hitOf(view, s, spanStart);
  }
  return null;
}

/**
 * The evidence a cut secret part needs: the rule's keyword where it must stand and a secret part that holds it or
 * looks random; or the rule's anchor at the start and a random-looking secret part; or the secret part starts with the
 * rule's literal prefix (`sk-proj-…` before OpenAI's keyword T3BlbkFJ; a custom pattern's `CUST-`) and goes on.
 */
function distinctive(c: Compiled, secret: string, placed: boolean): boolean {
  if (c.literal.length >= MIN_LITERAL && secret.length > c.literal.length && secret.toLowerCase().startsWith(c.literal))
    if (c.custom || partialSecret(secret.slice(c.literal.length), undefined)) return true;
  // a keyword inside the secret part is a provider prefix only for rules whose match IS the secret (ghp_, AKIA);
  // after an identifier and `=` it is just a word (`key: password`)
  if (c.keywords) return placed && partialSecret(secret, c.beforeLength === 0 ? c.keywords.list : undefined);
  // a password in a URL's userinfo (`postgres://admin:hunter`): anything but a port's digits (`localhost:8080`)
  if (c.userinfo) return !/^\d+$/.test(secret);
  return c.anchor !== undefined && partialSecret(secret, undefined);
}

/**
 * Whether the cut secret part is evidence enough: it holds one of the rule's keywords itself (a provider prefix:
 * ghp_, AKIA, xoxb-, sk_live_), or it is a token fragment that looks random — no whitespace, and a digit with
 * letters or a capital after a lower-case letter (a value after `api_key =`, `bearer`, `user:` is otherwise any word
 * of prose; a capitalised word is not random).
 */
export function partialSecret(secret: string, keywords: readonly string[] | undefined): boolean {
  const low = secret.toLowerCase();
  if (DELIM.test(secret)) return false;
  if (keywords?.some((k) => low.includes(k))) return true;
  if (/\d/.test(secret)) return /[A-Za-z]/.test(secret);
  // both cases, not just a capitalised word: a capital after a lower-case letter (camel humps, random tokens)
  return /[a-z][A-Z]/.test(secret);
}

/** The partial as a scanner hit (view-relative), its secret part running to the end of the text. */
function hitOf(view: string, start: number, spanStart: number): Hit {
  const end = view.length;
  return { start, end, spanStart, spanEnd: end, text: view.slice(start), groups: { secret: view.slice(spanStart) } };
}
