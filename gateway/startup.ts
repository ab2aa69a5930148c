// What a gateway process opens before it serves: the store (Redis or memory), the upstream credentials,
// and the config source (file, compiled manifests, a static value, or the operator's Secrets in-cluster).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { KubeClient } from '../kube/client.ts';
import { ClusterConfigSource } from './config/cluster.ts';
import type { ApplyResult, ConfigHolder } from './config/holder.ts';
import { ConfigWatcher, readConfigFile } from './config/source.ts';
import type { Metrics } from './metrics.ts';
import { scrubUpstreamText, SecretSet } from './scrub.ts';
import type { StartOptions } from './server.ts';
import { MemoryStore } from './store/memory.ts';
import { storeEventSink } from './store/observe.ts';
import type { Store } from './store/types.ts';

/** The user and password of a Redis URL (scrubbed from logs like every credential the gateway holds). */
export function redisSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const m = /^[a-z+]+:\/\/([^@/]*)@/i.exec(url);
  if (!m) return [];
  const info = m[1]!;
  const i = info.indexOf(':');
  const parts = i === -1 ? [info] : [info.slice(0, i), info.slice(i + 1)];
  return parts
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    })
    .concat(parts)
    .filter((p) => p.length > 0);
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

/** Redis when a URL is given (unreachable at start: logged, readyz says not ready), else in memory. */
export async function openStore(redisUrl: string | undefined, log: Logger, metrics: Metrics): Promise<Store> {
  if (!redisUrl) return new MemoryStore();
  const { RedisStore } = await import('./store/redis.ts'); // ioredis only when used (~20 MB RSS)
  const rs = new RedisStore({
    url: redisUrl,
    onEvent: storeEventSink(log, metrics),
    onSettleFailure: (res) =>
      log.error(
        { event: 'settle_lost', tenant: res.tenant, reqId: res.id },
        'settle could not be written to Redis; the reservation stays charged in full',
      ),
  });
  try {
    await rs.connect();
  } catch (e) {
    log.error(
      {
        event: 'store_unreachable',
        err: scrubUpstreamText(e instanceof Error ? e.message : String(e), new SecretSet(redisSecrets(redisUrl))),
      },
      'Redis unreachable at start; limited tenants are refused until it is back (readyz reports not ready)',
    );
  }
  return rs;
}

export interface ConfigSource {
  readonly watcher: ConfigWatcher | undefined;
  readonly cluster: ClusterConfigSource | undefined;
  readonly initial: ApplyResult;
}

/** Load the first config from the source and (unless told not to) start watching it. */
export async function startConfigSource(
  opts: StartOptions,
  holder: ConfigHolder,
  credentials: Map<string, string>,
  log: Logger,
  revoked: () => readonly [string, { reason: string; at: string }][],
): Promise<ConfigSource> {
  const spec = opts.config;
  if (spec.kind === 'static')
    return { watcher: undefined, cluster: undefined, initial: holder.apply(spec.value, spec.label ?? 'static') };
  if (spec.kind === 'cluster') {
    const cluster = new ClusterConfigSource({
      client: KubeClient.fromKubeconfig(spec.kubeconfig),
      namespace: spec.namespace,
      holder,
      credentials,
      revoked,
      log: (level, msg, fields) => log[level]({ event: 'cluster_source', ...fields }, msg),
    });
    await cluster.start();
    const snap = holder.current;
    const initial: ApplyResult = snap
      ? { ok: true, changed: true, hash: snap.hash, snapshot: snap }
      : {
          ok: false,
          error: holder.lastError ?? {
            message: `no gateway config published in namespace ${spec.namespace} yet`,
            source: `cluster:${spec.namespace}`,
            at: new Date(),
            claimedHash: undefined,
          },
        };
    return { watcher: undefined, cluster, initial };
  }
  const watcher =
    spec.kind === 'file'
      ? new ConfigWatcher(holder, {
          paths: [spec.path],
          load: () => readConfigFile(spec.path),
          source: `file:${spec.path}`,
          intervalMs: opts.watchIntervalMs ?? 1000,
        })
      : new ConfigWatcher(holder, {
          paths: spec.paths,
          load: spec.load,
          source: spec.label,
          intervalMs: opts.watchIntervalMs ?? 2000,
        });
  const initial = await watcher.loadNow();
  if (opts.watch !== false) watcher.start();
  return { watcher, cluster: undefined, initial };
}
