// Issue #15, item 2: stalls and timeouts leave nothing behind. A real redis-server stalled with SIGSTOP and
// with DEBUG SLEEP while reservations are in flight; replicas that die holding concurrency slots.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, waitFor, type RedisServer } from '../test/redis.ts';
import { RedisStore } from './redis.ts';
import { StoreUnavailableError, type ReserveRequest, type StoreEvent } from './types.ts';

let server: RedisServer;
let probe: RedisStore;
before(async () => {
  server = await startRedis();
  probe = new RedisStore({ url: server.url });
  await probe.connect();
});
after(async () => {
  await probe?.close();
  await server?.stop();
});

let n = 0;
const line = { unit: 'tokens' as const, windowSeconds: 3600, limit: 1_000_000, amount: 101 };
const req = (tenant: string): ReserveRequest => ({
  id: `s${++n}`,
  tenant,
  budgets: [line],
  rpm: 1000,
  tpm: { limit: 1_000_000, amount: 101 },
  concurrency: { limit: 1000, leaseMs: 600_000 },
});

async function rpmUsed(tenant: string): Promise<number> {
  const keys = await probe.client.keys(`tg:{${tenant}}:rpm:*`);
  let sum = 0;
  for (const k of keys) sum += Number((await probe.client.get(k)) ?? 0);
  return sum;
}

describe('a stalled Redis leaves no phantom reservations', () => {
  it('SIGSTOP under load: every reservation whose reply never arrived is released by id once Redis is back', async () => {
    const events: StoreEvent[] = [];
    const store = new RedisStore({ url: server.url, commandTimeoutMs: 200, onEvent: (e) => events.push(e) });
    await store.connect();
    const t = 'team-a/stall';
    try {
      // 10 admitted and settled before the stall
      for (let i = 0; i < 10; i++) {
        const r = await store.reserve(req(t));
        assert.ok(r.ok);
        await store.settle(r.reservation, { cost: 10, tokens: 10 });
      }
      server.pause();
      let refused = 0;
      try {
        const results = await Promise.allSettled(Array.from({ length: 30 }, () => store.reserve(req(t))));
        for (const r of results) if (r.status === 'rejected' && r.reason instanceof StoreUnavailableError) refused++;
      } finally {
        server.resume();
      }
      assert.equal(refused, 30, 'every reservation timed out and was refused (503) by the gateway');
      // The 30 scripts were still queued in Redis and ran on resume; the releases undo them.
      await waitFor('releases to land', () => store.pendingReleases === 0, 10_000);
      // Before #15: 30 x 101 = 3,030 tokens charged for refused requests and 30 phantom slots for the lease (600 s).
      assert.equal(await probe.spent(t, 'tokens', 3600), 100);
      assert.equal(await probe.inflight(t), 0);
      assert.equal(await rpmUsed(t), 10);
      assert.equal(events.filter((e) => e.type === 'release').length, 30);
    } finally {
      await store.close();
    }
  });

  it('DEBUG SLEEP 2 on the server: the same, and requests after the stall are served', async () => {
    const store = new RedisStore({ url: server.url, commandTimeoutMs: 300 });
    await store.connect();
    const sleeper = new Redis(server.url);
    const t = 'team-b/sleep';
    try {
      const sleeping = sleeper.call('DEBUG', 'SLEEP', '2');
      await new Promise((r) => setTimeout(r, 50));
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.reserve(req(t))));
      assert.equal(results.filter((r) => r.status === 'rejected').length, 20);
      await sleeping;
      await waitFor('releases to land', () => store.pendingReleases === 0, 10_000);
      assert.equal(await probe.spent(t, 'tokens', 3600), 0);
      assert.equal(await probe.inflight(t), 0);
      const ok = await store.reserve(req(t));
      assert.ok(ok.ok);
      await store.settle(ok.reservation, { cost: 5, tokens: 5 });
      assert.equal(await probe.spent(t, 'tokens', 3600), 5);
    } finally {
      sleeper.disconnect();
      await store.close();
    }
  });

  it('a release that reaches Redis before its reservation makes the reservation a no-op', async () => {
    const t = 'team-c/order';
    await probe.release(t, 'early-1');
    const r = await probe.reserve({ ...req(t), id: 'early-1' }).catch((e: unknown) => e);
    assert.ok(r instanceof StoreUnavailableError);
    assert.equal(await probe.spent(t, 'tokens', 3600), 0);
    assert.equal(await probe.inflight(t), 0);
  });

  it('settle and release are idempotent by id, in any order', async () => {
    const t = 'team-d/idem';
    const r = await probe.reserve(req(t));
    assert.ok(r.ok);
    await probe.settle(r.reservation, { cost: 7, tokens: 7 });
    assert.equal(await probe.release(t, r.reservation.id), false, 'nothing left to release after a settle');
    assert.equal(await probe.spent(t, 'tokens', 3600), 7);
    const r2 = await probe.reserve(req(t));
    assert.ok(r2.ok);
    assert.equal(await probe.release(t, r2.reservation.id), true);
    assert.equal(await probe.release(t, r2.reservation.id), false);
    await probe.settle(r2.reservation, { cost: 50, tokens: 50 }); // a settle after a release applies nothing
    assert.equal(await probe.spent(t, 'tokens', 3600), 7);
    assert.equal(await probe.inflight(t), 0);
  });
});

describe('concurrency slots are short leases kept alive by a heartbeat', () => {
  it('a live request keeps its slot past the lease; a dead replica frees its slots within one lease', async () => {
    const live = new RedisStore({ url: server.url, slotLeaseMs: 600 });
    const dead = new RedisStore({ url: server.url, slotLeaseMs: 600 });
    await live.connect();
    await dead.connect();
    const t = 'team-e/lease';
    const cc = (id: string): ReserveRequest => ({
      id,
      tenant: t,
      budgets: [],
      concurrency: { limit: 3, leaseMs: 600_000 },
    });
    try {
      const a = await live.reserve(cc('live-1'));
      assert.ok(a.ok);
      for (const id of ['dead-1', 'dead-2']) assert.ok((await dead.reserve(cc(id))).ok);
      assert.equal(await probe.inflight(t), 3);
      assert.equal((await live.reserve(cc('x'))).ok, false);
      await dead.close(); // the replica dies (no settle, no heartbeat) — before #15 its slots stayed for 600 s
      const t0 = Date.now();
      await waitFor('the dead replica slots to expire', async () => (await probe.inflight(t)) === 1, 3000);
      const freedMs = Date.now() - t0;
      assert.ok(freedMs <= 1000, `freed after ${freedMs} ms`);
      await new Promise((r) => setTimeout(r, 900)); // past the 600 ms lease: the live slot is renewed
      assert.equal(await probe.inflight(t), 1);
      assert.equal(live.heldSlots, 1);
      await live.settle(a.reservation, { cost: 0, tokens: 0 });
      assert.equal(await probe.inflight(t), 0);
      assert.equal(live.heldSlots, 0);
    } finally {
      await live.close();
      await dead.close();
    }
  });
});
