import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Limiter } from './limiter.ts';

it('runs at most max at once, the rest in order; a failure frees its slot', async () => {
  const l = new Limiter(2);
  let now = 0;
  let most = 0;
  const order: number[] = [];
  const job = (i: number, fail = false) =>
    l.run(async () => {
      most = Math.max(most, ++now);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      if (fail) throw new Error(`job ${i}`);
      return i;
    });
  const results = await Promise.allSettled([job(0), job(1, true), job(2), job(3), job(4)]);
  assert.equal(most, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
  );
  assert.equal(l.inFlight, 0);
  assert.throws(() => new Limiter(0));
});
