// buildApp(): the gateway's Fastify instance (tenant-facing port) plus the admin handler (metrics port).
// Nothing here listens; server.ts does.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { authenticate, checkAccount, checkContext, checkScope, RevocationCache } from './auth.ts';
import { AnomalyDetector, MemoryAnomalyStore, type AnomalyOutcome, type AnomalyStore, type AnomalyTuning, type KeyStats, type Revocation } from '../guardrails/anomaly.ts';
import type { RtKey } from './config/snapshot.ts';
import type { ConfigHolder } from './config/holder.ts';
import { ERRORS, GatewayError, type ErrorCode } from './errors.ts';
import type { AuditRecord } from './audit.ts';
import { safeClientIp, safeMethod, safeRequestId, scrubUpstreamText, SecretSet, stripUserinfo } from './scrub.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { trackBudgetRatios } from './budget-ratio.ts';
import { guardrailsTransform } from '../guardrails/gateway-adapter.ts';
import { handleInference, type AnomalyHooks, type PipelineDeps, type RequestContext } from './pipeline.ts';
import { DEFAULT_TIMEOUTS, Upstreams, type UpstreamTimeouts } from './proxy.ts';
import { parseJsonBody, type Endpoint } from './request.ts';
import { MemoryStore } from './store/memory.ts';
import type { Store } from './store/types.ts';
import type { OutputTransformFactory } from './transform.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tg: RequestContext;
  }
}

export interface GatewayOptions {
  holder: ConfigHolder;
  /** Shared store; default: a new in-memory store. */
  store?: Store;
  /**
   * What rpm / tpm / concurrency do when the shared store is unreachable: `closed` (refuse, the default)
   * or `local` (check them per replica until the store is back). Budgets always fail closed.
   */
  rateLimitFailureMode?: 'closed' | 'local';
  /** Audit and operational log. */
  logger: Logger;
  metrics?: Metrics;
  upstreams?: Upstreams;
  timeouts?: Partial<UpstreamTimeouts>;
  transforms?: readonly OutputTransformFactory[];
  /** credentialKey -> upstream API key (from the gateway's upstream-credentials Secret). */
  credentials?: ReadonlyMap<string, string>;
  /** Other credentials the gateway holds (the Redis password): scrubbed from upstream text in logs. */
  extraSecrets?: readonly string[];
  /** false: benchmarking floor only — no auth, no limits, no accounting. Never in production. */
  enforcement?: boolean;
  /** Fastify trustProxy: whose X-Forwarded-For to believe for the client address (IP allowlists). */
  trustProxy?: boolean | string | string[];
  /** Hard cap on any request body, before the tenant limit is known (default 16 MiB). */
  serverBodyLimit?: number;
  maxUpstreamBodyBytes?: number;
  /** Per-key anomaly detection: scoring tuning (tests), its clock in ms (tests), revocation-set refresh period. */
  anomalyTuning?: Partial<AnomalyTuning>;
  anomalyClock?: () => number;
  revocationRefreshMs?: number;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly metrics: Metrics;
  readonly store: Store;
  readonly upstreams: Upstreams;
  readonly holder: ConfigHolder;
  /** The store's revocation set as this replica sees it. */
  readonly revocations: RevocationCache;
  /** Handler for the admin port: /metrics, /healthz, /readyz (with full detail). */
  readonly adminHandler: (req: IncomingMessage, res: ServerResponse) => void;
  readiness(): Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  close(): Promise<void>;
}

export function buildApp(opts: GatewayOptions): Gateway {
  const holder = opts.holder;
  const log = opts.logger;
  const metrics = opts.metrics ?? createMetrics();
  const store = trackBudgetRatios(opts.store ?? new MemoryStore(), metrics.registry);
  const upstreams = opts.upstreams ?? new Upstreams({ ...DEFAULT_TIMEOUTS, ...opts.timeouts });
  const serverBodyLimit = opts.serverBodyLimit ?? 16 * 1024 * 1024;
  const enforcement = opts.enforcement ?? true;
  const fallbackStore = opts.rateLimitFailureMode === 'local' && store.kind !== 'memory' ? new MemoryStore() : undefined;
  const revocations = new RevocationCache(store, {
    ...(opts.revocationRefreshMs !== undefined ? { refreshMs: opts.revocationRefreshMs } : {}),
    onError: (op) => metrics.storeErrors.inc({ op }),
  });
  revocations.start();
  const anomalyClock = opts.anomalyClock ?? Date.now;
  const detector = new AnomalyDetector(new GatewayAnomalyStore(revocations, log, metrics), opts.anomalyTuning);
  const anomaly = anomalyHooks(detector, anomalyClock, log, metrics);
  const credentials = opts.credentials ?? new Map<string, string>();
  const secrets = new SecretSet([...credentials.values(), ...(opts.extraSecrets ?? [])]);

  holder.observe({
    applied(snap, source, previous) {
      metrics.configReloads.inc({ result: 'success' });
      if (previous) metrics.configInfo.remove({ hash: previous.hash });
      metrics.configInfo.set({ hash: snap.hash }, 1);
      metrics.configLastSuccess.set(Date.now() / 1000);
      upstreams.prune(new Set([...snap.models.values()].map((m) => m.origin)));
      log.info({ event: 'config_applied', hash: snap.hash, source, tenants: snap.tenantCount, models: snap.models.size, keys: snap.keys.size }, 'gateway config applied');
    },
    refused(error) {
      metrics.configReloads.inc({ result: 'failure' });
      metrics.configLastFailure.set(error.at.getTime() / 1000);
      // URLs without userinfo, key-shaped runs scrubbed: a config error never prints a password
      log.error({ event: 'config_refused', source: error.source, error: scrubUpstreamText(stripUserinfo(error.message), secrets), claimedHash: error.claimedHash, inForce: holder.current?.hash ?? null }, 'gateway config refused; the last good config stays in force');
    },
  });
  const current = holder.current;
  if (current) {
    metrics.configInfo.set({ hash: current.hash }, 1);
    metrics.configLastSuccess.set(current.loadedAt.getTime() / 1000);
  }

  const app = Fastify({
    logger: false,
    bodyLimit: serverBodyLimit,
    trustProxy: opts.trustProxy ?? false,
    return503OnClosing: true,
    genReqId: () => randomUUID(),
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 256 },
    keepAliveTimeout: 72_000,
  });

  const audit = (request: FastifyRequest, status: number, code: string | undefined): void => {
    const ctx = request.tg;
    if (ctx.audited) return;
    ctx.audited = true;
    const latencyMs = Math.round((performance.now() - ctx.start) * 1000) / 1000;
    const modelLabel = ctx.rec.model !== undefined && ctx.snap?.models.has(ctx.rec.model) ? ctx.rec.model : 'other';
    const statusClass = `${Math.floor(status / 100)}xx`;
    metrics.requests.inc({ endpoint: ctx.endpoint, model: modelLabel, code: code ?? 'ok', status: statusClass });
    metrics.requestDuration.observe({ endpoint: ctx.endpoint }, latencyMs / 1000);
    if (code !== undefined && status < 500) metrics.rejections.inc({ code });
    if (ctx.endpoint === 'health') return; // probes: metrics only
    // logging mode `none`: no line for successful requests; refusals are security events and always logged
    if (ctx.key?.tenant.cfg.logging === 'none' && code === undefined) return;
    // Only values the gateway produced or validated (issue #10, item 3): the endpoint (a route label, never
    // the raw path), a fixed-set method, a syntactically valid IP, a UUID client request id.
    const ip = safeClientIp(request.ip);
    const rec: AuditRecord = {
      reqId: ctx.reqId,
      endpoint: ctx.endpoint,
      method: safeMethod(request.method),
      status,
      latencyMs,
      ...(ip !== undefined ? { ip } : {}),
      ...ctx.rec,
      ...(code !== undefined ? { code } : {}),
    };
    log.info({ audit: rec }, 'request');
  };

  const deps: PipelineDeps = {
    store,
    fallbackStore,
    metrics,
    log,
    upstreams,
    // Output guardrails (redaction, exfiltration, canaries, structured output) unless the caller brings its own.
    transforms: opts.transforms ?? [guardrailsTransform({
      // blocks are counted by the pipeline (tollgate_output_blocked_total)
      onFinding: (_ctx, f) => metrics.redactions.inc({ detector: f.detector, kind: f.kind }),
    })],
    credentials,
    secrets,
    enforcement,
    anomaly,
    maxUpstreamBodyBytes: opts.maxUpstreamBodyBytes ?? 32 * 1024 * 1024,
    finishStreamed: (ctx) => {
      const req = requestsByCtx.get(ctx);
      if (req) audit(req, ctx.status ?? 200, ctx.rec.code);
    },
  };
  const requestsByCtx = new WeakMap<RequestContext, FastifyRequest>();

  // the first read of the revocation set completes before the port serves
  app.addHook('onReady', async () => {
    await revocations.refresh();
  });

  app.decorateRequest('tg', null as unknown as RequestContext);
  app.addHook('onRequest', async (request) => {
    const clientId = safeRequestId(request.headers['x-request-id']);
    const ctx: RequestContext = {
      reqId: request.id,
      start: performance.now(),
      endpoint: 'other',
      status: undefined,
      streamed: false,
      snap: holder.current,
      key: undefined,
      audited: false,
      rec: clientId !== undefined ? { clientRequestId: clientId } : {},
    };
    request.tg = ctx;
    requestsByCtx.set(ctx, request);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!request.tg.streamed) audit(request, reply.statusCode, request.tg.rec.code);
  });

  app.setErrorHandler((err: unknown, request, reply) => {
    const ctx = request.tg;
    const ge = toGatewayError(err);
    if (ge.code === 'internal_error') {
      // an exception message may quote request text: scrubbed like upstream text
      log.error({ reqId: ctx?.reqId, err: err instanceof Error ? { name: err.name, message: scrubUpstreamText(err.message, secrets, 500), stack: scrubUpstreamText(err.stack?.split('\n').slice(0, 8).join('\n') ?? '', secrets) } : scrubUpstreamText(String(err), secrets, 200) }, 'internal error');
    }
    if (ctx) {
      ctx.rec.code = ge.code;
      if (ctx.streamed || reply.raw.headersSent) return;
    }
    sendError(reply, ge);
  });

  app.setNotFoundHandler((request, reply) => {
    request.tg.rec.code = 'not_found';
    sendError(reply, new GatewayError('not_found'));
  });

  // Body: the tenant's maxRequestBytes (known after identity) before reading, then depth-checked JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'string', bodyLimit: serverBodyLimit }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  // ---- routes ---------------------------------------------------------------------------------------
  const identify = async (request: FastifyRequest): Promise<void> => {
    const ctx = request.tg;
    if (!ctx.snap) throw new GatewayError('not_ready');
    if (!enforcement) return;
    const key = authenticate(ctx.snap, request.headers.authorization, Date.now(), revocations);
    ctx.key = key;
    ctx.rec.tenant = key.tenant.cfg.id;
    ctx.rec.keyId = key.id;
    checkAccount(key);
  };
  const limitBody = async (request: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> => {
    const limit = Math.min(request.tg.key?.tenant.cfg.limits.maxRequestBytes ?? serverBodyLimit, serverBodyLimit);
    const cl = request.headers['content-length'];
    if (cl !== undefined) {
      if (Number(cl) > limit) throw new GatewayError('request_too_large', `Request body is larger than ${limit} bytes.`);
      return payload;
    }
    return capStream(payload, limit);
  };

  const inference = (endpoint: Endpoint, url: string): void => {
    app.post(url, {
      onRequest: async (request) => {
        request.tg.endpoint = endpoint;
        await identify(request);
      },
      preParsing: limitBody,
      handler: async (request, reply) => {
        if (request.body === undefined || request.body === null) throw new GatewayError('invalid_json', 'A JSON body is required.');
        await handleInference(deps, endpoint, request, reply);
        return reply;
      },
    });
  };
  inference('chat.completions', '/v1/chat/completions');
  inference('completions', '/v1/completions');
  inference('embeddings', '/v1/embeddings');

  const listModels = (request: FastifyRequest): { id: string; object: 'model'; created: number; owned_by: string }[] => {
    const ctx = request.tg;
    const snap = ctx.snap;
    if (!snap) throw new GatewayError('not_ready');
    let names: string[];
    if (enforcement) {
      const key = ctx.key!;
      try {
        checkScope(key, 'models.list');
        checkContext(key, request.ip, Date.now());
      } catch (e) {
        anomaly.onAuthFailure(ctx, key, e);
        throw e;
      }
      names = [...key.tenant.models].filter((n) => snap.models.has(n));
    } else names = [...snap.models.keys()];
    return names.sort().map((id) => ({ id, object: 'model', created: 0, owned_by: 'tollgate' }));
  };
  app.get('/v1/models', {
    onRequest: async (request) => {
      request.tg.endpoint = 'models.list';
      await identify(request);
    },
    handler: async (request) => ({ object: 'list', data: listModels(request) }),
  });
  app.get<{ Params: { '*': string } }>('/v1/models/*', {
    onRequest: async (request) => {
      request.tg.endpoint = 'models.list';
      await identify(request);
    },
    handler: async (request) => {
      const name = request.params['*'];
      const m = listModels(request).find((x) => x.id === name);
      if (!m) throw new GatewayError('model_not_found', undefined, { param: 'model' });
      return m;
    },
  });

  const readiness = async (): Promise<{ ready: boolean; detail: Record<string, unknown> }> => {
    const snap = holder.current;
    const storeOk = await store.ping();
    const err = holder.lastError;
    const ready = snap !== undefined && storeOk;
    return {
      ready,
      detail: {
        status: ready ? 'ready' : 'not ready',
        config: snap ? { hash: snap.hash, loadedAt: snap.loadedAt.toISOString(), source: holder.source, tenants: snap.tenantCount, models: snap.models.size } : null,
        // no config text here (issue #10, item 4): the reason is in the scrubbed config_refused log line
        lastReloadError: err ? { source: err.source, at: err.at.toISOString(), detail: 'see the config_refused log line' } : null,
        store: { kind: store.kind, reachable: storeOk, state: store.health() },
        enforcement,
      },
    };
  };

  app.get('/healthz', async (request) => {
    request.tg.endpoint = 'health';
    return { status: 'ok' };
  });
  app.get('/readyz', async (request, reply) => {
    request.tg.endpoint = 'health';
    const r = await readiness();
    // Tenant-facing port: the hash in force and whether the last reload failed; details on the admin port.
    const snap = holder.current;
    reply.code(r.ready ? 200 : 503);
    return { status: r.detail.status, configHash: snap?.hash ?? null, lastReloadFailed: holder.lastError !== undefined, storeReachable: (r.detail.store as { reachable: boolean }).reachable };
  });

  const adminHandler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      metrics.revokedKeys.set(revocations.size);
      metrics.registry.metrics().then(
        (text) => send(200, metrics.registry.contentType, text),
        () => send(500, 'text/plain', 'metrics unavailable\n'),
      );
      return;
    }
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      readiness().then(
        (r) => send(r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r.detail)}\n`),
        () => send(503, 'application/json', '{"status":"not ready"}\n'),
      );
      return;
    }
    send(404, 'text/plain', 'not found\n');
  };

  return {
    app,
    metrics,
    store,
    upstreams,
    holder,
    revocations,
    adminHandler,
    readiness,
    close: async () => {
      revocations.stop();
      await app.close();
      await upstreams.close();
      await store.close();
      await fallbackStore?.close();
    },
  };
}

function sendError(reply: FastifyReply, e: GatewayError): void {
  if (e.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(e.retryAfterSeconds))));
  for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
  // OpenAI SDKs honour this before their status rules: refusals a retry cannot fix are never retried
  reply.header('x-should-retry', e.retryable ? 'true' : 'false');
  reply.code(e.status).header('content-type', 'application/json').header('x-request-id', reply.request.id).send(e.body());
}

/** Anything thrown on the request path, as a catalog error (framework errors mapped by their code). */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  const map: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'request_too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_json',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
    FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
    FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
    ERR_HTTP_REQUEST_TIMEOUT: 'invalid_json',
  };
  if (typeof code === 'string' && map[code]) return new GatewayError(map[code]);
  if (typeof status === 'number' && status === 413) return new GatewayError('request_too_large');
  if (typeof status === 'number' && status === 415) return new GatewayError('unsupported_media_type');
  if (typeof status === 'number' && status >= 400 && status < 500) return new GatewayError('invalid_json', ERRORS.invalid_json.message);
  return new GatewayError('internal_error');
}

/** Errors once more than `limit` bytes passed (bodies without Content-Length). */
function capStream(src: Readable, limit: number): Readable {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new GatewayError('request_too_large', `Request body is larger than ${limit} bytes.`));
      else cb(null, chunk);
    },
  });
  src.on('error', (e) => t.destroy(e));
  const piped = src.pipe(t) as Transform & { receivedEncodedLength?: number };
  return piped;
}

// ---- per-key anomaly detection -------------------------------------------------------------------------

/**
 * Stats per replica (every component is a ratio against the key's own history, so each replica judges its
 * share of the traffic; failedAuth's limit is then per replica); revocations through the shared store.
 */
class GatewayAnomalyStore implements AnomalyStore {
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
    this.#log.warn({ event: 'key_revoked', keyId: r.keyId, tenant: r.tenant, reason: r.reason, score: r.score, components: roundComponents(r.components), shared }, 'API key revoked by anomaly detection');
    return true;
  }

  async revocation(keyId: string): Promise<Revocation | undefined> {
    return this.#revocations.has(keyId) ? { keyId, tenant: '', at: '', reason: 'anomaly', score: 0, components: { burst: 0, capHit: 0, network: 0, failedAuth: 0 } } : undefined;
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
const AUTH_FAILURE_CODES: ReadonlySet<string> = new Set(['model_not_entitled', 'scope_not_allowed', 'outside_access_window', 'ip_not_allowed']);

function anomalyHooks(detector: AnomalyDetector, now: () => number, log: Logger, metrics: Metrics): AnomalyHooks {
  const record = (ctx: RequestContext, key: RtKey, on: string, o: AnomalyOutcome | undefined): void => {
    if (!o || o.action === 'none') return;
    const components = roundComponents(o.components);
    const strongest = (Object.entries(components) as [string, number][]).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    metrics.anomalies.inc({ action: o.action, component: strongest });
    const anomaly = { score: o.score, action: o.action, components };
    // the request's audit line carries it; events after that line (settlement of a stream) get their own
    if (!ctx.audited) ctx.rec.anomaly = anomaly;
    else log.warn({ event: 'anomaly', reqId: ctx.reqId, tenant: key.tenant.cfg.id, keyId: key.id, on, anomaly }, 'key anomaly');
  };
  const failed = (ctx: RequestContext, on: string, e: unknown): void => {
    log.error({ event: 'anomaly_error', reqId: ctx.reqId, on, err: e instanceof Error ? e.message.slice(0, 300) : String(e).slice(0, 300) }, 'anomaly detection failed');
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
      detector.onResponse(who(key), cfg, { at: now(), hitCap }).then((o) => record(ctx, key, 'response', o), (e: unknown) => failed(ctx, 'response', e));
    },
    onAuthFailure(ctx, key, err) {
      const cfg = key.tenant.cfg.anomaly;
      if (!cfg?.enabled || !(err instanceof GatewayError) || !AUTH_FAILURE_CODES.has(err.code)) return;
      detector.onAuthFailure(who(key), cfg, { at: now() }).then((o) => record(ctx, key, 'authFailure', o), (e: unknown) => failed(ctx, 'authFailure', e));
    },
  };
}
