import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlightApplies } from './inflight.ts';

function deferred(): { promise: Promise<boolean>; resolve: (v: boolean) => void; reject: (e: Error) => void } {
  let resolve!: (v: boolean) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<boolean>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('in-flight applies: identical content in flight is applied once; anything else is applied', async (t) => {
  const cases: {
    name: string;
    second: { key: string; content: string };
    /** applies made in all */
    applies: number;
    /** what the second caller reports */
    secondWrote: boolean;
  }[] = [
    { name: 'same key, same content', second: { key: 'ns/a', content: 'v1' }, applies: 1, secondWrote: false },
    { name: 'same key, other content', second: { key: 'ns/a', content: 'v2' }, applies: 2, secondWrote: true },
    { name: 'other key, same content', second: { key: 'ns/b', content: 'v1' }, applies: 2, secondWrote: true },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const memo = new InFlightApplies();
      let applies = 0;
      const first = deferred();
      const p1 = memo.once('ns/a', 'v1', () => {
        applies++;
        return first.promise;
      });
      const p2 = memo.once(c.second.key, c.second.content, async () => {
        applies++;
        return true;
      });
      first.resolve(true);
      assert.deepEqual([await p1, await p2], [true, c.secondWrote]);
      assert.equal(applies, c.applies);
      assert.equal(memo.size, 0, 'nothing is remembered once answered');
    });
  }
});

test('in-flight applies: an answered apply is not remembered (a later identical one runs: the cache decides)', async () => {
  const memo = new InFlightApplies();
  let applies = 0;
  const apply = async () => {
    applies++;
    return true;
  };
  assert.equal(await memo.once('ns/a', 'v1', apply), true);
  assert.equal(await memo.once('ns/a', 'v1', apply), true);
  assert.equal(applies, 2);
});

test('in-flight applies: a failed apply fails its waiters and is forgotten', async () => {
  const memo = new InFlightApplies();
  const first = deferred();
  const p1 = memo.once('ns/a', 'v1', () => first.promise);
  const p2 = memo.once('ns/a', 'v1', async () => true);
  first.reject(new Error('conflict'));
  await assert.rejects(p1, /conflict/);
  await assert.rejects(p2, /conflict/);
  assert.equal(await memo.once('ns/a', 'v1', async () => true), true);
});
