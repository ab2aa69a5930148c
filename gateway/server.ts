// Starts a gateway: the tenant-facing listener, the admin listener (/metrics, /healthz, /readyz), the
// store, the config source and its watcher, and signal handling (SIGHUP reloads, SIGTERM drains).
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { buildApp, type Gateway, type GatewayOptions } from './app.ts';
import { createLogger } from './audit.ts';
import { ConfigHolder, type ApplyResult } from './config/holder.ts';
import type { ConfigWatcher } from './config/source.ts';
import { createMetrics } from './metrics.ts';
import { compileGuards } from './plan/guards.ts';
import { openStore, readCredentialsDir, redisSecrets, startConfigSource } from './startup.ts';
import { onShutdownSignals } from './signals.ts';
import { CertReloader, loadTlsPair, secureOptions } from './tls.ts';
import { CONNECTIONS_CHECK_MS } from './plugins/connection.ts';

export { readCredentialsDir, redisSecrets } from './startup.ts';

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
  /**
   * Runs once the first config (and the modules it needs) is loaded, before the port serves, with the hash of
   * that config (none: not loaded). The CLI compacts the heap there (heap.ts).
   */
  beforeServing?: (configHash: string | undefined) => void | Promise<void>;
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

export async function startGateway(opts: StartOptions): Promise<RunningGateway> {
  const log = opts.logger ?? createLogger();
  // TLS: the pair is checked before anything starts, so a certificate that does not load fails the start.
  const tlsPair = opts.tls ? loadTlsPair(opts.tls) : undefined;
  const holder = new ConfigHolder({ upstreamOverrides: opts.upstreamOverrides });

  const metrics = opts.app?.metrics ?? createMetrics();
  const store = await openStore(opts.redisUrl, log, metrics);
  const credentials = new Map(opts.credentials ?? []);
  if (opts.credentialsDir) for (const [k, v] of readCredentialsDir(opts.credentialsDir)) credentials.set(k, v);

  const gateway = buildApp({
    ...opts.app,
    metrics,
    holder,
    logger: log,
    store,
    credentials,
    extraSecrets: [...(opts.app?.extraSecrets ?? []), ...redisSecrets(opts.redisUrl)],
    rateLimitFailureMode: opts.rateLimitFailureMode ?? 'closed',
  });

  const { watcher, cluster, initial } = await startConfigSource(opts, holder, credentials, log, () =>
    gateway.revocations.list(),
  );
  // a config whose tenants use guardrails: their modules are loaded (plan/guard-modules.ts) before the port
  // serves, as when they were imported at start, so a replica never reports ready and then stalls loading them
  if (holder.current) await compileGuards(holder.current);
  await opts.beforeServing?.(holder.current?.hash);
  let tlsServer: HttpsServer | undefined;
  let certReloader: CertReloader | undefined;
  let addr: AddressInfo;
  if (opts.tls && tlsPair) {
    // buildApp's Fastify instance owns a plain http.Server; with TLS an https.Server takes the port and
    // hands every request to Fastify's router (the same handler its own server uses). The listen-time
    // settings Fastify applied to its server are carried over.
    const app = gateway.app;
    const https = createHttpsServer(
      // Host is checked by the gateway (plugins/connection.ts), in the catalog shape
      { ...secureOptions(tlsPair), connectionsCheckingInterval: CONNECTIONS_CHECK_MS, requireHostHeader: false },
      app.routing,
    );
    tlsServer = https;
    const plain = app.server;
    https.keepAliveTimeout = plain.keepAliveTimeout;
    https.requestTimeout = plain.requestTimeout;
    https.headersTimeout = plain.headersTimeout;
    https.maxRequestsPerSocket = plain.maxRequestsPerSocket;
    https.setTimeout(plain.timeout);
    for (const event of ['clientError', 'checkContinue', 'checkExpectation', 'connect'])
      for (const l of plain.listeners(event)) https.on(event, l as (...args: unknown[]) => void);
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
    certReloader = new CertReloader({
      server: https,
      files: opts.tls,
      initial: tlsPair,
      log,
      ...(opts.tls.reloadIntervalMs !== undefined ? { intervalMs: opts.tls.reloadIntervalMs } : {}),
    });
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
  const fmt = (a: AddressInfo, scheme = 'http'): string =>
    `${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  const url = fmt(addr, tlsServer ? 'https' : 'http');
  const metricsUrl = fmt(adminAddr);
  log.info(
    {
      event: 'listening',
      url,
      metricsUrl,
      store: store.kind,
      config: holder.current?.hash ?? null,
      ...(tlsPair ? { tls: { minVersion: 'TLSv1.3', ...tlsPair.info } } : {}),
    },
    'tollgate gateway listening',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      cluster?.stop();
      await cluster?.release();
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
    onShutdownSignals(stop, (sig) => log.info({ event: 'shutdown-signal-repeated', signal: sig }, 'already draining'));
  }

  return {
    gateway,
    url,
    metricsUrl,
    holder,
    initial,
    watcher,
    certReloader,
    reload: async () => watcher?.check(true),
    close,
  };
}
