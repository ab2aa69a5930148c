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
    [
      'the store lost all: every one re-seeded',
      ['a', 'b'],
      [],
      [],
      { next: ['a', 'b'], reseed: ['a', 'b'], dropped: [] },
    ],
    [
      'an operator lifted one: dropped, not re-seeded',
      ['a', 'b'],
      ['b'],
      ['a'],
      { next: ['b'], reseed: [], dropped: ['a'] },
    ],
    [
      'lifted but revoked again (in the store): enforced',
      ['a'],
      ['a'],
      ['a'],
      { next: ['a'], reseed: [], dropped: [] },
    ],
  ];
  for (const [name, known, remote, lifted, want] of table) {
    it(name, () => {
      const m = mergeRevocations(
        new Map(known.map((k) => [k, r()])),
        new Map(remote.map((k) => [k, r()])),
        new Set(lifted),
      );
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

  it('a revocation by key id lands on the material that key has: the rotated key (same id, new material) is clean', async () => {
    const store = new MemoryStore();
    const cache = new RevocationCache(store);
    const old = { id: 'ns/t/k', sha256: 'a'.repeat(64) };
    assert.equal(cache.check(old), false); // auth saw the key: the cache learns id -> material
    await cache.revoke('ns/t/k', 'anomaly'); // the anomaly detector names the key by id
    assert.equal(cache.check(old), true);
    const stored = (await store.revocations()).get('a'.repeat(64));
    assert.equal(stored?.keyId, 'ns/t/k');
    assert.equal(stored?.by, 'gateway');
    assert.equal((await store.revocations()).has('ns/t/k'), false);
    // rotation: the key id now has new material; the old material (now `.previous`) stays revoked
    assert.equal(cache.check({ id: 'ns/t/k', sha256: 'b'.repeat(64) }), false);
    assert.equal(cache.check({ id: 'ns/t/k.previous', sha256: 'a'.repeat(64) }), true);
    // unrevoke (the CLI: store.unrevoke(sha)) -> the old material is accepted again after a refresh
    await store.unrevoke('a'.repeat(64), 'cli:test');
    await cache.refresh();
    assert.equal(cache.check(old), false);
    const trail = await store.auditTrail();
    assert.deepEqual(
      trail.map((e) => e.action),
      ['unrevoke', 'revoke'],
    );
    await store.close();
  });

  it('legacy entries keyed by key id are still enforced (for that id only)', async () => {
    const store = new MemoryStore();
    await store.revoke('ns/t/old', 'anomaly');
    const cache = new RevocationCache(store);
    await cache.refresh();
    assert.equal(cache.check({ id: 'ns/t/old', sha256: 'c'.repeat(64) }), true);
    assert.equal(cache.check({ id: 'ns/t/other', sha256: 'd'.repeat(64) }), false);
    // a key id never seen here: revoked by id (the legacy form) rather than not at all
    await cache.revoke('ns/t/unseen', 'anomaly');
    assert.equal((await store.revocations()).has('ns/t/unseen'), true);
    await store.close();
  });
});
