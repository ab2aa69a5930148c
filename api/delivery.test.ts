import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ANN_CONFIG_HASH,
  ANN_REVOKED_KEYS,
  CONFIG_INDEX_NAME,
  DeliveryError,
  MAX_PUBLISHED_REVOCATIONS,
  MAX_SHARDS,
  MAX_SHARD_BYTES,
  assembleConfigText,
  checkShard,
  configHashOf,
  configIndexText,
  leaseExpiresAt,
  leaseRevokedKeys,
  parseConfigIndex,
  replicaLeaseAnnotations,
  shardName,
  shardRef,
  type ConfigIndex,
} from './delivery.ts';

const H = `sha256:${'ab'.repeat(32)}`;
const parts = ['{"hash":"x","tenants":[', '{"id":"ü-é/"}', ']}'];
const index = (): ConfigIndex => ({
  schemaVersion: 'tollgate.dev/gateway-config/v1',
  hash: H,
  shards: parts.map(shardRef),
});
/** Something that must never be echoed back in an error message. */
const MARK = 'tgk_SECRETSECRETSECRET';

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DeliveryError, `a DeliveryError, got ${String(e)}`);
    assert.ok(!e.message.includes(MARK), 'the message does not echo the input');
    return e.message;
  }
  assert.fail('accepted');
}

describe('config index', () => {
  it('round-trips through the text the index Secret holds', () => {
    const text = configIndexText(index());
    assert.deepEqual(parseConfigIndex(text), index());
    assert.ok(text.endsWith('\n'));
  });

  it('names shards by their content and checks them against the index', () => {
    const i = index();
    assert.equal(i.shards[1]!.name, shardName(parts[1]!));
    assert.match(i.shards[1]!.name, new RegExp(`^${CONFIG_INDEX_NAME}-[a-f0-9]{20}$`));
    assert.equal(i.shards[1]!.bytes, Buffer.byteLength(parts[1]!), 'bytes are UTF-8 bytes, not characters');
    for (const [ref, text] of i.shards.map((r, k) => [r, parts[k]!] as const)) checkShard(ref, text);
    assert.equal(assembleConfigText(i, new Map(i.shards.map((r, k) => [r.name, parts[k]!]))), parts.join(''));
    refusal(() => checkShard(i.shards[1]!, '{"id":"u-e/"}'));
    refusal(() => checkShard({ ...i.shards[1]!, bytes: i.shards[1]!.bytes + 1 }, parts[1]!));
    assert.match(
      refusal(() => assembleConfigText(i, new Map([[i.shards[0]!.name, parts[0]!]]))),
      /is missing/,
    );
  });

  const good = index();
  const malformed: [string, unknown][] = [
    ['not JSON', `{${MARK}`],
    ['an array', [good]],
    ['missing hash', { ...good, hash: undefined }],
    ['hash not sha256', { ...good, hash: MARK }],
    ['unknown field', { ...good, [MARK]: 1 }],
    ['no shards', { ...good, shards: [] }],
    ['too many shards', { ...good, shards: Array.from({ length: MAX_SHARDS + 1 }, () => good.shards[0]) }],
    ['shard name not content-addressed', { ...good, shards: [{ ...good.shards[0], name: `other-${MARK}` }] }],
    ['shard sha256 not hex', { ...good, shards: [{ ...good.shards[0], sha256: MARK }] }],
    ['shard larger than an object', { ...good, shards: [{ ...good.shards[0], bytes: MAX_SHARD_BYTES + 1 }] }],
    ['shard bytes negative', { ...good, shards: [{ ...good.shards[0], bytes: -1 }] }],
    ['shard with extra field', { ...good, shards: [{ ...good.shards[0], url: MARK }] }],
    ['schemaVersion not a string', { ...good, schemaVersion: 1 }],
  ];
  for (const [name, value] of malformed) {
    it(`refuses an index: ${name}`, () => {
      refusal(() => parseConfigIndex(typeof value === 'string' ? value : JSON.stringify(value)));
    });
  }
});

describe('replica Lease annotations', () => {
  const revoked = [
    { id: 'ns/t/b', reason: 'anomaly', at: '2026-12-01T10:00:00Z' },
    { id: 'ns/t/a', reason: 'anomaly', at: '2026-12-01T09:00:00Z' },
  ];

  it('round-trip: the hash in force and the revocations, sorted by id', () => {
    const ann = replicaLeaseAnnotations(H, revoked);
    assert.equal(configHashOf(ann), H);
    assert.deepEqual(
      leaseRevokedKeys(ann).map((r) => r.id),
      ['ns/t/a', 'ns/t/b'],
    );
    assert.equal(configHashOf(replicaLeaseAnnotations(undefined, [])), '', 'no config yet');
  });

  it('bounds what one Lease carries and drops what does not fit the schema', () => {
    const many = Array.from({ length: MAX_PUBLISHED_REVOCATIONS + 10 }, (_, i) => ({
      id: `ns/t/k${i}`,
      reason: 'anomaly',
      at: 'now',
    }));
    assert.equal(leaseRevokedKeys(replicaLeaseAnnotations(H, many)).length, MAX_PUBLISHED_REVOCATIONS);
    assert.deepEqual(
      leaseRevokedKeys(replicaLeaseAnnotations(H, [{ id: 'x'.repeat(600), reason: 'r', at: 'a' }, revoked[0]!])).map(
        (r) => r.id,
      ),
      ['ns/t/b'],
    );
  });

  it('reads other replicas leniently: malformed entries are skipped, malformed annotations are empty', () => {
    const mixed = JSON.stringify([
      revoked[0],
      { bogus: 1 },
      { id: 2, reason: 'r', at: 'a' },
      { ...revoked[1], extra: true },
      null,
    ]);
    assert.deepEqual(leaseRevokedKeys({ [ANN_REVOKED_KEYS]: mixed }), [revoked[0], revoked[1]]);
    assert.deepEqual(leaseRevokedKeys({ [ANN_REVOKED_KEYS]: '{not json' }), []);
    assert.deepEqual(leaseRevokedKeys({ [ANN_REVOKED_KEYS]: '{"id":"a"}' }), []);
    assert.deepEqual(leaseRevokedKeys(undefined), []);
    assert.equal(configHashOf({ [ANN_CONFIG_HASH]: 'sha256:old' }), '');
    assert.equal(
      configHashOf(Object.create({ [ANN_CONFIG_HASH]: H }) as Record<string, string>),
      '',
      'own properties only',
    );
  });

  it('computes when a Lease expires', () => {
    assert.equal(
      leaseExpiresAt({ renewTime: '2026-12-01T12:00:00.000000Z', leaseDurationSeconds: 10 }),
      Date.parse('2026-12-01T12:00:10Z'),
    );
    assert.equal(
      leaseExpiresAt({ renewTime: '2026-12-01T12:00:00.000000Z' }),
      Date.parse('2026-12-01T12:00:30Z'),
      'default duration 30 s',
    );
    assert.ok(Number.isNaN(leaseExpiresAt({})), 'never renewed');
    assert.ok(Number.isNaN(leaseExpiresAt({ renewTime: 'yesterday' })));
    assert.ok(Number.isNaN(leaseExpiresAt({ renewTime: '2026-12-01T12:00:00Z', leaseDurationSeconds: -5 })));
    assert.ok(Number.isNaN(leaseExpiresAt(undefined)));
  });
});
