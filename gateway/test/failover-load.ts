// Load from two gateway replicas on one shared store while the store fails over (Sentinel or Cluster): a
// budget-limited tenant, bounded request loops on both replicas, a failover triggered part-way through. The
// caller asserts on the report: spend recorded in the store == the sum of the usage of every 200 (no double
// count, nothing lost), spend <= the budget (nothing overspent), 200s after the failover (recovery without a
// restart).
import { startGateway, type RunningGateway } from '../server.ts';
import { startSimulator } from '../sim/sim.ts';
import { RedisStore } from '../store/redis.ts';
import { config, model, newKey, tenant } from './fixtures.ts';
import { call, captureLogger } from './harness.ts';
import { waitFor } from './redis.ts';

export interface FailoverReport {
  ok: number;
  okAfterFailover: number;
  /** Sum of usage (input + output tokens) of every 200 — the budget's unit here (weights 1). */
  usageSum: number;
  spent: number;
  limit: number;
  codes: Record<string, number>;
  failoverMs: number;
  requests: number;
}

export async function budgetUnderFailover(opts: {
  redisUrl: string;
  tenantName: string;
  limit: number;
  failover: () => Promise<{ ms: number }>;
  deadlineMs?: number;
}): Promise<FailoverReport> {
  const key = newKey();
  const sim = await startSimulator({ latencyMs: 10, outputTokens: 20 });
  const cfg = config(
    [model('m1', sim.url)],
    [
      tenant({
        name: opts.tenantName,
        models: ['m1'],
        keys: [{ name: 'k', key }],
        limits: { maxOutputTokens: 20, budgets: [{ unit: 'tokens', limit: opts.limit, windowSeconds: 86400 }] },
      }),
    ],
  );
  const gws: RunningGateway[] = [];
  const report: FailoverReport = {
    ok: 0,
    okAfterFailover: 0,
    usageSum: 0,
    spent: -1,
    limit: opts.limit,
    codes: {},
    failoverMs: 0,
    requests: 0,
  };
  try {
    for (let i = 0; i < 2; i++) {
      gws.push(
        await startGateway({
          config: { kind: 'static', value: cfg },
          host: '127.0.0.1',
          port: 0,
          metricsPort: 0,
          logger: captureLogger(),
          redisUrl: opts.redisUrl,
        }),
      );
    }
    const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
    let phase: 'before' | 'during' | 'after' = 'before';
    let exhaustedAfter = 0;
    const loop = async (url: string): Promise<void> => {
      while (Date.now() < deadline && exhaustedAfter < 6) {
        report.requests++;
        const r = await call(url, '/v1/chat/completions', {
          key,
          body: { model: 'm1', max_tokens: 20, messages: [{ role: 'user', content: 'count to twenty' }] },
        });
        const code = r.status === 200 ? '200' : (r.json.error?.code ?? String(r.status));
        report.codes[code] = (report.codes[code] ?? 0) + 1;
        if (r.status === 200) {
          const u = r.json.usage as { prompt_tokens: number; completion_tokens: number };
          report.ok++;
          report.usageSum += u.prompt_tokens + u.completion_tokens;
          if (phase === 'after') report.okAfterFailover++;
        } else if (code === 'insufficient_quota' && phase === 'after') exhaustedAfter++;
        await new Promise((res) => setTimeout(res, code === 'store_unavailable' ? 100 : 40));
      }
    };
    const loops = gws.flatMap((g) => [loop(g.url), loop(g.url)]);
    const trigger = (async () => {
      while (report.ok < 10 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      phase = 'during';
      const f = await opts.failover();
      report.failoverMs = f.ms;
      phase = 'after';
    })();
    await Promise.all([...loops, trigger]);
    // settles in flight (retried across the failover) and releases of reservations refused during it land
    await waitFor(
      'settles and releases to land',
      () =>
        gws.every((g) => {
          const s = g.gateway.store as RedisStore;
          return s.pendingSettles === 0 && s.pendingReleases === 0;
        }),
      30_000,
      100,
    );
    const probe = new RedisStore({ url: opts.redisUrl });
    try {
      await probe.connect();
      report.spent = await probe.spent(`team-${opts.tenantName}/${opts.tenantName}`, 'tokens', 86400);
    } finally {
      await probe.close();
    }
    return report;
  } finally {
    for (const g of gws) await g.close();
    await sim.close();
  }
}
