// Starts a gateway: the tenant-facing listener, the admin listener (/metrics, /healthz, /readyz), the
// store, the config source and its watcher, and signal handling (SIGHUP reloads, SIGTERM drains).
import { createServer, type Server } from 'node:http';
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
import type { Store } from './store/types.ts';

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
  reload(): Promise<ApplyResult | undefined>;
  close(): Promise<void>;
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
  const holder = new ConfigHolder({ upstreamOverrides: opts.upstreamOverrides });

  let store: Store;
  if (opts.redisUrl) {
    const { RedisStore } = await import('./store/redis.ts'); // ioredis only when used (~20 MB RSS)
    const rs = new RedisStore({
      url: opts.redisUrl,
      onSettleFailure: (res) => log.error({ event: 'settle_lost', tenant: res.tenant, reqId: res.id }, 'settle could not be written to Redis; the reservation stays charged in full'),
    });
    try {
      await rs.connect();
    } catch (e) {
      log.error({ event: 'store_unreachable', err: e instanceof Error ? e.message : String(e) }, 'Redis unreachable at start; limited tenants are refused until it is back (readyz reports not ready)');
    }
    store = rs;
  } else store = new MemoryStore();

  const credentials = new Map(opts.credentials ?? []);
  if (opts.credentialsDir) for (const [k, v] of readCredentialsDir(opts.credentialsDir)) credentials.set(k, v);

  const gateway = buildApp({ ...opts.app, holder, logger: log, store, credentials, rateLimitFailureMode: opts.rateLimitFailureMode ?? 'closed' });

  let watcher: ConfigWatcher | undefined;
  let initial: ApplyResult;
  const spec = opts.config;
  let cluster: ClusterConfigSource | undefined;
  if (spec.kind === 'static') initial = holder.apply(spec.value, spec.label ?? 'static');
  else if (spec.kind === 'cluster') {
    cluster = new ClusterConfigSource({
      client: KubeClient.fromKubeconfig(spec.kubeconfig), namespace: spec.namespace, holder, credentials,
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

  await gateway.app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
  const addr = gateway.app.server.address() as AddressInfo;
  const admin: Server = createServer(gateway.adminHandler);
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(opts.metricsPort ?? 9090, opts.metricsHost ?? opts.host ?? '127.0.0.1', resolve);
  });
  const adminAddr = admin.address() as AddressInfo;
  const fmt = (a: AddressInfo): string => `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  const url = fmt(addr);
  const metricsUrl = fmt(adminAddr);
  log.info({ event: 'listening', url, metricsUrl, store: store.kind, config: holder.current?.hash ?? null }, 'tollgate gateway listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      cluster?.stop();
      const drain = gateway.close();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, opts.drainTimeoutMs ?? 30_000).unref());
      await Promise.race([drain, timeout]);
      gateway.app.server.closeAllConnections?.();
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

  return { gateway, url, metricsUrl, holder, initial, watcher, reload: async () => watcher?.check(true), close };
}
