// Table tests: the access decisions the platform team owns (tier grants, suspension, approved model sources).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LLMPolicy } from '../../api/v1alpha1/index.ts';
import { compile } from './index.ts';
import { checkModelSources, grantTier, platformSuspensions, sourceMatches, type TierGrant } from './policy.ts';
import { model, policy, tenant } from './testdata.ts';

const grants = (name: string, tierGrants: Record<string, unknown>) => policy(name, { tierGrants });

describe('grantTier: spec.tier is a request, policies grant', () => {
  const cases: [string, string, LLMPolicy[], Partial<TierGrant>][] = [
    [
      'no policy grants tiers: nothing (fail closed, whatever was requested)',
      'gold',
      [policy('guardrails-only', { limits: { maxN: 1 } })],
      {
        granted: undefined,
        reason: 'NotGranted',
        message: 'tier gold requested; not granted: no LLMPolicy selecting this tenant grants tiers (spec.tierGrants)',
      },
    ],
    ['no policy at all', 'gold', [], { granted: undefined, reason: 'NotGranted' }],
    [
      'approved as requested',
      'gold',
      [grants('vip', { approve: ['gold', 'silver'] })],
      {
        granted: 'gold',
        policy: 'vip',
        reason: 'Approved',
        message: 'tier gold requested; granted gold by policy vip',
      },
    ],
    [
      '"*" approves any request (the explicit self-service opt-in)',
      'platinum',
      [grants('self-service', { approve: ['*'] })],
      { granted: 'platinum', policy: 'self-service', reason: 'Approved' },
    ],
    [
      'not approved: the assigned tier',
      'gold',
      [grants('platform-default', { assign: 'silver' })],
      {
        granted: 'silver',
        policy: 'platform-default',
        reason: 'Assigned',
        message: 'tier gold requested; granted silver by policy platform-default',
      },
    ],
    [
      'the assigned tier, when requested, counts as approved',
      'silver',
      [grants('platform-default', { assign: 'silver' })],
      { granted: 'silver', reason: 'Approved' },
    ],
    [
      'an approval beats an assignment',
      'gold',
      [grants('a-default', { assign: 'bronze' }), grants('b-team', { approve: ['gold'] })],
      { granted: 'gold', policy: 'b-team', reason: 'Approved' },
    ],
    [
      'the first approving policy by name is named',
      'gold',
      [grants('z', { approve: ['gold'] }), grants('a', { approve: ['*'] })],
      { granted: 'gold', policy: 'a' },
    ],
    [
      'assignments that agree',
      'gold',
      [grants('a', { assign: 'bronze' }), grants('b', { assign: 'bronze' })],
      { granted: 'bronze', policy: 'a', reason: 'Assigned' },
    ],
    [
      'assignments that disagree: nothing (fail closed), both named',
      'gold',
      [grants('a', { assign: 'bronze' }), grants('b', { assign: 'silver' })],
      {
        granted: undefined,
        reason: 'Conflict',
        message:
          'tier gold requested; not granted: the selecting policies assign different tiers (a assigns bronze, b assigns silver) and none approves gold',
      },
    ],
    [
      'disagreeing assignments, but the request is one of them',
      'silver',
      [grants('a', { assign: 'bronze' }), grants('b', { assign: 'silver' })],
      { granted: 'silver', policy: 'b', reason: 'Approved' },
    ],
    [
      'approvals of other tiers only, no assignment',
      'gold',
      [grants('a', { approve: ['silver'] })],
      {
        granted: undefined,
        reason: 'NotGranted',
        message: 'tier gold requested; not granted: no selecting policy approves it or assigns a tier (a)',
      },
    ],
  ];
  for (const [name, requested, policies, want] of cases) {
    it(name, () => {
      const got = grantTier(requested, policies);
      assert.equal(got.requested, requested);
      for (const [k, v] of Object.entries(want))
        assert.deepEqual(got[k as keyof TierGrant], v, `${k}: ${JSON.stringify(got)}`);
    });
  }
});

describe('tier grants in the compiled config', () => {
  const models = [model('small'), model('big-70b')];
  const tiers = [
    { name: 'gold', models: ['*'] },
    { name: 'silver', models: ['small'] },
  ];
  const offer = policy('offer', { tiers });
  const cases: [string, LLMPolicy[], { tier: string; models: string[]; blocked?: string }][] = [
    [
      'a tenant asking for gold without a grant gets nothing, not gold',
      [offer],
      { tier: '', models: [], blocked: 'TierNotGranted' },
    ],
    [
      '... and the assigned silver when the platform assigns it',
      [offer, policy('default', { selector: { namespaces: ['team-a'] }, tierGrants: { assign: 'silver' } })],
      { tier: 'silver', models: ['small'] },
    ],
    [
      '... and gold when the platform approves it',
      [offer, policy('vip', { selector: { namespaces: ['team-a'] }, tierGrants: { approve: ['gold'] } })],
      { tier: 'gold', models: ['big-70b', 'small'] },
    ],
    [
      'an approval for another namespace does not apply',
      [offer, policy('vip', { selector: { namespaces: ['team-b'] }, tierGrants: { approve: ['gold'] } })],
      { tier: '', models: [], blocked: 'TierNotGranted' },
    ],
    [
      'a granted tier no policy offers',
      [
        policy('only-grants', { tierGrants: { approve: ['*'] } }),
        policy('offer-silver', { tiers: [{ name: 'silver', models: ['*'] }] }),
      ],
      { tier: 'gold', models: [], blocked: 'TierNotOffered' },
    ],
  ];
  for (const [name, policies, want] of cases) {
    it(name, () => {
      const r = compile({ models, tenants: [tenant('team-a', 'svc', { tier: 'gold' })], policies });
      const cfg = r.gatewayConfig.tenants[0]!;
      assert.equal(cfg.tier, want.tier);
      assert.deepEqual(cfg.models, want.models);
      assert.equal(r.tenants[0]!.blocked?.reason, want.blocked);
    });
  }
  it('a policy selecting by tier selects by the granted tier (a tenant cannot escape it by asking for another)', () => {
    const strict = policy('silver-strict', { selector: { tiers: ['silver'] }, limits: { maxOutputTokens: 16 } });
    const r = compile({
      models,
      tenants: [tenant('team-a', 'svc', { tier: 'gold' })],
      policies: [offer, strict, policy('default', { tierGrants: { assign: 'silver' } })],
    });
    assert.equal(r.gatewayConfig.tenants[0]!.limits.maxOutputTokens, 16);
    assert.deepEqual(r.policies.find((p) => p.name === 'silver-strict')!.selectedTenants, ['team-a/svc']);
  });
});

describe('suspension: the platform decides, the tenant cannot lift it', () => {
  it('platformSuspensions lists every selecting policy that suspends, by name', () => {
    assert.deepEqual(
      platformSuspensions([
        policy('b', { suspend: { reason: 'unpaid' } }),
        policy('c', {}),
        policy('a', { suspend: { reason: 'abuse' } }),
      ]),
      [
        { policy: 'a', reason: 'abuse' },
        { policy: 'b', reason: 'unpaid' },
      ],
    );
  });
  const base = [policy('p', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] })];
  const block = policy('blocklist', {
    selector: { namespaces: ['team-a'] },
    suspend: { reason: 'security incident SEC-42' },
  });
  const cases: [string, LLMPolicy[], boolean, boolean, string[]][] = [
    ['not suspended', base, false, false, []],
    ['self-suspended (spec.suspended)', base, true, true, []],
    ['suspended by the platform; spec.suspended=false does not lift it', [...base, block], false, true, ['blocklist']],
    ['suspended by both', [...base, block], true, true, ['blocklist']],
  ];
  for (const [name, policies, self, want, by] of cases) {
    it(name, () => {
      const r = compile({ models: [model('m')], tenants: [tenant('team-a', 'svc', { suspended: self })], policies });
      assert.equal(r.gatewayConfig.tenants[0]!.suspended, want);
      assert.deepEqual(
        r.tenants[0]!.suspendedBy.map((s) => s.policy),
        by,
      );
    });
  }
  it('relabelling the tenant does not escape a suspension (admission forbids selecting by tenant labels there)', () => {
    assert.equal(
      LLMPolicy.safeParse({
        ...block,
        spec: { ...block.spec, selector: { tenantSelector: { matchLabels: { a: 'b' } } } },
      }).success,
      false,
    );
    assert.equal(
      LLMPolicy.safeParse({ ...block, spec: { ...block.spec, selector: { tiers: ['gold'] } } }).success,
      false,
    );
    assert.equal(
      LLMPolicy.safeParse({ ...block, spec: { ...block.spec, selector: { tenants: ['team-a/svc'] } } }).success,
      true,
    );
  });
});

describe('approved model sources', () => {
  const cases: [string, string, boolean][] = [
    ['docker.io/vllm/vllm-openai', 'docker.io/vllm/vllm-openai', true],
    ['docker.io/vllm/vllm-openai', 'docker.io/vllm/vllm-openai:v0.33.0', true],
    ['docker.io/vllm/vllm-openai', 'docker.io/vllm/vllm-openai-evil', false],
    ['docker.io/vllm/*', 'docker.io/vllm/vllm-openai', true],
    ['docker.io/vllm/*', 'docker.io/vllm/nested/repo', true],
    ['docker.io/vllm/*', 'docker.io/vllmx/repo', false],
    ['registry.example.com/*', 'registry.example.com.evil.io/x', false],
    ['llama3.1', 'llama3.1:8b', true],
    ['llama3.1', 'llama3.10', false],
    ['llama3.1:8b', 'llama3.1:70b', false],
  ];
  for (const [pattern, value, want] of cases)
    it(`${pattern} ${want ? 'admits' : 'refuses'} ${value}`, () => assert.equal(sourceMatches(pattern, value), want));

  const allow = policy('approved', {
    modelSources: { images: ['docker.io/vllm/*'], huggingface: ['meta-llama/*', 'BAAI/bge-small-en-v1.5'] },
  });
  const m = (spec: Record<string, unknown>) => model('m', spec);
  const checks: [string, ReturnType<typeof model>, LLMPolicy[], string | undefined][] = [
    ['no policy restricts sources', m({ image: `evil.io/x@sha256:${'c'.repeat(64)}` }), [], undefined],
    [
      'approved image and repo (case-insensitive)',
      m({ model: { huggingface: { repo: 'Meta-Llama/Llama-3.1-8B', revision: 'b'.repeat(40) } } }),
      [allow],
      undefined,
    ],
    [
      'an image from another registry',
      m({ image: `evil.io/vllm/vllm-openai@sha256:${'c'.repeat(64)}` }),
      [allow],
      'image repository "evil.io/vllm/vllm-openai" is not an approved model source: rule LLMPolicy approved spec.modelSources.images',
    ],
    [
      'a repo from another organisation',
      m({ model: { huggingface: { repo: 'someone/llama', revision: 'b'.repeat(40) } } }),
      [allow],
      'Hugging Face repo "someone/llama" is not an approved model source: rule LLMPolicy approved spec.modelSources.huggingface',
    ],
    [
      'an absent list leaves the field unconstrained',
      m({ engine: 'vllm', model: { oci: { reference: `any.io/w@sha256:${'d'.repeat(64)}` } } }),
      [allow],
      undefined,
    ],
    [
      'an empty list approves nothing',
      m({ model: { oci: { reference: `any.io/w@sha256:${'d'.repeat(64)}` } } }),
      [policy('none', { modelSources: { oci: [] } })],
      'OCI repository "any.io/w" is not an approved model source: rule LLMPolicy none spec.modelSources.oci',
    ],
    [
      'several policies: each must approve',
      m({}),
      [allow, policy('stricter', { modelSources: { images: ['registry.internal/*'] } })],
      `image repository "docker.io/vllm/vllm-openai" is not an approved model source: rule LLMPolicy stricter spec.modelSources.images`,
    ],
  ];
  for (const [name, mdl, policies, refusal] of checks) {
    it(name, () => {
      const c = checkModelSources(mdl, policies);
      assert.equal(c.approved, refusal === undefined, c.message);
      if (refusal) assert.equal(c.message, refusal);
    });
  }
  it('an unapproved model is not served and its Deployment is kept at 0 replicas; an approved claimant of the name serves', () => {
    const bad = model(
      'bad',
      { servedName: 'chat', model: { huggingface: { repo: 'someone/llama', revision: 'b'.repeat(40) } } },
      { creationTimestamp: '2026-01-01T00:00:00Z' },
    );
    const good = model(
      'good',
      { servedName: 'chat', model: { huggingface: { repo: 'meta-llama/x', revision: 'b'.repeat(40) } } },
      { creationTimestamp: '2026-02-01T00:00:00Z' },
    );
    const r = compile({ models: [bad, good], tenants: [], policies: [allow] });
    assert.deepEqual(
      r.gatewayConfig.models.map((x) => x.id),
      ['llm/good'],
    );
    const dep = r.objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'bad-engine') as {
      spec: { replicas: number };
      metadata: { annotations: Record<string, string> };
    };
    assert.equal(dep.spec.replicas, 0);
    assert.equal(
      dep.metadata.annotations['tollgate.dev/source-not-approved'],
      'LLMPolicy approved spec.modelSources.huggingface',
    );
    assert.equal(
      r.models.find((x) => x.id === 'llm/bad')!.source.rule,
      'LLMPolicy approved spec.modelSources.huggingface',
    );
  });
});
