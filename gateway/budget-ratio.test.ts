import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { selectRatios, trackBudgetRatios, windowLabel } from './budget-ratio.ts';
import { MemoryStore } from './store/memory.ts';

const line = (limit: number, amount: number, windowSeconds = 86400) => ({
  unit: 'tokens' as const,
  windowSeconds,
  limit,
  amount,
});

describe('tollgate_budget_used_ratio', () => {
  it('exports only tenants over the threshold, the fullest first, at most maxSeries', async () => {
    const registry = new Registry();
    const store = trackBudgetRatios(new MemoryStore(), registry, { threshold: 0.5, maxSeries: 2 });
    for (const [tenant, amount] of [
      ['ns/quiet', 10],
      ['ns/half', 60],
      ['ns/full', 95],
      ['ns/most', 80],
    ] as const) {
      const r = await store.reserve({
        id: `${tenant}-1`,
        tenant,
        budgets: [line(100, amount), line(10_000, amount, 60)],
      });
      assert.equal(r.ok, true, tenant);
    }
    const text = await registry.metrics();
    const samples = text.split('\n').filter((l) => l.startsWith('tollgate_budget_used_ratio{'));
    assert.deepEqual(samples, [
      'tollgate_budget_used_ratio{tenant="ns/full",unit="tokens",window="1d"} 0.95',
      'tollgate_budget_used_ratio{tenant="ns/most",unit="tokens",window="1d"} 0.8',
    ]);
  });

  it('forgets the least recent tenants beyond maxTracked (bounded memory and series)', async () => {
    const registry = new Registry();
    const store = trackBudgetRatios(new MemoryStore(), registry, { threshold: 0, maxTracked: 3 });
    for (let i = 0; i < 10; i++) await store.reserve({ id: `r${i}`, tenant: `ns/t${i}`, budgets: [line(100, 1)] });
    const tenants = (await registry.metrics())
      .split('\n')
      .filter((l) => l.startsWith('tollgate_budget_used_ratio{'))
      .map((l) => /tenant="([^"]+)"/.exec(l)?.[1]);
    assert.deepEqual(tenants.sort(), ['ns/t7', 'ns/t8', 'ns/t9']);
  });

  it('is the same store otherwise (kind, settle, inspection)', async () => {
    const inner = new MemoryStore();
    const store = trackBudgetRatios(inner, new Registry());
    assert.equal(store.kind, 'memory');
    const r = await store.reserve({ id: 'a', tenant: 'ns/t', budgets: [line(100, 50)] });
    assert.ok(r.ok);
    if (r.ok) await store.settle(r.reservation, { cost: 20, tokens: 20 });
    assert.equal(await store.spent('ns/t', 'tokens', 86400), 20);
  });

  it('selects and labels windows like the alert groups them', () => {
    assert.equal(windowLabel(60), '1m');
    assert.equal(windowLabel(86400), '1d');
    assert.equal(windowLabel(90), '90s');
    assert.deepEqual(
      selectRatios(
        [
          { tenant: 'a', unit: 'tokens', window: '1d', ratio: Number.NaN },
          { tenant: 'b', unit: 'tokens', window: '1d', ratio: 0.7 },
        ],
        0.5,
        10,
      ).map((s) => s.tenant),
      ['b'],
    );
  });
});

describe('tollgate_budget_used_ratio wrapper keeps the store inspectable', () => {
  it('getters that read private fields work through the wrapper (tests and /readyz read them)', () => {
    class WithPrivate extends MemoryStore {
      #n = 7;
      get secret(): number {
        return this.#n;
      }
    }
    const store = trackBudgetRatios(new WithPrivate(), new Registry()) as WithPrivate;
    assert.equal(store.secret, 7);
  });
});
