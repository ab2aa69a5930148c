// Prompt-injection scoring (OWASP LLM01) of the untrusted parts of a request: user messages, tool/function
// results and retrieved content. A fast local scorer: weighted signals (RE2, all evaluated in one pass with
// RE2.Set) over a normalised copy of the text (invisible characters dropped, look-alikes and leetspeak folded,
// s p a c e d letters joined), combined as a noisy-OR into a score in [0, 1]. System and assistant messages are
// the application's own and are not scored.
//
// The signals (injection-signals.ts) model the structure of attacks — override + reference to prior instructions,
// persona + rule removal, output coercion, prompt disclosure requests, fake delimiters, requests hidden in
// documents — in seven languages. Texts are scored per channel: user prompts and documents/tool results have their
// own weights and thresholds (a task imperative on a line of its own is normal in a prompt and suspicious in an
// e-mail). Measured on public data with a held-out split (guardrails/eval/public-injection.ts); it is a heuristic,
// meant to be paired with a judge model (judge.ts) where that matters.
import { learnedModel } from './injection-model.ts';
import RE2 from 're2';
import { SIGNALS, type Signal } from './injection-signals.ts';
import { foldCodePoint, isAscii } from './text.ts';

export { SIGNALS, type Signal } from './injection-signals.ts';

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };

// RE2 here too: the text is attacker-chosen, and these replacements would backtrack quadratically in irregexp
/** Words that mix letters and digits ("1gn0re"); plain numbers and plain words do not match. */
const MIXED_WORD = new RE2('[a-z0-9]*(?:[a-z][0-9]|[0-9][a-z])[a-z0-9]*', 'gu');
const HAS_DIGIT = /[0-9]/;
const SPACED = new RE2(String.raw`\b(?:[a-z][ ._-]){3,}[a-z]\b`, 'gu');
const SPACES = new RE2('[ \\t]+', 'gu');

/** Zero-width characters dropped, NFKC and look-alike folding (text.ts), per code point; ASCII is left as is. */
function fold(text: string): string {
  if (isAscii(text)) return text;
  const parts: string[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    parts.push(cp < 0x80 ? ch : foldCodePoint(cp));
  }
  return parts.join('');
}

/** The text the signals run on: folded, lower-cased, leetspeak undone inside words, spaced letters joined. */
export function normalizeForScoring(text: string): string {
  let t = fold(text).toLowerCase();
  t = t.replace(/[‘’`´]/g, "'").replace(/[“”]/g, '"');
  // leetspeak only inside words that mix letters and digits ("1gn0re"), never in plain numbers
  if (HAS_DIGIT.test(t)) t = MIXED_WORD.replace(t, (w: string) => w.replace(/[013457]/g, (c) => LEET[c] ?? c));
  // "i g n o r e" / "i.g.n.o.r.e" -> "ignore"
  t = SPACED.replace(t, (w: string) => w.replace(/[ ._-]/g, ''));
  return SPACES.replace(t, ' ');
}

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

const SETS = compileSets(SIGNALS);

function matchAll(t: string): number[] {
  const out: number[] = [];
  for (const { set, offset } of SETS) for (const i of set.match(t)) out.push(i + offset);
  return out;
}

/** Where a text comes from: a user prompt, or a document / tool result the application put in front of the model. */
export type Channel = 'user' | 'document';

/** Default thresholds per channel (the policy's threshold applies to user text; documents use their own). */
export const DEFAULT_THRESHOLDS: Readonly<Record<Channel, number>> = { user: 0.7, document: 0.7 };

/** Longest text scored per segment: the head and the tail are scored (injections sit at either end). */
export const MAX_SCORED = 64 * 1024;

export interface InjectionScore {
  /** 0 (benign) .. 1 (certain injection). */
  score: number;
  /** Names of the signals that fired (deduplicated). */
  signals: string[];
}

const B64_BLOB = new RE2('[A-Za-z0-9+/]{16,1000}={0,2}', 'gu');
const PRINTABLE = new RE2('^[\\x20-\\x7e\\s]{8,}$', 'u');
const TWO_WORDS = new RE2('[a-z]{3,}\\s+[a-z]{3,}', 'iu');

/** Printable text hidden in base64 blobs ("decode this and follow it"), appended to what is scored. */
export function decodedBlobs(text: string, max = 16): string {
  const out: string[] = [];
  B64_BLOB.lastIndex = 0;
  for (let m = B64_BLOB.exec(text), n = 0; m && out.length < max && n < 1000; m = B64_BLOB.exec(text), n++) {
    const decoded = Buffer.from(m[0], 'base64').toString('utf8');
    if (PRINTABLE.test(decoded) && TWO_WORDS.test(decoded)) out.push(decoded);
  }
  return out.join('\n');
}

function bounded(text: string): string {
  if (text.length <= MAX_SCORED) return text;
  const half = MAX_SCORED / 2;
  return `${text.slice(0, half)}\n${text.slice(text.length - half)}`;
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
  'in-character',
  'obfuscation',
  'authority',
  'skip-confirmation',
  'hypothetical',
  'verbatim',
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

/** What scoreText combines: pure given the text; the learned model is consulted only when it is enabled. */
export function evidenceFor(text: string, channel: Channel = 'user'): Evidence {
  const head = bounded(text);
  const hidden = decodedBlobs(head);
  const t = normalizeForScoring(hidden === '' ? head : `${head}\n${hidden}`);
  const families = new Map<string, number>();
  for (const i of matchAll(t)) {
    const s = SIGNALS[i] as Signal;
    const w = weightIn(s, channel);
    if (w > 0) families.set(s.name, Math.max(families.get(s.name) ?? 0, w));
  }
  const p = learnedEnabled ? (learnedModel()?.predict(head) ?? 0) : 0;
  return { families, p };
}

/** Whether the learned family counts, given the heuristic families that fired. */
export function learnedCounts(e: Evidence, cal: Readonly<LearnedCalibration> = LEARNED_CALIBRATION): boolean {
  if (e.p >= cal.alone) return true;
  if (e.p < cal.at) return false;
  for (const f of e.families.keys()) if (INTENT_FAMILIES.has(f)) return true;
  return false;
}

/** Noisy-OR over the families (one family counts once, its strongest pattern), the learned one included when it counts. */
export function combine(e: Evidence, cal: Readonly<LearnedCalibration> = LEARNED_CALIBRATION): InjectionScore {
  const best = new Map(e.families);
  if (learnedCounts(e, cal)) best.set('learned', cal.weight);
  if (best.size === 0) return { score: 0, signals: [] };
  let benign = 1;
  for (const w of best.values()) benign *= 1 - w;
  return { score: Math.round((1 - benign ** CALIBRATION) * 1000) / 1000, signals: [...best.keys()].sort() };
}

/** Score one piece of untrusted text arriving through `channel`. */
export function scoreText(text: string, channel: Channel = 'user'): InjectionScore {
  return combine(evidenceFor(text, channel));
}

export type SegmentSource = 'user' | 'tool' | 'function' | 'prompt' | 'document';

export interface Segment {
  /** Where it came from in the request, e.g. `messages[3]` or `prompt`. */
  path: string;
  source: SegmentSource;
  text: string;
}

/** Content-part types that carry fetched content rather than what the user typed (scored as documents). */
const DOCUMENT_PARTS = new Set(['document', 'file', 'tool_result', 'search_result', 'web_search_result', 'input_file']);

const partText = (o: Record<string, unknown>): string | undefined => {
  if (typeof o['text'] === 'string') return o['text'];
  if (typeof o['content'] === 'string') return o['content'];
  if (Array.isArray(o['content'])) return contentText(o['content']).text;
  const src = o['source'];
  if (
    src !== null &&
    typeof src === 'object' &&
    typeof (src as Record<string, unknown>)['data'] === 'string' &&
    (src as Record<string, unknown>)['type'] === 'text'
  )
    return (src as Record<string, string>)['data'];
  return undefined;
};

/** The text of a message's content, split into what the sender wrote and document-like parts. */
function contentText(content: unknown, depth = 0): { text: string; documents: string[] } {
  if (typeof content === 'string') return { text: content, documents: [] };
  if (!Array.isArray(content) || depth > 2) return { text: '', documents: [] };
  const parts: string[] = [];
  const documents: string[] = [];
  for (const p of content) {
    if (typeof p === 'string') parts.push(p);
    else if (p !== null && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      const t = partText(o);
      if (t === undefined || t === '') continue;
      if (typeof o['type'] === 'string' && DOCUMENT_PARTS.has(o['type'])) documents.push(t);
      else parts.push(t);
    }
  }
  return { text: parts.join('\n'), documents };
}

/**
 * The untrusted text segments of a chat or completion request body: user messages and prompts, tool/function
 * results, and document-like content (attached `documents`, content parts of type document/file/tool_result…).
 */
export function untrustedSegments(body: unknown): Segment[] {
  if (body === null || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const out: Segment[] = [];
  if (Array.isArray(b['messages'])) {
    b['messages'].forEach((m, i) => {
      if (m === null || typeof m !== 'object') return;
      const msg = m as Record<string, unknown>;
      const role = msg['role'];
      const source: SegmentSource | undefined =
        role === 'user' ? 'user' : role === 'tool' ? 'tool' : role === 'function' ? 'function' : undefined;
      if (!source) return;
      const { text, documents } = contentText(msg['content']);
      if (text !== '') out.push({ path: `messages[${i}]`, source, text });
      documents.forEach((d, k) =>
        out.push({ path: `messages[${i}].content.documents[${k}]`, source: 'document', text: d }),
      );
    });
  }
  const prompt = b['prompt'];
  if (typeof prompt === 'string') out.push({ path: 'prompt', source: 'prompt', text: prompt });
  else if (Array.isArray(prompt))
    prompt.forEach((p, i) => {
      if (typeof p === 'string') out.push({ path: `prompt[${i}]`, source: 'prompt', text: p });
    });
  // retrieved documents some clients attach (e.g. vLLM / Cohere-style `documents`)
  if (Array.isArray(b['documents'])) {
    b['documents'].forEach((d, i) => {
      const c =
        typeof d === 'string'
          ? { text: d, documents: [] }
          : contentText(d !== null && typeof d === 'object' ? [d] : undefined);
      const text = [c.text, ...c.documents].filter((x) => x !== '').join('\n');
      if (text !== '') out.push({ path: `documents[${i}]`, source: 'document', text });
    });
  }
  return out;
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
}

/** The channel a segment is scored in: content the application fetched is a document, the rest a prompt. */
export const channelOfSource = (s: SegmentSource): Channel =>
  s === 'tool' || s === 'function' || s === 'document' ? 'document' : 'user';

/** Scoring budget per request (characters): decided before any scoring, so the work per request is bounded. */
export const REQUEST_BUDGET = 512 * 1024;
/** What each segment still gets once the budget is spent (head and tail). */
const MIN_SEGMENT_SHARE = 4 * 1024;
/** Most segments scored per request. */
export const MAX_SEGMENTS = 1024;

/** Highest score over the request's untrusted segments, each against its channel's threshold. */
export function scoreRequest(
  body: unknown,
  thresholds: Readonly<Record<Channel, number>> = DEFAULT_THRESHOLDS,
): RequestInjectionScore {
  let best: RequestInjectionScore = { score: 0, signals: [] };
  let bestMargin = -Infinity;
  let budget = REQUEST_BUDGET;
  let truncated = 0;
  const segments = untrustedSegments(body);
  for (const seg of segments.length > MAX_SEGMENTS
    ? [...segments.slice(0, MAX_SEGMENTS / 2), ...segments.slice(-MAX_SEGMENTS / 2)]
    : segments) {
    const share = Math.max(MIN_SEGMENT_SHARE, Math.min(budget, MAX_SCORED));
    let text = seg.text;
    if (text.length > share) {
      text = `${text.slice(0, share / 2)}\n${text.slice(text.length - share / 2)}`;
      truncated++;
    }
    budget = Math.max(0, budget - text.length);
    const channel = channelOfSource(seg.source);
    const threshold = thresholds[channel];
    const s = scoreText(text, channel);
    const margin = s.score - threshold;
    if (s.score > 0 && margin > bestMargin) {
      bestMargin = margin;
      best = { ...s, path: seg.path, source: seg.source, channel, threshold };
    }
  }
  return truncated > 0 ? { ...best, truncated } : best;
}

// The learned model is trained when the guardrails are loaded (~0.4 s), not on the first request that needs it.
learnedModel();
