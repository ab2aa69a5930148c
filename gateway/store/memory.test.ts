import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { storeContract } from './contract.ts';
import { MemoryStore } from './memory.ts';

const store = new MemoryStore();
after(() => store.close());
let n = 0;
storeContract('memory', () => ({ store, tenant: () => `ns${++n}/t` }));

describe('memory store housekeeping', () => {
  it('forgets windows once they (and their grace period) are over', async () => {
    let now = 1_000_000_000_000;
    const s = new MemoryStore({ now: () => now });
    const line = { unit: 'tokens' as const, windowSeconds: 60, limit: 10, amount: 10 };
    assert.equal((await s.reserve({ id: 'a', tenant: 'x/y', budgets: [line] })).ok, true);
    assert.equal((await s.reserve({ id: 'b', tenant: 'x/y', budgets: [line] })).ok, false);
    now += 61_000; // next window
    assert.equal((await s.reserve({ id: 'c', tenant: 'x/y', budgets: [line] })).ok, true);
    now += 2 * 3600_000;
    s.sweep();
    assert.equal(await s.spent('x/y', 'tokens', 60), 0);
    await s.close();
  });
});
