// buildApp(): the gateway's Fastify instance (tenant-facing port) — plugins for what every request shares,
// one file per route — plus the admin handler (metrics port). Nothing here listens; server.ts does.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AnomalyTuning } from '../guardrails/anomaly.ts';
import type { ConfigHolder } from './config/holder.ts';
import type { Metrics } from './metrics.ts';
import { adminHandler, readiness, type Readiness } from './plugins/admin.ts';
import { auditPlugin } from './plugins/audit.ts';
import { authPlugin } from './plugins/auth.ts';
import { bodyPlugin } from './plugins/body.ts';
import {
  connectionGuards,
  CONNECTIONS_CHECK_MS,
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from './plugins/connection.ts';
import { watchConfig } from './plugins/config-events.ts';
import { contextPlugin } from './plugins/context.ts';
import { errorsPlugin } from './plugins/errors.ts';
import chatCompletions from './routes/chat-completions.ts';
import completions from './routes/completions.ts';
import embeddings from './routes/embeddings.ts';
import health from './routes/health.ts';
import models from './routes/models.ts';
import responses from './routes/responses.ts';
import { createServices } from './services.ts';
import type { RevocationCache } from './store/revocations.ts';
import type { Store } from './store/types.ts';
import type { OutputTransformFactory } from './transform.ts';
import type { Upstreams, UpstreamTimeouts } from './upstream/pool.ts';

export { toGatewayError } from './plugins/errors.ts';
export type { RequestContext } from './plugins/context.ts';

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
  /** The whole request (headers and body) must arrive within this many ms of its start (default 30 s). */
  requestTimeoutMs?: number;
  /** In-flight calls per judge model on this replica (default 64); one tenant holds at most a quarter of them. */
  judgeConcurrency?: number;
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
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

export function buildApp(opts: GatewayOptions): Gateway {
  const s = createServices(opts);
  watchConfig(s);
  // refusals outside any route, in the catalog shape; bodies never read before auth; arrival deadlines
  const guards = connectionGuards({ log: s.log, metrics: s.metrics });
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: false,
    bodyLimit: s.serverBodyLimit,
    trustProxy: opts.trustProxy ?? false,
    // shutting_down in the catalog shape instead (plugins/connection.ts)
    return503OnClosing: false,
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
      // a request without Host is refused in the catalog shape by plugins/connection.ts, not by Node without a body
      requireHostHeader: false,
    },
    clientErrorHandler: guards.clientErrorHandler,
    frameworkErrors: guards.frameworkErrors,
    genReqId: () => randomUUID(),
    routerOptions: {
      caseSensitive: true,
      ignoreTrailingSlash: false,
      ignoreDuplicateSlashes: false,
      maxParamLength: 256,
    },
    keepAliveTimeout: 72_000,
  });
  app.server.on('checkContinue', guards.onCheckContinue(app.routing));
  app.server.on('connect', guards.onConnect);
  // an expectation other than 100-continue is ignored (as nginx does), not answered 417 without a body
  app.server.on('checkExpectation', app.routing);
  const ready = readiness({ holder: s.holder, store: s.store, enforcement: s.enforcement });
  // shared by every route (fastify-plugin): context, errors, body parsing, identity, audit
  void app.register(contextPlugin, { holder: s.holder });
  void app.register(errorsPlugin, { log: s.log, secrets: s.secrets });
  void app.register(bodyPlugin, { serverBodyLimit: s.serverBodyLimit });
  void app.register(authPlugin, { enforcement: s.enforcement, revocations: s.revocations, anomaly: s.anomaly });
  void app.register(auditPlugin, { log: s.log, metrics: s.metrics });
  void app.register(guards.plugin);
  // routes (encapsulated)
  const inference = { pipeline: s.pipeline, serverBodyLimit: s.serverBodyLimit };
  void app.register(chatCompletions, inference);
  void app.register(completions, inference);
  void app.register(embeddings, inference);
  void app.register(responses, inference);
  void app.register(models, { enforcement: s.enforcement, anomaly: s.anomaly });
  void app.register(health, { holder: s.holder, readiness: ready });
  return {
    app,
    metrics: s.metrics,
    store: s.store,
    upstreams: s.upstreams,
    holder: s.holder,
    revocations: s.revocations,
    adminHandler: adminHandler(
      { holder: s.holder, store: s.store, metrics: s.metrics, revocations: s.revocations, enforcement: s.enforcement },
      ready,
    ),
    readiness: ready,
    close: async () => {
      s.revocations.stop();
      await app.close();
      await s.upstreams.close();
      await s.store.close();
      await s.fallbackStore?.close();
    },
  };
}
