// Prompt-injection scoring (OWASP LLM01) of the untrusted parts of a request: user messages, tool/function
// results and retrieved content (injection-segments.ts; a JSON tool result is read by its string values). A fast
// local scorer: weighted signals (RE2, evaluated in a few RE2.Set passes) over a normalised copy of the text and its
// de-obfuscation views (injection-views.ts: look-alikes, leetspeak and letter spacing undone; base64, hex, tag
// characters, reversed and ROT13 text decoded; accented look-alikes read as ASCII in a view scored on its own), plus the shape of an adversarial suffix (injection-shape.ts),
// combined as a noisy-OR into a score in [0, 1]. System and assistant messages are the application's own.
//
// The signals (injection-signals.ts, German/French/Spanish in injection-signals-intl.ts) model the structure of
// attacks — override + reference to prior instructions, persona + rule removal, output coercion, prompt disclosure
// requests, fake delimiters, forced affirmative openings, requests hidden in documents. Role-play alone is not an
// attack: a score made only of weak families (persona, persistence, output format, pretexts…) is capped below the
// thresholds. Texts are scored per channel: user prompts and documents/tool results have their own weights and
// thresholds. Measured on public data with held-out rows and held-out sources (guardrails/eval/public-injection.ts);
// it is a heuristic, meant to be paired with a judge model (judge.ts) where that matters.
import RE2 from 're2';
import { learnedModel } from './injection-model.ts';
import { SIGNALS, type Signal } from './injection-signals.ts';
import { HIJACK_SIGNALS } from './injection-signals-hijack.ts';
import { INTL_SIGNALS } from './injection-signals-intl.ts';
import { DOC_SIGNALS } from './injection-signals-doc.ts';
import { GUARD_SIGNALS } from './injection-signals-guard.ts';
import { PERSUASION_SIGNALS } from './injection-signals-persuasion.ts';
import { GENERAL_SIGNALS } from './injection-signals-general.ts';
import { hasFillerRun } from './injection-filler.ts';
import { suffixShape } from './injection-shape.ts';
import { deaccentedView, hiddenViews, normalizeForScoring } from './injection-views.ts';
import { untrustedSegments, type Segment, type SegmentSource, type Unscanned } from './injection-segments.ts';
import { blankQuotedExamples } from './injection-mentions.ts';

export { SIGNALS, type Signal } from './injection-signals.ts';
export { decodedBlobs, deaccentedView, hiddenViews, normalizeForScoring } from './injection-views.ts';
export {
  toolResultText,
  untrustedSegments,
  type Segment,
  type SegmentSource,
  type Unscanned,
} from './injection-segments.ts';

/** Every pattern signal: English and structural (injection-signals.ts), German/French/Spanish (…-intl.ts), task
 *  hijack (…-hijack.ts), indirect injection in the wild and persuasion (…-doc.ts), guarded-prompt hijacking and
 *  extraction (…-guard.ts), persuasion jailbreaks (…-persuasion.ts), the same families in more phrasings and languages
 *  (…-general.ts). */
export const ALL_SIGNALS: readonly Signal[] = [
  ...SIGNALS,
  ...INTL_SIGNALS,
  ...HIJACK_SIGNALS,
  ...DOC_SIGNALS,
  ...GUARD_SIGNALS,
  ...PERSUASION_SIGNALS,
  ...GENERAL_SIGNALS,
];

/**
 * The signals compiled into RE2.Sets of a few patterns each: one pass per set, linear time. Small sets on purpose —
 * one set of every pattern builds a DFA so large that RE2 keeps flushing its state cache and runs ~50x slower.
 */
const SET_SIZE = 8;
type Re2Set = InstanceType<typeof RE2.Set>;
function compileSets(signals: readonly Signal[]): { set: Re2Set; offset: number }[] {
  const sets: { set: Re2Set; offset: number }[] = [];
  for (let i = 0; i < signals.length; i += SET_SIZE)
    sets.push({
      set: new RE2.Set(
        signals.slice(i, i + SET_SIZE).map((s) => s.pattern),
        'iu',
      ),
      offset: i,
    });
  return sets;
}

const SETS = compileSets(ALL_SIGNALS);

function matchAll(t: string): number[] {
  const out: number[] = [];
  for (const { set, offset } of SETS) for (const i of set.match(t)) out.push(i + offset);
  return out;
}

/** Where a text comes from: a user prompt, or a document / tool result the application put in front of the model. */
export type Channel = 'user' | 'document';

/**
 * Default thresholds per channel (the policy's threshold applies to user text; documents use their own), chosen on
 * the tuning split only (`guard eval`, never on held-out data). User prompts: the lowest score level above the
 * weak-evidence cap with ≤ 3% tuning false alarms (0.646), rounded down so that level counts. Documents and tool
 * results: their ≤ 3% level is the cap itself (0.6; weak-only evidence must never block) and the next level (0.698)
 * doubles the tuning false alarms on benign how-to / FAQ documents as tool results (2 → 4 of 49), so they stay 0.7.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<Channel, number>> = { user: 0.64, document: 0.7 };

/** Longest text scored as one window; a longer text is scored window by window, all of it (see evidenceFor). */
export const MAX_SCORED = 64 * 1024;
/** Characters each window repeats from the end of the one before: a phrase cut by a window edge is read whole. */
export const WINDOW_OVERLAP = 1024;

export interface InjectionScore {
  /** 0 (benign) .. 1 (certain injection). */
  score: number;
  /** Names of the signals that fired (deduplicated). */
  signals: string[];
}

/** The windows a text is scored in: MAX_SCORED characters each, overlapping by WINDOW_OVERLAP, covering all of it. */
export function windows(text: string): string[] {
  if (text.length <= MAX_SCORED) return [text];
  const out: string[] = [];
  for (let start = 0; ; start += MAX_SCORED - WINDOW_OVERLAP) {
    out.push(text.slice(start, start + MAX_SCORED));
    if (start + MAX_SCORED >= text.length) return out;
  }
}

/**
 * Scores are 1 - Π(1 - w)^CALIBRATION over the families that fired. The exponent places the default threshold
 * (0.7) where two weak structural hints together reach it (e.g. persona + coercion: 0.35 and 0.35 → 0.71) and one weak
 * hint alone does not (0.45 → 0.59), chosen on the tuning split only.
 */
export const CALIBRATION = 1.5;

/**
 * Families that show attack intent by themselves (not mere role-play or formatting): overriding or replacing the
 * instructions, removing the rules, extracting the prompt, exfiltration, secrecy, tool abuse, fake delimiters and the
 * like. Persona, persistence, named personas, output format and coercion are left out: "act as a travel guide, answer
 * in bullet points" is an ordinary request, and that is what the learned family confused with attacks.
 */
export const INTENT_FAMILIES: ReadonlySet<string> = new Set([
  'override',
  'task-switch',
  'unrestricted',
  'prompt-extraction',
  'prompt-echo',
  'exfiltration',
  'secrecy',
  'tool-abuse',
  'delimiter',
  'template-token',
  'role-hijack',
  'jailbreak-word',
  'mode',
  'obfuscation',
  'authority',
  'skip-confirmation',
  'prefix-injection',
  'adversarial-suffix',
  'closure',
  'harm-topic',
  'hidden-text',
  'hidden-instruction',
]);

/**
 * How the learned model's probability p counts, as one more family of weight `weight` (alone: 1 - 0.25^1.5 = 0.875,
 * over the default thresholds): from `at` when an attack-intent family (INTENT_FAMILIES) fired too, alone only from
 * `alone`. Role-play by itself is not an attack, so a confident model without corroboration needs near certainty.
 * Chosen on the tuning split only (fabric personas included), see guardrails/README.md.
 */
export interface LearnedCalibration {
  at: number;
  alone: number;
  weight: number;
}
export const LEARNED_CALIBRATION: Readonly<LearnedCalibration> = { at: 0.8, alone: 0.9, weight: 0.75 };
/** Kept for callers of the previous constants. */
export const LEARNED_AT = LEARNED_CALIBRATION.at;
export const LEARNED_WEIGHT = LEARNED_CALIBRATION.weight;

let learnedEnabled = true;
/** The learned family on or off for the process (policy/config switch); returns the previous setting. */
export function setLearnedEnabled(on: boolean): boolean {
  const prev = learnedEnabled;
  learnedEnabled = on;
  return prev;
}

const weightIn = (s: Signal, channel: Channel): number => (channel === 'document' ? (s.doc ?? s.weight) : s.weight);

/** The heuristic families that fired (strongest weight each) and the learned model's probability (0 when off). */
export interface Evidence {
  families: Map<string, number>;
  p: number;
}

/**
 * What scoreText combines: pure given the text; the learned model is consulted only when it is enabled. A text longer
 * than MAX_SCORED is read whole, window by window: the families are the union of the windows' (strongest weight
 * each), the learned probability the highest, the suffix shape that of the last window only (the text's end).
 */
export function evidenceFor(text: string, channel: Channel = 'user'): Evidence {
  const parts = windows(text);
  if (parts.length === 1) return windowEvidence(text, channel, true);
  const all: Evidence = { families: new Map(), p: 0 };
  parts.forEach((w, i) => mergeEvidence(all, windowEvidence(w, channel, i === parts.length - 1)));
  return all;
}

/** `from` added to `into`: each family at its strongest weight, the highest learned probability. */
export function mergeEvidence(into: Evidence, from: Evidence): void {
  for (const [f, w] of from.families) into.families.set(f, Math.max(into.families.get(f) ?? 0, w));
  into.p = Math.max(into.p, from.p);
}

/** The evidence of one window of at most MAX_SCORED characters; `last`: it ends where the text ends. */
function windowEvidence(window: string, channel: Channel, last: boolean): Evidence {
  const head = blankQuotedExamples(window);
  const hidden = hiddenViews(head);
  const t = normalizeForScoring(hidden === '' ? head : `${head}\n${hidden}`);
  const shape = shapeFamilies(head, channel, last);
  const pHead = learnedEnabled ? (learnedModel()?.predict(head) ?? 0) : 0;
  const folded = viewEvidence(t, head, channel, shape, pHead);
  // accented or stroked look-alikes ("ignóre", "reveał", "Игнóрируй"): the view read down to ASCII letters is scored
  // too, and the higher of the two scores counts (the intl signals keep their accents in the folded view)
  const plain = deaccentedView(t);
  if (plain === '') return folded;
  const other = viewEvidence(plain, head, channel, shape, pHead);
  const score = (e: Evidence): number => combine(e, LEARNED_CALIBRATION, channel).score;
  return score(other) > score(folded) ? other : folded;
}

/** The families read from the text's shape (adversarial suffix, filler run), whatever the view. */
function shapeFamilies(head: string, channel: Channel, last: boolean): [string, number][] {
  const out: [string, number][] = [];
  const shape = last ? suffixShape(head) : 0;
  if (shape === 2) out.push([ADVERSARIAL_SUFFIX.name, ADVERSARIAL_SUFFIX.weight]);
  // the weak reading only in user prompts: a README's last line of shell flags and backticks has a few odd tokens
  else if (shape === 1 && channel === 'user') out.push([ODD_SUFFIX.name, ODD_SUFFIX.weight]);
  if (channel === 'user' && hasFillerRun(head)) out.push([FILLER.name, FILLER.weight]);
  return out;
}

/**
 * The evidence of one view `t` of the window `head`: the signals that fire on it, the shape families, and the
 * learned probability — the model reads the text as written (`pHead`) and, when the view changed it (leetspeak
 * undone, letters joined, a decoded, reversed, ROT13 or de-accented reading added), as the signals read it: the
 * higher of the two.
 */
function viewEvidence(
  t: string,
  head: string,
  channel: Channel,
  shape: readonly [string, number][],
  pHead: number,
): Evidence {
  const families = new Map<string, number>();
  for (const i of matchAll(t)) {
    const s = ALL_SIGNALS[i] as Signal;
    const w = weightIn(s, channel);
    if (w > 0) families.set(s.name, Math.max(families.get(s.name) ?? 0, w));
  }
  for (const [name, w] of shape) families.set(name, w);
  let p = pHead;
  if (learnedEnabled && t !== head.toLowerCase()) {
    const m = learnedModel();
    if (m) p = Math.max(p, m.predict(t));
  }
  return { families, p };
}

/**
 * Whether the learned family counts, given the heuristic families that fired. In documents and tool results never
 * alone: the model learns the carriers of the attacks it was trained on (BIPIA reuses each e-mail for several attacks,
 * and the held-out copies of those e-mails alone were flagged), so there it only corroborates an attack-intent family.
 */
export function learnedCounts(
  e: Evidence,
  cal: Readonly<LearnedCalibration> = LEARNED_CALIBRATION,
  channel: Channel = 'user',
): boolean {
  if (e.p >= cal.alone && channel === 'user') return true;
  if (e.p < cal.at) return false;
  for (const f of e.families.keys()) if (INTENT_FAMILIES.has(f)) return true;
  return false;
}

/**
 * Families that do not show an attack by themselves however many of them fire together: role-play (persona, named
 * persona, persistence, staying in character, hypotheticals), output format and coercion, verbatim, purpose
 * disclaimers, a question or an imperative line. "Act as a travel guide, from now on answer in bullet points, only
 * reply with the itinerary" is an ordinary request; with an override, a rule removal or a prompt-extraction request it
 * is not. In user prompts a request aimed at "your response" and a note to the AI are weak too.
 */
export const WEAK_FAMILIES: ReadonlySet<string> = new Set([
  'persona',
  'named-persona',
  'persist',
  'in-character',
  'hypothetical',
  'format',
  'coercion',
  'verbatim',
  'pretext',
  'doc-question',
  'doc-imperative',
  'doc-request',
  'addressed-to-ai',
  'odd-suffix',
  'persona-switch',
  'task-drop',
  'authority-appeal',
  'dual-use',
]);
/**
 * The weak families of documents and tool results: the same, less what is addressed to the reader ("in your
 * response", a note to the AI, "you are now the …" — strong in a document), plus what READMEs and how-to guides are full of (commands to
 * run, "that's done", "stop:"), so that two such cues in a README do not add up to an injection.
 */
export const DOC_WEAK_FAMILIES: ReadonlySet<string> = new Set([
  ...[...WEAK_FAMILIES].filter(
    (f) => f !== 'doc-request' && f !== 'addressed-to-ai' && f !== 'persona-switch' && f !== 'task-drop',
  ),
  'tool-abuse',
  'closure',
  'interrupt',
  'hidden-text',
]);
/** Highest score of evidence made only of weak families: under every default threshold. */
export const WEAK_CAP = 0.6;

/** The adversarial-suffix shape (injection-shape.ts) as a family. */
export const ADVERSARIAL_SUFFIX = { name: 'adversarial-suffix', weight: 0.75 } as const;
/** A filler run (injection-filler.ts) in a user prompt: weak alone, a hijack beside coercion or a guard phrase. */
export const FILLER = { name: 'filler', weight: 0.35 } as const;
/** The weak reading of that shape (a few odd tokens at the end): weak, it needs e.g. a harmful request beside it. */
export const ODD_SUFFIX = { name: 'odd-suffix', weight: 0.45 } as const;

/** Noisy-OR over the families (one family counts once, its strongest pattern), the learned one included when it counts. */
export function combine(
  e: Evidence,
  cal: Readonly<LearnedCalibration> = LEARNED_CALIBRATION,
  channel: Channel = 'user',
): InjectionScore {
  const best = new Map(e.families);
  if (learnedCounts(e, cal, channel)) best.set('learned', cal.weight);
  if (best.size === 0) return { score: 0, signals: [] };
  let benign = 1;
  const weak = channel === 'user' ? WEAK_FAMILIES : DOC_WEAK_FAMILIES;
  let strong = false;
  for (const [f, w] of best) {
    benign *= 1 - w;
    if (!weak.has(f)) strong = true;
  }
  let score = 1 - benign ** CALIBRATION;
  if (!strong) score = Math.min(score, WEAK_CAP);
  return { score: Math.round(score * 1000) / 1000, signals: [...best.keys()].sort() };
}

/** Score one piece of untrusted text arriving through `channel`. */
export function scoreText(text: string, channel: Channel = 'user'): InjectionScore {
  return combine(evidenceFor(text, channel), LEARNED_CALIBRATION, channel);
}

export interface RequestInjectionScore extends InjectionScore {
  /** The segment that decided: the first to reach its channel's threshold, else the highest-scoring one. */
  path?: string;
  source?: SegmentSource;
  channel?: Channel;
  /** The threshold that applies to that segment's channel. */
  threshold?: number;
  /** Segments scored only in part because the request's scoring budget ran out. */
  truncated?: number;
  /** What the request carries that was not scored, and why (planScan). */
  unscanned?: Unscanned[];
}

/** The channel a segment is scored in: content the application fetched is a document, the rest a prompt. */
export const channelOfSource = (s: SegmentSource): Channel =>
  s === 'tool' || s === 'function' || s === 'document' ? 'document' : 'user';

/**
 * Scoring budget per request, in characters of untrusted text plus SEGMENT_COST per segment: checked before any
 * scoring (planScan), so the work per request is bounded (~0.1–0.3 ms per KB, guardrails/README.md). Within it every
 * segment is scored whole.
 */
export const REQUEST_BUDGET = 1024 * 1024;
/** What one segment costs beyond its characters (the fixed work of scoring a text, ~0.03–0.05 ms), in characters. */
export const SEGMENT_COST = 256;
/** What each segment still gets once the budget is spent (head and tail), when an over-budget request is scored. */
const MIN_SEGMENT_SHARE = 4 * 1024;
/** Most segments scored per request when it is over budget (the first and the last half). */
export const MAX_SEGMENTS = 1024;

/** What a request's scoring will read, decided before any scoring. */
export interface ScanPlan {
  segments: Segment[];
  /** Cost of scoring every segment whole (characters + SEGMENT_COST each). */
  cost: number;
  /** What is not read (empty: everything the model will see from the untrusted segments is scored). */
  unscanned: Unscanned[];
}

/** The segments of a request, their scoring cost and what cannot be read — no scoring yet. */
export function planScan(body: unknown): ScanPlan {
  const unread: Unscanned[] = [];
  const segments = untrustedSegments(body, unread);
  let cost = 0;
  for (const seg of segments) cost += seg.text.length + SEGMENT_COST;
  const unscanned = [...new Set(unread)];
  if (cost > REQUEST_BUDGET) unscanned.unshift('budget');
  return { segments, cost, unscanned };
}

/** One segment's text as scored: whole within the budget; over it, head and tail of the segment's share. */
function scoredText(text: string, budget: number, overBudget: boolean): string {
  if (!overBudget) return text;
  const share = Math.max(MIN_SEGMENT_SHARE, Math.min(budget, MAX_SCORED));
  return text.length > share ? `${text.slice(0, share / 2)}\n${text.slice(text.length - share / 2)}` : text;
}

/**
 * Highest score over the plan's segments, each against its channel's threshold. Yields the work of each window scored
 * (scoreRequestAsync gives the event loop back between windows). Over the budget (flag mode only: block mode refuses such a
 * request before scoring) the first and last MAX_SEGMENTS / 2 segments are scored, head and tail of each.
 */
function* scoreSteps(
  plan: ScanPlan,
  thresholds: Readonly<Record<Channel, number>>,
): Generator<number, RequestInjectionScore, void> {
  let best: RequestInjectionScore = { score: 0, signals: [] };
  let bestMargin = -Infinity;
  let budget = REQUEST_BUDGET;
  let truncated = 0;
  const over = plan.unscanned.includes('budget');
  const { segments } = plan;
  for (const seg of over && segments.length > MAX_SEGMENTS
    ? [...segments.slice(0, MAX_SEGMENTS / 2), ...segments.slice(-MAX_SEGMENTS / 2)]
    : segments) {
    const text = scoredText(seg.text, budget, over);
    if (text.length < seg.text.length) truncated++;
    budget = Math.max(0, budget - text.length - SEGMENT_COST);
    const channel = channelOfSource(seg.source);
    const threshold = thresholds[channel];
    const parts = windows(text);
    const e: Evidence = { families: new Map(), p: 0 };
    for (let i = 0; i < parts.length; i++) {
      const w = parts[i] as string;
      mergeEvidence(e, windowEvidence(w, channel, i === parts.length - 1));
      yield w.length + SEGMENT_COST;
    }
    const s = combine(e, LEARNED_CALIBRATION, channel);
    const margin = s.score - threshold;
    if (s.score > 0 && margin > bestMargin) {
      bestMargin = margin;
      best = { ...s, path: seg.path, source: seg.source, channel, threshold };
    }
  }
  const out: RequestInjectionScore = truncated > 0 ? { ...best, truncated } : best;
  return plan.unscanned.length > 0 ? { ...out, unscanned: plan.unscanned } : out;
}

/** Highest score over the request's untrusted segments, each against its channel's threshold (synchronous). */
export function scoreRequest(
  body: unknown,
  thresholds: Readonly<Record<Channel, number>> = DEFAULT_THRESHOLDS,
  plan: ScanPlan = planScan(body),
): RequestInjectionScore {
  const steps = scoreSteps(plan, thresholds);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Characters scored between two returns to the event loop (~5–20 ms of work). */
const SLICE = MAX_SCORED;

/** scoreRequest, giving the event loop back every SLICE characters: other requests are not stalled by a long one. */
export async function scoreRequestAsync(
  body: unknown,
  thresholds: Readonly<Record<Channel, number>> = DEFAULT_THRESHOLDS,
  plan: ScanPlan = planScan(body),
): Promise<RequestInjectionScore> {
  const steps = scoreSteps(plan, thresholds);
  for (let done = 0; ;) {
    const r = steps.next();
    if (r.done) return r.value;
    done += r.value;
    if (done >= SLICE) {
      done = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

// The learned model is trained when the guardrails are loaded (~0.4 s), not on the first request that needs it.
learnedModel();
