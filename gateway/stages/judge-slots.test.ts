import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Judge } from '../../guardrails/judge.ts';
import { decideSlot, JudgeSlots, judgeLimits, type SlotDecision } from './judge-slots.ts';

describe('decideSlot (pure)', () => {
  const l = { perModel: 4, perTenant: 2 };
  const rows: [number, number, SlotDecision][] = [
    [0, 0, 'take'],
    [3, 1, 'take'],
    [3, 2, 'wait'], // the tenant's share first: its own flood waits, it never opens the judge
    [4, 2, 'wait'],
    [4, 0, 'model_full'],
    [4, 1, 'model_full'],
  ];
  for (const [model, tenant, want] of rows)
    it(`model ${model} in flight, tenant ${tenant} -> ${want}`, () => assert.equal(decideSlot(model, tenant, l), want));
  it('a tenant holds a quarter of the model, at least one', () => {
    assert.deepEqual(judgeLimits(64), { perModel: 64, perTenant: 16 });
    assert.deepEqual(judgeLimits(2), { perModel: 2, perTenant: 1 });
    assert.deepEqual(judgeLimits(), { perModel: 64, perTenant: 16 });
  });
});

/** A judge that answers `score` when released by hand. */
function heldJudge(score = 0.01): { judge: Judge; release: () => void; calls: () => number } {
  const pending: (() => void)[] = [];
  let calls = 0;
  return {
    judge: () => {
      calls++;
      return new Promise((r) => pending.push(() => r({ ok: true, score, latencyMs: 1 })));
    },
    release: () => pending.shift()?.(),
    calls: () => calls,
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('JudgeSlots', () => {
  it('a tenant over its share waits for its own call to end, then is judged', async () => {
    const slots = new JudgeSlots({ perModel: 4, perTenant: 1 });
    const h = heldJudge();
    const j = slots.wrap(h.judge, 'jm', 'a', 0, 5_000);
    const first = j('x');
    const second = j('y');
    await tick();
    assert.equal(h.calls(), 1, 'the second waits');
    h.release();
    assert.equal((await first).ok, true);
    await tick();
    assert.equal(h.calls(), 2);
    h.release();
    assert.equal((await second).ok, true);
    assert.equal(slots.inFlight('jm'), 0);
  });

  it('a tenant still over its share at the judge timeout is refused with score 1, even under failMode open', async () => {
    const busy: string[] = [];
    const slots = new JudgeSlots({ perModel: 4, perTenant: 1 }, (r) => busy.push(r));
    const h = heldJudge();
    const j = slots.wrap(h.judge, 'jm', 'a', 0, 50);
    const first = j('x');
    const second = await j('y');
    assert.equal(second.ok, false);
    assert.equal(second.score, 1, 'closed: its own flood must not make its calls unjudged');
    assert.match(second.error ?? '', /share/);
    assert.deepEqual(busy, ['tenant_share']);
    h.release();
    await first;
    assert.equal(h.calls(), 1);
    assert.equal(slots.inFlight('jm', 'a'), 0);
  });

  it("another tenant is not held by one tenant's share; a full model answers at once with the fail mode", async () => {
    const busy: string[] = [];
    const slots = new JudgeSlots({ perModel: 2, perTenant: 1 }, (r) => busy.push(r));
    const h = heldJudge();
    const a = slots.wrap(h.judge, 'jm', 'a', 0, 5_000)('x');
    const b = slots.wrap(h.judge, 'jm', 'b', 0, 5_000)('x');
    await tick();
    assert.equal(h.calls(), 2, 'b got its slot while a holds its share');
    const t0 = Date.now();
    const cOpen = await slots.wrap(h.judge, 'jm', 'c', 0, 5_000)('x');
    const cClosed = await slots.wrap(h.judge, 'jm', 'c', 1, 5_000)('x');
    assert.ok(Date.now() - t0 < 1_000, 'no queueing behind other tenants');
    assert.deepEqual([cOpen.ok, cOpen.score, cClosed.score], [false, 0, 1]);
    assert.deepEqual(busy, ['model_full', 'model_full']);
    assert.equal(slots.inFlight('other-model'), 0, 'models are counted apart');
    h.release();
    h.release();
    await Promise.all([a, b]);
    assert.equal(slots.inFlight('jm'), 0);
  });

  it('a judge that throws still gives its slot back', async () => {
    const slots = new JudgeSlots({ perModel: 1, perTenant: 1 });
    const j = slots.wrap(() => Promise.reject(new Error('boom')), 'jm', 'a', 0, 1_000);
    await assert.rejects(j('x'));
    assert.equal(slots.inFlight('jm'), 0);
  });
});
