// The gateway config contract: what the operator (or `tollgate render`) compiles and what the gateway
// enforces. Versioned by `schemaVersion`, identified by `hash` (sha256 of the canonical JSON of everything
// but the hash). Key material appears only as sha256 hashes.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Capability, Engine, Scope } from './v1alpha1/model.ts';
import { Tokenizer } from './v1alpha1/tokenizer.ts';
import {
  AccessWindow,
  Anomaly,
  CustomPattern,
  Detector,
  GuardMode,
  JUDGE_PROTOCOLS,
  LoggingMode,
} from './v1alpha1/policy.ts';

export const GATEWAY_CONFIG_SCHEMA_VERSION = 'tollgate.dev/gateway-config/v1';

/**
 * One budget: `limit` units per fixed window of `windowSeconds` (aligned to the Unix epoch).
 * `tokens` lines are charged by models with cost.unit tokens (weighted tokens), `gpuSeconds` lines by
 * models with cost.unit gpuSeconds. A tenant may carry several lines (e.g. 1,000/hour and 10,000/day
 * from two policies): every line must admit a request.
 */
export const CfgBudgetLine = z.strictObject({
  unit: z.enum(['tokens', 'gpuSeconds']),
  limit: z.number().min(0),
  windowSeconds: z.int().min(1),
});
export type CfgBudgetLine = z.infer<typeof CfgBudgetLine>;

/**
 * Limits of one level other than the tenant's (issue #13): a key, the tenant's use of one model, or every
 * tenant's use of one model (a global cap protecting a shared GPU). Each level has its own counters and every
 * level must admit a request (most restrictive wins); all are reserved in the tenant's one atomic step.
 */
export const CfgScopeLimits = z.strictObject({
  budgets: z.array(CfgBudgetLine).optional(),
  requestsPerMinute: z.int().min(0).optional(),
  tokensPerMinute: z.number().min(0).optional(),
  concurrency: z.int().min(0).optional(),
});
export type CfgScopeLimits = z.infer<typeof CfgScopeLimits>;

export const CfgLimits = z.strictObject({
  /** Empty: unlimited. At most one line per (unit, windowSeconds). */
  budgets: z.array(CfgBudgetLine),
  requestsPerMinute: z.int().min(0).optional(),
  tokensPerMinute: z.number().min(0).optional(),
  concurrency: z.int().min(0).optional(),
  maxInputTokens: z.int().min(1).optional(),
  /** Cap on max_tokens and the value set when the caller omits it. */
  maxOutputTokens: z.int().min(1),
  maxN: z.int().min(1),
  maxRequestBytes: z.int().min(1024),
});
export type CfgLimits = z.infer<typeof CfgLimits>;

export const CfgJudge = z.strictObject({
  model: z.string(),
  protocol: z.enum(JUDGE_PROTOCOLS),
  timeoutMs: z.int(),
  failMode: z.enum(['open', 'closed']),
  benignClass: z.int().min(0).optional(),
  benignLabels: z.array(z.string()).optional(),
  maxChars: z.int().min(1).optional(),
});
export type CfgJudge = z.infer<typeof CfgJudge>;

export const CfgGuardrails = z.strictObject({
  redaction: z.strictObject({
    detectors: z.array(Detector),
    customPatterns: z.array(CustomPattern),
  }),
  promptInjection: z.strictObject({
    mode: GuardMode,
    threshold: z.number().min(0).max(1),
    /** Tool/function results and documents; absent: `threshold`. */
    documentThreshold: z.number().min(0).max(1).optional(),
    judge: CfgJudge.optional(),
  }),
  /** Output safety check by a judge (absent: none). */
  outputCheck: z
    .strictObject({
      mode: GuardMode,
      threshold: z.number().min(0).max(1),
      judge: CfgJudge,
      /** 0: the whole output is judged before release; N: windows of N characters. */
      windowChars: z.int().min(0),
    })
    .optional(),
  exfiltration: z.strictObject({
    mode: z.enum(['off', 'flag', 'neutralize', 'block']),
    allowedHosts: z.array(z.string()),
  }),
  canaries: z.array(z.string()),
  /** Absent: any tool may be declared. Present: only these. */
  allowedTools: z.array(z.string()).optional(),
  structuredOutput: z.strictObject({ enforce: z.boolean() }),
});
export type CfgGuardrails = z.infer<typeof CfgGuardrails>;

export const CfgKey = z.strictObject({
  /** Stable, non-secret id used in audit lines and metrics: `<namespace>/<tenant>/<key name>[#<rotation>]`. */
  id: z.string(),
  /** Lowercase hex sha256 of the full key. */
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  scopes: z.array(Scope),
  /** RFC 3339; the gateway refuses the key after this instant. */
  expiresAt: z.string().optional(),
  revoked: z.boolean(),
  /** Limits of this key alone (issue #13); a rotated-out `.previous` key shares them (and their counters). */
  limits: CfgScopeLimits.optional(),
});
export type CfgKey = z.infer<typeof CfgKey>;

export const CfgTenant = z.strictObject({
  /** `<namespace>/<name>` */
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  tier: z.string(),
  suspended: z.boolean(),
  /** Served names this tenant may call (already intersected with tier entitlements and model tiers). */
  models: z.array(z.string()),
  limits: CfgLimits,
  guardrails: CfgGuardrails,
  logging: LoggingMode,
  /** Every list must admit the request (one list per selecting policy: most restrictive wins). */
  accessWindows: z.array(z.array(AccessWindow)),
  ipAllowlists: z.array(z.array(z.string())),
  anomaly: Anomaly.optional(),
  keys: z.array(CfgKey),
  /** The tenant's limits on one model (from LLMPolicy modelLimits; the smallest per control). */
  modelLimits: z.array(CfgScopeLimits.extend({ model: z.string() })).optional(),
});
export type CfgTenant = z.infer<typeof CfgTenant>;

export const CfgModel = z.strictObject({
  servedName: z.string(),
  /** `<namespace>/<name>` of the LLMModel */
  id: z.string(),
  engine: Engine,
  /** Base URL of the engine's OpenAI-compatible API, e.g. http://m.ns.svc:8000/v1 */
  upstream: z.string(),
  /** Name of the entry in the gateway's upstream-credentials Secret (absent: the engine takes no key). */
  credentialKey: z.string().optional(),
  capabilities: z.array(Capability),
  contextLength: z.int().min(1),
  /** Encoding of the gateway's pre-flight estimates (LLMModel spec.tokenizer, or its family default); the
   * operator always writes it. Absent (a config from an operator before this field): cl100k_base. */
  tokenizer: Tokenizer.optional(),
  maxInputTokens: z.int().min(1).optional(),
  maxOutputTokens: z.int().min(1).optional(),
  cost: z.strictObject({
    unit: z.enum(['tokens', 'gpuSeconds']),
    inputTokenWeight: z.number().min(0),
    outputTokenWeight: z.number().min(0),
    gpuSecondWeight: z.number().min(0),
    gpusPerReplica: z.int().min(0),
    estimatedOutputTokensPerSecond: z.number().positive(),
  }),
  /** Every tenant's use of this model together (LLMModel globalLimits): a cap protecting a shared GPU. */
  globalLimits: CfgScopeLimits.optional(),
});
export type CfgModel = z.infer<typeof CfgModel>;

export const GatewayConfigBody = z.strictObject({
  schemaVersion: z.literal(GATEWAY_CONFIG_SCHEMA_VERSION),
  models: z.array(CfgModel),
  tenants: z.array(CfgTenant),
});
export type GatewayConfigBody = z.infer<typeof GatewayConfigBody>;

/** The sealed config. Its rules across objects (hash, unique served names, unique key hashes) are checked by
 * the one verifier, api/config-verify.ts (`parseGatewayConfig`), which reads a config tenant by tenant. */
export const GatewayConfig = GatewayConfigBody.extend({
  hash: z.string().regex(/^sha256:[a-f0-9]{64}$/),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** Canonical JSON: object keys sorted, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashConfigBody(body: GatewayConfigBody): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

export function sealGatewayConfig(body: GatewayConfigBody): GatewayConfig {
  return { ...body, hash: hashConfigBody(body) };
}
