import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from './memory.ts';
import { mergeRevocations, RevocationCache } from './revocations.ts';

const r = (reason = 'anomaly') => ({ reason, at: '2026-01-01T00:00:00Z' });

describe('mergeRevocations', () => {
  const table: [string, string[], string[], string[], { next: string[]; reseed: string[]; dropped: string[] }][] = [
    ['store and replica agree', ['a'], ['a'], [], { next: ['a'], reseed: [], dropped: [] }],
    ['new in the store: adopted', [], ['b'], [], { next: ['b'], reseed: [], dropped: [] }],
    ['the store lost one: kept and re-seeded', ['a', 'b'], ['b'], [], { next: ['a', 'b'], reseed: ['a'], dropped: [] }],
    ['the store lost all: every one re-seeded', ['a', 'b'], [], [], { next: ['a', 'b'], reseed: ['a', 'b'], dropped: [] }],
    ['an operator lifted one: dropped, not re-seeded', ['a', 'b'], ['b'], ['a'], { next: ['b'], reseed: [], dropped: ['a'] }],
    ['lifted but revoked again (in the store): enforced', ['a'], ['a'], ['a'], { next: ['a'], reseed: [], dropped: [] }],
  ];
  for (const [name, known, remote, lifted, want] of table) {
    it(name, () => {
      const m = mergeRevocations(new Map(known.map((k) => [k, r()])), new Map(remote.map((k) => [k, r()])), new Set(lifted));
      assert.deepEqual([...m.next.keys()].sort(), want.next);
      assert.deepEqual(m.reseed.map(([k]) => k).sort(), want.reseed);
      assert.deepEqual(m.dropped.sort(), want.dropped);
    });
  }

  it('the cache re-writes what the store lost, and honours a lift', async () => {
    const a = new MemoryStore();
    const cache = new RevocationCache(a);
    await cache.revoke('ns/t/k1', 'anomaly');
    const b = new MemoryStore(); // the store "restarted empty"
    const moved = new RevocationCache(b);
    moved.seed(cache.list());
    await moved.refresh();
    assert.ok((await b.revocations()).has('ns/t/k1'));
    await b.unrevoke('ns/t/k1');
    await moved.refresh();
    assert.equal(moved.has('ns/t/k1'), false);
    assert.equal((await b.revocations()).has('ns/t/k1'), false);
    await a.close();
    await b.close();
  });
});
