// The benchmark's gateway config: N tenants with generous limits and no guardrails, K keys each, on two models
// (one answering whole, one streaming). Shared by bench/gateway/run.ts and bench/gateway-config-memory.ts.
import { hashKey } from '../../api/keys.ts';
import {
  GATEWAY_CONFIG_SCHEMA_VERSION,
  sealGatewayConfig,
  type CfgModel,
  type CfgTenant,
  type GatewayConfig,
} from '../../api/gateway-config.ts';

/** Tenant number I (`t00042`), holding keys whose plaintexts are KEYS (only their hashes are kept). */
export function benchTenant(i: number, keys: readonly string[]): CfgTenant {
  const name = `t${String(i).padStart(5, '0')}`;
  return {
    id: `team-${name}/${name}`,
    namespace: `team-${name}`,
    name,
    tier: 'gold',
    suspended: false,
    models: ['m1', 'm-stream'],
    limits: {
      budgets: [
        { unit: 'tokens', limit: 1e12, windowSeconds: 86400 },
        { unit: 'tokens', limit: 1e11, windowSeconds: 3600 },
      ],
      requestsPerMinute: 10_000_000,
      tokensPerMinute: 1e12,
      concurrency: 10_000,
      maxOutputTokens: 1024,
      maxN: 4,
      maxRequestBytes: 1024 * 1024,
    },
    guardrails: {
      redaction: { detectors: [], customPatterns: [] },
      promptInjection: { mode: 'off', threshold: 0.7 },
      exfiltration: { mode: 'off', allowedHosts: [] },
      canaries: [],
      structuredOutput: { enforce: false },
    },
    logging: 'metadata',
    accessWindows: [],
    ipAllowlists: [],
    keys: keys.map((k, j) => ({
      id: `team-${name}/${name}/k${j}`,
      sha256: hashKey(k),
      scopes: ['chat.completions', 'completions', 'embeddings', 'models.list'],
      revoked: false,
    })),
  };
}

/** The sealed config: models `m1` (at UPSTREAM) and `m-stream` (at STREAM_UPSTREAM), and TENANTS. */
export function benchConfig(upstream: string, streamUpstream: string, tenants: CfgTenant[]): GatewayConfig {
  const cost = {
    unit: 'tokens' as const,
    inputTokenWeight: 1,
    outputTokenWeight: 1,
    gpuSecondWeight: 1,
    gpusPerReplica: 1,
    estimatedOutputTokensPerSecond: 50,
  };
  const model = (servedName: string, url: string): CfgModel => ({
    servedName,
    id: `bench/${servedName}`,
    engine: 'vllm',
    upstream: url,
    capabilities: ['chat.completions', 'completions'],
    contextLength: 8192,
    cost,
  });
  return sealGatewayConfig({
    schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
    models: [model('m1', upstream), model('m-stream', streamUpstream)],
    tenants,
  });
}
