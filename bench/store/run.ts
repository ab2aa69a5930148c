// Store benchmark (issue #15): the latency one reservation + settlement adds, per store, measured in one
// process against real servers started here (one Redis, a Redis Cluster of 3 masters + 3 replicas): memory,
// redis, redis-cluster with WAIT for a replica (the default) and without (replicaAcks 0). Prints a table;
// every server it started is stopped on any exit (process groups, gateway/test/redis.ts), SIGINT included.
//
// Usage: node bench/store/run.ts [--n 2000] [--concurrency 16]
import { parseArgs } from 'node:util';
import { MemoryStore } from '../../gateway/store/memory.ts';
import { RedisStore } from '../../gateway/store/redis.ts';
import type { Store } from '../../gateway/store/types.ts';
import { startRedisCluster } from '../../gateway/test/redis-cluster.ts';
import { startRedis } from '../../gateway/test/redis.ts';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' } },
});
const N = Number(values.n);
const C = Number(values.concurrency);
const line = { unit: 'tokens' as const, windowSeconds: 3600, limit: 1e12, amount: 10 };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function measure(name: string, store: Store): Promise<string> {
  const one = async (i: number): Promise<number> => {
    const t0 = performance.now();
    const r = await store.reserve({
      id: `${name}-${i}-${Date.now()}`,
      tenant: `bench/t${i % 1000}`,
      budgets: [line, { ...line, windowSeconds: 86400 }],
      rpm: 1e9,
      tpm: { limit: 1e12, amount: 10 },
      concurrency: { limit: 1e6, leaseMs: 60_000 },
    });
    if (!r.ok) throw new Error(`${name}: refused (${r.reason})`);
    await store.settle(r.reservation, { cost: 5, tokens: 5 });
    return performance.now() - t0;
  };
  for (let i = 0; i < 200; i++) await one(i); // warm-up
  const seq: number[] = [];
  for (let i = 0; i < N; i++) seq.push(await one(i));
  const t0 = performance.now();
  let next = 0;
  const par: number[] = [];
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) par.push(await one(next++));
    }),
  );
  const rps = N / ((performance.now() - t0) / 1000);
  const f = (x: number): string => x.toFixed(3);
  return `| ${name} | ${f(pct(seq, 50))} | ${f(pct(seq, 99))} | ${f(pct(par, 50))} | ${f(pct(par, 99))} | ${rps.toFixed(0)} |`;
}

const redis = await startRedis();
const cluster = await startRedisCluster();
const stores: [string, Store][] = [];
const stop = async (): Promise<void> => {
  for (const [, s] of stores) await s.close();
  await cluster.stop();
  await redis.stop();
};
try {
  const r = new RedisStore({ url: redis.url });
  const cw = new RedisStore({ url: cluster.url });
  const cn = new RedisStore({ url: cluster.url, replicaAcks: 0 });
  for (const s of [r, cw, cn]) await s.connect();
  stores.push(
    ['memory', new MemoryStore()],
    ['redis', r],
    ['redis-cluster (WAIT 1)', cw],
    ['redis-cluster (no WAIT)', cn],
  );
  const rows: string[] = [];
  for (const [name, s] of stores) rows.push(await measure(name, s));
  process.stdout.write(
    [
      `reserve + settle, ${N} sequential and ${N} at concurrency ${C}; 1,000 tenants; two budget lines, rpm, tpm, concurrency. Load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}.`,
      '',
      '| store | seq p50 ms | seq p99 ms | c p50 ms | c p99 ms | c ops/s |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await stop();
}
process.exit(0);
