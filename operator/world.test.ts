// The operator's world without a cluster: objects go through the informers' ingestion (the same path
// as watch events), then what the reconcilers read is checked against the offline compiler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../api/gateway-config.ts';
import { parseGatewayConfig } from '../api/config-verify.ts';
import { generateKey, hashKey } from '../api/keys.ts';
import { configParts, configSecrets, piecesOf, secretsForParts } from './compiler/delivery.ts';
import { publishOrder } from './compiler/chunks.ts';
import { assembleConfigText, CONFIG_INDEX_KEY, CONFIG_SHARD_KEY, parseConfigIndex } from '../api/delivery.ts';
import { compile } from './compiler/index.ts';
import { keySecret, model, policy, tenant } from './compiler/testdata.ts';
import { KubeClient } from '../kube/client.ts';
import type { KObject } from '../kube/object.ts';
import { STATUS_DIGEST, SPEC_DIGEST } from './transforms.ts';
import { upToDate } from './reconcile/context.ts';
import { World } from './world.ts';

const GW = 'tollgate-system';
const now = new Date('2026-12-01T00:00:00Z');
let rv = 1;

function world(): World {
  return new World(
    new KubeClient({ kind: 'direct', connection: { server: 'https://127.0.0.1:1', source: 'test' } }),
    { gatewayNamespace: GW, resyncMs: 0, log: () => {} },
    { gatewayNamespace: GW, gatewayUrl: 'http://gw/v1' },
  );
}

/** As the API server sends it: resourceVersion, uid, managedFields. */
function served<T extends object>(o: T, extra: Record<string, unknown> = {}): KObject {
  const m = (o as { metadata?: Record<string, unknown> }).metadata ?? {};
  return {
    ...o,
    metadata: {
      ...m,
      uid: `uid-${String(m['name'])}`,
      resourceVersion: String(rv++),
      generation: 1,
      managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
      ...extra,
    },
  } as unknown as KObject;
}

const gold = policy('gold', {
  tierGrants: { approve: ['*'] },
  tiers: [{ name: 'gold', models: ['*'] }],
  budget: { tokens: { limit: 1e6, window: '24h' } },
});
const models = [model('small'), model('large')];

function populate(w: World, n: number): { keys: Map<string, string> } {
  const keys = new Map<string, string>();
  w.policies.ingest('MODIFIED', served(gold));
  for (const m of models) w.models.ingest('MODIFIED', served(m));
  for (let i = 0; i < 10; i++)
    w.namespaces.ingest(
      'MODIFIED',
      served({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}`, labels: { team: String(i) } } }),
    );
  for (let i = 0; i < n; i++) {
    const t = tenant(`ns-${i % 10}`, `t-${i}`, { keys: [{ name: 'main' }] });
    const key = generateKey();
    keys.set(`${t.metadata.namespace}/${t.metadata.name}`, key);
    w.managedSecrets.ingest(
      'MODIFIED',
      served(
        keySecret(t.metadata.namespace!, `t-${i}-tollgate-keys`, { main: key }, { 'tollgate.dev/rotation.main': '0' }),
      ),
    );
    w.tenants.ingest('MODIFIED', served(t));
  }
  return { keys };
}

function offline(w: World): ReturnType<typeof compile> {
  // The same inputs through the offline compiler (`tollgate render`).
  const tenants = [...w.tenants.values()].map((o) =>
    tenant(o.metadata.namespace!, o.metadata.name, o['spec'] as Record<string, unknown>),
  );
  return compile({
    models,
    tenants,
    policies: [gold],
    secrets: [],
    namespaces: [...w.namespaces.values()] as never,
    now,
  });
}

describe('informer caches keep only what reconciliation reads', () => {
  it('never caches key material: a Secret is kept as digests', () => {
    const w = world();
    const key = generateKey();
    w.managedSecrets.ingest('MODIFIED', served(keySecret('ns-0', 'k', { main: key, blank: '  ' })));
    const cached = w.managedSecrets.get('ns-0/k')!;
    const text = JSON.stringify(cached);
    assert.ok(!text.includes(key) && !text.includes(Buffer.from(key).toString('base64')), 'no key, no base64 of it');
    assert.equal(cached['data'], undefined);
    assert.deepEqual(w.secretIndex.get('ns-0/k')?.material['main'], { sha256: hashKey(key), length: key.length });
    assert.equal(w.secretIndex.get('ns-0/k')?.material['blank']?.length, 0);
  });

  it('drops managedFields and last-applied annotations; keeps a tenant status as conditions and a digest', () => {
    const w = world();
    const t = served({
      ...tenant('ns-0', 'a'),
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Granted',
            message: 'x',
            lastTransitionTime: '2026-12-01T00:00:00Z',
          },
        ],
        grantedModels: Array.from({ length: 100 }, (_, i) => `m-${i}`),
      },
    });
    (t.metadata as { annotations?: Record<string, string> }).annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}',
      keep: 'me',
    };
    w.tenants.ingest('MODIFIED', t);
    const cached = w.tenants.get('ns-0/a')!;
    assert.equal((cached.metadata as { managedFields?: unknown }).managedFields, undefined);
    assert.deepEqual(cached.metadata.annotations, { keep: 'me' });
    assert.deepEqual(Object.keys(cached['status'] as object), ['conditions']);
    assert.equal(typeof cached[STATUS_DIGEST], 'string');
    // and the schema still parses it (the digest is not an API field)
    assert.ok(w.tenantOutcome('ns-0', 'a', now));
  });

  it('keeps a tenant NetworkPolicy as a spec digest that `ensure` compares with', () => {
    const w = world();
    const c = compile({ models, tenants: [tenant('ns-0', 'a')], policies: [gold] }, { gatewayNamespace: GW });
    const np = c.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata?.namespace === GW)!;
    w.networkPolicies.ingest('MODIFIED', served(np));
    const cached = w.networkPolicies.get(`${GW}/${np.metadata!.name}`)!;
    assert.equal(cached['spec'], undefined);
    assert.equal(typeof cached[SPEC_DIGEST], 'string');
    assert.ok(upToDate(np as never, cached), 'unchanged: no write');
    const edited = { ...np, spec: { ...(np as { spec: object }).spec, policyTypes: ['Ingress', 'Egress'] } };
    assert.ok(!upToDate(edited as never, cached), 'a changed spec is seen');
  });
});

describe('incremental compilation', () => {
  it('assembles the same config as the offline compiler, hashed without building the text', () => {
    const w = world();
    populate(w, 60);
    const cfg = w.gatewayConfig(now);
    const off = offline(w);
    // key hashes differ (offline has no Secrets): compare the structure by replacing keys
    const text = configParts(cfg.pieces(), cfg.hash).join('');
    assert.deepEqual(cfg.parts(), configParts(cfg.pieces(), cfg.hash), 'the cached chunks are the parts');
    const parsed = parseGatewayConfig(JSON.parse(text));
    assert.equal(parsed.hash, cfg.hash, 'the streamed hash is the hash of the canonical text');
    assert.equal(canonicalJson(parsed), text, 'the parts concatenate to the canonical JSON');
    // the same entries; the operator publishes them oldest first (publishOrder), the offline compiler by name
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    assert.deepEqual(
      parsed.tenants.map((t) => ({ ...t, keys: [] })).sort(byId),
      off.gatewayConfig.tenants.map((t) => ({ ...t, keys: [] })).sort(byId),
    );
    assert.deepEqual(parsed.models, off.gatewayConfig.models);
  });

  it('recompiles only the tenant that changed; a Lease renewal recompiles and rehashes nothing', () => {
    const w = world();
    const { keys } = populate(w, 200);
    const first = w.gatewayConfig(now);
    const before = { ...w.stats };
    assert.equal(before.tenantCompiles, 200);
    // a gateway replica renews its Lease (what happened every 10 s per replica before)
    w.gatewayLeases.ingest(
      'MODIFIED',
      served({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'tollgate-gateway-a', namespace: GW, labels: { 'tollgate.dev/gateway-replica': 'true' } },
        spec: { renewTime: now.toISOString() },
      }),
    );
    assert.equal(w.gatewayConfig(now).hash, first.hash);
    assert.deepEqual(w.stats, before, 'nothing compiled or hashed');
    // one tenant suspended
    const o = w.tenants.get('ns-3/t-3')!;
    w.tenants.ingest('MODIFIED', {
      ...o,
      metadata: { ...o.metadata, resourceVersion: String(rv++), generation: 2 },
      spec: { ...(o['spec'] as object), suspended: true },
    });
    const second = w.gatewayConfig(now);
    assert.notEqual(second.hash, first.hash);
    assert.equal(w.stats.tenantCompiles - before.tenantCompiles, 1);
    assert.equal(w.stats.fullRefreshes, before.fullRefreshes, 'no pass over every tenant');
    // its key rotated: again one
    w.managedSecrets.ingest('MODIFIED', served(keySecret('ns-3', 't-3-tollgate-keys', { main: generateKey() })));
    w.gatewayConfig(now);
    assert.equal(
      w.stats.tenantCompiles - before.tenantCompiles,
      2,
      'the tenants of that namespace are looked at; only the one that reads the Secret is compiled',
    );
    // a policy change recompiles everyone
    w.policies.ingest(
      'MODIFIED',
      served(policy('gold', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['small'] }] })),
    );
    w.gatewayConfig(now);
    assert.equal(w.tenantConfig('ns-0/t-0')?.models.join(), 'small');
    assert.equal(w.tenantConfig('ns-0/t-0')?.keys[0]?.sha256, hashKey(keys.get('ns-0/t-0')!));
  });

  it('a tenant whose key expires is compiled again when it does, not before', () => {
    const w = world();
    w.policies.ingest('MODIFIED', served(gold));
    for (const m of models) w.models.ingest('MODIFIED', served(m));
    w.managedSecrets.ingest('MODIFIED', served(keySecret('ns-0', 'a-tollgate-keys', { main: generateKey() })));
    w.tenants.ingest(
      'MODIFIED',
      served(tenant('ns-0', 'a', { keys: [{ name: 'main', expiresAt: '2026-12-01T01:00:00Z' }] })),
    );
    w.gatewayConfig(now);
    w.gatewayConfig(new Date('2026-12-01T00:30:00Z'));
    assert.equal(w.stats.tenantCompiles, 1);
    w.gatewayConfig(new Date('2026-12-01T02:00:00Z'));
    assert.equal(w.stats.tenantCompiles, 2);
  });
});

describe('policy last good version survives a restart', () => {
  const good = policy('strict', {
    tierGrants: { approve: ['*'] },
    selector: { namespaces: ['ns-0'] },
    tiers: [{ name: 'gold', models: ['small'] }],
  });
  const broken = {
    ...good,
    metadata: { ...good.metadata, generation: 2 },
    spec: { ...good.spec, guardrails: { redaction: { customPatterns: [{ name: 'bad', pattern: '(' }] } } },
  };
  it('a new leader reads it from LLMPolicy status and keeps enforcing it', () => {
    const restarted = world();
    restarted.policies.ingest('MODIFIED', served(broken, { generation: 2 }) as KObject);
    // what the previous leader wrote while the policy compiled
    const o = restarted.policies.get('strict')!;
    restarted.policies.ingest('MODIFIED', {
      ...o,
      metadata: { ...o.metadata, resourceVersion: `${o.metadata.resourceVersion}1` },
      status: { lastGood: { generation: 1, spec: canonicalJson(good.spec) } },
    });
    const p = restarted.compiledPolicies();
    assert.equal(p.policies[0]!.inForce, 'lastGood');
    assert.deepEqual(p.inForce[0]!.spec, good.spec);
    assert.deepEqual(p.broken, new Set());
  });

  it('without one, the tenants it selects are refused (fail closed)', () => {
    const w = world();
    w.policies.ingest('MODIFIED', served(broken));
    assert.deepEqual(w.compiledPolicies().broken, new Set(['strict']));
    // a recorded last good version that does not compile either is not used
    const o = w.policies.get('strict')!;
    const w2 = world();
    w2.policies.ingest('MODIFIED', { ...o, status: { lastGood: { spec: canonicalJson(broken.spec) } } });
    assert.deepEqual(w2.compiledPolicies().broken, new Set(['strict']));
  });
});

describe('config delivery in content-defined chunks', () => {
  it('one tenant changed rewrites one chunk (and the head), not every shard after it', () => {
    const tenants = Array.from({ length: 2000 }, (_, i) => tenant(`ns-${i % 50}`, `t-${i}`, { keys: [{ name: 'k' }] }));
    const secrets = tenants.map((t) =>
      keySecret(t.metadata.namespace!, `${t.metadata.name}-tollgate-keys`, { k: generateKey() }),
    );
    const a = compile({ models, tenants, policies: [gold], secrets });
    const changed = tenants.map((t, i) =>
      i === 777 ? tenant(t.metadata.namespace!, t.metadata.name, { keys: [{ name: 'k' }], suspended: true }) : t,
    );
    const b = compile({ models, tenants: changed, policies: [gold], secrets });
    const names = (c: typeof a) =>
      new Set(
        configSecrets(c.gatewayConfig, GW)
          .slice(1)
          .map((s) => s.metadata!.name!),
      );
    const na = names(a);
    const nb = names(b);
    assert.ok(na.size > 5, `${na.size} shards`);
    const fresh = [...nb].filter((n) => !na.has(n));
    assert.equal(fresh.length, 2, 'the head (it carries the hash) and the chunk of the changed tenant');
    // and they reassemble to the sealed config
    const objs = configSecrets(b.gatewayConfig, GW);
    const index = parseConfigIndex(objs[0]!.stringData![CONFIG_INDEX_KEY]!);
    const text = assembleConfigText(
      index,
      new Map(objs.slice(1).map((s) => [s.metadata!.name!, s.stringData![CONFIG_SHARD_KEY]!])),
    );
    assert.equal(parseGatewayConfig(JSON.parse(text)).hash, b.gatewayConfig.hash);
    assert.equal(
      secretsForParts(
        configParts(piecesOf(b.gatewayConfig), b.gatewayConfig.hash),
        b.gatewayConfig.hash,
        b.gatewayConfig.schemaVersion,
        GW,
      ).length,
      objs.length,
    );
  });
});

describe('publishing order', () => {
  it('tenants added later land in the last chunks: a publication while thousands are added rewrites few shards', () => {
    const w = world();
    w.policies.ingest('MODIFIED', served(gold));
    for (const m of models) w.models.ingest('MODIFIED', served(m));
    // created one second apart, spread over 50 namespaces (as teams are onboarded): names interleave
    const add = (i: number) => {
      const t = tenant(`ns-${i % 50}`, `t-${i}`, { keys: [{ name: 'main' }] });
      const at = new Date(Date.parse('2026-11-01T00:00:00Z') + i * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      w.managedSecrets.ingest(
        'MODIFIED',
        served(keySecret(t.metadata.namespace!, `t-${i}-tollgate-keys`, { main: generateKey() })),
      );
      w.tenants.ingest('MODIFIED', served(t, { creationTimestamp: at, uid: `u-${i}` }));
    };
    for (let i = 0; i < 3000; i++) add(i);
    const before = new Set(w.gatewayConfig(now).parts());
    for (let i = 3000; i < 3100; i++) add(i);
    const after = w.gatewayConfig(now).parts();
    assert.ok(after.length > 10, `${after.length} parts`);
    const fresh = after.filter((p) => !before.has(p));
    // the head (it carries the hash), the chunk the first new tenants joined, the new chunks at the end
    assert.ok(fresh.length <= 4, `${fresh.length} of ${after.length} parts rewritten for 100 new tenants`);
  });

  it("is the API server's: creationTimestamp, then uid, then the id (so a restart publishes the same hash)", () => {
    const meta: Record<string, { creationTimestamp?: string; uid?: string }> = {
      'b/x': { creationTimestamp: '2026-11-01T00:00:01Z', uid: 'a' },
      'a/y': { creationTimestamp: '2026-11-01T00:00:02Z', uid: 'a' },
      'c/z': { creationTimestamp: '2026-11-01T00:00:01Z', uid: 'b' },
      'a/w': { creationTimestamp: '2026-11-01T00:00:01Z', uid: 'b' },
      'd/v': {},
    };
    assert.deepEqual(
      publishOrder(Object.keys(meta), (id) => meta[id]),
      ['d/v', 'b/x', 'a/w', 'c/z', 'a/y'],
    );
  });
});
