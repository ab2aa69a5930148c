// Starts a gateway: the tenant-facing listener, the admin listener (/metrics, /healthz, /readyz), the
// store, the config source and its watcher, and signal handling (SIGHUP reloads, SIGTERM drains).
import { scrubUpstreamText, SecretSet } from './scrub.ts';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { buildApp, type Gateway, type GatewayOptions } from './app.ts';
import { createLogger } from './audit.ts';
import { ConfigHolder, type ApplyResult } from './config/holder.ts';
import { ConfigWatcher, readConfigFile } from './config/source.ts';
import { ClusterConfigSource } from './config/cluster.ts';
import { KubeClient } from '../operator/kube/client.ts';
import { MemoryStore } from './store/memory.ts';
import { storeEventSink } from './store/observe.ts';
import { createMetrics } from './metrics.ts';
import type { Store } from './store/types.ts';
import { CertReloader, loadTlsPair, secureOptions } from './tls.ts';

export type ConfigSourceSpec =
  | { kind: 'file'; path: string }
  /** Anything that produces a raw config (e.g. compiling manifests); `paths` are watched for changes. */
  | { kind: 'loader'; paths: readonly string[]; load: () => Promise<unknown>; label: string }
  | { kind: 'static'; value: unknown; label?: string }
  /** In-cluster: the Secrets the operator publishes in `namespace` (kubeconfig: in-cluster when absent). */
  | { kind: 'cluster'; namespace: string; kubeconfig?: string };

export interface StartOptions {
  config: ConfigSourceSpec;
  host?: string;
  port?: number;
  metricsHost?: string;
  metricsPort?: number;
  redisUrl?: string;
  /** Serve the tenant port with TLS 1.3 from these PEM files, reloaded when they change; the admin port stays plain HTTP. */
  tls?: { certFile: string; keyFile: string; reloadIntervalMs?: number };
  rateLimitFailureMode?: 'closed' | 'local';
  upstreamOverrides?: ReadonlyMap<string, string>;
  /** Directory with one file per upstream credential (a mounted Secret): file name = credentialKey. */
  credentialsDir?: string;
  credentials?: ReadonlyMap<string, string>;
  logger?: Logger;
  watch?: boolean;
  watchIntervalMs?: number;
  /** Give up draining in-flight requests after this long on close(). */
  drainTimeoutMs?: number;
  app?: Partial<Omit<GatewayOptions, 'holder' | 'logger' | 'store' | 'credentials'>>;
  /** Install SIGHUP/SIGTERM/SIGINT handlers (CLI). */
  handleSignals?: boolean;
}

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly url: string;
  readonly metricsUrl: string;
  readonly holder: ConfigHolder;
  readonly initial: ApplyResult;
  readonly watcher: ConfigWatcher | undefined;
  /** Set with `tls`: the certificate reloader (check() polls now). */
  readonly certReloader: CertReloader | undefined;
  reload(): Promise<ApplyResult | undefined>;
  close(): Promise<void>;
}

/** The user and password of a Redis URL (scrubbed from logs like every credential the gateway holds). */
export function redisSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const m = /^[a-z+]+:\/\/([^@/]*)@/i.exec(url);
  if (!m) return [];
  const info = m[1]!;
  const i = info.indexOf(':');
  const parts = i === -1 ? [info] : [info.slice(0, i), info.slice(i + 1)];
  return parts.map((p) => { try { return decodeURIComponent(p); } catch { return p; } }).concat(parts).filter((p) => p.length > 0);
}

export function readCredentialsDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue; // ..data and friends in a mounted Secret
    const p = join(dir, name);
    if (!statSync(p).isFile()) continue;
    out.set(name, readFileSync(p, 'utf8').trim());
  }
  return out;
}

export async function startGateway(opts: StartOptions): Promise<RunningGateway> {
  const log = opts.logger ?? createLogger();
  // TLS: the pair is checked before anything starts, so a certificate that does not load fails the start.
  const tlsPair = opts.tls ? loadTlsPair(opts.tls) : undefined;
  const holder = new ConfigHolder({ upstreamOverrides: opts.upstreamOverrides });

  let store: Store;
  const metrics = opts.app?.metrics ?? createMetrics();
  if (opts.redisUrl) {
    const { RedisStore } = await import('./store/redis.ts'); // ioredis only when used (~20 MB RSS)
    const rs = new RedisStore({
      url: opts.redisUrl,
      onEvent: storeEventSink(log, metrics),
      onSettleFailure: (res) => log.error({ event: 'settle_lost', tenant: res.tenant, reqId: res.id }, 'settle could not be written to Redis; the reservation stays charged in full'),
    });
    try {
      await rs.connect();
    } catch (e) {
      log.error({ event: 'store_unreachable', err: scrubUpstreamText(e instanceof Error ? e.message : String(e), new SecretSet(redisSecrets(opts.redisUrl))) }, 'Redis unreachable at start; limited tenants are refused until it is back (readyz reports not ready)');
    }
    store = rs;
  } else store = new MemoryStore();

  const credentials = new Map(opts.credentials ?? []);
  if (opts.credentialsDir) for (const [k, v] of readCredentialsDir(opts.credentialsDir)) credentials.set(k, v);

  const gateway = buildApp({ ...opts.app, metrics, holder, logger: log, store, credentials, extraSecrets: [...(opts.app?.extraSecrets ?? []), ...redisSecrets(opts.redisUrl)], rateLimitFailureMode: opts.rateLimitFailureMode ?? 'closed' });

  let watcher: ConfigWatcher | undefined;
  let initial: ApplyResult;
  const spec = opts.config;
  let cluster: ClusterConfigSource | undefined;
  if (spec.kind === 'static') initial = holder.apply(spec.value, spec.label ?? 'static');
  else if (spec.kind === 'cluster') {
    cluster = new ClusterConfigSource({
      client: KubeClient.fromKubeconfig(spec.kubeconfig), namespace: spec.namespace, holder, credentials,
      revoked: () => gateway.revocations.list(),
      log: (level, msg, fields) => log[level]({ event: 'cluster_source', ...fields }, msg),
    });
    await cluster.start();
    const snap = holder.current;
    initial = snap
      ? { ok: true, changed: true, hash: snap.hash, snapshot: snap }
      : { ok: false, error: holder.lastError ?? { message: `no gateway config published in namespace ${spec.namespace} yet`, source: `cluster:${spec.namespace}`, at: new Date(), claimedHash: undefined } };
  } else {
    watcher =
      spec.kind === 'file'
        ? new ConfigWatcher(holder, { paths: [spec.path], load: () => readConfigFile(spec.path), source: `file:${spec.path}`, intervalMs: opts.watchIntervalMs ?? 1000 })
        : new ConfigWatcher(holder, { paths: spec.paths, load: spec.load, source: spec.label, intervalMs: opts.watchIntervalMs ?? 2000 });
    initial = await watcher.loadNow();
    if (opts.watch !== false) watcher.start();
  }

  let tlsServer: HttpsServer | undefined;
  let certReloader: CertReloader | undefined;
  let addr: AddressInfo;
  if (opts.tls && tlsPair) {
    // buildApp's Fastify instance owns a plain http.Server; with TLS an https.Server takes the port and
    // hands every request to Fastify's router (the same handler its own server uses). The listen-time
    // settings Fastify applied to its server are carried over.
    const app = gateway.app;
    const https = createHttpsServer(secureOptions(tlsPair), app.routing);
    tlsServer = https;
    const plain = app.server;
    https.keepAliveTimeout = plain.keepAliveTimeout;
    https.requestTimeout = plain.requestTimeout;
    https.headersTimeout = plain.headersTimeout;
    https.maxRequestsPerSocket = plain.maxRequestsPerSocket;
    https.setTimeout(plain.timeout);
    for (const l of plain.listeners('clientError')) https.on('clientError', l as (...args: unknown[]) => void);
    // Fastify's close (gateway.close) marks the instance closing (new requests get 503 + Connection:
    // close) and then runs preClose: stop accepting and wait for in-flight requests, as its own server would.
    app.addHook('preClose', async () => {
      await new Promise<void>((resolve) => https.close(() => resolve()));
    });
    await app.ready();
    await new Promise<void>((resolve, reject) => {
      https.once('error', reject);
      https.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
        https.off('error', reject);
        resolve();
      });
    });
    addr = https.address() as AddressInfo;
    certReloader = new CertReloader({ server: https, files: opts.tls, initial: tlsPair, log, ...(opts.tls.reloadIntervalMs !== undefined ? { intervalMs: opts.tls.reloadIntervalMs } : {}) });
    certReloader.start();
  } else {
    await gateway.app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
    addr = gateway.app.server.address() as AddressInfo;
  }
  const admin: Server = createServer(gateway.adminHandler);
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(opts.metricsPort ?? 9090, opts.metricsHost ?? opts.host ?? '127.0.0.1', resolve);
  });
  const adminAddr = admin.address() as AddressInfo;
  const fmt = (a: AddressInfo, scheme = 'http'): string => `${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  const url = fmt(addr, tlsServer ? 'https' : 'http');
  const metricsUrl = fmt(adminAddr);
  log.info({ event: 'listening', url, metricsUrl, store: store.kind, config: holder.current?.hash ?? null, ...(tlsPair ? { tls: { minVersion: 'TLSv1.3', ...tlsPair.info } } : {}) }, 'tollgate gateway listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      cluster?.stop();
      certReloader?.close();
      const drain = gateway.close();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, opts.drainTimeoutMs ?? 30_000).unref());
      await Promise.race([drain, timeout]);
      gateway.app.server.closeAllConnections?.();
      tlsServer?.closeAllConnections();
      admin.closeAllConnections();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
      log.flush?.();
    })();
    return closing;
  };

  if (opts.handleSignals) {
    process.on('SIGHUP', () => {
      log.info({ event: 'sighup' }, 'reloading config');
      void watcher?.check(true);
    });
    const stop = (sig: string): void => {
      log.info({ event: 'shutdown', signal: sig }, 'draining and shutting down');
      void close().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  }

  return { gateway, url, metricsUrl, holder, initial, watcher, certReloader, reload: async () => watcher?.check(true), close };
}
