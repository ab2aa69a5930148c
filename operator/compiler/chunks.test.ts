import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkCache, tenantBytes, type VersionedTenant } from './chunks.ts';
import { canonicalMembers, configParts, hashPieces, tenantJson } from './delivery.ts';

const tenant = (i: number, extra = ''): { id: string; members: string[] } => ({
  id: `ns-${i % 7}/t-${i}`,
  members: canonicalMembers({ id: `ns-${i % 7}/t-${i}`, note: `ü ${extra}`, models: ['a', 'b'], n: i }),
});

function versioned(ts: { id: string; members: string[] }[], versions: Map<string, number>): VersionedTenant[] {
  return [...ts]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((t) => ({ ...t, version: versions.get(t.id) ?? 0, bytes: tenantBytes(t.members) }));
}

describe('ChunkCache', () => {
  it('gives the parts and hash of configParts/hashPieces, whatever the sizes', () => {
    for (const [n, maxBytes] of [
      [0, 768 * 1024],
      [1, 768 * 1024],
      [600, 768 * 1024],
      [600, 2000], // size-bound chunks
      [50, 60], // every tenant alone, some split across parts
    ] as const) {
      const ts = versioned(
        Array.from({ length: n }, (_, i) => tenant(i)),
        new Map(),
      );
      const pieces = { schemaVersion: 'v1', modelsJson: '[{"servedName":"a"}]', tenants: ts };
      const hash = hashPieces(pieces);
      const got = new ChunkCache().assemble(pieces, maxBytes);
      assert.equal(got.hash, hash, `hash n=${n} max=${maxBytes}`);
      assert.deepEqual(got.parts, configParts(pieces, hash, maxBytes), `parts n=${n} max=${maxBytes}`);
    }
  });

  it('rebuilds only the chunk of a tenant that changed, and the right text', () => {
    const raw = Array.from({ length: 1000 }, (_, i) => tenant(i));
    const versions = new Map<string, number>();
    const cache = new ChunkCache();
    const first = cache.assemble({ schemaVersion: 'v1', modelsJson: '[]', tenants: versioned(raw, versions) });
    const chunks = first.parts.length - 2;
    assert.ok(chunks > 3);
    assert.equal(cache.built, chunks);
    // one tenant changes (its piece gets a new version)
    raw[500] = tenant(500, 'changed');
    versions.set(raw[500]!.id, 1);
    const ts = versioned(raw, versions);
    const second = cache.assemble({ schemaVersion: 'v1', modelsJson: '[]', tenants: ts });
    assert.equal(cache.built, chunks + 1, 'one chunk built again');
    const pieces = { schemaVersion: 'v1', modelsJson: '[]', tenants: ts };
    assert.equal(second.hash, hashPieces(pieces));
    assert.deepEqual(second.parts, configParts(pieces, second.hash));
    assert.ok(second.parts.some((p) => p.includes(tenantJson(raw[500]!))));
    // the first tenant goes: the chunk that now starts the config loses its comma, and is built again
    const rest = ts.slice(1);
    const third = cache.assemble({ schemaVersion: 'v1', modelsJson: '[]', tenants: rest });
    assert.deepEqual(third.parts, configParts({ schemaVersion: 'v1', modelsJson: '[]', tenants: rest }, third.hash));
  });

  it('tenantBytes is the UTF-8 length of the tenant text', () => {
    for (const t of [tenant(1), tenant(2, '😀 "quoted"'), { id: 'x', members: [] }])
      assert.equal(tenantBytes(t.members), Buffer.byteLength(tenantJson(t)));
  });
});
