import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import { parseGatewayConfig } from '../../api/config-verify.ts';
import { generateKey, hashKey } from '../../api/keys.ts';
import { ENGINES } from '../../api/v1alpha1/index.ts';
import { configSecrets } from './delivery.ts';
import { assembleConfigText, CONFIG_INDEX_KEY, CONFIG_SHARD_KEY, parseConfigIndex } from '../../api/delivery.ts';
import { engineAdapter } from './engines/index.ts';
import { compile } from './index.ts';
import type { NetworkPolicy } from './objects.ts';
import { keySecret, model, policy, tenant } from './testdata.ts';

const gold = policy('platform', {
  tierGrants: { approve: ['*'] },
  tiers: [
    { name: 'gold', models: ['*'] },
    { name: 'silver', models: ['small'] },
  ],
});

function deployment(objects: ReturnType<typeof compile>['objects'], name: string): V1Deployment {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === `${name}-engine`);
  assert.ok(d, `deployment ${name}`);
  return d as V1Deployment;
}

describe('compile: models', () => {
  const m = model(
    'big',
    { resources: { gpus: 4, memory: '320Gi' }, scheduling: { nodeSelector: { pool: 'a100' } } },
    { uid: 'u-1' },
  );
  const result = compile({ models: [m], tenants: [], policies: [] });

  it('emits a hardened Deployment pinned by digest with GPU limits', () => {
    const d = deployment(result.objects, 'big');
    const pod = d.spec!.template.spec!;
    const c = pod.containers[0]!;
    assert.match(c.image!, /@sha256:[a-f0-9]{64}$/);
    assert.equal(c.resources!.limits!['nvidia.com/gpu'], '4');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.securityContext!.runAsNonRoot, true);
    assert.equal(pod.securityContext!.seccompProfile!.type, 'RuntimeDefault');
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      assert.equal(container.securityContext!.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext!.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext!.capabilities!.drop, ['ALL']);
    }
    assert.ok(c.readinessProbe && c.livenessProbe && c.startupProbe);
    assert.deepEqual(pod.nodeSelector, { pool: 'a100' });
    assert.deepEqual(
      pod.tolerations,
      [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      'GPU taint tolerated',
    );
    assert.deepEqual(d.metadata!.ownerReferences![0]!.uid, 'u-1');
    assert.equal(d.spec!.strategy!.rollingUpdate!.maxSurge, 0, 'never surge GPUs');
    assert.ok(c.args!.includes('--tensor-parallel-size'));
  });

  it('fetches and verifies the pinned model in an init container before the engine starts', () => {
    const init = deployment(result.objects, 'big').spec!.template.spec!.initContainers![0]!;
    assert.equal(init.env!.find((e) => e.name === 'HF_REVISION')?.value, 'b'.repeat(40));
    assert.match(init.args![0]!, /sha256/);
    assert.equal(init.name, 'fetch-and-verify-model');
  });

  it('passes the upstream credential from a Secret, never inline', () => {
    const env = deployment(result.objects, 'big').spec!.template.spec!.containers[0]!.env!;
    const key = env.find((e) => e.name === 'VLLM_API_KEY');
    assert.equal(key?.valueFrom?.secretKeyRef?.name, 'big-upstream-auth');
    assert.equal(key?.value, undefined);
  });

  it('lets only gateway pods in, and default-denies the namespace', () => {
    const np = result.objects.find(
      (o) => o.kind === 'NetworkPolicy' && o.metadata?.name === 'big-gateway-only',
    ) as NetworkPolicy;
    assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
    const from = np.spec.ingress![0]!.from![0]!;
    assert.deepEqual(from.namespaceSelector!.matchLabels, { 'kubernetes.io/metadata.name': 'tollgate-system' });
    assert.deepEqual(from.podSelector!.matchLabels, {
      'app.kubernetes.io/name': 'tollgate',
      'app.kubernetes.io/component': 'gateway',
    });
    const egress443 = np.spec.egress!.find((e) => e.ports?.some((p) => p.port === 443))!;
    assert.ok(egress443.to![0]!.ipBlock!.except!.includes('169.254.0.0/16'), 'cloud metadata is never reachable');
    const deny = result.objects.find((o) => o.metadata?.name === 'tollgate-default-deny') as NetworkPolicy;
    assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    assert.equal(deny.metadata.ownerReferences![0]!.uid, 'u-1');
  });

  it('has one adapter per engine, each with probes, a port and a credential story', () => {
    for (const engine of ENGINES) {
      const a = engineAdapter(engine);
      const src =
        engine === 'ollama'
          ? { ollama: { name: 'llama3.1:8b', digest: `sha256:${'c'.repeat(64)}` } }
          : engine === 'llamacpp'
            ? {
                huggingface: {
                  repo: 'org/m',
                  revision: 'b'.repeat(40),
                  files: [{ path: 'm.gguf', sha256: 'd'.repeat(64) }],
                },
              }
            : { huggingface: { repo: 'org/m', revision: 'b'.repeat(40) } };
      const mm = model(`m-${engine}`, { engine, model: src });
      const d = deployment(compile({ models: [mm], tenants: [], policies: [] }).objects, `m-${engine}`);
      const c = d.spec!.template.spec!.containers[0]!;
      assert.equal(c.ports![0]!.containerPort, a.port, engine);
      assert.ok(c.readinessProbe?.httpGet, engine);
      const hasKey = (c.env ?? []).some((e) => e.valueFrom?.secretKeyRef !== undefined);
      assert.equal(hasKey, a.supportsApiKey, `${engine} credential`);
      const init = d.spec!.template.spec!.initContainers![0]!;
      assert.match(
        init.args!.join(' '),
        engine === 'ollama' ? /digest mismatch/ : engine === 'llamacpp' ? /sha256sum -c/ : /api\/models\/%s\/revision/,
      );
    }
  });

  it('gives a served name to the oldest claimant and tells both', () => {
    const a = model('a', { servedName: 'shared' }, { creationTimestamp: '2026-01-01T00:00:00Z' });
    const b = model('b', { servedName: 'shared' }, { creationTimestamp: '2025-01-01T00:00:00Z' });
    const r = compile({ models: [a, b], tenants: [], policies: [] });
    const outA = r.models.find((x) => x.id === 'llm/a')!;
    const outB = r.models.find((x) => x.id === 'llm/b')!;
    assert.equal(outB.serving, true);
    assert.equal(outA.serving, false);
    assert.deepEqual(outA.conflictsWith, ['llm/b']);
    assert.deepEqual(outB.conflictsWith, ['llm/a']);
    assert.deepEqual(
      r.gatewayConfig.models.map((m) => m.id),
      ['llm/b'],
    );
  });
});

describe('compile: tenants and gateway config', () => {
  const key = generateKey();
  const t = tenant('team-a', 'svc', {
    keys: [{ name: 'backend' }, { name: 'later' }],
    budget: { tokens: { limit: 5000, window: '1h' } },
  });
  const secret = keySecret('team-a', 'svc-tollgate-keys', { backend: key });
  const models = [model('small', { contextLength: 2048 }), model('large', { tiers: ['platinum'] })];
  const r = compile({ models, tenants: [t], policies: [gold], secrets: [secret] });
  const cfgTenant = r.gatewayConfig.tenants[0]!;

  it('carries keys only as sha256 hashes', () => {
    const text = JSON.stringify(r.gatewayConfig);
    assert.ok(!text.includes(key));
    assert.ok(!text.includes(key.slice(4, 20)));
    assert.deepEqual(
      cfgTenant.keys.map((k) => [k.id, k.sha256]),
      [['team-a/svc/backend', hashKey(key)]],
    );
    const states = r.tenants[0]!.keys.map((k) => [k.name, k.state]);
    assert.deepEqual(states, [
      ['backend', 'Active'],
      ['later', 'Pending'],
    ]);
  });

  it('grants what tier and model allow, and says why the rest is denied', () => {
    assert.deepEqual(cfgTenant.models, ['small']);
    const t2 = tenant('team-a', 'asks', { models: ['small', 'large', 'ghost'] });
    const r2 = compile({ models, tenants: [t2], policies: [gold] });
    assert.deepEqual(r2.tenants[0]!.grantedModels, ['small']);
    assert.deepEqual(r2.tenants[0]!.deniedModels, [
      { name: 'ghost', reason: 'no LLMModel serves this name' },
      { name: 'large', reason: 'the model admits tiers platinum only' },
    ]);
  });

  it('merges tenant request and policy into effective limits with defaults', () => {
    assert.deepEqual(cfgTenant.limits.budgets, [{ unit: 'tokens', limit: 5000, windowSeconds: 3600 }]);
    assert.equal(cfgTenant.limits.maxOutputTokens, 1024);
    assert.equal(cfgTenant.limits.maxN, 4);
  });

  it('blocks tenants no policy selects, or whose tier is not offered', () => {
    const r3 = compile({
      models,
      tenants: [tenant('x', 'a'), tenant('x', 'b', { tier: 'bronze' })],
      policies: [
        policy('p', {
          tierGrants: { approve: ['*'] },
          selector: { namespaces: ['x'] },
          tiers: [{ name: 'gold', models: ['*'] }],
        }),
      ],
    });
    assert.equal(r3.tenants[0]!.blocked, undefined);
    assert.equal(r3.tenants[1]!.blocked?.reason, 'TierNotOffered');
    const r4 = compile({ models, tenants: [tenant('x', 'a')], policies: [] });
    assert.equal(r4.tenants[0]!.blocked?.reason, 'NoPolicy');
    assert.deepEqual(r4.gatewayConfig.tenants[0]!.models, []);
  });

  it('a broken policy falls back to its last good version, else fails closed for its tenants only', () => {
    const broken = policy('strict', {
      selector: { namespaces: ['team-a'] },
      guardrails: { redaction: { customPatterns: [{ name: 'x', pattern: '(?<=a)b' }] } },
    });
    const lastGood = policy('strict', {
      selector: { namespaces: ['team-a'] },
      guardrails: { redaction: { customPatterns: [{ name: 'x', pattern: 'ab' }] } },
    });
    const other = tenant('team-b', 'other', { keys: [] });
    const closed = compile({ models, tenants: [t, other], policies: [gold, broken], secrets: [secret] });
    assert.equal(closed.tenants.find((x) => x.id === 'team-a/svc')!.blocked?.reason, 'PolicyInvalid');
    assert.deepEqual(closed.gatewayConfig.tenants.find((x) => x.id === 'team-a/svc')!.models, []);
    assert.deepEqual(
      closed.gatewayConfig.tenants.find((x) => x.id === 'team-b/other')!.models,
      ['small'],
      'others unaffected',
    );
    const fallback = compile({
      models,
      tenants: [t],
      policies: [gold, broken],
      secrets: [secret],
      lastGoodPolicies: new Map([['strict', lastGood]]),
    });
    assert.equal(fallback.policies.find((p) => p.name === 'strict')!.inForce, 'lastGood');
    assert.deepEqual(fallback.gatewayConfig.tenants[0]!.guardrails.redaction.customPatterns, [
      { name: 'x', pattern: 'ab' },
    ]);
  });

  it('keeps a rotated-out key valid until the grace period ends', () => {
    const newKey = generateKey();
    const s = keySecret(
      'team-a',
      'svc-tollgate-keys',
      { backend: newKey, 'backend.previous': key },
      {
        'tollgate.dev/rotation.backend': '1',
        'tollgate.dev/rotated-at.backend': '2026-11-01T00:00:00.000Z',
      },
    );
    const r5 = compile({ models, tenants: [t], policies: [gold], secrets: [s], now: new Date('2026-11-01T12:00:00Z') });
    const keys = r5.gatewayConfig.tenants[0]!.keys;
    assert.deepEqual(
      keys.map((k) => k.id),
      ['team-a/svc/backend', 'team-a/svc/backend.previous'],
    );
    assert.equal(keys[1]!.expiresAt, '2026-11-02T00:00:00.000Z');
    assert.equal(r5.tenants[0]!.keys.find((k) => k.name === 'backend.previous')!.state, 'Grace');
    const later = compile({
      models,
      tenants: [t],
      policies: [gold],
      secrets: [s],
      now: new Date('2026-11-03T00:00:00Z'),
    });
    assert.equal(later.tenants[0]!.keys.find((k) => k.name === 'backend.previous')!.state, 'Expired');
  });

  it('reports expired and revoked keys and hands the gateway what it needs to refuse them', () => {
    const tt = tenant('team-a', 'svc', {
      keys: [
        { name: 'backend', expiresAt: '2026-01-01T00:00:00Z' },
        { name: 'old', revoked: true },
      ],
    });
    const s = keySecret('team-a', 'svc-tollgate-keys', { backend: key, old: generateKey() });
    const r6 = compile({
      models,
      tenants: [tt],
      policies: [gold],
      secrets: [s],
      now: new Date('2026-06-01T00:00:00Z'),
    });
    assert.deepEqual(
      r6.tenants[0]!.keys.map((k) => k.state),
      ['Expired', 'Revoked'],
    );
    assert.deepEqual(
      r6.gatewayConfig.tenants[0]!.keys.map((k) => [k.expiresAt, k.revoked]),
      [
        ['2026-01-01T00:00:00Z', false],
        [undefined, true],
      ],
    );
  });

  it('emits one NetworkPolicy per tenant namespace letting it reach the gateway', () => {
    const np = r.objects.find(
      (o) => o.kind === 'NetworkPolicy' && o.metadata?.namespace === 'tollgate-system',
    ) as NetworkPolicy;
    assert.deepEqual(np.spec.ingress![0]!.from![0]!.namespaceSelector!.matchLabels, {
      'kubernetes.io/metadata.name': 'team-a',
    });
    assert.equal(np.metadata.labels!['tollgate.dev/tenant-namespace'], 'team-a');
    assert.equal(np.metadata.labels!['tollgate.dev/tenant'], undefined, 'not one per tenant');
    // three tenants in two namespaces: two NetworkPolicies
    const many = compile({
      models,
      tenants: [tenant('team-a', 'x'), tenant('team-a', 'y'), tenant('team-b', 'z')],
      policies: [gold],
    });
    const nps = many.objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata?.namespace === 'tollgate-system');
    assert.deepEqual(nps.map((o) => o.metadata?.labels?.['tollgate.dev/tenant-namespace']).sort(), [
      'team-a',
      'team-b',
    ]);
  });

  it('compiles judges (input and output check) into a config the gateway contract accepts', () => {
    const guard = policy('guard', {
      guardrails: {
        promptInjection: {
          mode: 'block',
          documentThreshold: 0.6,
          judge: { model: 'prompt-guard', protocol: 'classify', timeoutMs: 300 },
        },
        outputCheck: {
          mode: 'block',
          judge: { model: 'safety', protocol: 'tei', benignLabels: ['SAFE'], failMode: 'open' },
          windowChars: 512,
        },
      },
    });
    const rj = compile({
      models: [model('big')],
      tenants: [tenant('team-a', 'svc', { tier: 'gold', models: ['big'] })],
      policies: [gold, guard],
    });
    const g = parseGatewayConfig(JSON.parse(JSON.stringify(rj.gatewayConfig))).tenants[0]!.guardrails;
    assert.equal(g.promptInjection.judge?.protocol, 'classify');
    assert.equal(g.promptInjection.documentThreshold, 0.6);
    assert.deepEqual(g.outputCheck, {
      mode: 'block',
      threshold: 0.5,
      windowChars: 512,
      judge: {
        model: 'safety',
        protocol: 'tei',
        timeoutMs: 500,
        failMode: 'open',
        benignClass: 0,
        maxChars: 8000,
        benignLabels: ['SAFE'],
      },
    });
  });

  it('produces a config that parses with its own schema and whose hash covers its content', () => {
    const parsed = parseGatewayConfig(JSON.parse(JSON.stringify(r.gatewayConfig)));
    assert.equal(parsed.hash, r.gatewayConfig.hash);
    const tampered = JSON.parse(JSON.stringify(r.gatewayConfig));
    tampered.tenants[0].suspended = true;
    assert.throws(() => parseGatewayConfig(tampered), /hash does not match/);
  });

  it('is deterministic whatever the input order', () => {
    const a = compile({
      models: [...models].reverse(),
      tenants: [t, tenant('b', 'b')],
      policies: [gold],
      secrets: [secret],
    });
    const b = compile({ models, tenants: [tenant('b', 'b'), t], policies: [gold], secrets: [secret] });
    assert.equal(JSON.stringify(a.objects), JSON.stringify(b.objects));
    assert.equal(a.gatewayConfig.hash, b.gatewayConfig.hash);
  });
});

describe('config delivery', () => {
  it('shards a large config into content-addressed Secrets below the size limit and reassembles it', () => {
    const tenants = Array.from({ length: 300 }, (_, i) => tenant(`ns-${i % 30}`, `t-${i}`, { keys: [{ name: 'k' }] }));
    const secrets = tenants.map((t) =>
      keySecret(t.metadata.namespace!, `${t.metadata.name}-tollgate-keys`, { k: generateKey() }),
    );
    const r = compile({ models: [model('small')], tenants, policies: [gold], secrets });
    const objs = configSecrets(r.gatewayConfig, 'gw', 16 * 1024);
    const index = parseConfigIndex(objs[0]!.stringData![CONFIG_INDEX_KEY]!);
    assert.ok(index.shards.length > 3, `${index.shards.length} shards`);
    for (const s of objs.slice(1)) assert.ok(Buffer.byteLength(s.stringData![CONFIG_SHARD_KEY]!) <= 16 * 1024);
    const text = assembleConfigText(
      index,
      new Map(objs.slice(1).map((s) => [s.metadata!.name!, s.stringData![CONFIG_SHARD_KEY]!])),
    );
    assert.equal(parseGatewayConfig(JSON.parse(text)).hash, r.gatewayConfig.hash);
    const corrupted = new Map(
      objs.slice(1).map((s) => [s.metadata!.name!, s.stringData![CONFIG_SHARD_KEY]!.replace('"', "'")]),
    );
    assert.throws(() => assembleConfigText(index, corrupted), /does not match its checksum/);
  });
});
