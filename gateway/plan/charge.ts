// chargeFor: what a finished (or failed, or cut) request is charged, from the plan and what happened
// upstream. Pure; the caller counts the input exactly first when `needsInputCount` says so.
import { MEDIA_MAX_TOKENS } from '../media.ts';
import { countText, type Encoding, type InputText } from '../tokens.ts';
import type { AbortReason } from '../upstream/errors.ts';
import type { Usage } from '../upstream/sse.ts';
import { estimateCost, gpuCost, type ModelCost } from './cost.ts';
import type { RequestPlan } from './plan.ts';

/** What the upstream stage reports back. */
export interface Outcome {
  readonly usage: Usage | undefined;
  /**
   * The output text the gateway served (every generated text field, all choices): counted when no usage arrived,
   * and checked against the engine's completion_tokens when it did (usagePlausible).
   */
  readonly generatedText: string;
  /** The upstream was reached and did work (false: connect failure, refused before any output). */
  readonly upstreamWorked: boolean;
  readonly upstreamSeconds: number;
  /** Why the request was cut short, if it was. */
  readonly abort: AbortReason | undefined;
  /** A (non-streamed) choice ended with finish_reason "length". */
  readonly finishLength: boolean;
  /** Output tokens the gateway counted while relaying (what was served); undefined when not counted. */
  readonly countedOut: number | undefined;
  /** The served text holds the prompt too (/v1/completions with `echo`): usagePlausible allows for it. */
  readonly promptEchoed?: boolean | undefined;
}

/** The outcome before anything happened (the relays fill it in as the request runs). */
export function emptyOutcome(): { -readonly [K in keyof Outcome]: Outcome[K] } {
  return {
    usage: undefined,
    generatedText: '',
    upstreamWorked: false,
    upstreamSeconds: 0,
    abort: undefined,
    finishLength: false,
    countedOut: undefined,
  };
}

export interface ChargePlan {
  readonly cost: ModelCost;
  /** The model's encoding: counts what was served when the engine reported no usage. */
  readonly encoding: Encoding;
  readonly inputTokens: number;
  readonly inputExact: boolean;
  /** Input tokens the reservation holds (inputTokens under the learnt factor). */
  readonly reservedInputTokens: number;
  readonly estimate: number;
  readonly rawTokens: number;
  readonly maxOut: number;
  readonly n: number;
  /** The reservation holds budget lines: a charge above the estimate is an overrun (logged and counted). */
  readonly budgeted: boolean;
  /** What the engine's prompt_tokens is checked against (promptBand). */
  readonly input: InputShape;
}

/** The input as settlement checks an engine's prompt_tokens against it (inputShape). */
export interface InputShape {
  /** UTF-8 bytes of the texts (messages, names, tool calls and definitions, prompts, suffix). */
  readonly textBytes: number;
  readonly texts: number;
  /** InputText.overhead: framing, media estimates and token ids (the part of the count not from texts). */
  readonly overhead: number;
  /** Chat framing in the overhead (PER_MESSAGE_TOKENS a message, REPLY_PRIMING_TOKENS). */
  readonly framing: number;
  /** Image and audio parts. */
  readonly mediaParts: number;
  /** Token ids of a token-id prompt (the engine counts them as they are). */
  readonly tokenIds: number;
}

/** The shape of a request's countable input (one pass over its texts for their byte length). */
export function inputShape(input: InputText): InputShape {
  let textBytes = 0;
  for (const t of input.texts) textBytes += Buffer.byteLength(t, 'utf8');
  const mediaParts = input.mediaParts ?? 0;
  const nonText = input.nonText ?? 0;
  // nonText is media estimates (chat) or token ids (prompts), never both
  const tokenIds = mediaParts > 0 ? 0 : nonText;
  return {
    textBytes,
    texts: input.texts.length,
    overhead: input.overhead,
    framing: input.overhead - nonText,
    mediaParts,
    tokenIds,
  };
}

/**
 * How many times fewer tokens the engine's tokenizer may count for a text than the gateway's encoding. OpenAI
 * documents o200k_base needing up to 4.4× fewer tokens than cl100k_base (Gujarati; GPT-4o announcement, 2024-05);
 * measured on one sentence each (charge.test.ts): Gujarati 83 / 14 = 5.9×, Telugu 5.3×, Tamil 4.3×, Hindi 3.0×,
 * Russian 2.6×, Chinese 1.6×, English 1.0×. 8 leaves room for larger vocabularies still (Gemma's 262k). An engine
 * reporting fewer than the gateway's exact count of the texts / 8 (plus token ids) under-reports its input.
 */
export const PROMPT_TOKENIZER_FACTOR = 8;
/**
 * Chat templates differ from the OpenAI framing the gateway counts (4 a message, 3 for the reply): Llama 3,
 * Mistral, Gemma and Qwen spend 4-10 special and header tokens a message, so each framing token may be up to
 * this many engine tokens.
 */
export const TEMPLATE_TOKENS_PER_FRAMING_TOKEN = 4;
/**
 * Text a template adds once: a default system prompt (Qwen2.5's 20 tokens, Llama 3.1's dated preamble ~25),
 * the instructions around tool definitions (Llama 3.1 / Hermes ~100-300), tools rendered indented.
 */
export const TEMPLATE_ALLOWANCE_TOKENS = 1024;
/**
 * Tokens an engine may add around each text besides its bytes: BOS and EOS, an embedding model's [CLS] and [SEP]
 * per input, a SentencePiece dummy-prefix piece.
 */
export const PER_TEXT_SPECIAL_TOKENS = 2;

/** The plausible range of an engine's prompt_tokens for an input (promptBand). */
export interface PromptBand {
  readonly low: number;
  readonly high: number;
}

/**
 * Where an engine's prompt_tokens must lie for the input sent: `textTokens` is the gateway's count of the texts
 * (exact, or their byte length when not counted: see needsInputCount).
 * - high: the texts' UTF-8 bytes — every token of a byte-level BPE (tiktoken, Llama 3, Qwen, GPT-2) or a
 *   byte-fallback SentencePiece (Llama 2, Mistral, Gemma) covers at least one byte; PER_TEXT_SPECIAL_TOKENS
 *   more per text — plus the framing × TEMPLATE_TOKENS_PER_FRAMING_TOKEN,
 *   TEMPLATE_ALLOWANCE_TOKENS when there is chat framing (a template), MEDIA_MAX_TOKENS a media part (the gateway's estimate only reserves: a remote
 *   image is estimated 2,048, an engine may count 16,384) and the token ids.
 * - low: textTokens / PROMPT_TOKENIZER_FACTOR plus the token ids; media parts and framing add nothing (an
 *   engine may count an image at a few tokens; a completions prompt has no template).
 */
export function promptBand(s: InputShape, textTokens: number): PromptBand {
  return {
    low: Math.floor(textTokens / PROMPT_TOKENIZER_FACTOR) + s.tokenIds,
    high:
      s.textBytes +
      s.texts * PER_TEXT_SPECIAL_TOKENS +
      s.framing * TEMPLATE_TOKENS_PER_FRAMING_TOKEN +
      // only a chat template adds text once; a completions prompt or an embeddings input has none beyond a BOS/EOS
      // pair (re-check 2026-12-03: completions 'Hi' could be charged 1,028 tokens by a lying engine, unflagged)
      (s.framing > 0 ? TEMPLATE_ALLOWANCE_TOKENS : PER_TEXT_SPECIAL_TOKENS) +
      s.mediaParts * MEDIA_MAX_TOKENS +
      s.tokenIds,
  };
}

/** The input tokens charged for an engine's prompt_tokens: the report inside the band, else the bound it crossed. */
export function promptCharged(reported: number, band: PromptBand): { tokens: number; outside?: 'high' | 'low' } {
  if (reported > band.high) return { tokens: band.high, outside: 'high' };
  if (reported < band.low) return { tokens: band.low, outside: 'low' };
  return { tokens: reported };
}

/** The charge plan of a request plan: what settlement needs of it, the model's cost and encoding. */
export function chargePlanOf(
  plan: RequestPlan,
  cost: ModelCost,
  encoding: Encoding,
  budgeted: boolean,
  input: InputShape,
): ChargePlan {
  return {
    cost,
    encoding,
    inputTokens: plan.inputTokens,
    inputExact: plan.inputExact,
    reservedInputTokens: plan.reservedInputTokens,
    estimate: plan.estimate,
    rawTokens: plan.rawTokens,
    maxOut: plan.maxOut,
    n: plan.n,
    budgeted,
    input,
  };
}

/**
 * usage: the engine's report (checked against what was served, usagePlausible); reservation: cut while working with nothing to count (charged in full);
 * served: no report, count what was served; nothing: refused or unreachable before any work.
 */
export type ChargeBasis = 'usage' | 'reservation' | 'served' | 'nothing';

export interface Charge {
  readonly basis: ChargeBasis;
  readonly tokensIn: number;
  readonly tokensOut: number;
  /** Cost of the actual usage. */
  readonly actual: number;
  /**
   * What is charged: the actual cost, also above the reservation (the engine's input count within promptBand, output no more
   * than was served when cut and never more than max_tokens per sequence, measured GPU time). Budgets may end a window above their limit by that overrun.
   */
  readonly cost: number;
  /** The actual cost was above the reservation (charged, logged and counted). */
  readonly overrun: boolean;
  /** The output stopped at the effective max_tokens (anomaly detection's capHit). */
  readonly hitCap: boolean;
  /**
   * The engine's completion_tokens when it was implausibly low against what was served (usagePlausible) and the
   * served text, counted exactly, was charged instead (the larger of the two); undefined otherwise.
   */
  readonly underReportedOut?: number | undefined;
  /**
   * The engine's prompt_tokens when outside the plausible band for the input sent (promptBand) and the bound it
   * crossed was charged instead (tokensIn); undefined otherwise.
   */
  readonly engineTokensIn?: number | undefined;
}

/**
 * No tokenizer's token is this many UTF-8 bytes on average over a whole answer: an engine reporting fewer output
 * tokens than served bytes / MAX_BYTES_PER_TOKEN under-reports (a bug, or a compromised engine draining GPU time
 * without budget), and the served text is counted.
 */
export const MAX_BYTES_PER_TOKEN = 8;

/**
 * The engine's output count is plausible for the text served: completion_tokens >= bytes / MAX_BYTES_PER_TOKEN.
 * Cheap (no tokenizing): most answers are decided on the text's length, the rest with one byte count.
 */
export function usagePlausible(completionTokens: number, served: string): boolean {
  const floor = completionTokens * MAX_BYTES_PER_TOKEN;
  if (served.length * 3 <= floor) return true; // a UTF-16 code unit is at most 3 UTF-8 bytes
  if (served.length > floor) return false; // at least one byte per code unit
  return Buffer.byteLength(served, 'utf8') <= floor;
}

export function chargeBasis(o: Outcome): ChargeBasis {
  if (o.usage) return 'usage';
  if (o.generatedText.length === 0 && (o.abort === 'client' || o.abort === 'timeout')) return 'reservation';
  if (o.upstreamWorked || o.generatedText.length > 0) return 'served';
  return 'nothing';
}

/**
 * Settlement of this outcome needs the input counted exactly (it was only bounded before): a served charge, or an
 * engine's prompt_tokens below what the byte bound alone shows plausible (promptBand's low with the texts' bytes
 * as their count, which no exact count exceeds).
 */
export function needsInputCount(p: ChargePlan, o: Outcome): boolean {
  if (p.inputExact) return false;
  const basis = chargeBasis(o);
  if (basis === 'served') return true;
  return basis === 'usage' && o.usage!.prompt_tokens < promptBand(p.input, p.input.textBytes).low;
}

/** The gateway's count of the texts: exact when counted at admission or settlement, else their byte bound. */
function textTokens(p: ChargePlan, countedInput: number | undefined): number {
  if (p.inputExact) return p.inputTokens - p.input.overhead;
  return countedInput !== undefined ? countedInput - p.input.overhead : p.input.textBytes;
}

/** `countedInput`: the exact input count when needsInputCount said so. */
export function chargeFor(p: ChargePlan, o: Outcome, countedInput?: number): Charge {
  const basis = chargeBasis(o);
  const [tokensIn, tokensOut, underReportedOut, engineTokensIn] = tokensFor(basis, p, o, countedInput);
  const worked = o.upstreamWorked || o.abort !== undefined;
  const actual =
    p.cost.unit === 'tokens'
      ? estimateCost(p.cost, tokensIn, tokensOut)
      : worked
        ? gpuCost(p.cost, o.upstreamSeconds)
        : 0;
  const hitCap = o.finishLength || (p.maxOut > 0 && tokensOut >= p.maxOut * p.n);
  return {
    basis,
    tokensIn,
    tokensOut,
    actual,
    cost: actual,
    overrun: p.budgeted && actual > p.estimate + 1e-9,
    hitCap,
    ...(underReportedOut !== undefined ? { underReportedOut } : {}),
    ...(engineTokensIn !== undefined ? { engineTokensIn } : {}),
  };
}

function tokensFor(
  basis: ChargeBasis,
  p: ChargePlan,
  o: Outcome,
  countedInput: number | undefined,
): [number, number, (number | undefined)?, (number | undefined)?] {
  switch (basis) {
    case 'usage': {
      // the engine's input count within the band the input sent allows (red team 2026-12-03 N2: prompt_tokens
      // 1e9 was charged and emptied a day's budget; 1 under-billed)
      const input = promptCharged(o.usage!.prompt_tokens, promptBand(p.input, textTokens(p, countedInput)));
      const reported = o.usage!.completion_tokens;
      // the engine's count, unless implausibly low against what was served: then the larger of it and the
      // served text counted exactly (red team 2026-12-02 F3: 1 token reported for ~1,100 served); an echoed
      // prompt is served too, and counted by the engine as input
      const echoed = o.promptEchoed === true ? input.tokens : 0;
      const implausible = !usagePlausible(reported + echoed, o.generatedText);
      const counted = implausible ? Math.max(reported, countText(p.encoding, o.generatedText) - echoed) : reported;
      // never above what the engine was allowed to generate: max_tokens (the effective cap it was sent) per
      // sequence (red team 2026-12-02 N1: 1e9 completion tokens reported for 2 served were charged)
      const out = p.maxOut > 0 ? Math.min(counted, p.maxOut * p.n) : counted;
      return [
        input.tokens,
        o.countedOut !== undefined ? Math.min(out, o.countedOut) : out,
        implausible ? reported : undefined,
        input.outside !== undefined ? o.usage!.prompt_tokens : undefined,
      ];
    }
    case 'reservation':
      // Cut while the engine was working, with nothing to count: the work done is unknown, so the
      // reservation is charged in full — budgets never overspend.
      return [p.reservedInputTokens, p.rawTokens - p.reservedInputTokens];
    case 'served':
      return [
        p.inputExact ? p.inputTokens : (countedInput ?? p.inputTokens),
        o.countedOut ?? countText(p.encoding, o.generatedText),
      ];
    case 'nothing':
      return [0, 0];
  }
}
