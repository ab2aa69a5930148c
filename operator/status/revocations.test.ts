// Sticky key revocations: table tests of the plan, and what the compiler makes of them (pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprint, hashKey } from '../../api/keys.ts';
import type { RevokedKey } from '../../api/v1alpha1/index.ts';
import { secretIndex, tenantKeys } from '../compiler/keys.ts';
import { keySecret, tenant } from '../compiler/testdata.ts';
import { annotationRequests, planRevokedKeys, revokedMaterial, tenantInformerTransform } from './revocations.ts';

const K1 = `byo-${'a'.repeat(40)}`;
const K2 = `byo-${'b'.repeat(40)}`;
const fp1 = fingerprint(hashKey(K1));
const fp2 = fingerprint(hashKey(K2));
const keys = [
  { name: 'k1', fingerprint: fp1 },
  { name: 'k2', fingerprint: fp2 },
];
const NOW = new Date('2026-12-01T10:00:00Z');
const rec = (fp: string, at = '2026-12-01T09:00:00Z', by = 'gateway'): RevokedKey => ({
  fingerprint: fp,
  key: fp === fp1 ? 'k1' : 'k2',
  reason: 'anomaly',
  at,
  by,
});

describe('planRevokedKeys (sticky revocations on LLMTenant status)', () => {
  const table: {
    name: string;
    prev?: RevokedKey[];
    published?: { id: string; reason: string; at: string }[];
    ann?: Record<string, string>;
    want: { next: string[]; added: string[]; lifted: string[] };
  }[] = [
    { name: 'nothing', want: { next: [], added: [], lifted: [] } },
    {
      name: 'a gateway revocation (by material) becomes sticky',
      published: [{ id: hashKey(K1), reason: 'anomaly', at: '2026-12-01T09:00:00Z' }],
      want: { next: [fp1], added: [fp1], lifted: [] },
    },
    {
      name: "a legacy (by key id) gateway revocation maps to the key's current material",
      published: [{ id: 'ns/t/k2', reason: 'anomaly', at: '2026-12-01T09:00:00Z' }],
      want: { next: [fp2], added: [fp2], lifted: [] },
    },
    {
      name: "another tenant's material is ignored",
      published: [{ id: hashKey('other-key-material-of-someone-else'), reason: 'x', at: '2026-12-01T09:00:00Z' }],
      want: { next: [], added: [], lifted: [] },
    },
    {
      name: 'kept when the gateways stop publishing it (Redis wiped, replicas restarted)',
      prev: [rec(fp1)],
      want: { next: [fp1], added: [], lifted: [] },
    },
    {
      name: 'an annotation asks for a revocation',
      ann: { [`tollgate.dev/revoke.${fp2}`]: 'left the company' },
      want: { next: [fp2], added: [fp2], lifted: [] },
    },
    {
      name: 'an unrevoke annotation newer than the record lifts it',
      prev: [rec(fp1)],
      ann: { [`tollgate.dev/unrevoke.${fp1}`]: '2026-12-01T09:30:00Z' },
      want: { next: [], added: [], lifted: [fp1] },
    },
    {
      name: '...and a replica still publishing it (store not yet lifted) does not bring it back',
      prev: [rec(fp1)],
      published: [{ id: hashKey(K1), reason: 'anomaly', at: '2026-12-01T09:00:00Z' }],
      ann: { [`tollgate.dev/unrevoke.${fp1}`]: '2026-12-01T09:30:00Z' },
      want: { next: [], added: [], lifted: [fp1] },
    },
    {
      name: 'an unrevoke older than a new revocation does not lift it',
      published: [{ id: hashKey(K1), reason: 'anomaly', at: '2026-12-01T09:45:00Z' }],
      ann: { [`tollgate.dev/unrevoke.${fp1}`]: '2026-12-01T09:30:00Z' },
      want: { next: [fp1], added: [fp1], lifted: [] },
    },
    {
      name: 'malformed annotations are ignored',
      ann: { 'tollgate.dev/revoke.nothex': 'x', [`tollgate.dev/unrevoke.${fp1}`]: 'yesterday' },
      want: { next: [], added: [], lifted: [] },
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const p = planRevokedKeys('ns/t', row.prev, row.published ?? [], row.ann, keys, NOW);
      assert.deepEqual(
        {
          next: p.next.map((r) => r.fingerprint),
          added: p.added.map((r) => r.fingerprint),
          lifted: p.lifted.map((r) => r.fingerprint),
        },
        row.want,
      );
    });
  }
  it('parses only well-formed annotation requests', () => {
    const r = annotationRequests({ [`tollgate.dev/revoke.${fp1}`]: 'why\u0000', other: 'x' });
    assert.deepEqual([...r.revoke], [[fp1, 'why']]);
  });
});

describe('the compiler enforces sticky revocations (config revoked: true), by material only', () => {
  const t = (status?: RevokedKey[], ann?: Record<string, string>) => {
    const x = tenant('ns', 't', {
      keys: [
        { name: 'k1', secretRef: { name: 'vault', key: 'k1' } },
        { name: 'k2', secretRef: { name: 'vault', key: 'k2' } },
      ],
    });
    return {
      ...x,
      metadata: { ...x.metadata, ...(ann ? { annotations: ann } : {}) },
      ...(status ? { status: { revokedKeys: status } } : {}),
    };
  };
  const secrets = secretIndex([keySecret('ns', 'vault', { k1: K1, k2: K2 })]);
  it('a status record revokes that material; the other key is untouched', () => {
    const out = tenantKeys(t([rec(fp1)]), secrets, NOW);
    assert.deepEqual(
      out.config.map((c) => [c.id, c.revoked]),
      [
        ['ns/t/k1', true],
        ['ns/t/k2', false],
      ],
    );
    assert.match(out.status[0]!.reason ?? '', /revoked by gateway \(anomaly\)/);
  });
  it('rotated material (a new value in the Secret) is clean', () => {
    const rotated = secretIndex([keySecret('ns', 'vault', { k1: `${K1}-rotated`, k2: K2 })]);
    assert.deepEqual(
      tenantKeys(t([rec(fp1)]), rotated, NOW).config.map((c) => c.revoked),
      [false, false],
    );
  });
  it('an annotation revokes at once; an unrevoke annotation lifts', () => {
    assert.deepEqual(
      tenantKeys(t(undefined, { [`tollgate.dev/revoke.${fp2}`]: 'x' }), secrets, NOW).config.map((c) => c.revoked),
      [false, true],
    );
    assert.deepEqual(
      tenantKeys(t([rec(fp1)], { [`tollgate.dev/unrevoke.${fp1}`]: '2026-12-01T09:30:00Z' }), secrets, NOW).config.map(
        (c) => c.revoked,
      ),
      [false, false],
    );
    assert.equal(revokedMaterial(t([rec(fp1)])).size, 1);
  });
  it('the informer keeps the sticky list (and conditions) of the status', () => {
    const o = tenantInformerTransform({
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'LLMTenant',
      metadata: { name: 't' },
      status: { conditions: [], keys: [{ name: 'k1' }], revokedKeys: [rec(fp1)] },
    });
    assert.deepEqual((o['status'] as { revokedKeys?: unknown }).revokedKeys, [rec(fp1)]);
    assert.equal((o['status'] as { keys?: unknown }).keys, undefined);
  });
});
