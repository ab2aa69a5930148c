// Budgets and rate limits: shared by LLMTenant (requested) and LLMPolicy (granted).
import { z } from 'zod';
import { describe, duration } from '../meta.ts';

export const BudgetLine = z.strictObject({
  limit: describe(z.number().min(0).max(1e15), 'Budget units per window (weighted tokens or GPU-seconds).'),
  window: describe(duration().default('24h'), 'Fixed window length, aligned to the Unix epoch (e.g. 1h, 24h, 30d).'),
});
export type BudgetLine = z.infer<typeof BudgetLine>;

export const Budget = z.strictObject({
  tokens: describe(BudgetLine.optional(), 'Weighted tokens (input x inputTokenWeight + output x outputTokenWeight) per window.'),
  gpuSeconds: describe(BudgetLine.optional(), 'GPU-seconds (x gpuSecondWeight) per window, for models that charge GPU time.'),
});
export type Budget = z.infer<typeof Budget>;

export const RateLimits = z.strictObject({
  requestsPerMinute: z.int().min(0).max(10_000_000).optional(),
  tokensPerMinute: z.int().min(0).max(1e12).optional(),
  concurrency: describe(z.int().min(0).max(100_000).optional(), 'Requests in flight at once.'),
});
export type RateLimits = z.infer<typeof RateLimits>;

export const RequestLimits = z.strictObject({
  maxInputTokens: z.int().min(1).max(10_000_000).optional(),
  maxOutputTokens: describe(z.int().min(1).max(10_000_000).optional(), 'Caps max_tokens; also the value used when the caller omits it.'),
  maxN: describe(z.int().min(1).max(128).optional(), 'Largest "n" (choices per request).'),
  maxRequestBytes: z.int().min(1024).max(64 * 1024 * 1024).optional(),
});
export type RequestLimits = z.infer<typeof RequestLimits>;
