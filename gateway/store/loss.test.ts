// Issue #15, item 1: loss of the store's state is detected, not absorbed. Real redis-server processes,
// restarted empty (the chart's old `--save '' --appendonly no`), restarted with AOF, or losing one tenant's keys
// (what a Cluster node that lost its data looks like to that tenant).
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRedis, waitFor, type RedisServer } from '../test/redis.ts';
import { ackRecord } from './generation.ts';
import { RedisStore } from './redis.ts';
import { StoreStateLostError, type ReserveRequest, type StoreEvent } from './types.ts';

let n = 0;
const line = { unit: 'tokens' as const, windowSeconds: 3600, limit: 150, amount: 100 };
const req = (tenant: string, over: Partial<ReserveRequest> = {}): ReserveRequest => ({
  id: `r${++n}-${Date.now()}`,
  tenant,
  budgets: [line],
  ...over,
});

function open(server: RedisServer, events?: StoreEvent[]): RedisStore {
  return new RedisStore({
    url: server.url,
    generationPollMs: 100,
    commandTimeoutMs: 300,
    ...(events ? { onEvent: (e: StoreEvent) => events.push(e) } : {}),
  });
}

describe('store state lost: Redis restarted empty', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis();
  });
  after(async () => server?.stop());

  it('fails closed for budget-limited tenants on every replica, serves rate-only tenants, until acknowledged', async () => {
    const events: StoreEvent[] = [];
    const a = open(server, events);
    await a.connect();
    try {
      const t = 'team-a/loss';
      const first = await a.reserve(req(t));
      assert.ok(first.ok);
      assert.equal((await a.reserve(req(t))).ok, false, 'the budget of 150 holds 100');

      await server.restart({ empty: true });
      await waitFor('the replica to see the store again', () => a.ping());
      // Before #15: admitted (the window started over: 200 spent against 150).
      await assert.rejects(a.reserve(req(t)), StoreStateLostError);
      assert.deepEqual(events.filter((e) => e.type === 'state_lost').length, 1);
      assert.equal(a.health().state, 'lost');
      // A tenant this replica never saw, and a replica that starts now, are refused too.
      await assert.rejects(a.reserve(req('team-b/never-seen')), StoreStateLostError);
      const b = open(server);
      await b.connect();
      try {
        assert.equal(b.health().state, 'lost');
        await assert.rejects(b.reserve(req(t)), StoreStateLostError);
        // Tenants with rate limits only keep being served (their windows restart: at most one extra window).
        const rate = await b.reserve({
          id: `rate-${n++}`,
          tenant: t,
          budgets: [],
          rpm: 10,
          concurrency: { limit: 2, leaseMs: 5000 },
        });
        assert.ok(rate.ok);
        await b.settle(rate.reservation, { cost: 0, tokens: 0 });

        // The operator acknowledges the reset (what `tollgate store ack-reset` writes).
        await a.acknowledgeReset(ackRecord(await a.readGeneration(), new Date().toISOString(), 'gen-after-ack'));
        await waitFor(
          'both replicas to adopt the acknowledged generation',
          () => a.health().state === 'ok' && b.health().state === 'ok',
          5000,
        );
        assert.ok(events.some((e) => e.type === 'state_recovered' && e.how === 'acknowledged'));
        assert.ok((await a.reserve(req(t))).ok);
        assert.equal(await a.spent(t, 'tokens', 3600), 100, 'the window counts from zero after the acknowledgement');
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });

  it('detects the loss atomically in the reservation script, before any poll', async () => {
    const a = new RedisStore({ url: server.url, generationPollMs: 3_600_000, commandTimeoutMs: 300 });
    await a.connect();
    try {
      if ((await a.readGeneration())?.state === 'lost')
        await a.acknowledgeReset(ackRecord(await a.readGeneration(), new Date().toISOString(), `g${n++}`));
      const fresh = new RedisStore({ url: server.url, generationPollMs: 3_600_000 });
      await fresh.connect();
      const t = 'team-c/atomic';
      assert.ok((await fresh.reserve(req(t))).ok);
      await fresh.client.flushall(); // the whole store emptied between two polls (they are an hour apart here)
      await assert.rejects(fresh.reserve(req(t)), StoreStateLostError);
      await assert.rejects(
        fresh.reserve(req('team-c/other')),
        StoreStateLostError,
        'the generation record is checked by the script itself',
      );
      await fresh.close();
    } finally {
      await a.close();
    }
  });

  it('a tenant whose keys vanished (a Cluster node that lost its data) is detected by its marker', async () => {
    const a = open(server);
    await a.connect();
    try {
      if (a.health().state === 'lost') {
        await a.acknowledgeReset(ackRecord(await a.readGeneration(), new Date().toISOString(), `g${n++}`));
        await waitFor('ok', () => a.health().state === 'ok');
      }
      const t = 'team-d/slot';
      assert.ok((await a.reserve(req(t))).ok);
      const keys = await a.client.keys(`tg:{${t}}:*`);
      assert.ok(keys.length >= 3, keys.join(','));
      await a.client.del(...keys); // this tenant's slot lost; the generation record (elsewhere) survived
      await assert.rejects(a.reserve(req(t)), StoreStateLostError);
      assert.equal((await a.readGeneration())?.state, 'lost', 'the loss is published for every replica');
    } finally {
      await a.close();
    }
  });
});

describe('store state kept: Redis with AOF (the chart default) restarted', () => {
  it('resumes with the same spend and no alarm', async () => {
    const server = await startRedis({ appendonly: true });
    const events: StoreEvent[] = [];
    const a = open(server, events);
    try {
      await a.connect();
      const t = 'team-e/durable';
      assert.ok((await a.reserve(req(t))).ok);
      await server.restart({ signal: 'SIGTERM' });
      await waitFor('reconnect', () => a.ping());
      const r = await a.reserve(req(t));
      assert.equal(r.ok, false, 'still 100 of 150 spent: a second 100 does not fit');
      if (!r.ok) assert.equal(r.reason, 'budget');
      assert.equal(await a.spent(t, 'tokens', 3600), 100);
      assert.equal(events.filter((e) => e.type === 'state_lost').length, 0);
    } finally {
      await a.close();
      await server.stop();
    }
  });

  it('a restore of the data (same generation back) ends the loss without an acknowledgement', async () => {
    const server = await startRedis({ appendonly: true });
    const events: StoreEvent[] = [];
    const a = open(server, events);
    try {
      await a.connect();
      const t = 'team-f/restore';
      assert.ok((await a.reserve(req(t))).ok);
      const gen = await a.readGeneration();
      // a backup: the AOF files after a clean shutdown, copied aside
      await server.restart({ signal: 'SIGTERM' });
      cpSync(join(server.dir, 'appendonlydir'), join(server.dir, 'backup'), { recursive: true });
      await waitFor('reconnect', () => a.ping());
      await a.client.flushall(); // the data is lost...
      await waitFor('loss detected', () => a.health().state === 'lost');
      await assert.rejects(a.reserve(req(t)), StoreStateLostError);
      // ...and restored from the backup: the same generation id comes back
      // (put the backup in place under the running server, then kill it: it starts from the backup's AOF)
      rmSync(join(server.dir, 'appendonlydir'), { recursive: true, force: true });
      cpSync(join(server.dir, 'backup'), join(server.dir, 'appendonlydir'), { recursive: true });
      await server.restart({ signal: 'SIGKILL' });
      await waitFor('restored', () => a.health().state === 'ok', 5000);
      assert.equal((await a.readGeneration())?.id, gen?.id);
      assert.ok(events.some((e) => e.type === 'state_recovered' && e.how === 'restored'));
      assert.equal((await a.reserve(req(t))).ok, false, 'the restored spend counts');
    } finally {
      await a.close();
      await server.stop();
    }
  });
});
