// Request bounds known before the input is counted: the output cap, the input limit, how far counting has
// to go and whether it has to be exact. Pure: the tenant's limits, the model and the request's shape in,
// numbers (or a refusal) out.
import type { CfgBudgetLine, CfgLimits, CfgModel } from '../../api/gateway-config.ts';
import { GatewayError } from '../errors.ts';
import type { Endpoint } from '../request.ts';

export interface BoundsInput {
  readonly limits: CfgLimits;
  /** The tenant's budget lines in the model's cost unit. */
  readonly budgetLines: readonly CfgBudgetLine[];
  readonly model: Pick<CfgModel, 'contextLength' | 'maxInputTokens' | 'maxOutputTokens' | 'cost'>;
  readonly endpoint: Endpoint;
  /** Sequences generated: max(n, best_of) × the prompts of a completions batch (request.ts). */
  readonly n: number;
  /** `best_of` was the parameter that asked for n (named in the refusal). */
  readonly nFromBestOf: boolean;
  /** Prompts in a completions batch (absent: 1); a batch above maxN names `prompt`. */
  readonly batch?: number | undefined;
  /** A cheap upper bound of the input tokens (bytes-based, tokens.ts upperBound). */
  readonly inputBound: number;
}

export interface Bounds {
  readonly context: number;
  /** min(tenant, model) maxInputTokens. */
  readonly maxIn: number | undefined;
  /** The max_tokens cap (0 for embeddings). */
  readonly outCap: number;
  /** Count at most this many tokens (+1): past it the request is refused anyway. */
  readonly countLimit: number | undefined;
  /** A number we reserve or check depends on the exact count; otherwise the byte bound decides. */
  readonly needExact: boolean;
}

export function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** Throws n_too_large (maxN bounds the sequences a request generates, a batch's included); otherwise the bounds. */
export function requestBounds(i: BoundsInput): Bounds {
  const lim = i.limits;
  const batch = i.batch ?? 1;
  if (i.n > lim.maxN) {
    if (batch > 1)
      throw new GatewayError(
        'n_too_large',
        `A prompt batch generates one completion per prompt × n: ${lim.maxN} at most per request.`,
        { param: 'prompt' },
      );
    throw new GatewayError('n_too_large', `n may be at most ${lim.maxN}.`, { param: i.nFromBestOf ? 'best_of' : 'n' });
  }
  const context = i.model.contextLength;
  const maxIn = minDefined(lim.maxInputTokens, i.model.maxInputTokens);
  const outCap =
    i.endpoint === 'embeddings' ? 0 : (minDefined(lim.maxOutputTokens, i.model.maxOutputTokens) ?? lim.maxOutputTokens);
  const needExact =
    (i.model.cost.unit === 'tokens' && i.budgetLines.length > 0) ||
    lim.tokensPerMinute !== undefined ||
    i.inputBound + Math.max(outCap, 1) > context;
  const limit = Math.min(maxIn ?? Infinity, context - 1);
  return { context, maxIn, outCap, countLimit: Number.isFinite(limit) ? limit : undefined, needExact };
}

/** Throws input_too_long / context_length_exceeded for a counted input. */
export function checkInputFits(b: Bounds, inputTokens: number): void {
  if (b.maxIn !== undefined && inputTokens > b.maxIn)
    throw new GatewayError('input_too_long', `Input has more than ${b.maxIn} tokens.`);
  if (inputTokens >= b.context)
    throw new GatewayError('context_length_exceeded', `Input does not fit the ${b.context}-token context.`);
}
