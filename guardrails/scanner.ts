// The output scanner: finds every rule's matches in a text and rewrites them, either all at once or fed delta by
// delta (streaming). Both are the same algorithm: scanning a whole text is one push followed by the end, so for
// ANY split of a text into deltas the concatenated streamed output equals the whole-text output (the property
// test in scanner.test.ts checks this with randomized splits).
//
// How the stream knows what it may release. For each rule we keep `pos`: no match of the rule starts in
// [released text, pos) other than the ones already recorded. A match found in the buffer is final when nothing
// after the buffer could change it: its start lies more than maxLength (+ lookahead) before the buffer end, or a
// character outside the rule's alphabet lies between its start and the buffer end (so no longer match can start
// there), or the finder says it is complete (a PEM block with its END line). Where no match is found, positions
// are settled the same way, and an anchor (a short necessary prefix, e.g. `-----BEGIN `) settles positions where
// a long rule cannot start. Text is released up to the smallest settled position over all rules, never inside a
// redacted span. Ordinary prose is held back only by the last partial word or so; a possible secret is held until
// it is decided (a PEM block until its END line, at most MAX_PEM_BODY characters).
//
// Overlapping matches are merged into one span (the union), named after its most sensitive match (canary, secret,
// custom, PII, exfiltration; the first among equals), so a partial overlap
// never leaks the part one detector did not cover. Memory is bounded: the buffer holds at most the longest rule
// plus context, except for a chain of overlapping matches longer than MAX_HOLD, which is then released in pieces
// (each piece redacted: fail safe; the only case where streamed output may differ from whole-text output, by
// showing two markers where the whole text shows one).
import RE2 from 're2';
import { KEYWORD_CONTEXT, type Hit, type Rule, type RuleKind } from './rules.ts';
import { emptyAlphabet, inAlphabetRun, lastOutside, type Alphabet } from './pattern.ts';
import { KeywordAutomaton } from './secrets/keywords.ts';
import { asciiBytes, searchView, isAscii, isHighSurrogate, isLowSurrogate, toWellFormed } from './text.ts';
import { afterUnit, mayRender, renderFoldText, START, type ViewContext } from './render-view.ts';
import { trailingPartials } from './secrets/truncated.ts';
import { CarryRetry } from './carry-retry.ts';

export type FindingAction = 'redacted' | 'neutralized' | 'flagged';

export interface Finding {
  /** Detector name: a built-in detector, a custom pattern name, an exfiltration construct or `canary`. */
  detector: string;
  kind: RuleKind;
  /** UTF-16 offsets in the original (input) text, over the whole stream. */
  start: number;
  end: number;
  action: FindingAction;
}

export interface ScanChunk {
  /** Text that may be released now. */
  text: string;
  /** Findings inside the released text, in order. Never contains the matched text. */
  findings: Finding[];
}

/**
 * Characters kept before the released position: patterns look one back (\b, ^), validators up to 32, keyword rules
 * up to KEYWORD_CONTEXT (a keyword standing before the match) and a "line" allowlist as far.
 */
export const LOOKBEHIND = KEYWORD_CONTEXT + 16;
/** With keyword rules (the secret ruleset), deltas are scanned once this many new characters have arrived (see push)… */
export const BATCH = 16;
/** …for the first FAST_START characters of a stream (a quick first release), then once LATER_BATCH have. */
export const FAST_START = 256;
export const LATER_BATCH = 64;
/** The most characters coalesced while much text is held (so the holdback bounds grow by at most this). */
export const MAX_BATCH = 256;
/** Characters a validator may look past the end of a match. */
const LOOKAHEAD = 2;
/** Pooled keyword rules whose matches may span whitespace have keyword offsets up to this (ruleset.ts caps them). */
const MAX_POOLED_SPACE_OFFSET = 28;
/** A rule holding more than this many characters asks its prefix closure where a match could still start. */
const HOLD_CHECK = 48;
/** A chain of overlapping matches longer than this is released in pieces. */
export const MAX_HOLD = 256 * 1024;

interface Pending {
  rule: number;
  start: number;
  spanStart: number;
  spanEnd: number;
  replacement: string | null;
}

/**
 * One RE2.Set pass over the buffer says which rules can match anywhere in it (and which anchors occur): only those
 * rules run their own search. Ordinary text then costs two passes, not one per rule.
 */
interface Prefilter {
  full: Re2Set | undefined;
  /** Set index → rule index. */
  fullRules: number[];
  anchors: Re2Set | undefined;
  anchorRules: number[];
  /** `full` and `anchors` in one set (one pass instead of two): indices below fullRules.length are full patterns. */
  both: Re2Set | undefined;
  /** Rules without a source (finders): may find where their anchor occurs, or anywhere. */
  finders: number[];
  /** Every keyword of every keyword rule in one automaton; keyword index → the rules it belongs to. */
  keywords: KeywordAutomaton | undefined;
  keywordOwners: number[][];
  /**
   * Trailing runs to track, one per distinct alphabet (many rules share one): a rule's own alphabet, its anchor's,
   * the characters of its keywords (both cases). `depth`: how far back a run matters to any of its users.
   */
  runs: { alphabet: Alphabet; slack: number; depth: number }[];
  /** Per rule: index into `runs` of its alphabet, anchor and keyword runs (-1: none). */
  runOf: Int32Array;
  anchorRunOf: Int32Array;
  keywordRunOf: Int32Array;
  /** Rules searched on every pass: every rule without keywords, and keyword rules that cannot be pooled. */
  always: number[];
  /**
   * Keyword rules whose keywords are word characters ([a-z0-9._-]): while none of their keywords occurs they are not
   * visited one by one; a lower bound of their settled positions, per bucket of similar keyword offsets, stands for
   * them (see #pooledBound).
   */
  pooled: Uint8Array;
  pool: { keywordRun: number; buckets: PoolBucket[] } | undefined;
  /** A stream's initial per-rule and per-run values, copied by each new stream. */
  init: { zeros: number[]; minusOnes: number[]; minusInfinities: number[]; runZeros: number[] };
}

interface PoolBucket {
  /** Largest keyword offset, and largest keyword length + offset, in the bucket. */
  offset: number;
  reach: number;
  /** For a bucket of token rules (no whitespace in any match): the run of their union alphabet, and longest match. */
  run: number;
  maxLength: number;
}

const WORD_KEYWORD = /^[a-z0-9._-]+$/;

function alphabetKey(a: Alphabet, slack: number): string {
  return `${slack}:${a.nonAscii ? 1 : 0}:${a.ascii.join('')}`;
}

/**
 * Where a rule's search resumes after it rejected a match: the first start at or after `next` (view indices) whose
 * preceding character is outside the rule's `rejectsAfter` class — every start before it would be rejected too. Only
 * characters already in the view are read (at the view's end the search resumes there, as it would have).
 */
export function rejectedTo(rule: Rule, view: string, next: number): number {
  const cls = rule.rejectsAfter;
  if (cls === undefined) return next;
  let p = next;
  while (p < view.length && cls.test(view[p - 1] as string)) p++;
  return p;
}
type Re2Set = InstanceType<typeof RE2.Set>;

const prefilters = new WeakMap<readonly Rule[], Prefilter>();

function newSet(sources: string[]): Re2Set | undefined {
  if (sources.length === 0) return undefined;
  for (const maxMem of [32 << 20, 128 << 20]) {
    try {
      return new RE2.Set(sources, 'u', { maxMem });
    } catch {
      // larger budget, then give up: every rule searches on its own
    }
  }
  return undefined;
}

function prefilterOf(rules: readonly Rule[]): Prefilter {
  let p = prefilters.get(rules);
  if (!p) {
    const fullRules = rules.flatMap((r, i) => (r.source !== undefined ? [i] : []));
    const anchorRules = rules.flatMap((r, i) => (r.anchor ? [i] : []));
    const full = newSet(fullRules.map((i) => (rules[i] as Rule).source as string));
    const anchors = newSet(anchorRules.map((i) => (rules[i] as Rule).anchor?.re.source as string));
    const index = new Map<string, number>();
    const keywordOwners: number[][] = [];
    const runs: Prefilter['runs'] = [];
    const runIndex = new Map<string, number>();
    const runFor = (a: Alphabet, slack: number, depth: number): number => {
      const key = alphabetKey(a, slack);
      let k = runIndex.get(key);
      if (k === undefined) {
        k = runs.length;
        runIndex.set(key, k);
        runs.push({ alphabet: a, slack, depth });
      }
      const run = runs[k] as Prefilter['runs'][number];
      run.depth = Math.max(run.depth, depth);
      return k;
    };
    const runOf = new Int32Array(rules.length).fill(-1);
    const anchorRunOf = new Int32Array(rules.length).fill(-1);
    const keywordRunOf = new Int32Array(rules.length).fill(-1);
    rules.forEach((r, ri) => {
      runOf[ri] = runFor(r.alphabet, r.alphabetSlack ?? 0, r.maxLength + LOOKAHEAD + (r.alphabetSlack ?? 0) + 2);
      if (r.anchor) anchorRunOf[ri] = runFor(r.anchor.alphabet, 0, r.anchor.maxLength + LOOKAHEAD + 2);
      if (!r.keywords) return;
      const a = emptyAlphabet();
      for (const k of r.keywords.list) {
        let ki = index.get(k);
        if (ki === undefined) {
          ki = keywordOwners.length;
          index.set(k, ki);
          keywordOwners.push([]);
        }
        const owners = keywordOwners[ki] as number[];
        if (owners[owners.length - 1] !== ri) owners.push(ri);
        for (const c of k) {
          a.ascii[c.toLowerCase().charCodeAt(0)] = 1;
          a.ascii[c.toUpperCase().charCodeAt(0)] = 1;
        }
      }
      keywordRunOf[ri] = runFor(a, 0, r.keywords.maxLength + 2);
    });
    const keywords = index.size > 0 ? new KeywordAutomaton([...index.keys()]) : undefined;
    const pooled = new Uint8Array(rules.length);
    const always: number[] = [];
    const wordChars = emptyAlphabet();
    for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-')
      wordChars.ascii[c.charCodeAt(0)] = 1;
    const limits = [0, 8, MAX_POOLED_SPACE_OFFSET, Infinity];
    const groups = limits.map(() => ({ offset: 0, reach: 0, maxLength: 0, alphabet: emptyAlphabet(), members: 0 }));
    rules.forEach((r, i) => {
      const kw = r.keywords;
      const spansSpace = [9, 10, 13, 32].some((c) => r.alphabet.ascii[c] === 1) || r.alphabet.nonAscii;
      if (!kw || !kw.list.every((k) => WORD_KEYWORD.test(k)) || (spansSpace && kw.offset > MAX_POOLED_SPACE_OFFSET)) {
        always.push(i);
        return;
      }
      pooled[i] = 1;
      const b = groups[limits.findIndex((l) => kw.offset <= l)] as (typeof groups)[number];
      b.offset = Math.max(b.offset, kw.offset);
      b.reach = Math.max(b.reach, kw.offset + kw.maxLength);
      b.maxLength = Math.max(b.maxLength, r.maxLength);
      for (let c = 0; c < 128; c++) if (r.alphabet.ascii[c]) b.alphabet.ascii[c] = 1;
      if (r.alphabet.nonAscii) b.alphabet.nonAscii = true;
      b.members++;
    });
    const used = groups.filter((b) => b.members > 0);
    const pool =
      used.length === 0
        ? undefined
        : {
            keywordRun: runFor(wordChars, 0, Math.max(...used.map((b) => b.reach)) + 2),
            // a bucket of large offsets holds token rules only (whitespace rules are capped): their union run settles them
            buckets: used.map((b) => ({
              offset: b.offset,
              reach: b.reach,
              maxLength: b.maxLength,
              run: b.offset > MAX_POOLED_SPACE_OFFSET ? runFor(b.alphabet, 2, b.maxLength + LOOKAHEAD + 4) : -1,
            })),
          };
    const both =
      full && anchors
        ? newSet([
            ...fullRules.map((i) => (rules[i] as Rule).source as string),
            ...anchorRules.map((i) => (rules[i] as Rule).anchor?.re.source as string),
          ])
        : undefined;
    // rules searched by find() on every pass (keyword rules are searched in windows and never read mayFind)
    const finders = rules.flatMap((r, i) => (r.source === undefined && !r.keywords ? [i] : []));
    p = {
      full,
      fullRules: full ? fullRules : [],
      anchors,
      anchorRules: anchors ? anchorRules : [],
      both,
      finders,
      keywords,
      keywordOwners,
      runs,
      runOf,
      anchorRunOf,
      keywordRunOf,
      always,
      pooled,
      pool,
      init: {
        zeros: rules.map(() => 0),
        minusOnes: rules.map(() => -1),
        minusInfinities: rules.map(() => -Infinity),
        runZeros: runs.map(() => 0),
      },
    };
    prefilters.set(rules, p);
  }
  return p;
}

/**
 * Whether a stream asks a rule about the keyword window ending (its last start) at `last` now, with the buffer ending
 * at `bEnd`: at the end of the text, or once `askAfter` characters past the window have arrived (the rule's head: an
 * earlier answer could only be "undecided", and the window would be asked again on the next pass). Until then the
 * window is held from its first position — the same as an "undecided" answer, from a position no later: the same
 * matches are found, once, and text is released at most that much later.
 */
export function windowDue(final: boolean, bEnd: number, last: number, askAfter: number): boolean {
  return final || askAfter === 0 || bEnd >= last + askAfter;
}

const REDACTING: ReadonlySet<RuleKind> = new Set(['secret', 'pii', 'custom', 'canary']);
const KIND_RANK: Record<RuleKind, number> = { canary: 0, secret: 1, custom: 2, pii: 3, exfiltration: 4 };

export class StreamScanner {
  readonly #rules: readonly Rule[];
  readonly #prefilter: Prefilter;
  #orig = '';
  #origBase = 0;
  #view = '';
  #viewBase = 0;
  /** Per view character, absolute original start/end; null while the view is the original shifted by #shift. */
  #starts: number[] | null = null;
  #ends: number[] | null = null;
  #shift = 0;
  #carry = '';
  readonly #retry = new CarryRetry();
  /** What the view has read so far (the previous view character, an open run or span): render-view.ts ViewContext. */
  #context: ViewContext = START;
  /**
   * While a construct dropped inside a token waits to be shown (#context.aside): the view index where it was dropped.
   * Text is released only up to the view character before it (its original text is not released unscanned).
   */
  #asideAt = 0;
  /**
   * Shown asides: runs of view characters whose original text lies before the characters ahead of them in the view
   * (a construct dropped inside a token is shown after the token: its view characters map back to the construct).
   * Each is [view end, least original start]; while one is not settled, no original text from its start on is
   * released — releasing up to the first unsettled view character alone would pass the construct (sixth attack run,
   * F4: an address in an aside served when the stream released the token after the construct first).
   */
  #behind: [number, number][] = [];
  /** The greatest original start of a view character appended so far. */
  #maxStart = -1;
  readonly #pos: number[];
  /** Per rule: end of its last match when that match was truncated (a continuation may start there), else -1. */
  readonly #cont: number[];
  /** Per tracked run (Prefilter.runs): its start, or for a run with slack the last two positions outside it. */
  readonly #runStart: number[];
  readonly #outside: [number, number][];
  /** Per tracked run: the buffer end it was last brought up to (runs are updated only when someone needs them). */
  readonly #runAt: number[];
  /** Everything before this has been released (no rule can record a match starting there any more). */
  #released = 0;
  #scannedTo = 0;
  #pending: Pending[] = [];
  #done = false;
  readonly #mayFind: Uint8Array;
  readonly #mayAnchor: Uint8Array;
  /** Per rule: where its prefix closure last said a match could start, and the buffer end it was asked at. */
  readonly #prefixAt: number[];
  readonly #prefixAsked: number[];
  /** Per keyword rule: the buffer end before which its undecided window is not asked about again. */
  readonly #excludeWait: number[];
  /**
   * Per keyword rule: the last keyword occurrence (absolute start) whose window is proven dead — no match of the rule
   * can start in it any more, whatever text comes (see #keywordRule); -1: none. Windows come in keyword order, so every
   * occurrence up to it is skipped on later passes instead of being searched again.
   */
  readonly #deadKeyword: number[];
  /** The keyword automaton's state at #kwAt (absolute), and the occurrences it found so far: keyword, start pairs. */
  #kwState = 0;
  #kwAt = 0;
  readonly #kwOccurrences: number[] = [];
  /** Per rule: end of its last recorded match (a trailing partial match starts after it: secrets/truncated.ts). */
  readonly #lastEnd: number[];

  /** The text is JSON a client parses before rendering (tool-call arguments, JSON answers): render-view.ts decodeAt. */
  readonly #json: boolean;

  constructor(rules: readonly Rule[], json = false) {
    this.#rules = rules;
    this.#json = json;
    this.#prefilter = prefilterOf(rules);
    // per-rule state copied from arrays made once per ruleset (a stream is opened per response choice: building
    // ten arrays of 600-odd entries element by element cost more than many short answers' scanning)
    const init = this.#prefilter.init;
    this.#pos = init.zeros.slice();
    this.#cont = init.minusOnes.slice();
    this.#runStart = init.runZeros.slice();
    this.#outside = this.#prefilter.runs.map(() => [-1, -1]);
    this.#runAt = init.runZeros.slice();
    this.#mayFind = new Uint8Array(rules.length);
    this.#mayAnchor = new Uint8Array(rules.length);
    this.#prefixAt = init.zeros.slice();
    this.#prefixAsked = init.minusInfinities.slice();
    this.#excludeWait = init.zeros.slice();
    this.#deadKeyword = init.minusOnes.slice();
    this.#lastEnd = init.zeros.slice();
  }

  /** Feed a delta; returns what may be released. */
  push(delta: string): ScanChunk {
    if (this.#done) throw new Error('StreamScanner: push after end');
    // a long carry (a construct that may still continue) is read again once it has doubled (carry-retry.ts)
    if (!this.#retry.due(this.#carry.length + delta.length)) {
      this.#carry += delta;
      return { text: '', findings: [] };
    }
    let s = this.#carry + delta;
    this.#carry = '';
    if (s.length > 0 && isHighSurrogate(s.charCodeAt(s.length - 1))) {
      this.#carry = s.slice(-1);
      s = s.slice(0, -1);
    }
    // a character reference or escape that may continue in the next delta waits for it (render-view.ts)
    this.#carry = this.#append(toWellFormed(s), false) + this.#carry;
    this.#retry.left(this.#carry.length);
    // Deltas are coalesced until BATCH characters are new (LATER_BATCH after the first FAST_START characters): another
    // split of the same text, so the output is the same; it bounds the per-delta work for token-sized deltas (each
    // scan costs a few RE2 calls, ~0.3-1.5 µs each, whatever their length) at the cost of that much more holdback.
    // While much text is held (a long rule undecided, e.g. after `curl`), wait for a quarter of it again (at most
    // MAX_BATCH characters) before the next scan: re-scanning held text stays cheap, release is at most that late.
    if (this.#prefilter.keywords) {
      const bEnd = this.#view.length + this.#viewBase;
      const batch = this.#scannedTo < FAST_START ? BATCH : LATER_BATCH;
      if (bEnd - this.#scannedTo < Math.max(batch, Math.min(MAX_BATCH, (bEnd - this.#released) >> 2)))
        return { text: '', findings: [] };
    }
    return this.#process(false);
  }

  /** End of the text (with an optional last delta): returns everything still held. */
  end(last = ''): ScanChunk {
    if (this.#done) return { text: '', findings: [] };
    this.#append(toWellFormed(this.#carry + last), true);
    this.#carry = '';
    const out = this.#process(true);
    this.#done = true;
    return out;
  }

  /** Characters of original text received but not yet released. */
  get held(): number {
    return this.#orig.length + this.#carry.length;
  }

  /** Appends `s` to the buffer and its view; returns the tail not consumed yet (an unfinished reference or escape). */
  #append(s: string, final: boolean): string {
    // (at the end an aside still waiting is shown: render-view.ts ViewContext.aside)
    if (s === '' && !(final && this.#context.aside)) return '';
    const origEnd = this.#origBase + this.#orig.length;
    // (a code span left open may drop a space before its closing run: render-view.ts padBeforeCloser)
    if (
      this.#starts === null &&
      isAscii(s) &&
      !mayRender(s) &&
      this.#context.ticks === 0 &&
      this.#context.aside === undefined &&
      !this.#context.quote
    ) {
      this.#orig += s;
      this.#view += s;
      this.#maxStart = origEnd + s.length - 1;
      this.#context = afterUnit(this.#context, s.charCodeAt(s.length - 1));
      return '';
    }
    if (this.#starts === null || this.#ends === null) {
      const n = this.#view.length;
      this.#starts = new Array<number>(n);
      this.#ends = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const o = this.#viewBase + i + this.#shift;
        this.#starts[i] = o;
        this.#ends[i] = o + 1;
      }
    }
    // the rendered view: HTML character references and markdown escapes decoded, then folded (render-view.ts)
    const f = renderFoldText(s, origEnd, final, this.#context, this.#json);
    if (f.asideAt >= 0) this.#asideAt = this.#viewBase + this.#view.length + f.asideAt;
    this.#orig += s.slice(0, f.consumed);
    this.#context = f.context;
    const v0 = this.#viewBase + this.#view.length;
    this.#view += f.view;
    for (let i = 0; i < f.starts.length; i++) {
      const o = f.starts[i] as number;
      this.#starts.push(o);
      this.#ends.push(f.ends[i] as number);
      if (o >= this.#maxStart) this.#maxStart = o;
      else {
        const last = this.#behind[this.#behind.length - 1];
        if (last && last[0] === v0 + i) {
          last[0]++;
          if (o < last[1]) last[1] = o;
        } else this.#behind.push([v0 + i + 1, o]);
      }
    }
    return s.slice(f.consumed);
  }

  /** Absolute original offset where view character `v` starts (the original end for v at the view end). */
  #origStart(v: number): number {
    const i = v - this.#viewBase;
    if (i >= this.#view.length) return this.#origBase + this.#orig.length;
    return this.#starts === null ? v + this.#shift : (this.#starts[i] as number);
  }

  #origEnd(v: number): number {
    return this.#starts === null || this.#ends === null
      ? v + this.#shift + 1
      : (this.#ends[v - this.#viewBase] as number);
  }

  #process(final: boolean): ScanChunk {
    const view = this.#view;
    const base = this.#viewBase;
    const bEnd = base + view.length;
    const rules = this.#rules;
    const pf = this.#prefilter;
    this.#scannedTo = bEnd;

    // which rules can match (or whose anchors occur) anywhere in the buffer
    const mayFind = this.#mayFind.fill(pf.full ? 0 : 1);
    const mayAnchor = this.#mayAnchor.fill(pf.anchors ? 0 : 1);
    if (pf.full || pf.anchors) {
      // only text from the earliest rule position on matters (one character before it, for \b and ^)
      let from = bEnd;
      for (const i of pf.always)
        if (!rules[i]?.keywords && (this.#pos[i] as number) < from) from = this.#pos[i] as number;
      const bytes = asciiBytes(view);
      const at = from - base > LOOKBEHIND ? from - base - 1 : 0;
      const tail = bytes ? bytes.subarray(at) : view.slice(at);
      if (pf.both) {
        const nFull = pf.fullRules.length;
        for (const k of pf.both.match(tail)) {
          if (k < nFull) mayFind[pf.fullRules[k] as number] = 1;
          else mayAnchor[pf.anchorRules[k - nFull] as number] = 1;
        }
      } else {
        if (pf.full) for (const k of pf.full.match(tail)) mayFind[pf.fullRules[k] as number] = 1;
        if (pf.anchors) for (const k of pf.anchors.match(tail)) mayAnchor[pf.anchorRules[k] as number] = 1;
      }
    }
    for (const i of pf.finders) if (!(rules[i] as Rule).findNeedsAnchor || mayAnchor[i]) mayFind[i] = 1;
    const keywordHits = this.#keywordHits();

    let settled = bEnd;
    // pooled keyword rules: the ones whose keywords occur are visited, the others are bounded together
    for (const [i, hits] of keywordHits) {
      if (!pf.pooled[i]) continue;
      if ((this.#pos[i] as number) < this.#released) this.#pos[i] = this.#released;
      const f = this.#keywordRule(i, rules[i] as Rule, hits, final);
      if (f < settled) settled = f;
    }
    if (!final && pf.pool) {
      const f = this.#pooledBound(bEnd);
      if (f < settled) settled = f;
    }
    for (const i of pf.always) {
      const rule = rules[i] as Rule;
      if (rule.keywords) {
        const f = this.#keywordRule(i, rule, keywordHits.get(i), final);
        if (f < settled) settled = f;
        continue;
      }
      let pos = this.#pos[i] as number;
      let undecided = Infinity;
      const decidable = final ? Infinity : Math.max(this.#ruleRun(i, bEnd), bEnd - rule.maxLength - LOOKAHEAD);
      while (pos < bEnd) {
        let hit: Hit | null = null;
        if (this.#cont[i] === pos && rule.continueAt) {
          hit = rule.continueAt(view, pos - base);
          if (!hit) this.#cont[i] = -1;
        }
        if (!hit && mayFind[i]) hit = rule.find(view, pos - base);
        if (!hit) break;
        const s = hit.start + base;
        if (!final && !hit.complete && (s >= decidable || hit.end + base + LOOKAHEAD > bEnd)) {
          undecided = s;
          break;
        }
        if (hit.end === hit.start) {
          pos = s + 1;
          continue;
        }
        if (rule.accept === undefined || rule.accept(hit, view)) {
          this.#record(i, rule, hit, base);
          pos = hit.end + base;
          this.#cont[i] = hit.truncated ? pos : -1;
        } else pos = rejectedTo(rule, view, s + 1 - base) + base;
      }
      let f: number;
      if (final) f = bEnd;
      else {
        let free = Math.max(pos, decidable);
        if (rule.anchor) {
          const from = Math.max(pos, decidable);
          let a = Infinity;
          if (from < bEnd && mayAnchor[i]) {
            const m = searchView(rule.anchor.re, view, 0, view.length, from - base);
            if (m) a = m.start + base;
          }
          free = Math.max(
            free,
            Math.min(
              a,
              Math.max(this.#runOf(pf.anchorRunOf[i] as number, bEnd), bEnd - rule.anchor.maxLength - LOOKAHEAD),
            ),
          );
        }
        f = Math.min(undecided, free);
        // still holding much text and no match pending: settled up to where the text could still start a match (the
        // rule's prefix closure; asked again once HOLD_CHECK more characters have come — a position ruled out stays
        // ruled out, so the last answer is a valid bound meanwhile)
        if (undecided === Infinity && rule.prefixFrom && f < bEnd - HOLD_CHECK) {
          if (bEnd - (this.#prefixAsked[i] as number) >= HOLD_CHECK || (this.#prefixAt[i] as number) < f) {
            this.#prefixAt[i] = base + rule.prefixFrom(view, Math.max(f, this.#prefixAt[i] as number) - base);
            this.#prefixAsked[i] = bEnd;
          }
          f = Math.max(f, this.#prefixAt[i] as number);
        }
      }
      this.#pos[i] = f;
      if (f < settled) settled = f;
    }
    // end of the text: a rule's trailing partial match (a secret or canary cut short) is redacted too
    if (final)
      for (const [i, hit] of trailingPartials(
        rules,
        view,
        (i) => Math.max(this.#lastEnd[i] as number, this.#released) - base,
      ))
        this.#record(i, rules[i] as Rule, hit, base);
    if (!final && this.#context.aside !== undefined)
      settled = Math.max(this.#released, Math.min(settled, this.#asideAt - 1));
    return this.#release(settled, final);
  }

  /** A tracked run brought up to the buffer end (incrementally: only characters not seen by it are looked at). */
  #runOf(g: number, bEnd: number): number {
    const at = this.#runAt[g] as number;
    const run = this.#prefilter.runs[g] as Prefilter['runs'][number];
    if (at < bEnd) {
      const base = this.#viewBase;
      const prevEnd = Math.max(at, base);
      const limit = bEnd - run.depth;
      if (run.slack === 0)
        this.#runStart[g] = inAlphabetRun(
          this.#view,
          base,
          prevEnd,
          bEnd,
          run.alphabet,
          this.#runStart[g] as number,
          limit,
        );
      else
        this.#outside[g] = lastOutside(
          this.#view,
          base,
          prevEnd,
          bEnd,
          run.alphabet,
          this.#outside[g] as [number, number],
          limit,
        );
      this.#runAt[g] = bEnd;
    }
    if (run.slack === 0) return this.#runStart[g] as number;
    // a match starting at or before an outside character ends within `slack` of it
    const o = this.#outside[g] as [number, number];
    const ok = (n: number) => n >= 0 && n + run.slack + LOOKAHEAD <= bEnd;
    return ok(o[0]) ? o[0] + 1 : ok(o[1]) ? o[1] + 1 : 0;
  }

  /** Start of the rule's trailing run: no match starting before it can reach past the buffer. */
  #ruleRun(i: number, bEnd: number): number {
    return this.#runOf(this.#prefilter.runOf[i] as number, bEnd);
  }

  /**
   * A lower bound of the settled position of every pooled keyword rule none of whose keywords occurs: a match needs a
   * keyword within `offset` of its start, and a keyword still being written lies in the trailing run of word
   * characters, within its length of the end; token rules are also settled by their own alphabet runs.
   */
  #pooledBound(bEnd: number): number {
    const pool = this.#prefilter.pool as NonNullable<Prefilter['pool']>;
    const kwRun = this.#runOf(pool.keywordRun, bEnd);
    let bound = bEnd;
    for (const b of pool.buckets) {
      let f = Math.max(kwRun - b.offset, bEnd + 1 - b.reach);
      if (b.run >= 0) f = Math.max(f, this.#runOf(b.run, bEnd), bEnd - b.maxLength - LOOKAHEAD);
      if (f < bound) bound = f;
    }
    return Math.max(bound, this.#released);
  }

  /** Keyword occurrences (absolute starts, ascending) per keyword rule, from where any of them may still matter. */
  #keywordHits(): Map<number, number[]> {
    const hits = new Map<number, number[]>();
    const pf = this.#prefilter;
    if (!pf.keywords) return hits;
    const base = this.#viewBase;
    const bEnd = base + this.#view.length;
    // every keyword rule's position is at or after the released text (pooled ones are lifted to it when visited)
    const from = Math.max(base, this.#released - KEYWORD_CONTEXT);
    // only the characters that arrived since the last pass are scanned (the automaton carries on where it stopped);
    // occurrences found before are kept while they may matter: the same ones a scan from `from` would find
    if (this.#kwAt < from) {
      this.#kwState = 0;
      this.#kwAt = from;
      this.#kwOccurrences.length = 0;
    }
    const occ = this.#kwOccurrences;
    this.#kwState = pf.keywords.resume(this.#kwState, this.#view, this.#kwAt - base, this.#view.length, (k, start) => {
      occ.push(k, start + base);
    });
    this.#kwAt = bEnd;
    let drop = 0;
    while (drop < occ.length && (occ[drop + 1] as number) < from) drop += 2;
    // (occurrences are in order of their end: one starting before `from` may follow one starting after it)
    for (let j = drop; j < occ.length; j += 2) {
      const start = occ[j + 1] as number;
      if (start < from) continue;
      for (const r of pf.keywordOwners[occ[j] as number] as number[]) {
        let list = hits.get(r);
        if (!list) {
          list = [];
          hits.set(r, list);
        }
        list.push(start);
      }
    }
    if (drop > 0) occ.splice(0, drop);
    for (const list of hits.values()) list.sort((a, b) => a - b);
    return hits;
  }

  /**
   * One keyword rule: a match at s needs a keyword starting in [s - before, s + offset], so only windows
   * around keyword occurrences are searched, and a position is settled once no keyword (present, or still being
   * written at the buffer end) can reach it. Returns the rule's settled position.
   */
  #keywordRule(i: number, rule: Rule, hits: number[] | undefined, final: boolean): number {
    const kw = rule.keywords as NonNullable<Rule['keywords']>;
    const view = this.#view;
    const base = this.#viewBase;
    const bEnd = base + view.length;
    let pos = this.#pos[i] as number;
    let undecided = Infinity;
    const decidable = final ? Infinity : Math.max(this.#ruleRun(i, bEnd), bEnd - rule.maxLength - LOOKAHEAD);
    const findWindow =
      rule.findWindow ??
      ((v: string, from: number, last: number) => {
        const h = rule.find(v, from);
        return h && h.start <= last ? h : null;
      });
    // a match this pass would only hold (below) is not read further than its bounds
    const wanted = final
      ? undefined
      : (start: number, end: number) => start + base < decidable && end + base + LOOKAHEAD <= bEnd;
    let h = 0;
    const dead = this.#deadKeyword[i] as number;
    while (hits !== undefined && h < hits.length && pos < bEnd) {
      const k = hits[h] as number;
      const ws = Math.max(pos, k - kw.offset);
      const last = k + kw.before;
      // a window proven dead on an earlier pass (pos only grows: this one is a part of it)
      if (ws > last || k <= dead) {
        h++;
        continue;
      }
      // not asked before the rule's head can have arrived (an earlier answer could only be "undecided"): held
      if (!windowDue(final, bEnd, last, kw.askAfter ?? 0)) {
        undecided = ws;
        break;
      }
      const hit = findWindow(view, ws - base, last - base, wanted);
      if (!hit) {
        // nothing starts in [ws, last] yet; a match may still appear there if it could reach past the buffer
        // (unless the rule's head already rules the window out)
        // (a window the head or closure could not rule out is asked again once HOLD_CHECK more characters have come)
        if (
          !final &&
          last + rule.maxLength + LOOKAHEAD > bEnd &&
          !this.#excluded(i, rule, view, ws - base, last - base, bEnd)
        ) {
          const c = Math.max(ws, decidable);
          if (c <= last) {
            undecided = c;
            break;
          }
        }
        // dead for good: every match starting in [ws, last] lies in the buffer (or cannot start before `decidable`),
        // or the rule's head and closure rule the window out — more text changes neither
        this.#deadKeyword[i] = k;
        h++;
        continue;
      }
      const s = hit.start + base;
      if (hit.boundsOnly || (!final && (s >= decidable || hit.end + base + LOOKAHEAD > bEnd))) {
        undecided = s;
        break;
      }
      if (hit.end === hit.start) {
        pos = s + 1;
        continue;
      }
      if (rule.accept === undefined || rule.accept(hit, view)) {
        this.#record(i, rule, hit, base);
        pos = hit.end + base;
      } else pos = s + 1;
    }
    let f: number;
    if (final) f = bEnd;
    else {
      // a keyword not complete yet starts in the trailing run of keyword characters, within its length of the end
      const future = Math.max(this.#runOf(this.#prefilter.keywordRunOf[i] as number, bEnd), bEnd - kw.maxLength + 1);
      f = Math.min(undecided, Math.max(pos, decidable, future - kw.offset));
    }
    this.#pos[i] = f;
    return f;
  }

  /** rule.excludesWindow, not asked again for HOLD_CHECK characters after it said no (holding is always safe). */
  #excluded(i: number, rule: Rule, view: string, from: number, lastStart: number, bEnd: number): boolean {
    if (!rule.excludesWindow || bEnd < (this.#excludeWait[i] as number)) return false;
    if (rule.excludesWindow(view, from, lastStart)) return true;
    this.#excludeWait[i] = bEnd + HOLD_CHECK;
    return false;
  }

  #record(index: number, rule: Rule, hit: Hit, base: number): void {
    this.#lastEnd[index] = hit.end + base;
    this.#pending.push({
      rule: index,
      start: hit.start + base,
      spanStart: hit.spanStart + base,
      spanEnd: hit.spanEnd + base,
      replacement: rule.replace(hit),
    });
  }

  #release(settled: number, final: boolean): ScanChunk {
    const rules = this.#rules;
    const pending = this.#pending.sort((a, b) => a.spanStart - b.spanStart || b.spanEnd - a.spanEnd || a.rule - b.rule);
    // merge rewriting matches into groups; report-only matches stay apart
    const groups: { start: number; end: number; members: Pending[] }[] = [];
    for (const p of pending) {
      if (p.replacement === null) continue;
      const g = groups[groups.length - 1];
      if (g && p.spanStart < g.end) {
        g.members.push(p);
        if (p.spanEnd > g.end) g.end = p.spanEnd;
      } else groups.push({ start: p.spanStart, end: p.spanEnd, members: [p] });
    }
    const bEnd = this.#viewBase + this.#view.length;
    let cut = final ? bEnd : settled;
    let split: { at: number; rest: Pending } | undefined;
    for (const g of groups) {
      if (g.start < cut && g.end > cut) {
        if (bEnd - g.start > MAX_HOLD) {
          // a chain of overlapping matches too long to hold: release it up to `cut`, redacted, and keep the rest
          const first = g.members[0] as Pending;
          split = { at: cut, rest: { ...first, start: cut, spanStart: cut, spanEnd: g.end } };
          g.end = cut;
        } else cut = g.start;
        break;
      }
    }
    let out = '';
    let cursor = this.#origBase;
    const findings: Finding[] = [];
    const finding = (p: Pending, action: FindingAction) => {
      const rule = rules[p.rule] as Rule;
      findings.push({
        detector: rule.name,
        kind: rule.kind,
        start: this.#origStart(p.spanStart),
        end: this.#origEnd(p.spanEnd - 1),
        action,
      });
    };
    // Original text from `hold` on is not released: a construct dropped inside a token whose text is not shown yet
    // (ViewContext.aside), or shown in view characters not all settled (#behind). Its view characters come after the
    // token's, so a group or a cut in view order could pass it (sixth attack run, F4).
    let hold = Infinity;
    if (!final) {
      const aside = this.#context.aside;
      if (aside !== undefined) hold = aside.start;
      for (const [vEnd, o] of this.#behind) if (vEnd > cut && o < hold) hold = o;
    }
    const ready: { start: number; end: number; members: Pending[]; oStart: number }[] = [];
    for (const g of groups) {
      if (g.end > cut) break;
      const oStart = this.#origStart(g.start);
      if (oStart >= hold) {
        cut = g.start; // held with the construct: this group and every later one
        break;
      }
      ready.push({ ...g, oStart });
    }
    if (split && split.at > cut) split = undefined; // the chain is held whole with the construct
    // in original order (an aside's view characters map back before the token's)
    ready.sort((a, b) => a.oStart - b.oStart);
    const done = new Set<Pending>();
    for (const g of ready) {
      const oStart = Math.max(cursor, g.oStart);
      const oEnd = Math.max(oStart, this.#origEnd(g.end - 1));
      const label = this.#label(g.members);
      const redacting = REDACTING.has((rules[label.rule] as Rule).kind);
      out +=
        this.#orig.slice(cursor - this.#origBase, oStart - this.#origBase) +
        (redacting
          ? `[REDACTED:${(rules[label.rule] as Rule).name}]`
          : this.#exfilReplacement(g.members, g.start, g.end));
      findings.push({
        detector: (rules[label.rule] as Rule).name,
        kind: (rules[label.rule] as Rule).kind,
        start: oStart,
        end: oEnd,
        action: redacting ? 'redacted' : 'neutralized',
      });
      cursor = oEnd;
      for (const m of g.members) done.add(m);
    }
    for (const p of pending)
      if (p.replacement === null && p.spanStart < cut) {
        done.add(p);
        finding(p, 'flagged');
      }
    const oCut = Math.max(cursor, Math.min(this.#origStart(cut), hold));
    if (this.#behind.length > 0) this.#behind = this.#behind.filter(([vEnd]) => vEnd > cut);
    out += this.#orig.slice(cursor - this.#origBase, oCut - this.#origBase);
    this.#pending = pending.filter((p) => !done.has(p));
    if (split) this.#pending.push(split.rest);
    findings.sort((a, b) => a.start - b.start || a.end - b.end);
    this.#released = Math.max(this.#released, cut);
    this.#trim(cut, oCut);
    return { text: out, findings };
  }

  /**
   * The member a merged span is named after: a redacting kind before others, secrets before PII, then the rule
   * listed first (specific provider rules come before generic ones, see detectors.ts).
   */
  #label(members: readonly Pending[]): Pending {
    const rank = (p: Pending) => KIND_RANK[(this.#rules[p.rule] as Rule).kind];
    return members.reduce((best, m) =>
      rank(m) < rank(best) || (rank(m) === rank(best) && m.rule < best.rule) ? m : best,
    );
  }

  #exfilReplacement(members: readonly Pending[], start: number, end: number): string {
    const first = members[0] as Pending;
    if (first.spanStart === start && first.spanEnd === end) return first.replacement ?? '';
    return '[removed]';
  }

  #trim(cut: number, oCut: number): void {
    let keep = Math.max(this.#viewBase, cut - LOOKBEHIND);
    if (keep > this.#viewBase && isLowSurrogate(this.#view.charCodeAt(keep - this.#viewBase))) keep--;
    const drop = keep - this.#viewBase;
    if (drop > 0) {
      this.#view = this.#view.slice(drop);
      if (this.#starts && this.#ends) {
        this.#starts = this.#starts.slice(drop);
        this.#ends = this.#ends.slice(drop);
      }
      this.#viewBase = keep;
    }
    this.#orig = this.#orig.slice(oCut - this.#origBase);
    this.#origBase = oCut;
    // back to the identity mapping when what is left is plain ASCII with no folding in it
    if (this.#starts && this.#orig === this.#view.slice(this.#view.length - this.#orig.length) && isAscii(this.#view)) {
      const shift = this.#origBase + this.#orig.length - (this.#viewBase + this.#view.length);
      if (this.#starts.every((o, i) => o === this.#viewBase + i + shift)) {
        this.#starts = null;
        this.#ends = null;
        this.#shift = shift;
      }
    }
  }
}

/** Scan a whole text at once: the same as one push followed by end (`json`: as for StreamScanner). */
export function scanText(rules: readonly Rule[], text: string, json = false): ScanChunk {
  return new StreamScanner(rules, json).end(text);
}
