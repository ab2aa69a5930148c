import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile } from '../compiler/index.ts';
import { model, policy, tenant } from '../compiler/testdata.ts';
import type { KObject } from '../../kube/object.ts';
import { isSubset, setConditions } from './conditions.ts';
import { modelStatus } from './model.ts';
import { tenantStatus } from './tenant.ts';

const node = (name: string, gpus: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { allocatable: { 'nvidia.com/gpu': String(gpus) } },
});
const t0 = new Date('2026-11-21T10:00:00Z');
const t1 = new Date('2026-11-21T11:00:00Z');

describe('conditions', () => {
  it('keep lastTransitionTime while status is unchanged and move it on a change', () => {
    const a = setConditions(
      undefined,
      [{ type: 'Ready', status: 'False', reason: 'Progressing', message: '0/1' }],
      1,
      t0,
    );
    const b = setConditions(
      a,
      [{ type: 'Ready', status: 'False', reason: 'Progressing', message: 'still 0/1' }],
      2,
      t1,
    );
    assert.equal(b[0]!.lastTransitionTime, '2026-11-21T10:00:00Z');
    assert.equal(b[0]!.observedGeneration, 2);
    const c = setConditions(b, [{ type: 'Ready', status: 'True', reason: 'Serving', message: 'ok' }], 2, t1);
    assert.equal(c[0]!.lastTransitionTime, '2026-11-21T11:00:00Z');
  });

  it('subset comparison ignores server-added fields but sees changed and missing ones', () => {
    assert.ok(
      isSubset(
        { spec: { replicas: 1, ports: [{ port: 80 }] } },
        { spec: { replicas: 1, ports: [{ port: 80, protocol: 'TCP' }], extra: true } },
      ),
    );
    assert.ok(!isSubset({ spec: { replicas: 1 } }, { spec: { replicas: 3 } }));
    assert.ok(!isSubset({ spec: { ports: [{ port: 80 }] } }, { spec: { ports: [{ port: 80 }, { port: 81 }] } }));
    assert.ok(!isSubset({ metadata: { labels: { a: '1' } } }, { metadata: {} }));
    // the API server drops empty maps (a Deployment's resources.requests: {}): not a difference
    assert.ok(
      isSubset(
        { spec: { resources: { requests: {}, limits: { cpu: '1' } } } },
        { spec: { resources: { limits: { cpu: '1' } } } },
      ),
    );
  });
});

describe('LLMPolicy status', () => {
  it('says what the policy decides: grants, suspension, approved sources', async () => {
    const { policyStatus } = await import('./policy.ts');
    const p = policy('platform', {
      selector: { namespaces: ['ns'] },
      tierGrants: { assign: 'bronze', approve: ['silver'] },
      suspend: { reason: 'audit' },
      modelSources: { images: [], huggingface: [] },
    });
    const r = compile({ models: [], tenants: [tenant('ns', 't')], policies: [p] });
    assert.equal(
      policyStatus(r.policies[0]!, undefined, t0).conditions![0]!.message,
      'applies to 1 tenant(s); approves tier requests silver; assigns tier bronze; suspends them: audit; restricts model sources (huggingface, images)',
    );
  });
});

describe('LLMModel status', () => {
  it('a model from an unapproved source: Ready=False/SourceNotApproved and SourceApproved=False, naming the rule', () => {
    const p = policy('approved', { modelSources: { huggingface: ['meta-llama/*'] } });
    const o = compile({ models: [model('m')], tenants: [], policies: [p] }).models[0]!;
    const s = modelStatus(o, undefined, [], [node('a', 8)], undefined, t0);
    const ready = s.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual(
      [ready.status, ready.reason, ready.message],
      [
        'False',
        'SourceNotApproved',
        'Hugging Face repo "org/m" is not an approved model source: rule LLMPolicy approved spec.modelSources.huggingface',
      ],
    );
    const src = s.conditions!.find((c) => c.type === 'SourceApproved')!;
    assert.deepEqual([src.status, src.reason], ['False', 'SourceNotApproved']);
    const ok = compile({ models: [model('m')], tenants: [], policies: [] }).models[0]!;
    assert.equal(
      modelStatus(ok, undefined, [], [], undefined, t0).conditions!.find((c) => c.type === 'SourceApproved')!.status,
      'True',
    );
  });

  const m = model('big', { resources: { gpus: 16 } });
  const outcome = compile({ models: [m], tenants: [], policies: [] }).models[0]!;
  it('says why a model cannot be scheduled, with the largest node', () => {
    const pod: KObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      status: {
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.',
          },
        ],
      },
    };
    const s = modelStatus(outcome, undefined, [pod], [node('a', 8), node('b', 1)], undefined, t0);
    const ready = s.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'Unschedulable');
    assert.match(ready.message, /^needs 16 nvidia\.com\/gpu, largest node has 8; scheduler: 0\/3 nodes/);
  });
  it('is Ready when the Deployment has its replicas available', () => {
    const d: KObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    };
    const s = modelStatus(
      outcome,
      d,
      [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'a' } }],
      [node('a', 8)],
      undefined,
      t0,
    );
    assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.reason, 'Serving');
    assert.equal(s.availableReplicas, 1);
    assert.match(s.image!, /@sha256:/);
  });
});

describe('LLMTenant status', () => {
  it('shows every budget line the gateway enforces, never a per-day line as "tighter" than a per-minute one', () => {
    const p = policy('p', {
      tierGrants: { approve: ['*'] },
      tiers: [{ name: 'gold', models: ['*'] }],
      budget: { tokens: { limit: 100_000, window: '1d' } },
    });
    const t = tenant('ns', 't', {
      keys: [{ name: 'k' }],
      budget: { tokens: { limit: 10, window: '1m' }, gpuSeconds: { limit: 3600, window: '1h' } },
    });
    const r = compile({ models: [model('m')], tenants: [t], policies: [p] });
    const s = tenantStatus(r.tenants[0]!, undefined, 'http://gw/v1', t0);
    assert.equal(s.grantedModelCount, s.grantedModels?.length, 'the Models column of kubectl get -o wide');
    assert.equal(s.grantedModelCount, 1);
    assert.deepEqual(s.effective?.budgets, [
      { unit: 'gpuSeconds', limit: 3600, window: '1h', windowSeconds: 3600 },
      { unit: 'tokens', limit: 10, window: '1m', windowSeconds: 60 },
      { unit: 'tokens', limit: 100_000, window: '1d', windowSeconds: 86400 },
    ]);
    // exactly the lines in the gateway config
    assert.deepEqual(
      s.effective?.budgets?.map((b) => [b.unit, b.limit, b.windowSeconds]),
      r.gatewayConfig.tenants[0]!.limits.budgets.map((b) => [b.unit, b.limit, b.windowSeconds]),
    );
  });
  it('explains a tenant that no policy serves', () => {
    const r = compile({ models: [model('m')], tenants: [tenant('ns', 't', { keys: [{ name: 'k' }] })], policies: [] });
    const s = tenantStatus(r.tenants[0]!, undefined, 'http://gw/v1', t0);
    const ready = s.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason], ['False', 'NoPolicy']);
    assert.equal(s.conditions!.find((c) => c.type === 'KeysIssued')!.status, 'False');
  });
  it('shows keys a gateway revoked on its own (published on its replica Lease)', async () => {
    const { revokedOn } = await import('../reconcile/tenant.ts');
    const lease: KObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'tollgate-gateway-a',
        annotations: {
          'tollgate.dev/revoked-keys': JSON.stringify([
            { id: 'ns/t/k', reason: 'anomaly', at: '2026-11-21T10:00:00Z' },
            { bogus: 1 },
          ]),
        },
      },
    };
    const revoked = revokedOn(lease);
    assert.deepEqual(
      revoked.map((r) => r.id),
      ['ns/t/k'],
    );
    assert.deepEqual(
      revokedOn({ ...lease, metadata: { name: 'x', annotations: { 'tollgate.dev/revoked-keys': '{not json' } } }),
      [],
    );
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 't-tollgate-keys', namespace: 'ns' },
      data: { k: Buffer.from('x'.repeat(40)).toString('base64') },
    };
    const r = compile({
      models: [model('m')],
      tenants: [tenant('ns', 't', { keys: [{ name: 'k' }] })],
      policies: [policy('p', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] })],
      secrets: [secret],
    });
    const s = tenantStatus(
      r.tenants[0]!,
      undefined,
      'http://gw/v1',
      t0,
      new Map([['ns/t/k', 'revoked by the gateway (anomaly) at 2026-11-21T10:00:00Z']]),
    );
    assert.deepEqual(
      s.keys!.map((k) => [k.name, k.state, k.reason]),
      [['k', 'Revoked', 'revoked by the gateway (anomaly) at 2026-11-21T10:00:00Z']],
    );
    assert.equal(s.conditions![0]!.reason, 'NoUsableKeys');
  });

  const grantCases: [
    string,
    Record<string, unknown>[],
    { tier?: string; granted?: string; notGranted: string; reason: string; ready: string; message: string },
  ][] = [
    [
      'requested and granted',
      [{ tierGrants: { approve: ['gold'] } }],
      {
        tier: 'gold',
        granted: 'gold',
        notGranted: 'False',
        reason: 'Granted',
        ready: 'NoUsableKeys',
        message: 'tier gold requested; granted gold by policy p0',
      },
    ],
    [
      'another tier granted',
      [{ tierGrants: { assign: 'silver' } }],
      {
        tier: 'silver',
        granted: 'silver',
        notGranted: 'True',
        reason: 'OtherTierGranted',
        ready: 'NoUsableKeys',
        message: 'tier gold requested; granted silver by policy p0',
      },
    ],
    [
      'nothing granted',
      [{ limits: { maxN: 1 } }],
      {
        notGranted: 'True',
        reason: 'NotGranted',
        ready: 'TierNotGranted',
        message: 'tier gold requested; not granted: no LLMPolicy selecting this tenant grants tiers (spec.tierGrants)',
      },
    ],
    [
      'conflicting assignments',
      [{ tierGrants: { assign: 'silver' } }, { tierGrants: { assign: 'bronze' } }],
      {
        notGranted: 'True',
        reason: 'Conflict',
        ready: 'TierNotGranted',
        message:
          'tier gold requested; not granted: the selecting policies assign different tiers (p0 assigns silver, p1 assigns bronze) and none approves gold',
      },
    ],
  ];
  for (const [name, specs, want] of grantCases) {
    it(`tier grant: ${name}`, () => {
      const policies = specs.map((spec, i) =>
        policy(`p${i}`, {
          tiers: [
            { name: 'gold', models: ['*'] },
            { name: 'silver', models: ['*'] },
            { name: 'bronze', models: ['*'] },
          ],
          ...spec,
        }),
      );
      const r = compile({ models: [model('m')], tenants: [tenant('ns', 't')], policies });
      const s = tenantStatus(r.tenants[0]!, undefined, 'http://gw/v1', t0);
      assert.equal(s.tier, want.tier);
      assert.deepEqual(s.tierGrant, {
        requested: 'gold',
        ...(want.granted ? { granted: want.granted, policy: 'p0' } : {}),
        message: want.message,
      });
      const c = s.conditions!.find((x) => x.type === 'TierNotGranted')!;
      assert.deepEqual([c.status, c.reason, c.message], [want.notGranted, want.reason, want.message]);
      assert.equal(s.conditions![0]!.reason, want.ready);
    });
  }

  it('a platform suspension is Suspended=True/SuspendedByPolicy with its reason, whatever spec.suspended says', () => {
    const ps = [
      policy('p', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] }),
      policy('blocklist', { selector: { namespaces: ['ns'] }, suspend: { reason: 'invoice overdue (FIN-7)' } }),
    ];
    for (const self of [false, true]) {
      const r = compile({ models: [model('m')], tenants: [tenant('ns', 't', { suspended: self })], policies: ps });
      const s = tenantStatus(r.tenants[0]!, undefined, 'http://gw/v1', t0);
      const c = s.conditions!.find((x) => x.type === 'Suspended')!;
      assert.deepEqual([c.status, c.reason], ['True', 'SuspendedByPolicy']);
      assert.match(c.message, /^suspended by the platform \(LLMPolicy blocklist: invoice overdue \(FIN-7\)\)/);
      assert.deepEqual(s.suspendedBy, [{ policy: 'blocklist', reason: 'invoice overdue (FIN-7)' }]);
      assert.deepEqual([s.conditions![0]!.reason, s.conditions![0]!.message], ['Suspended', c.message]);
    }
    const self = compile({
      models: [model('m')],
      tenants: [tenant('ns', 't', { suspended: true })],
      policies: [ps[0]!],
    });
    assert.equal(
      tenantStatus(self.tenants[0]!, undefined, 'http://gw/v1', t0).conditions!.find((x) => x.type === 'Suspended')!
        .reason,
      'SuspendedBySelf',
    );
  });

  it('matches revocations by key material (sha256 from a Lease, or the sticky record) and keeps the sticky list', async () => {
    const { hashKey, fingerprint } = await import('../../api/keys.ts');
    const material = 'x'.repeat(40);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 't-tollgate-keys', namespace: 'ns' },
      data: { k: Buffer.from(material).toString('base64'), j: Buffer.from('y'.repeat(40)).toString('base64') },
    };
    const r = compile({
      models: [model('m')],
      tenants: [tenant('ns', 't', { keys: [{ name: 'k' }, { name: 'j' }] })],
      policies: [policy('p', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] })],
      secrets: [secret],
    });
    const s = tenantStatus(
      r.tenants[0]!,
      undefined,
      'http://gw/v1',
      t0,
      new Map([[hashKey(material), 'revoked by the gateway (anomaly) at 2026-11-21T10:00:00Z']]),
    );
    assert.deepEqual(
      s.keys!.map((k) => [k.name, k.state]),
      [
        ['k', 'Revoked'],
        ['j', 'Active'],
      ],
    );
    const sticky = [
      {
        fingerprint: fingerprint(hashKey('y'.repeat(40))),
        key: 'j',
        reason: 'leaked',
        at: '2026-11-21T09:00:00Z',
        by: 'annotation',
      },
    ];
    const s2 = tenantStatus(r.tenants[0]!, undefined, 'http://gw/v1', t0, new Map(), sticky);
    assert.deepEqual(
      s2.keys!.map((k) => [k.name, k.state, k.reason]),
      [
        ['k', 'Active', undefined],
        ['j', 'Revoked', 'revoked by annotation (leaked) at 2026-11-21T09:00:00Z'],
      ],
    );
    assert.deepEqual(s2.revokedKeys, sticky);
  });

  it('reports suspension before anything else', () => {
    const r = compile({
      models: [model('m')],
      tenants: [tenant('ns', 't', { suspended: true })],
      policies: [policy('p', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] })],
    });
    assert.equal(tenantStatus(r.tenants[0]!, undefined, 'http://gw/v1', t0).conditions![0]!.reason, 'Suspended');
  });
});
