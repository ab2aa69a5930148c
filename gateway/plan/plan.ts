// planRequest: once the input is counted, everything the gateway decides before calling the store — the
// effective max_tokens, the pre-flight cost, the budget lines to charge, the tpm amount — and the refusals a
// request can never get past (context, a single request above a budget or tpm: planRefusal). Pure.
import type { CfgBudgetLine, CfgLimits, CfgModel } from '../../api/gateway-config.ts';
import { GatewayError } from '../errors.ts';
import type { Endpoint } from '../request.ts';
import type { BudgetCharge } from '../store/types.ts';
import type { Bounds } from './bounds.ts';
import { estimateCost, round3, type ModelCost } from './cost.ts';
import { reservedInput } from './input-ratio.ts';

export interface PlanInput {
  readonly limits: CfgLimits;
  /** The tenant's budget lines in the model's cost unit. */
  readonly budgetLines: readonly CfgBudgetLine[];
  readonly cost: ModelCost;
  readonly bounds: Bounds;
  readonly endpoint: Endpoint;
  readonly n: number;
  readonly requestedMaxTokens: number | undefined;
  readonly input: { readonly tokens: number; readonly exact: boolean };
  /** The model's learnt engine/estimate input factor (input-ratio.ts): scales the reservation only. Absent: 1. */
  readonly inputReserveFactor?: number | undefined;
}

export interface RequestPlan {
  readonly inputTokens: number;
  readonly inputExact: boolean;
  /** Input tokens reserved: inputTokens under the model's learnt factor (>= inputTokens). */
  readonly reservedInputTokens: number;
  /** The effective max_tokens per choice (0: embeddings). */
  readonly maxOut: number;
  readonly n: number;
  /** Pre-flight cost in the model's unit (what is reserved). */
  readonly estimate: number;
  /** input + n × maxOut raw tokens (tpm). */
  readonly rawTokens: number;
  readonly budgets: readonly BudgetCharge[];
  readonly tpm: { readonly limit: number; readonly amount: number } | undefined;
  readonly rpm: number | undefined;
  readonly concurrency: number | undefined;
}

/** Throws context_length_exceeded (no room for output); otherwise the plan (see planRefusal). */
export function planRequest(i: PlanInput): RequestPlan {
  const { limits: lim, bounds: b } = i;
  let maxOut = 0;
  if (i.endpoint !== 'embeddings') {
    maxOut = Math.min(i.requestedMaxTokens ?? b.outCap, b.outCap, b.context - i.input.tokens);
    if (maxOut < 1)
      throw new GatewayError(
        'context_length_exceeded',
        `Input leaves no room for output in the ${b.context}-token context.`,
      );
  }
  const outTokens = i.n * maxOut;
  // the learnt correction moves what is reserved, never the caps above
  const reserveIn = reservedInput(i.input.tokens, i.inputReserveFactor ?? 1);
  const estimate = estimateCost(i.cost, reserveIn, outTokens);
  const rawTokens = reserveIn + outTokens;
  const unit = i.cost.unit;
  const budgets: BudgetCharge[] = i.budgetLines.map((l) => ({
    unit,
    windowSeconds: l.windowSeconds,
    limit: l.limit,
    amount: estimate,
  }));
  const tpm = lim.tokensPerMinute;
  return {
    inputTokens: i.input.tokens,
    inputExact: i.input.exact,
    reservedInputTokens: reserveIn,
    maxOut,
    n: i.n,
    estimate,
    rawTokens,
    budgets,
    tpm: tpm === undefined ? undefined : { limit: tpm, amount: rawTokens },
    rpm: lim.requestsPerMinute,
    concurrency: lim.concurrency,
  };
}

/** A request that can never fit, however long it waits: one request above a budget line or above tpm. */
export function planRefusal(plan: RequestPlan, unit: string): GatewayError | undefined {
  for (const l of plan.budgets) {
    if (l.amount > l.limit)
      return new GatewayError(
        'request_exceeds_budget',
        `The estimated cost (${round3(plan.estimate)} ${unit}) is above the budget of ${l.limit} per ${l.windowSeconds}s; lower max_tokens or n.`,
      );
  }
  if (plan.tpm !== undefined && plan.rawTokens > plan.tpm.limit)
    return new GatewayError(
      'request_exceeds_tpm',
      `The estimated ${plan.rawTokens} tokens are above the limit of ${plan.tpm.limit} per minute; lower max_tokens or n.`,
    );
  return undefined;
}

/** Without enforcement (benchmark floor): the caller's max_tokens or the model's, nothing counted or reserved. */
export function planUnenforced(
  model: Pick<CfgModel, 'maxOutputTokens'>,
  requestedMaxTokens: number | undefined,
  n: number,
): RequestPlan {
  const maxOut = requestedMaxTokens ?? model.maxOutputTokens ?? 256;
  return {
    inputTokens: 0,
    inputExact: false,
    reservedInputTokens: 0,
    maxOut,
    n,
    estimate: 0,
    rawTokens: 0,
    budgets: [],
    tpm: undefined,
    rpm: undefined,
    concurrency: undefined,
  };
}

/**
 * The body sent upstream: the caller's, with the effective max_tokens (and max_completion_tokens when given)
 * and, for streams, include_usage (settlement reads the engine's count). A new object; the caller's is kept.
 */
export function upstreamBody(
  body: Readonly<Record<string, unknown>>,
  endpoint: Endpoint,
  stream: boolean,
  maxOut: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  if (endpoint !== 'embeddings') {
    out.max_tokens = maxOut;
    if (out.max_completion_tokens !== undefined) out.max_completion_tokens = maxOut;
  }
  if (stream) out.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
  return out;
}
