// A real Redis Cluster for tests: three masters with one replica each, local redis-server processes on free
// loopback ports (explicit cluster bus ports), joined with `redis-cli --cluster create`. Every process is
// stopped by process group on any exit (gateway/test/redis.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { redisCliPath, startRedis, waitFor, type RedisServer } from './redis.ts';

const run = promisify(execFile);

export interface RedisCluster {
  /** redis+cluster://h:p,... (every node as a seed) */
  readonly url: string;
  readonly nodes: readonly RedisServer[];
  /** Milliseconds from the first spawn to cluster_state:ok everywhere. */
  readonly setupMs: number;
  /** The node currently serving `slot` as master. */
  masterOf(slot: number): Promise<RedisServer>;
  /** CLUSTER KEYSLOT as the server computes it. */
  keyslot(key: string): Promise<number>;
  /** Kill (SIGKILL) the master of `slot` and wait until its replica has taken over and the cluster is ok. */
  failover(slot: number): Promise<{ killed: RedisServer; promoted: RedisServer; ms: number }>;
  stop(): Promise<void>;
}

export async function startRedisCluster(opts: { conf?: readonly string[] } = {}): Promise<RedisCluster> {
  const t0 = Date.now();
  const cli = redisCliPath();
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      nodes.push(
        await startRedis({
          clusterBus: true,
          conf: [
            'cluster-enabled yes',
            'cluster-config-file nodes.conf',
            'cluster-node-timeout 1000',
            'cluster-replica-validity-factor 0',
            'cluster-allow-replica-migration no',
            ...(opts.conf ?? []),
          ],
        }),
      );
    }
    await run(
      cli,
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'],
      { timeout: 30_000 },
    );
    await waitFor(
      'cluster_state:ok on every node',
      async () => {
        for (const n of nodes) if (!(await info(n.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        return true;
      },
      30_000,
      100,
    );
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const alive = new Set(nodes);
  const masterOf = async (slot: number): Promise<RedisServer> => {
    for (const n of alive) {
      const c = new Redis({ port: n.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await c.connect();
        const slots = (await c.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
        for (const [from, to, master] of slots) if (slot >= from && slot <= to) return byPort.get(Number(master[1]))!;
      } catch {
        // try another node
      } finally {
        c.disconnect();
      }
    }
    throw new Error(`no master for slot ${slot}`);
  };
  return {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    setupMs: Date.now() - t0,
    masterOf,
    keyslot: async (key) => Number(await info(nodes[0]!.port, 'CLUSTER', 'KEYSLOT', key)),
    failover: async (slot) => {
      const f0 = Date.now();
      const killed = await masterOf(slot);
      alive.delete(killed);
      await killed.stop();
      let promoted: RedisServer | undefined;
      await waitFor(
        `a replica to take over slot ${slot}`,
        async () => {
          const m = await masterOf(slot);
          if (m === killed) return false;
          const ok = (await info(m.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok');
          if (ok) promoted = m;
          return ok;
        },
        30_000,
        100,
      );
      return { killed, promoted: promoted!, ms: Date.now() - f0 };
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

async function info(port: number, ...args: string[]): Promise<string> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  try {
    await c.connect();
    return String(await c.call(args[0]!, ...args.slice(1)));
  } finally {
    c.disconnect();
  }
}
