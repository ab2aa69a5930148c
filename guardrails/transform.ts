// The output-guardrail seam, owned by the guardrails: output transforms (redaction with a holdback window,
// canaries, markdown exfiltration neutralising, an output judge) see generated text per channel, in order, and
// decide what is released. The same interface serves streaming (text arrives delta by delta; a transform may hold
// text back until it can decide, e.g. a secret split across chunks) and non-streaming (one push per channel, then
// flush). The gateway composes and drives them (gateway/transform.ts); guardrails never import the gateway.
import type { CfgJudge, CfgModel, CfgTenant } from '../api/gateway-config.ts';
import type { Judge } from './judge.ts';

export interface TransformContext {
  readonly requestId: string;
  readonly tenant: CfgTenant;
  readonly model: CfgModel;
  readonly endpoint: 'chat.completions' | 'completions';
  readonly stream: boolean;
  /** The validated request body (structured-output enforcement reads `response_format`). */
  readonly requestBody?: unknown;
  /** Builds the judge a policy names (its model's upstream and credential), for an output check. */
  readonly judgeFor?: (spec: CfgJudge) => Judge;
}

export interface Verdict {
  readonly code: 'output_blocked';
  readonly message: string;
  /** Machine-readable reason for audit and metrics (e.g. `canary`, `secret`). */
  readonly reason: string;
}

/** One instance per response. */
export interface OutputTransform {
  /** Text generated for choice `index`; returns the text that may be released now (can hold some back). */
  push(index: number, text: string): string;
  /** Choice `index` ended (finish_reason, or end of stream): returns everything still held back. */
  flush(index: number): string;
  /** Set once the response must stop: the client gets an error instead of the rest of the output. */
  verdict(): Verdict | undefined;
  /**
   * Optional asynchronous review of what push/flush released (an output judge). The relay awaits it before the
   * released text goes out: 'release' sends everything released so far, 'hold' keeps it back for a later call to
   * cover; `final` is true once the upstream response has ended. A refusal sets verdict().
   */
  review?(final: boolean): Promise<'release' | 'hold'>;
}

export interface OutputTransformFactory {
  readonly name: string;
  /** Undefined when this transform has nothing to do for this tenant/model. */
  create(ctx: TransformContext): OutputTransform | undefined;
}

/**
 * Channel indices passed to push/flush. Below SIDE_CHANNEL_BASE: a choice's main text (chat `content`, completion
 * `text`), indexed by the choice index. [SIDE_CHANNEL_BASE, ATOMIC_CHANNEL_BASE): another text field of a choice
 * (reasoning, refusal, tool-call arguments, audio transcript, logprobs tokens), streamed like the main text but not
 * subject to structured-output validation; of those, [JSON_CHANNEL_BASE, ATOMIC_CHANNEL_BASE) are fields whose text
 * is JSON (tool-call and function-call arguments), which a rewrite must keep valid JSON. From ATOMIC_CHANNEL_BASE:
 * one short value scanned on its own (an id, a tool name, a logprobs alternative): pushed and flushed at once, not
 * sent to an output judge.
 */
export const SIDE_CHANNEL_BASE = 1 << 20;
export const JSON_CHANNEL_BASE = 1 << 28;
export const ATOMIC_CHANNEL_BASE = 1 << 29;

/** A side channel whose text is JSON (tool-call / function-call arguments). */
export const isJsonChannel = (index: number): boolean => index >= JSON_CHANNEL_BASE && index < ATOMIC_CHANNEL_BASE;
