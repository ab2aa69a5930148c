// Key limits without key entries: a snapshot's tenants carry no keys (each is held once, as an RtKey), and
// the limits of the keys that have their own are found through the index the snapshot builds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { keyLimits } from './key-limits.ts';
import { buildSnapshot } from './snapshot.ts';

const t = tenant({
  name: 'a',
  models: ['m1'],
  keys: [
    { name: 'k', key: newKey(), limits: { tokensPerMinute: 100 } },
    { name: 'r', key: newKey() },
  ],
});
const cfg = config([model('m1', 'http://127.0.0.1:9/v1')], [t]);

describe('key limits', () => {
  it('a snapshot holds each key once: its tenants have no key entries, the given config is untouched', () => {
    const snap = buildSnapshot(structuredClone(cfg));
    assert.equal(snap.keys.size, 2);
    const held = snap.config.tenants[0]!;
    assert.deepEqual(held.keys, []);
    assert.ok(Object.isFrozen(held.keys));
    for (const k of snap.keys.values()) assert.equal(k.tenant.cfg, held, 'the RtTenant points at the held tenant');
    const given = structuredClone(cfg);
    buildSnapshot(given);
    assert.equal(given.tenants[0]!.keys.length, 2);
  });

  it('limits by key id: indexed by the snapshot, or looked up in the keys of a tenant no snapshot indexed', () => {
    const held = buildSnapshot(structuredClone(cfg)).config.tenants[0]!;
    const table: [name: string, id: string | undefined, limits: unknown][] = [
      ['a key with limits', 'team-a/a/k', { tokensPerMinute: 100 }],
      ['a key without', 'team-a/a/r', undefined],
      ['an unknown key', 'team-a/a/x', undefined],
      ['no key', undefined, undefined],
    ];
    for (const [name, id, limits] of table) {
      assert.deepEqual(keyLimits(held, id), limits, `indexed: ${name}`);
      assert.deepEqual(keyLimits(t, id), limits, `not indexed: ${name}`);
    }
  });
});
