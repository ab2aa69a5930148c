// A real Sentinel setup for tests: one master, one replica, three sentinels (quorum 2), local processes on
// free loopback ports, stopped by process group on any exit (gateway/test/redis.ts).
import { Redis } from 'ioredis';
import { startRedis, waitFor, type RedisServer } from './redis.ts';

export interface RedisSentinel {
  /** redis+sentinel://s1,s2,s3/<master> */
  readonly url: string;
  readonly masterName: string;
  readonly data: readonly RedisServer[];
  readonly sentinels: readonly RedisServer[];
  readonly setupMs: number;
  /** The data node the sentinels name as master now. */
  master(): Promise<RedisServer>;
  /** SIGKILL the master and wait until the sentinels promoted the replica and it accepts writes. */
  failover(): Promise<{ killed: RedisServer; promoted: RedisServer; ms: number }>;
  /**
   * Waits (up to `timeoutMs`) until the replica has acknowledged every write the master took so far: a write of
   * its own, then WAIT on the same connection (the replication stream is ordered). Returns the acknowledgements.
   */
  replicated(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startRedisSentinel(opts: { masterName?: string } = {}): Promise<RedisSentinel> {
  const t0 = Date.now();
  const name = opts.masterName ?? 'tollgate';
  const started: RedisServer[] = [];
  try {
    const master = await startRedis();
    started.push(master);
    const replica = await startRedis({ conf: [`replicaof 127.0.0.1 ${master.port}`, 'replica-serve-stale-data yes'] });
    started.push(replica);
    await waitFor(
      'the replica to sync',
      async () => String(await call(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
      15_000,
    );
    const sentinels: RedisServer[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await startRedis({
        sentinel: true,
        conf: [
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
        ],
      });
      sentinels.push(s);
      started.push(s);
    }
    await waitFor(
      'every sentinel to know the replica and the other sentinels',
      async () => {
        for (const s of sentinels) {
          const m = (await call(s.port, 'SENTINEL', 'MASTER', name)) as unknown as string[];
          const f = fields(m);
          if (Number(f['num-slaves']) < 1 || Number(f['num-other-sentinels']) < 2) return false;
        }
        return true;
      },
      30_000,
      100,
    );
    const data = [master, replica];
    const byPort = new Map(data.map((d) => [d.port, d]));
    const currentMaster = async (): Promise<RedisServer> => {
      for (const s of sentinels) {
        try {
          const a = (await call(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as unknown as [string, string];
          const m = byPort.get(Number(a[1]));
          if (m) return m;
        } catch {
          // next sentinel
        }
      }
      throw new Error('no sentinel names a master');
    };
    return {
      url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${name}`,
      masterName: name,
      data,
      sentinels,
      setupMs: Date.now() - t0,
      master: currentMaster,
      failover: async () => {
        const f0 = Date.now();
        const killed = await currentMaster();
        await killed.stop();
        let promoted: RedisServer | undefined;
        await waitFor(
          'the sentinels to promote the replica',
          async () => {
            const m = await currentMaster();
            if (m === killed) return false;
            const role = String(await call(m.port, 'ROLE'));
            if (!role.startsWith('master')) return false;
            promoted = m;
            return true;
          },
          30_000,
          100,
        );
        return { killed, promoted: promoted!, ms: Date.now() - f0 };
      },
      replicated: async (timeoutMs = 10_000) => {
        const m = await currentMaster();
        const c = new Redis({ port: m.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
        try {
          await c.connect();
          await c.set('tollgate-test:replication-barrier', String(Date.now()));
          return Number(await c.call('WAIT', '1', String(timeoutMs)));
        } finally {
          c.disconnect();
        }
      },
      stop: async () => {
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
}

function fields(flat: string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

async function call(port: number, cmd: string, ...args: string[]): Promise<unknown> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  try {
    await c.connect();
    return await c.call(cmd, ...args);
  } finally {
    c.disconnect();
  }
}
