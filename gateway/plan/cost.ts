// Budget units for a request: the pre-flight estimate and, with the same formula, what actual usage costs.
import type { CfgModel } from '../../api/gateway-config.ts';

export type ModelCost = CfgModel['cost'];

/** Budget units for `inputTokens` in and `outputTokens` out (tokens: weighted; gpuSeconds: estimated time). */
export function estimateCost(cost: ModelCost, inputTokens: number, outputTokens: number): number {
  if (cost.unit === 'tokens') return inputTokens * cost.inputTokenWeight + outputTokens * cost.outputTokenWeight;
  // GPU time: decode at the model's estimated throughput, prefill ~20x faster.
  const seconds =
    outputTokens / cost.estimatedOutputTokensPerSecond + inputTokens / (cost.estimatedOutputTokensPerSecond * 20);
  return gpuCost(cost, seconds);
}

/** Budget units for `seconds` of upstream time (gpuSeconds models settle on the time measured). */
export function gpuCost(cost: ModelCost, seconds: number): number {
  return seconds * Math.max(1, cost.gpusPerReplica) * cost.gpuSecondWeight;
}

/** Three decimals, for audit lines and messages. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
