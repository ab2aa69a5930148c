// Issue #15, item 4: a real Redis Cluster (three masters, one replica each; local redis-server processes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { budgetUnderFailover } from '../test/failover-load.ts';
import { installLeakScan } from '../test/harness.ts';
import { startRedisCluster, type RedisCluster } from '../test/redis-cluster.ts';
import { storeContract } from './contract.ts';
import { RedisStore } from './redis.ts';
import { keySlot } from './replication.ts';

installLeakScan();
let cluster: RedisCluster;
let store: RedisStore;
before(async () => {
  cluster = await startRedisCluster();
  console.log(`# redis cluster (6 nodes) ready in ${cluster.setupMs} ms`);
  store = new RedisStore({ url: cluster.url });
  await store.connect();
});
after(async () => {
  await store?.close();
  await cluster?.stop();
});

let n = 0;
storeContract('redis cluster', () => ({ store, tenant: () => `ns${++n}/cluster` }));

describe('redis cluster', () => {
  it('every key of a tenant maps to one slot (CLUSTER KEYSLOT), on one node', async () => {
    const t = 'team-slot/tenant-a';
    const r = await store.reserve({
      id: 'slot-1',
      tenant: t,
      budgets: [
        { unit: 'tokens', windowSeconds: 3600, limit: 100, amount: 10 },
        { unit: 'tokens', windowSeconds: 86400, limit: 100, amount: 10 },
      ],
      rpm: 10,
      tpm: { limit: 100, amount: 10 },
      concurrency: { limit: 2, leaseMs: 60_000 },
    });
    assert.ok(r.ok);
    await store.release(t, 'never-ran'); // a tombstone too
    const slot = await cluster.keyslot(`tg:{${t}}:`);
    const master = await cluster.masterOf(slot);
    const { Redis } = await import('ioredis');
    const keysOn = async (port: number): Promise<string[]> => {
      const c = new Redis({ port, host: '127.0.0.1' });
      try {
        return await c.keys(`tg:{${t}}:*`);
      } finally {
        c.disconnect();
      }
    };
    const keys = await keysOn(master.port);
    for (const suffix of ['g', 'cc', 'r:slot-1', 'x:never-ran'])
      assert.ok(keys.includes(`tg:{${t}}:${suffix}`), `${suffix} in ${keys.join(', ')}`);
    assert.ok(
      keys.some((k) => k.includes(':b:tokens:3600:')) &&
        keys.some((k) => k.includes(':rpm:')) &&
        keys.some((k) => k.includes(':tpm:')),
    );
    for (const k of keys) {
      assert.equal(await cluster.keyslot(k), slot, k);
      assert.equal(keySlot(k), slot, `the gateway's own slot computation for ${k}`);
    }
    // and no key of the tenant anywhere else (masters only: replicas hold copies)
    for (const node of cluster.nodes) {
      if (node === master) continue;
      const role = await (async () => {
        const c = new Redis({ port: node.port, host: '127.0.0.1' });
        try {
          return String(await c.call('ROLE'));
        } finally {
          c.disconnect();
        }
      })();
      if (role.startsWith('master')) assert.deepEqual(await keysOn(node.port), []);
    }
    await store.settle(r.reservation, { cost: 1, tokens: 1 });
  });

  it("two gateway replicas under load while the tenant's master is killed: exact budget, no double count, recovery without a restart", async () => {
    const name = 'cluster-failover';
    const slot = await cluster.keyslot(`tg:{team-${name}/${name}}:`);
    const rep = await budgetUnderFailover({
      redisUrl: cluster.url,
      tenantName: name,
      limit: 1500,
      failover: () => cluster.failover(slot),
    });
    console.log(`# cluster failover: ${JSON.stringify(rep)}`);
    assert.equal(rep.spent, rep.usageSum, 'the store holds exactly the usage of the requests that were served');
    assert.ok(rep.spent <= rep.limit, `spent ${rep.spent} > ${rep.limit}`);
    assert.ok(rep.okAfterFailover > 0, 'served again after the failover, same gateway processes');
    assert.ok((rep.codes.insufficient_quota ?? 0) > 0, 'the budget ran out');
    for (const c of Object.keys(rep.codes))
      assert.ok(['200', 'insufficient_quota', 'store_unavailable'].includes(c), c);
  });
});
