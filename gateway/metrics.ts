// Prometheus metrics, prefixed tollgate_, served on a separate port tenants do not reach. Label values
// are bounded: endpoint (fixed set), model (served names from the config, else "other"), code (the error
// catalog), status class. No tenant or key labels (10k tenants would explode cardinality; per-tenant
// figures are in the audit log).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'endpoint' | 'model' | 'code' | 'status'>;
  readonly rejections: Counter<'code'>;
  readonly tokens: Counter<'model' | 'direction'>;
  readonly cost: Counter<'model' | 'unit'>;
  readonly requestDuration: Histogram<'endpoint'>;
  readonly upstreamDuration: Histogram<'model'>;
  readonly timeToFirstByte: Histogram<'model'>;
  readonly inflight: Gauge;
  readonly configReloads: Counter<'result'>;
  readonly configInfo: Gauge<'hash'>;
  readonly configLastSuccess: Gauge;
  readonly configLastFailure: Gauge;
  readonly storeErrors: Counter<'op'>;
  readonly storeFallbacks: Counter<'control'>;
  readonly settleOverrun: Counter<'model'>;
  readonly settleUnderReported: Counter<'model'>;
  readonly settlePromptImplausible: Counter<'model' | 'side'>;
  readonly inputTokenRatio: Gauge<'model'>;
  readonly upstreamAborts: Counter<'reason'>;
  readonly upstreamRetries: Counter;
  readonly outputBlocked: Counter<'reason'>;
  readonly outputCredentialRedactions: Counter;
  readonly upstreamSseDropped: Counter<'kind'>;
  readonly redactions: Counter<'detector' | 'kind'>;
  readonly injections: Counter<'verdict'>;
  readonly judgeBusy: Counter<'reason'>;
  readonly anomalies: Counter<'action' | 'component'>;
  readonly keyRevocations: Counter;
  readonly revokedKeys: Gauge;
  // --- shared store health (gateway/store/redis.ts events) ---
  readonly storeStateLost: Gauge;
  readonly storeStateChanges: Counter<'event'>;
  readonly storeReleases: Counter<'result'>;
  readonly storeUnreplicated: Counter;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'tollgate_' });
  const r = [registry];
  const lat = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  return {
    registry,
    requests: new Counter({
      name: 'tollgate_requests_total',
      help: 'Requests handled, by endpoint, model, result code and HTTP status class.',
      labelNames: ['endpoint', 'model', 'code', 'status'],
      registers: r,
    }),
    rejections: new Counter({
      name: 'tollgate_rejections_total',
      help: 'Requests refused by the gateway, by error code.',
      labelNames: ['code'],
      registers: r,
    }),
    tokens: new Counter({
      name: 'tollgate_tokens_total',
      help: 'Tokens settled, by model and direction (input|output).',
      labelNames: ['model', 'direction'],
      registers: r,
    }),
    cost: new Counter({
      name: 'tollgate_cost_units_total',
      help: 'Budget units settled, by model and unit (tokens|gpuSeconds).',
      labelNames: ['model', 'unit'],
      registers: r,
    }),
    requestDuration: new Histogram({
      name: 'tollgate_request_duration_seconds',
      help: 'Time from request to last byte, by endpoint.',
      labelNames: ['endpoint'],
      buckets: lat,
      registers: r,
    }),
    upstreamDuration: new Histogram({
      name: 'tollgate_upstream_duration_seconds',
      help: 'Upstream time from request sent to last byte, by model.',
      labelNames: ['model'],
      buckets: lat,
      registers: r,
    }),
    timeToFirstByte: new Histogram({
      name: 'tollgate_upstream_first_byte_seconds',
      help: 'Upstream time to response headers (streaming: time to first token), by model.',
      labelNames: ['model'],
      buckets: lat,
      registers: r,
    }),
    inflight: new Gauge({
      name: 'tollgate_inflight_requests',
      help: 'Inference requests in flight in this replica.',
      registers: r,
    }),
    configReloads: new Counter({
      name: 'tollgate_config_reloads_total',
      help: 'Config loads, by result (success|failure).',
      labelNames: ['result'],
      registers: r,
    }),
    configInfo: new Gauge({
      name: 'tollgate_config_info',
      help: 'The config in force (value 1, hash label).',
      labelNames: ['hash'],
      registers: r,
    }),
    configLastSuccess: new Gauge({
      name: 'tollgate_config_last_reload_success_timestamp_seconds',
      help: 'When a config was last applied.',
      registers: r,
    }),
    configLastFailure: new Gauge({
      name: 'tollgate_config_last_reload_failure_timestamp_seconds',
      help: 'When a config was last refused (0: never).',
      registers: r,
    }),
    storeErrors: new Counter({
      name: 'tollgate_store_errors_total',
      help: 'Shared store failures, by operation (reserve|settle|revoke|revocations).',
      labelNames: ['op'],
      registers: r,
    }),
    storeFallbacks: new Counter({
      name: 'tollgate_store_fallback_total',
      help: 'Requests whose rate limits were checked per replica because the shared store was unreachable.',
      labelNames: ['control'],
      registers: r,
    }),
    settleOverrun: new Counter({
      name: 'tollgate_settle_overrun_total',
      help: 'Settlements whose actual cost exceeded the reservation (the actual cost is charged, and logged).',
      labelNames: ['model'],
      registers: r,
    }),
    settleUnderReported: new Counter({
      name: 'tollgate_settle_usage_underreported_total',
      help: "Settlements where the engine's completion_tokens was below served bytes / 8: the served text was counted and the larger charged.",
      labelNames: ['model'],
      registers: r,
    }),
    settlePromptImplausible: new Counter({
      name: 'tollgate_settle_prompt_implausible_total',
      help: "Settlements where the engine's prompt_tokens was outside the plausible band for the input sent (side high: above its UTF-8 bytes plus template and media allowances; low: below the gateway's count of the texts / 8): the bound was charged.",
      labelNames: ['model', 'side'],
      registers: r,
    }),
    inputTokenRatio: new Gauge({
      name: 'tollgate_input_token_ratio',
      help: "Engine-reported / gateway-estimated input tokens, EWMA per model over every tenant's text-only settlements on the engine's usage (served names); scales other tenants' reservations by at most 1.5, a tenant's own average by at most 4.",
      labelNames: ['model'],
      registers: r,
    }),
    upstreamAborts: new Counter({
      name: 'tollgate_aborted_requests_total',
      help: 'Requests cut short, by reason (client|timeout|upstream).',
      labelNames: ['reason'],
      registers: r,
    }),
    upstreamRetries: new Counter({
      name: 'tollgate_upstream_retries_total',
      help: 'Requests sent once more because the kept-alive upstream connection they went out on had been closed by the upstream before any response byte.',
      registers: r,
    }),
    redactions: new Counter({
      name: 'tollgate_redactions_total',
      help: 'Output spans redacted, by detector and kind (secret|pii|custom).',
      labelNames: ['detector', 'kind'],
      registers: r,
    }),
    injections: new Counter({
      name: 'tollgate_prompt_injection_total',
      help: 'Requests the prompt-injection check flagged or blocked.',
      labelNames: ['verdict'],
      registers: r,
    }),
    judgeBusy: new Counter({
      name: 'tollgate_judge_busy_total',
      help: "Judge calls not made for lack of a slot: tenant_share (the tenant's own calls held its share until the judge timeout: refused) or model_full (the judge model's in-flight cap on this replica: the policy's failMode applied).",
      labelNames: ['reason'],
      registers: r,
    }),
    anomalies: new Counter({
      name: 'tollgate_anomalies_total',
      help: 'Key events scored at or above the policy threshold, by action (flag|revoke) and strongest component (burst|capHit|network|failedAuth).',
      labelNames: ['action', 'component'],
      registers: r,
    }),
    keyRevocations: new Counter({
      name: 'tollgate_key_revocations_total',
      help: 'Keys this replica revoked (anomaly action revoke).',
      registers: r,
    }),
    revokedKeys: new Gauge({
      name: 'tollgate_revoked_keys',
      help: 'Keys in the shared revocation set as this replica last saw it (incl. revocations not yet written to the store).',
      registers: r,
    }),
    storeStateLost: new Gauge({
      name: 'tollgate_store_state_lost',
      help: '1 while this replica considers the shared store to have lost its state (budget-limited tenants refused with store_state_lost until restored or acknowledged).',
      registers: r,
    }),
    storeStateChanges: new Counter({
      name: 'tollgate_store_state_changes_total',
      help: 'Store state changes seen by this replica (lost|restored|acknowledged).',
      labelNames: ['event'],
      registers: r,
    }),
    storeReleases: new Counter({
      name: 'tollgate_store_releases_total',
      help: 'Reservations whose reply never arrived, released by id (undone|nothing|dropped).',
      labelNames: ['result'],
      registers: r,
    }),
    storeUnreplicated: new Counter({
      name: 'tollgate_store_unreplicated_total',
      help: 'Reservations a Redis replica did not acknowledge in time (a failover could lose them).',
      registers: r,
    }),
    outputCredentialRedactions: new Counter({
      name: 'tollgate_output_credential_redactions_total',
      help: 'Gateway credentials (upstream keys, store password) found in model output and redacted.',
      registers: r,
    }),
    upstreamSseDropped: new Counter({
      name: 'tollgate_upstream_sse_dropped_total',
      help: 'Upstream SSE lines and events not relayed, by kind (comment|field|event|unparseable|afterDone|afterFinish).',
      labelNames: ['kind'],
      registers: r,
    }),
    outputBlocked: new Counter({
      name: 'tollgate_output_blocked_total',
      help: 'Responses stopped by an output transform, by reason.',
      labelNames: ['reason'],
      registers: r,
    }),
  };
}
