// A rule is one thing the output scanner looks for: a redaction detector (built-in or custom), an exfiltration
// construct (markdown image/link, raw HTML) or a canary. Every rule is bounded: it declares the longest text it can
// match and the characters a match consists of, which is what lets the streaming scanner hold back just enough.
import RE2 from 're2';
import { analyzePattern, type Alphabet } from './pattern.ts';
import { prefixClosure } from './secrets/head.ts';
import { searchView } from './text.ts';
import { viewPattern } from './view-pattern.ts';

export type RuleKind = 'secret' | 'pii' | 'custom' | 'exfiltration' | 'canary';

/** A match found in the view, with buffer-relative indices. */
export interface Hit {
  start: number;
  end: number;
  /** Start and end of the part to replace (a sub-span of [start, end), e.g. only a password inside a URL). */
  spanStart: number;
  spanEnd: number;
  text: string;
  groups: Record<string, string | undefined>;
  /** The finder knows this match can no longer change whatever text follows (e.g. a PEM block with its END line). */
  complete?: boolean;
  /** The match was cut at the rule's bound: the rule's continueAt() is asked about the text right after it. */
  truncated?: boolean;
  /**
   * Only the bounds (start, end) are set: findWindow's caller said it would not use this match yet (see its `wanted`),
   * so its groups were not read; the span is the whole match and `text` and `groups` are empty.
   */
  boundsOnly?: boolean;
}

export interface Rule {
  /** Detector name reported in findings and metrics (several rules may share one). */
  readonly name: string;
  readonly kind: RuleKind;
  /** Longest match, in UTF-16 code units of the view. */
  readonly maxLength: number;
  /** Characters any match consists of (but the last `alphabetSlack` ones). */
  readonly alphabet: Alphabet;
  /**
   * A match may end up to this many characters past its first character outside `alphabet` (gitleaks' trailing
   * terminator group `(?:[\x60'"\s;]|\\[nr]|$)`: a token, then one quote, space or escaped newline).
   */
  readonly alphabetSlack?: number;
  /** Leftmost match starting at or after `from` in `view`, or null. Must depend only on view[start-1 .. start+maxLength]. */
  find(view: string, from: number): Hit | null;
  /** The RE2 source when `find` is one pattern: lets the scanner pre-check all rules in one RE2.Set pass. */
  readonly source?: string;
  /**
   * Optional necessary condition at a match start, shorter than the match: lets text flow past a long rule
   * (e.g. `-----BEGIN` for a 16 KiB PEM block) while its start cannot occur.
   */
  readonly anchor?: { readonly re: RE2; readonly maxLength: number; readonly alphabet: Alphabet };
  /** After a truncated match ending at `at`: a continuation match starting exactly there, or null. */
  continueAt?(view: string, at: number): Hit | null;
  /**
   * Keyword prefilter (gitleaks' keywords): a match starting at s is only accepted when one of `keywords` (lower-case
   * ASCII, matched case-insensitively) starts in [s - before, s + offset]. The scanner finds keyword
   * occurrences with one Aho-Corasick pass shared by every rule and searches only windows around them
   * (`findWindow`); a rule whose keywords do not occur costs nothing.
   */
  readonly keywords?: {
    readonly list: readonly string[];
    readonly offset: number;
    readonly before: number;
    readonly maxLength: number;
    /**
     * Characters past a window's last start that must have arrived before a stream asks about the window (the
     * rule's head, whose whole text findWindow and excludesWindow need to rule a window out): asked earlier, the
     * answer is "undecided" unless a whole match is there, and the window is asked again. A stream holds the window
     * meanwhile (see windowDue in scanner.ts); 0 or absent: asked at once.
     */
    readonly askAfter?: number;
  };
  /**
   * With `keywords`: the leftmost accepted-or-not match starting in [from, lastStart], or null. `wanted`, when given,
   * is asked with the match's bounds before its groups are read (an RE2 search with submatches, the costly part): when
   * it says no, the match comes back with `boundsOnly` (a stream that cannot decide the match yet asks again later).
   */
  findWindow?(
    view: string,
    from: number,
    lastStart: number,
    wanted?: (start: number, end: number) => boolean,
  ): Hit | null;
  /**
   * With `keywords`: true when no match can start in [from, lastStart] whatever text follows the view (the rule's
   * head does not match there and all of the head's text has arrived). Lets a stream settle a keyword occurrence long
   * before the rule's whole length has arrived.
   */
  excludesWindow?(view: string, from: number, lastStart: number): boolean;
  /**
   * The first position at or after `from` from which the rest of the view is a prefix of some match (view.length when
   * none): no match can start before it and reach past the view, whatever text follows. Lets a stream settle text
   * held by a long rule (e.g. after the word `password` in prose) as soon as the text shows it is not a match.
   */
  prefixFrom?(view: string, from: number): number;
  /** For finder rules without `source`: find() can only match where the anchor matches. */
  readonly findNeedsAnchor?: boolean;
  /** Validation beyond the pattern (checksums, context). May look at view[hit.start - 1] and view[hit.end]. */
  accept?(hit: Hit, view: string): boolean;
  /**
   * A one-character class: `accept` rejects every match whose preceding character is in it (an IPv6 candidate right
   * after a digit or a colon, an e-mail local part after a word character). After a rejected match the scanner skips
   * every start whose preceding character is in it — none could be accepted — instead of searching again from each
   * (one RE2 search per character of a timestamp's `10:15:03`, ~3.5 µs each). The output is the same.
   */
  readonly rejectsAfter?: RegExp;
  /** Replacement for the span; null: report only (flag mode). */
  replace(hit: Hit): string | null;
}

export interface RegexRuleSpec {
  name: string;
  kind: RuleKind;
  /** RE2 syntax. A named group `secret` narrows the replaced span to that group. */
  pattern: string;
  anchor?: string;
  accept?: (hit: Hit, view: string) => boolean;
  /** Rule.rejectsAfter: `accept` must reject every match whose preceding character this class tests true for. */
  rejectsAfter?: RegExp;
  replace?: (hit: Hit) => string | null;
}

/** Characters before a match start where one of a rule's keywords may stand (e.g. `AIRTABLE_TOKEN=pat…`). */
export const KEYWORD_CONTEXT = 64;

export const redactionMarker = (name: string) => `[REDACTED:${name}]`;

function anchorOf(source: string | undefined): Rule['anchor'] {
  if (source === undefined) return undefined;
  const info = analyzePattern(source);
  return { re: new RE2(source, 'gu'), maxLength: info.maxLength, alphabet: info.alphabet };
}

/** A rule from an RE2 pattern; `maxLength` and the alphabet are derived from the pattern itself. */
export function regexRule(spec: RegexRuleSpec): Rule {
  // the scanner searches the detection view: the pattern's own non-ASCII characters are read the same way
  spec = { ...spec, pattern: viewPattern(spec.pattern) };
  const info = analyzePattern(spec.pattern);
  if (!Number.isFinite(info.maxLength)) throw new Error(`rule ${spec.name}: pattern is unbounded (${spec.pattern})`);
  const re = new RE2(spec.pattern, 'gud');
  const closureSource = prefixClosure(spec.pattern);
  let closure: RE2 | null | undefined;
  const hasSecret = /\(\?P?<secret>/.test(spec.pattern);
  const name = spec.name;
  return {
    name,
    kind: spec.kind,
    source: spec.pattern,
    maxLength: info.maxLength,
    alphabet: info.alphabet,
    anchor: anchorOf(spec.anchor),
    find(view, from) {
      re.lastIndex = from;
      const m = re.exec(view);
      if (!m) return null;
      const start = m.index;
      const end = start + m[0].length;
      const span = hasSecret ? m.indices?.groups?.['secret'] : undefined;
      return {
        start,
        end,
        spanStart: span ? span[0] : start,
        spanEnd: span ? span[1] : end,
        text: m[0],
        groups: { ...m.groups },
      };
    },
    prefixFrom(view, from) {
      if (closure === undefined) {
        try {
          closure = closureSource === undefined ? null : new RE2(`(?:${closureSource})$`, 'gu');
        } catch {
          closure = null;
        }
      }
      if (closure === null) return from;
      const lo = from > 0 ? from - 1 : 0;
      const m = searchView(closure, view, lo, view.length, from);
      return m ? m.start : view.length;
    },
    ...(spec.accept ? { accept: spec.accept } : {}),
    ...(spec.rejectsAfter ? { rejectsAfter: spec.rejectsAfter } : {}),
    replace: spec.replace ?? (() => redactionMarker(name)),
  };
}

export const prevChar = (view: string, hit: Hit): string => (hit.start > 0 ? (view[hit.start - 1] as string) : '');
export const nextChar = (view: string, hit: Hit): string => view[hit.end] ?? '';
