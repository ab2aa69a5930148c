// The long-lived parts one gateway process shares across requests, built from GatewayOptions: the store
// (with its budget-ratio gauge and the local fallback), upstream pools, metrics, the revocation cache, the
// anomaly detector, the secrets scrubbed from logs, and the dependencies of the request pipeline.
import type { Logger } from 'pino';
import { AnomalyDetector } from '../guardrails/anomaly.ts';
import type { GatewayOptions } from './app.ts';
import { trackBudgetRatios } from './budget-ratio.ts';
import type { ConfigHolder } from './config/holder.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { lazyGuardrailsTransform } from './plan/guard-modules.ts';
import { InputRatios } from './plan/input-ratio.ts';
import type { PipelineDeps } from './pipeline.ts';
import { SecretSet } from './scrub.ts';
import { anomalyHooks, GatewayAnomalyStore, type AnomalyHooks } from './stages/anomaly.ts';
import { MemoryStore } from './store/memory.ts';
import { RevocationCache } from './store/revocations.ts';
import type { Store } from './store/types.ts';
import { JudgeSlots, judgeLimits } from './stages/judge-slots.ts';
import { DEFAULT_TIMEOUTS, Upstreams } from './upstream/pool.ts';

export interface Services {
  readonly holder: ConfigHolder;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly store: Store;
  readonly fallbackStore: Store | undefined;
  readonly upstreams: Upstreams;
  readonly revocations: RevocationCache;
  readonly anomaly: AnomalyHooks;
  readonly secrets: SecretSet;
  readonly enforcement: boolean;
  readonly serverBodyLimit: number;
  readonly pipeline: PipelineDeps;
}

export function createServices(opts: GatewayOptions): Services {
  const log = opts.logger;
  const metrics = opts.metrics ?? createMetrics();
  const store = trackBudgetRatios(opts.store ?? new MemoryStore(), metrics.registry);
  const upstreams = opts.upstreams ?? new Upstreams({ ...DEFAULT_TIMEOUTS, ...opts.timeouts });
  upstreams.onRetry = () => metrics.upstreamRetries.inc();
  const enforcement = opts.enforcement ?? true;
  const fallbackStore =
    opts.rateLimitFailureMode === 'local' && store.kind !== 'memory' ? new MemoryStore() : undefined;
  const revocations = new RevocationCache(store, {
    ...(opts.revocationRefreshMs !== undefined ? { refreshMs: opts.revocationRefreshMs } : {}),
    onError: (op) => metrics.storeErrors.inc({ op }),
  });
  revocations.start();
  const detector = new AnomalyDetector(new GatewayAnomalyStore(revocations, log, metrics), opts.anomalyTuning);
  const anomaly = anomalyHooks(detector, opts.anomalyClock ?? Date.now, log, metrics);
  const credentials = opts.credentials ?? new Map<string, string>();
  const secrets = new SecretSet([...credentials.values(), ...(opts.extraSecrets ?? [])]);
  const pipeline: PipelineDeps = {
    store,
    fallbackStore,
    metrics,
    log,
    upstreams,
    credentials,
    secrets,
    enforcement,
    anomaly,
    // Output guardrails (redaction, exfiltration, canaries, structured output) unless the caller brings its own;
    // blocks are counted by the relay (tollgate_output_blocked_total); the guardrails modules are loaded
    // only for a config with a tenant that uses them (plan/guard-modules.ts)
    transforms: opts.transforms ?? [
      lazyGuardrailsTransform({
        onFinding: (_ctx, f) => metrics.redactions.inc({ detector: f.detector, kind: f.kind }),
      }),
    ],
    maxUpstreamBodyBytes: opts.maxUpstreamBodyBytes ?? 32 * 1024 * 1024,
    inputRatios: new InputRatios((model, ratio) => metrics.inputTokenRatio.set({ model }, ratio)),
    judgeSlots: new JudgeSlots(judgeLimits(opts.judgeConcurrency), (reason) => metrics.judgeBusy.inc({ reason })),
  };
  return {
    holder: opts.holder,
    log,
    metrics,
    store,
    fallbackStore,
    upstreams,
    revocations,
    anomaly,
    secrets,
    enforcement,
    serverBodyLimit: opts.serverBodyLimit ?? 16 * 1024 * 1024,
    pipeline,
  };
}
