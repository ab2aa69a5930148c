// Budgets and rate limits: shared by LLMTenant (requested) and LLMPolicy (granted).
import { z } from 'zod';
import { describe, duration, withRules } from '../meta.ts';

export const BudgetLine = withRules(
  z.strictObject({
    limit: describe(z.number().max(1e15), 'Budget units per window (weighted tokens or GPU-seconds).'),
    window: describe(duration().default('24h'), 'Fixed window length, aligned to the Unix epoch (e.g. 1h, 24h, 30d).'),
  }),
  [
    {
      rule: 'self.limit >= 0',
      message: 'budget limit must not be negative',
      fieldPath: '.limit',
      check: (v) => v.limit >= 0,
    },
  ],
);
export type BudgetLine = z.infer<typeof BudgetLine>;

export const Budget = z.strictObject({
  tokens: describe(
    BudgetLine.optional(),
    'Weighted tokens (input x inputTokenWeight + output x outputTokenWeight) per window.',
  ),
  gpuSeconds: describe(
    BudgetLine.optional(),
    'GPU-seconds (x gpuSecondWeight) per window, for models that charge GPU time.',
  ),
});
export type Budget = z.infer<typeof Budget>;

export const RateLimits = withRules(
  z.strictObject({
    requestsPerMinute: z.int().max(10_000_000).optional(),
    tokensPerMinute: z.int().max(1e12).optional(),
    concurrency: describe(z.int().max(100_000).optional(), 'Requests in flight at once.'),
  }),
  [
    {
      rule: '(!has(self.requestsPerMinute) || self.requestsPerMinute >= 0) && (!has(self.tokensPerMinute) || self.tokensPerMinute >= 0) && (!has(self.concurrency) || self.concurrency >= 0)',
      message: 'rate limits must not be negative',
      check: (v) => [v.requestsPerMinute, v.tokensPerMinute, v.concurrency].every((x) => x === undefined || x >= 0),
    },
  ],
);
export type RateLimits = z.infer<typeof RateLimits>;

export const RequestLimits = z.strictObject({
  maxInputTokens: z.int().min(1).max(10_000_000).optional(),
  maxOutputTokens: describe(
    z.int().min(1).max(10_000_000).optional(),
    'Caps max_tokens; also the value used when the caller omits it.',
  ),
  maxN: describe(z.int().min(1).max(128).optional(), 'Largest "n" (choices per request).'),
  maxRequestBytes: z
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .optional(),
});
export type RequestLimits = z.infer<typeof RequestLimits>;
