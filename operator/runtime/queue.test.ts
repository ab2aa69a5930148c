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
});
