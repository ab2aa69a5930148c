// Per-key anomaly detection as the request path sees it (guardrails/anomaly.ts scores; this adapts): after
// auth, at settlement, and when a later auth layer refuses a known key. A score at or above the policy
// threshold goes on the request's audit line (or its own log line once that line is written); `revoke`
// puts the key in the store's revocation set.
import type { Logger } from 'pino';
import {
  MemoryAnomalyStore,
  type AnomalyDetector,
  type AnomalyOutcome,
  type AnomalyStore,
  type KeyStats,
  type Revocation,
} from '../../guardrails/anomaly.ts';
import type { RtKey } from '../config/snapshot.ts';
import { GatewayError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { RequestContext } from '../plugins/context.ts';
import type { RevocationCache } from '../store/revocations.ts';

export interface AnomalyHooks {
  /** After auth succeeded; throws revoked_api_key when this request got the key revoked. */
  onRequest(ctx: RequestContext, key: RtKey, clientIp: string | undefined): Promise<void>;
  /** At settlement; hitCap: the output stopped at the effective max_tokens. */
  onResponse(ctx: RequestContext, key: RtKey, hitCap: boolean): void;
  /** A known key was refused by a later auth layer (entitlement, scope, window, IP); `err` is the refusal. */
  onAuthFailure(ctx: RequestContext, key: RtKey, err: unknown): void;
}

/**
 * Stats per replica (every component is a ratio against the key's own history, so each replica judges its
 * share of the traffic; failedAuth's limit is then per replica); revocations through the shared store.
 */
export class GatewayAnomalyStore implements AnomalyStore {
  readonly #stats = new MemoryAnomalyStore();
  readonly #revocations: RevocationCache;
  readonly #log: Logger;
  readonly #metrics: Metrics;

  constructor(revocations: RevocationCache, log: Logger, metrics: Metrics) {
    this.#revocations = revocations;
    this.#log = log;
    this.#metrics = metrics;
  }

  update(keyId: string, fn: (prev: KeyStats | undefined) => KeyStats): Promise<KeyStats> {
    return this.#stats.update(keyId, fn);
  }

  get(keyId: string): Promise<KeyStats | undefined> {
    return this.#stats.get(keyId);
  }

  async revoke(r: Revocation): Promise<boolean> {
    const { first, shared } = await this.#revocations.revoke(r.keyId, r.reason);
    if (!first) return false;
    this.#metrics.keyRevocations.inc();
    // the key id only (never the key); `shared: false` = Redis is down, enforced here and retried
    this.#log.warn(
      {
        event: 'key_revoked',
        keyId: r.keyId,
        tenant: r.tenant,
        reason: r.reason,
        score: r.score,
        components: roundComponents(r.components),
        shared,
      },
      'API key revoked by anomaly detection',
    );
    return true;
  }

  async revocation(keyId: string): Promise<Revocation | undefined> {
    return this.#revocations.has(keyId)
      ? {
          keyId,
          tenant: '',
          at: '',
          reason: 'anomaly',
          score: 0,
          components: { burst: 0, capHit: 0, network: 0, failedAuth: 0 },
        }
      : undefined;
  }

  async revocations(): Promise<Revocation[]> {
    return [];
  }
}

const roundComponents = (c: AnomalyOutcome['components']): AnomalyOutcome['components'] => ({
  burst: Math.round(c.burst * 1000) / 1000,
  capHit: Math.round(c.capHit * 1000) / 1000,
  network: Math.round(c.network * 1000) / 1000,
  failedAuth: Math.round(c.failedAuth * 1000) / 1000,
});

/** Refusals of a known key that count as failed auth for the anomaly score. */
const AUTH_FAILURE_CODES: ReadonlySet<string> = new Set([
  'model_not_entitled',
  'scope_not_allowed',
  'outside_access_window',
  'ip_not_allowed',
]);

export function anomalyHooks(
  detector: AnomalyDetector,
  now: () => number,
  log: Logger,
  metrics: Metrics,
): AnomalyHooks {
  const record = (ctx: RequestContext, key: RtKey, on: string, o: AnomalyOutcome | undefined): void => {
    if (!o || o.action === 'none') return;
    const components = roundComponents(o.components);
    const strongest = (Object.entries(components) as [string, number][]).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    metrics.anomalies.inc({ action: o.action, component: strongest });
    const anomaly = { score: o.score, action: o.action, components };
    // the request's audit line carries it; events after that line (settlement of a stream) get their own
    if (!ctx.audited) ctx.rec.anomaly = anomaly;
    else
      log.warn(
        { event: 'anomaly', reqId: ctx.reqId, tenant: key.tenant.cfg.id, keyId: key.id, on, anomaly },
        'key anomaly',
      );
  };
  const failed = (ctx: RequestContext, on: string, e: unknown): void => {
    log.error(
      {
        event: 'anomaly_error',
        reqId: ctx.reqId,
        on,
        err: e instanceof Error ? e.message.slice(0, 300) : String(e).slice(0, 300),
      },
      'anomaly detection failed',
    );
  };
  const who = (key: RtKey) => ({ id: key.id, tenant: key.tenant.cfg.id });
  return {
    async onRequest(ctx, key, clientIp) {
      const cfg = key.tenant.cfg.anomaly;
      if (!cfg?.enabled) return;
      let o: AnomalyOutcome | undefined;
      try {
        o = await detector.onRequest(who(key), cfg, { at: now(), ...(clientIp !== undefined ? { clientIp } : {}) });
      } catch (e) {
        failed(ctx, 'request', e); // fail open: detection is not an access control
        return;
      }
      record(ctx, key, 'request', o);
      if (o?.revoked) throw new GatewayError('revoked_api_key');
    },
    onResponse(ctx, key, hitCap) {
      const cfg = key.tenant.cfg.anomaly;
      if (!cfg?.enabled) return;
      detector.onResponse(who(key), cfg, { at: now(), hitCap }).then(
        (o) => record(ctx, key, 'response', o),
        (e: unknown) => failed(ctx, 'response', e),
      );
    },
    onAuthFailure(ctx, key, err) {
      const cfg = key.tenant.cfg.anomaly;
      if (!cfg?.enabled || !(err instanceof GatewayError) || !AUTH_FAILURE_CODES.has(err.code)) return;
      detector.onAuthFailure(who(key), cfg, { at: now() }).then(
        (o) => record(ctx, key, 'authFailure', o),
        (e: unknown) => failed(ctx, 'authFailure', e),
      );
    },
  };
}
