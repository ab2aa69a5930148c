// Issue #15, item 4: a real Sentinel setup (one master, one replica, three sentinels; local processes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { budgetUnderFailover } from '../test/failover-load.ts';
import { installLeakScan } from '../test/harness.ts';
import { startRedisSentinel, type RedisSentinel } from '../test/redis-sentinel.ts';
import { storeContract } from './contract.ts';
import { RedisStore } from './redis.ts';

installLeakScan();
let sentinel: RedisSentinel;
let store: RedisStore;
before(async () => {
  sentinel = await startRedisSentinel();
  console.log(`# redis sentinel (master, replica, 3 sentinels) ready in ${sentinel.setupMs} ms`);
  store = new RedisStore({ url: sentinel.url });
  await store.connect();
});
after(async () => {
  await store?.close();
  await sentinel?.stop();
});

let n = 0;
storeContract('redis sentinel', () => ({ store, tenant: () => `ns${++n}/sentinel` }));

describe('redis sentinel', () => {
  it('two gateway replicas under load while the master is killed: exact budget, no double count, recovery without a restart', async () => {
    const rep = await budgetUnderFailover({ redisUrl: sentinel.url, tenantName: 'sentinel-failover', limit: 1500, failover: () => sentinel.failover() });
    console.log(`# sentinel failover: ${JSON.stringify(rep)}`);
    assert.equal(rep.spent, rep.usageSum, 'the store holds exactly the usage of the requests that were served');
    assert.ok(rep.spent <= rep.limit, `spent ${rep.spent} > ${rep.limit}`);
    assert.ok(rep.okAfterFailover > 0, 'served again after the failover, same gateway processes');
    assert.ok((rep.codes.budget_exceeded ?? 0) > 0, 'the budget ran out');
    for (const c of Object.keys(rep.codes)) assert.ok(['200', 'budget_exceeded', 'store_unavailable'].includes(c), c);
    // the store generation survived the failover (replicated): no false "state lost"
    assert.equal(store.health().state, 'ok');
  });
});
