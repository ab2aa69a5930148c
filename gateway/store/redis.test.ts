import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedis, type RedisServer } from '../test/redis.ts';
import { storeContract } from './contract.ts';
import { RedisStore } from './redis.ts';
import { StoreUnavailableError } from './types.ts';

let server: RedisServer;
let store: RedisStore;
before(async () => {
  server = await startRedis();
  store = new RedisStore({ url: server.url });
  await store.connect();
});
after(async () => {
  await store?.close();
  await server?.stop();
});
let n = 0;
storeContract('redis', () => ({ store, tenant: () => `ns${++n}/t` }));

describe('redis store when Redis is unreachable', () => {
  it('reserve fails with StoreUnavailableError within the command timeout, and recovers', async () => {
    const local = new RedisStore({ url: server.url, commandTimeoutMs: 200 });
    await local.connect();
    try {
      server.pause();
      const t0 = Date.now();
      await assert.rejects(
        local.reserve({
          id: 'x',
          tenant: 'a/b',
          budgets: [{ unit: 'tokens', windowSeconds: 60, limit: 10, amount: 1 }],
        }),
        StoreUnavailableError,
      );
      assert.ok(Date.now() - t0 < 2000);
      assert.equal(await local.ping(), false);
    } finally {
      server.resume();
    }
    let ok = false;
    for (let i = 0; i < 40 && !ok; i++) {
      ok = await local.ping();
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(ok, true);
    const r = await local.reserve({
      id: 'y',
      tenant: 'a/b',
      budgets: [{ unit: 'tokens', windowSeconds: 60, limit: 10, amount: 1 }],
    });
    assert.equal(r.ok, true);
    await local.close();
  });

  it('a settle that cannot be written is retried, then reported; it applies at most once', async () => {
    const failures: unknown[] = [];
    const local = new RedisStore({
      url: server.url,
      commandTimeoutMs: 150,
      settleRetryDelaysMs: [50, 50],
      onSettleFailure: (_r, e) => failures.push(e),
    });
    await local.connect();
    const line = { unit: 'tokens' as const, windowSeconds: 3600, limit: 100, amount: 60 };
    const r = await local.reserve({ id: 'z', tenant: 'c/d', budgets: [line] });
    assert.ok(r.ok);
    server.pause();
    try {
      await local.settle(r.reservation, { cost: 1, tokens: 1 });
    } finally {
      server.resume();
    }
    assert.equal(failures.length, 1);
    // The timed-out attempts were still queued in the paused Redis and run on resume: exactly one applies.
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(await store.spent('c/d', 'tokens', 3600), 1);
    await local.close();
  });
});
