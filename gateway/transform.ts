// The output-guardrail seam. Output transforms (redaction with a holdback window, canaries, markdown
// exfiltration neutralising — a later issue) see generated text per choice, in order, and decide what is
// released. The same interface serves streaming (text arrives delta by delta; a transform may hold text
// back until it can decide, e.g. a secret split across chunks) and non-streaming (one push per choice, then
// flush). With no transform configured the relay forwards upstream bytes untouched.
import type { CfgJudge, CfgModel, CfgTenant } from '../api/gateway-config.ts';
import type { Judge } from '../guardrails/judge.ts';

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

/** Chain transforms: the output of one is the input of the next. */
export function composeTransforms(
  factories: readonly OutputTransformFactory[],
  ctx: TransformContext,
): OutputTransform | undefined {
  const list = factories.map((f) => f.create(ctx)).filter((t): t is OutputTransform => t !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return {
    push(index, text) {
      let t = text;
      for (const x of list) t = x.push(index, t);
      return t;
    },
    flush(index) {
      let carry = '';
      for (const x of list) carry = x.push(index, carry) + x.flush(index);
      return carry;
    },
    verdict() {
      for (const x of list) {
        const v = x.verdict();
        if (v) return v;
      }
      return undefined;
    },
    ...(list.some((x) => x.review)
      ? {
          async review(final: boolean) {
            let d: 'release' | 'hold' = 'release';
            for (const x of list) if (x.review && (await x.review(final)) === 'hold') d = 'hold';
            return d;
          },
        }
      : {}),
  };
}

/** Non-streamed: after every choice went through push/flush, the review's verdict (undefined: release). */
export async function reviewCompletion(t: OutputTransform): Promise<Verdict | undefined> {
  if (!t.review) return t.verdict();
  await t.review(true);
  return t.verdict();
}

/**
 * Channel indices passed to push/flush. Below SIDE_CHANNEL_BASE: a choice's main text (chat `content`, completion
 * `text`), indexed by the choice index. [SIDE_CHANNEL_BASE, ATOMIC_CHANNEL_BASE): another text field of a choice
 * (reasoning, refusal, tool-call arguments, audio transcript, logprobs tokens), streamed like the main text but not
 * subject to structured-output validation. From ATOMIC_CHANNEL_BASE: one short value scanned on its own (an id, a
 * tool name, a logprobs alternative): pushed and flushed at once, not sent to an output judge.
 */
export const SIDE_CHANNEL_BASE = 1 << 20;
export const ATOMIC_CHANNEL_BASE = 1 << 29;
