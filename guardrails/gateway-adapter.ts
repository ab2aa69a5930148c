// The guardrails as the gateway's output transform (gateway/transform.ts): one OutputStream per choice index,
// so n > 1 streams are scanned independently; a canary or an exfiltration finding in mode block sets the verdict
// (the relay then sends an error event instead of the rest); with structured output enforced and a JSON schema
// requested, a choice is held back whole and validated before it is released.
//
// With an output check in the policy (outputCheck), an OutputJudgeTransform (output-judge.ts) follows the guard in
// the chain: it sees the text the client would get (after redaction) and its review() holds the relay's output
// until the judge has answered (ReviewGate, gateway/upstream/review.ts).
//
// Wiring (gateway/services.ts): `transforms: [guardrailsTransform({ onFinding, onBlock })]`, and pass the request
// body in the TransformContext as `requestBody` (see GuardTransformContext) for structured output, and
// `judgeFor` for the output check.
import {
  ATOMIC_CHANNEL_BASE,
  isJsonChannel,
  SIDE_CHANNEL_BASE,
  type OutputTransform,
  type OutputTransformFactory,
  type TransformContext,
  type Verdict,
} from './transform.ts';
import { compileGuard, type Guard, type OutputResult, type OutputStream } from './guard.ts';
import { OutputJudgeTransform, type OutputJudgeHooks } from './output-judge.ts';
import type { Finding } from './scanner.ts';
import { requestedFormat, validateOutput, type OutputFormat } from './structured.ts';

export interface GuardTransformContext extends TransformContext {
  /** The (validated) request body: its `response_format` drives structured-output enforcement. */
  readonly requestBody?: unknown;
}

export type BlockReason = 'canary' | 'exfiltration' | 'structured_output';

export interface GuardTransformHooks extends OutputJudgeHooks {
  /** Every finding released (for tollgate_redactions_total{detector} and the audit line). Never carries text. */
  onFinding?: (ctx: TransformContext, finding: Finding) => void;
  /** A response was stopped (for tollgate_guardrail_blocks_total{check}). */
  onBlock?: (ctx: TransformContext, reason: BlockReason, detector: string) => void;
}

const MESSAGES: Record<BlockReason, string> = {
  canary: 'The response was blocked by an output guardrail: it contained a system-prompt canary.',
  exfiltration:
    'The response was blocked by an output guardrail: it contained links, images or HTML pointing outside the allowed hosts.',
  structured_output: 'The response was blocked by an output guardrail: it did not match the requested JSON schema.',
};

class GuardTransform implements OutputTransform {
  readonly #guard: Guard;
  readonly #ctx: TransformContext;
  readonly #hooks: GuardTransformHooks;
  readonly #format: OutputFormat | undefined;
  /** The main text is JSON (a JSON response_format was requested, enforced or not). */
  readonly #jsonMain: boolean;
  readonly #streams = new Map<number, OutputStream>();
  readonly #held = new Map<number, string>();
  #verdict: Verdict | undefined;

  constructor(
    guard: Guard,
    ctx: TransformContext,
    hooks: GuardTransformHooks,
    format: OutputFormat | undefined,
    jsonMain: boolean,
  ) {
    this.#guard = guard;
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.#format = format;
    this.#jsonMain = jsonMain;
  }

  push(index: number, text: string): string {
    if (this.#verdict) return '';
    return this.#release(index, this.#stream(index).push(text), false);
  }

  flush(index: number): string {
    if (this.#verdict) return '';
    const out = this.#release(index, this.#stream(index).end(), true);
    this.#streams.delete(index);
    return out;
  }

  verdict(): Verdict | undefined {
    return this.#verdict;
  }

  #stream(index: number): OutputStream {
    let s = this.#streams.get(index);
    if (!s) {
      // tool-call arguments and JSON-formatted content are JSON: rewrites there keep it valid (markdown.ts)
      const json = isJsonChannel(index) || (index < SIDE_CHANNEL_BASE && this.#jsonMain);
      s = this.#guard.streamOutput(json ? 'json' : 'markdown');
      this.#streams.set(index, s);
    }
    return s;
  }

  #release(index: number, r: OutputResult, last: boolean): string {
    for (const f of r.findings) this.#hooks.onFinding?.(this.#ctx, f);
    if (r.blocked) return this.#block(r.blocked.check, r.blocked.detector);
    if (!this.#format || index >= SIDE_CHANNEL_BASE) return r.text; // the schema applies to the main text only
    const held = (this.#held.get(index) ?? '') + r.text;
    if (!last) {
      this.#held.set(index, held);
      return '';
    }
    this.#held.delete(index);
    const v = validateOutput(held, this.#format);
    return v.valid ? held : this.#block('structured_output', v.errors[0] ?? 'invalid');
  }

  #block(reason: BlockReason, detector: string): string {
    this.#verdict = { code: 'output_blocked', message: MESSAGES[reason], reason };
    this.#hooks.onBlock?.(this.#ctx, reason, detector);
    return '';
  }
}

/** The output-transform factory the gateway registers. */
export function guardrailsTransform(hooks: GuardTransformHooks = {}): OutputTransformFactory {
  return {
    name: 'guardrails',
    create(ctx) {
      const guard = compileGuard(ctx.tenant.guardrails);
      const body = (ctx as GuardTransformContext).requestBody;
      const requested = requestedFormat(body);
      const format =
        guard.config.structuredOutput.enforce && ctx.endpoint === 'chat.completions' ? requested : undefined;
      const first =
        guard.hasOutputRules || format
          ? new GuardTransform(guard, ctx, hooks, format, requested !== undefined)
          : undefined;
      const oc = ctx.tenant.guardrails.outputCheck;
      const judge =
        oc && oc.mode !== 'off' && ctx.judgeFor
          ? new OutputJudgeTransform(ctx.judgeFor(oc.judge), oc, ctx, hooks)
          : undefined;
      if (!first || !judge) return first ?? judge;
      return chain(first, judge);
    },
  };
}

/** The guard, then the output judge: the judge sees what the guard released, and its review holds the relay. */
function chain(first: OutputTransform, judge: OutputJudgeTransform): OutputTransform {
  return {
    // short values scanned one at a time (ids, names: gateway/transform.ts) are not sent to the judge
    push: (index, text) =>
      index >= ATOMIC_CHANNEL_BASE ? first.push(index, text) : judge.push(index, first.push(index, text)),
    flush: (index) =>
      index >= ATOMIC_CHANNEL_BASE ? first.flush(index) : judge.push(index, first.flush(index)) + judge.flush(),
    verdict: () => first.verdict() ?? judge.verdict(),
    review: (final) => judge.review(final),
  };
}
