import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../kube/backoff.ts';
import { MAX_DELAY_MS, WorkQueue } from './queue.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('work queue', () => {
  it('dedupes keys waiting in the queue', async () => {
    const q = new WorkQueue();
    const seen: string[] = [];
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    const run = q.run(async (k) => {
      seen.push(k);
    }, 1);
    await tick(20);
    q.stop();
    await run;
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('never runs one key twice at once; an add during processing runs it again afterwards', async () => {
    const q = new WorkQueue();
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const run = q.run(async () => {
      inFlight++;
      runs++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (runs === 1) {
        q.add('k');
        q.add('k');
      }
      await tick(10);
      inFlight--;
    }, 4);
    q.add('k');
    await tick(60);
    q.stop();
    await run;
    assert.equal(maxInFlight, 1);
    assert.equal(runs, 2, 'the dirty key ran exactly once more');
  });

  it('backs off per key on failure and forgets on success; honours requeue-after', async () => {
    const q = new WorkQueue({ backoff: { baseMs: 5, maxMs: 50 } });
    const times: number[] = [];
    let n = 0;
    const run = q.run(async () => {
      times.push(Date.now());
      n++;
      if (n < 3) throw new Error('boom');
      if (n === 3) return { requeueAfterMs: 20 };
      return undefined;
    }, 1);
    q.add('x');
    await tick(150);
    q.stop();
    await run;
    assert.equal(n, 4);
    assert.equal(q.failuresOf('x'), 0);
  });

  it('caps far-future requeues (setTimeout would overflow into a hot loop)', () => {
    assert.equal(MAX_DELAY_MS, 3_600_000);
    const q = new WorkQueue();
    q.addAfter('far', 70 * 24 * 3600 * 1000);
    assert.equal(q.length, 0);
    q.stop();
  });

  it('jittered exponential backoff stays within bounds', () => {
    for (let a = 0; a < 20; a++) {
      const d = backoffDelay(a, { baseMs: 100, maxMs: 10_000 });
      const cap = Math.min(10_000, 100 * 2 ** a);
      assert.ok(d >= cap / 2 && d <= cap, `${a}: ${d}`);
    }
  });
  it('puts priority keys in front of a long queue', async () => {
    const q = new WorkQueue({ priority: (k) => k === 'config' });
    for (let i = 0; i < 100; i++) q.add(`tenant/ns/t${i}`);
    q.add('config');
    const seen: string[] = [];
    const run = q.run(async (key) => {
      seen.push(key);
      if (seen.length === 3) q.stop();
    }, 1);
    await run;
    assert.equal(seen[0], 'config');
  });

  it('holds a capped kind to its workers while other kinds take the rest, in order, nothing lost', async () => {
    const q = new WorkQueue({ maxInFlight: { model: 2 }, priority: (k) => k === 'config' });
    const open = new Map<string, () => void>();
    const started: string[] = [];
    let models = 0;
    let maxModels = 0;
    const run = q.run(async (key) => {
      started.push(key);
      if (key.startsWith('model/')) maxModels = Math.max(maxModels, ++models);
      await new Promise<void>((r) => open.set(key, r));
      if (key.startsWith('model/')) models--;
    }, 6);
    for (let i = 0; i < 5; i++) q.add(`model/ns/m${i}`);
    for (let i = 0; i < 3; i++) q.add(`tenant/ns/t${i}`);
    await tick();
    // two models (the cap) and every tenant run; three models wait, counted as queued
    assert.deepEqual(started, ['model/ns/m0', 'model/ns/m1', 'tenant/ns/t0', 'tenant/ns/t1', 'tenant/ns/t2']);
    assert.equal(q.length, 3);
    assert.equal(q.inFlight, 5);
    // a parked model is not queued twice, and a priority key still goes first
    q.add('model/ns/m2');
    q.add('config');
    q.add('tenant/ns/t3');
    await tick();
    assert.deepEqual(started.slice(5), ['config']);
    open.get('config')?.();
    await tick();
    assert.deepEqual(started.slice(6), ['tenant/ns/t3'], 'the free worker skips the capped models');
    // a model done: the oldest waiting model runs next
    open.get('model/ns/m0')?.();
    await tick();
    assert.deepEqual(started.slice(7), ['model/ns/m2']);
    for (const k of ['model/ns/m1', 'model/ns/m2']) open.get(k)?.();
    await tick();
    for (const k of ['model/ns/m3']) open.get(k)?.();
    await tick();
    open.get('model/ns/m4')?.();
    await tick();
    assert.equal(maxModels, 2);
    assert.deepEqual(
      started.filter((k) => k.startsWith('model/')),
      ['model/ns/m0', 'model/ns/m1', 'model/ns/m2', 'model/ns/m3', 'model/ns/m4'],
    );
    assert.equal(q.length, 0);
    q.stop();
    for (const r of open.values()) r();
    await run;
  });

  it('rejects a cap that is not a positive integer', () => {
    assert.throws(() => new WorkQueue({ maxInFlight: { model: 0 } }), /maxInFlight\.model/);
    assert.throws(() => new WorkQueue({ maxInFlight: { model: 1.5 } }), /maxInFlight\.model/);
  });
});
