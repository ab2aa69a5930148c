// Issue #15, item 6: the failure matrix of gateway/README.md, row by row, through real gateways (HTTP) on a
// real redis-server: every control (budget, rpm, tpm, concurrency, revocation) while Redis is down, slow
// (750 ms added to every reply: above the 500 ms command timeout), and restarted empty. The failover column is in sentinel.test.ts and
// cluster.test.ts (a real failover needs those topologies).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { call, chat, installLeakScan, startStack, type Res, type Stack } from '../test/harness.ts';
import { startLatencyProxy, type LatencyProxy } from '../test/latency-proxy.ts';
import { startRedis, waitFor, type RedisServer } from '../test/redis.ts';
import { RedisStore } from './redis.ts';

installLeakScan();
const run = promisify(execFile);

let server: RedisServer;
let proxy: LatencyProxy;
let probe: RedisStore;
before(async () => {
  server = await startRedis({ appendonly: true });
  proxy = await startLatencyProxy(server.port);
  probe = new RedisStore({ url: server.url });
  await probe.connect();
});
after(async () => {
  await probe?.close();
  await proxy?.close();
  await server?.stop();
});

interface Scenario {
  closed: Stack;
  local: Stack;
  keys: { budget: string; rpm: string; tpm: string; cc: string; revoked: string };
  ids: { budget: string; rpm: string; revokedKey: string };
  close(): Promise<void>;
}

/** Two gateways (failure mode closed and local) on the store through the latency proxy; fresh tenants per scenario. */
async function scenario(tag: string): Promise<Scenario> {
  const keys = { budget: newKey(), rpm: newKey(), tpm: newKey(), cc: newKey(), revoked: newKey() };
  const cfg = (url: string) =>
    config(
      [model('m1', url)],
      [
        tenant({
          name: `budget-${tag}`,
          models: ['m1'],
          keys: [{ name: 'k', key: keys.budget }],
          limits: { maxOutputTokens: 16, budgets: [{ unit: 'tokens', limit: 100_000, windowSeconds: 3600 }] },
        }),
        tenant({
          name: `rpm-${tag}`,
          models: ['m1'],
          keys: [{ name: 'k', key: keys.rpm }],
          limits: { maxOutputTokens: 16, requestsPerMinute: 3 },
        }),
        tenant({
          name: `tpm-${tag}`,
          models: ['m1'],
          keys: [{ name: 'k', key: keys.tpm }],
          limits: { maxOutputTokens: 16, tokensPerMinute: 100_000 },
        }),
        tenant({
          name: `cc-${tag}`,
          models: ['m1'],
          keys: [{ name: 'k', key: keys.cc }],
          limits: { maxOutputTokens: 16, concurrency: 1 },
        }),
        tenant({ name: `rev-${tag}`, models: ['m1'], keys: [{ name: 'k', key: keys.revoked }] }),
      ],
    );
  const redisUrl = `redis://127.0.0.1:${proxy.port}`;
  const app = { revocationRefreshMs: 100 };
  const closed = await startStack(cfg, {
    redisUrl,
    rateLimitFailureMode: 'closed',
    app,
    sim: { latencyMs: 0, outputTokens: 16 },
  });
  const local = await startStack(cfg, {
    redisUrl,
    rateLimitFailureMode: 'local',
    app,
    sim: { latencyMs: 0, outputTokens: 16 },
  });
  const revokedKey = `team-rev-${tag}/rev-${tag}/k`;
  try {
    await probe.revoke(revokedKey, 'anomaly');
    for (const s of [closed, local])
      await waitFor('the revocation to reach the gateway', () => s.gw.gateway.revocations.has(revokedKey));
  } catch (e) {
    await closed.close();
    await local.close();
    throw e;
  }
  return {
    closed,
    local,
    keys,
    ids: { budget: `team-budget-${tag}/budget-${tag}`, rpm: `team-rpm-${tag}/rpm-${tag}`, revokedKey },
    close: async () => {
      await closed.close();
      await local.close();
    },
  };
}

const ask = (s: Stack, key: string): Promise<Res> =>
  call(s.url, '/v1/chat/completions', { key, body: chat('m1', { max_tokens: 16 }) });
const code = (r: Res): string => (r.status === 200 ? '200' : (r.json.error?.code ?? String(r.status)));

async function codes(s: Stack, keys: Scenario['keys']): Promise<Record<keyof Scenario['keys'], string>> {
  return {
    budget: code(await ask(s, keys.budget)),
    rpm: code(await ask(s, keys.rpm)),
    tpm: code(await ask(s, keys.tpm)),
    cc: code(await ask(s, keys.cc)),
    revoked: code(await ask(s, keys.revoked)),
  };
}

async function rpmUsed(tenant: string): Promise<number> {
  let sum = 0;
  for (const k of await probe.client.keys(`tg:{${tenant}}:rpm:*`)) sum += Number((await probe.client.get(k)) ?? 0);
  return sum;
}

describe('failure matrix (single Redis)', () => {
  it('Redis down: budget 503 store_unavailable; rpm/tpm/concurrency 503 (closed) or served per replica (local); revocations still enforced; nothing charged; recovers with its data', async () => {
    const s = await scenario('down');
    let down = false;
    try {
      assert.equal(code(await ask(s.closed, s.keys.budget)), '200');
      await waitFor('the settle to land', () => (s.closed.gw.gateway.store as RedisStore).pendingSettles === 0);
      const spentBefore = await probe.spent(s.ids.budget, 'tokens', 3600);
      assert.ok(spentBefore > 0);
      const upstreamBefore = s.closed.sim.stats.requests;
      await server.down('SIGTERM'); // a clean stop: the AOF has everything (a crash may lose the last second)
      down = true;
      assert.deepEqual(await codes(s.closed, s.keys), {
        budget: 'store_unavailable',
        rpm: 'store_unavailable',
        tpm: 'store_unavailable',
        cc: 'store_unavailable',
        revoked: 'revoked_api_key',
      });
      assert.equal(s.closed.sim.stats.requests, upstreamBefore, 'the upstream is not called');
      assert.deepEqual(await codes(s.local, s.keys), {
        budget: 'store_unavailable',
        rpm: '200',
        tpm: '200',
        cc: '200',
        revoked: 'revoked_api_key',
      });
      await server.up();
      down = false;
      await waitFor(
        'the gateways to reach Redis again',
        async () => (await fetch(`${s.closed.url}/readyz`)).status === 200,
        15_000,
      );
      await waitFor('the probe to reconnect', () => probe.ping(), 15_000);
      assert.equal(
        await probe.spent(s.ids.budget, 'tokens', 3600),
        spentBefore,
        'the AOF kept the spend; refused requests charged nothing',
      );
      assert.equal(code(await ask(s.closed, s.keys.budget)), '200');
      assert.equal(s.closed.gw.gateway.store.health().state, 'ok');
    } finally {
      if (down) await server.up();
      await s.close();
    }
  });

  it('Redis slow (750 ms added to every reply, above the 500 ms command timeout): budget 503 store_unavailable; rpm/tpm/concurrency 503 (closed) or per replica (local); revocations enforced; the late scripts are released by id — nothing charged, no slot held', async () => {
    const s = await scenario('slow');
    try {
      assert.equal(code(await ask(s.closed, s.keys.rpm)), '200');
      assert.equal(code(await ask(s.closed, s.keys.budget)), '200');
      await waitFor('the settle to land', () => (s.closed.gw.gateway.store as RedisStore).pendingSettles === 0);
      const spentBefore = await probe.spent(s.ids.budget, 'tokens', 3600);
      assert.ok(spentBefore > 0);
      // above the 500 ms command timeout with a margin: at exactly 500 ms the reply and the timeout race
      proxy.delayMs = 750;
      try {
        assert.deepEqual(await codes(s.closed, s.keys), {
          budget: 'store_unavailable',
          rpm: 'store_unavailable',
          tpm: 'store_unavailable',
          cc: 'store_unavailable',
          revoked: 'revoked_api_key',
        });
        assert.deepEqual(await codes(s.local, s.keys), {
          budget: 'store_unavailable',
          rpm: '200',
          tpm: '200',
          cc: '200',
          revoked: 'revoked_api_key',
        });
      } finally {
        proxy.delayMs = 0;
      }
      const stores = [s.closed, s.local].map((x) => x.gw.gateway.store as RedisStore);
      await waitFor('the releases to land', () => stores.every((st) => st.pendingReleases === 0), 15_000);
      // Before #15 every timed-out script still applied when it ran: tokens charged and slots held for the lease.
      assert.equal(await probe.spent(s.ids.budget, 'tokens', 3600), spentBefore);
      assert.equal(await rpmUsed(s.ids.rpm), 1, 'only the request served before the slowdown counts');
      assert.equal(await probe.inflight(`team-cc-slow/cc-slow`), 0);
      assert.equal(code(await ask(s.closed, s.keys.cc)), '200');
    } finally {
      proxy.delayMs = 0;
      await s.close();
    }
  });

  it('Redis restarted empty: budget 503 store_state_lost until `tollgate store ack-reset`; rpm/tpm/concurrency served (windows restart); revocations re-seeded from the replicas', async () => {
    const s = await scenario('empty');
    try {
      assert.equal(code(await ask(s.closed, s.keys.budget)), '200');
      await server.restart({ empty: true });
      await waitFor('the loss to be detected', () => s.closed.gw.gateway.store.health().state === 'lost', 10_000);
      assert.deepEqual(await codes(s.closed, s.keys), {
        budget: 'store_state_lost',
        rpm: '200',
        tpm: '200',
        cc: '200',
        revoked: 'revoked_api_key',
      });
      assert.deepEqual(await codes(s.local, s.keys), {
        budget: 'store_state_lost',
        rpm: '200',
        tpm: '200',
        cc: '200',
        revoked: 'revoked_api_key',
      });
      const metrics = await (await fetch(`${s.closed.gw.metricsUrl}/metrics`)).text();
      assert.match(metrics, /^tollgate_store_state_lost 1$/m);
      assert.match(metrics, /tollgate_requests_total\{[^}]*code="store_state_lost"[^}]*\} [1-9]/);
      await waitFor(
        'the revocation to be written back',
        async () => (await probe.revocations()).has(s.ids.revokedKey),
        5000,
      );
      // the operator's acknowledgement, through the CLI
      const r = await run(process.execPath, ['bin/tollgate.ts', 'store', 'ack-reset'], {
        env: { ...process.env, TOLLGATE_REDIS_URL: server.url },
      });
      assert.match(r.stdout, /acknowledged/);
      await waitFor(
        'budget-limited tenants to be served again',
        async () => code(await ask(s.closed, s.keys.budget)) === '200',
        5000,
      );
      assert.match(await (await fetch(`${s.closed.gw.metricsUrl}/metrics`)).text(), /^tollgate_store_state_lost 0$/m);
      const status = await run(process.execPath, ['bin/tollgate.ts', 'store', 'status'], {
        env: { ...process.env, TOLLGATE_REDIS_URL: server.url },
      });
      assert.match(status.stdout, / ok since /);
    } finally {
      await s.close();
    }
  });
});
