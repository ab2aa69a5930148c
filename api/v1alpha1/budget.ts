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

export const Budget = describe(
  z.strictObject({
    tokens: describe(
      BudgetLine.optional(),
      'Weighted tokens (input x inputTokenWeight + output x outputTokenWeight) per window.',
    ),
    gpuSeconds: describe(
      BudgetLine.optional(),
      'GPU-seconds (x gpuSecondWeight) per window, for models that charge GPU time.',
    ),
  }),
  "Spending limits per fixed window, in the model's budget units (LLMModel spec.cost); the cost is estimated and reserved before inference and settled from the engine's usage. Refused when exhausted.",
);
export type Budget = z.infer<typeof Budget>;

export const RateLimits = describe(
  withRules(
    z.strictObject({
      requestsPerMinute: describe(z.int().max(10_000_000).optional(), 'Requests admitted per minute.'),
      tokensPerMinute: describe(
        z.int().max(1e12).optional(),
        'Tokens per minute, counted unweighted as the reserved input plus the max output (max_tokens x n) of each request.',
      ),
      concurrency: describe(z.int().max(100_000).optional(), 'Requests in flight at once.'),
    }),
    [
      {
        rule: '(!has(self.requestsPerMinute) || self.requestsPerMinute >= 0) && (!has(self.tokensPerMinute) || self.tokensPerMinute >= 0) && (!has(self.concurrency) || self.concurrency >= 0)',
        message: 'rate limits must not be negative',
        check: (v) => [v.requestsPerMinute, v.tokensPerMinute, v.concurrency].every((x) => x === undefined || x >= 0),
      },
    ],
  ),
  'Rate limits; absent fields are unlimited. Where several apply (tenant, policies, tier) the smallest of each wins.',
);
export type RateLimits = z.infer<typeof RateLimits>;

export const RequestLimits = describe(
  z.strictObject({
    maxInputTokens: describe(
      z.int().min(1).max(10_000_000).optional(),
      'Largest prompt, in tokens (estimated with the model tokenizer before inference); larger requests are refused.',
    ),
    maxOutputTokens: describe(
      z.int().min(1).max(10_000_000).optional(),
      'Caps max_tokens; also the value used when the caller omits it.',
    ),
    maxN: describe(z.int().min(1).max(128).optional(), 'Largest "n" (choices per request).'),
    maxRequestBytes: describe(
      z
        .int()
        .min(1024)
        .max(64 * 1024 * 1024)
        .optional(),
      "Largest request body in bytes (capped by the gateway's own limit); larger bodies get 413 request_too_large.",
    ),
  }),
  'Per-request limits; where several apply (tenant, policies, tier, model) the smallest of each wins.',
);
export type RequestLimits = z.infer<typeof RequestLimits>;
