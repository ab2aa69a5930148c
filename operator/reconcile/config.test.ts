// The config reconciler against a world fed through the informers' ingestion and a client that records writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKey } from '../../api/keys.ts';
import { CONFIG_INDEX_NAME, UPSTREAM_CREDENTIALS_SECRET } from '../../api/delivery.ts';
import { keySecret, model, policy, tenant } from '../compiler/testdata.ts';
import { KubeError, type KubeClient } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import type { World } from '../world.ts';
import { planCredentialReads, reconcileConfig } from './config.ts';
import type { ReconcileContext } from './context.ts';
import { TEST_GATEWAY_NAMESPACE, testContext, testWorld } from './testing.ts';
import { CHURN_TENANTS, PUBLISH_MS_PER_MB, QUIET_MS } from './pace.ts';
import { tenantNetworkPolicy, tenantNetworkPolicyName } from '../compiler/tenant.ts';

let rv = 1;
const served = (o: object): KObject => {
  const m = (o as { metadata: Record<string, unknown> }).metadata;
  return {
    ...o,
    metadata: { ...m, uid: `uid-${String(m['name'])}`, resourceVersion: String(rv++), generation: 1 },
  } as KObject;
};

function setup(
  tenants: number,
  opts: { exists?: (name: string) => boolean } = {},
): { ctx: ReconcileContext; world: World; writes: string[]; verbs: string[]; clock: { t: number } } {
  const world = testWorld();
  world.policies.ingest(
    'MODIFIED',
    served(policy('gold', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] })),
  );
  world.models.ingest('MODIFIED', served(model('small')));
  for (let i = 0; i < tenants; i++) addTenant(world, i);
  const writes: string[] = [];
  const verbs: string[] = [];
  const client = {
    create: async (_r: unknown, o: KObject) => {
      verbs.push(`create ${o.metadata.name}`);
      // a shard that exists but is not cached yet: AlreadyExists, as the API server answers
      if (opts.exists?.(o.metadata.name)) throw new KubeError(409, 'AlreadyExists', 'exists');
      writes.push(`${o.kind}/${o.metadata.name}`);
      world.managedSecrets.ingest('MODIFIED', served({ ...o, data: {} }));
      return o;
    },
    apply: async (_r: unknown, o: KObject) => {
      verbs.push(`apply ${o.metadata.name}`);
      writes.push(`${o.kind}/${o.metadata.name}`);
      // the informer sees what was written (the index's hash annotation is what the reconciler compares)
      if (o.kind === 'Secret') world.managedSecrets.ingest('MODIFIED', served({ ...o, data: {} }));
      return o;
    },
    get: async () => undefined,
    delete: async (_r: unknown, _ns: string, name: string) => {
      writes.push(`delete/${name}`);
      return true;
    },
  } as unknown as KubeClient;
  const clock = { t: Date.parse('2026-12-01T00:00:00Z') };
  const ctx = testContext(world, client, { now: () => new Date(clock.t) });
  return { ctx, world, writes, verbs, clock };
}

function addTenant(world: World, i: number): void {
  const t = tenant(`ns-${i % 3}`, `t-${i}`, { tier: 'gold', keys: [{ name: 'main' }] });
  world.managedSecrets.ingest(
    'MODIFIED',
    served(
      keySecret(
        t.metadata.namespace!,
        `t-${i}-tollgate-keys`,
        { main: generateKey() },
        { 'tollgate.dev/rotation.main': '0' },
      ),
    ),
  );
  world.tenants.ingest('MODIFIED', served(t));
}

describe('config reconciler pacing', () => {
  it('publishes at once from empty, then waits out the churn interval without hashing the config', async () => {
    const { ctx, world, writes, clock } = setup(30);
    assert.equal(await reconcileConfig(ctx), undefined);
    assert.ok(writes.includes(`Secret/${CONFIG_INDEX_NAME}`), 'published');
    const hashes = world.stats.configHashes;
    // many tenants change: churn; the next publication waits in proportion to the config's size
    for (let i = 30; i < 30 + CHURN_TENANTS + 5; i++) addTenant(world, i);
    world.changedSincePublish = CHURN_TENANTS + 5;
    world.lastConfigBytes = 5e6;
    writes.length = 0;
    // still changing every 500 ms: each check waits (for quiet, or the churn interval), without hashing
    for (let s = 0; s < 8; s++) {
      clock.t += 500;
      world.lastChangeAt = clock.t;
      assert.deepEqual(await reconcileConfig(ctx), {
        requeueAfterMs: Math.min(QUIET_MS, 5 * PUBLISH_MS_PER_MB - (s + 1) * 500),
      });
    }
    assert.equal(world.stats.configHashes, hashes, 'no hash computed only to wait');
    assert.equal(writes.length, 0);
    // once the interval is over: hashed and published
    clock.t += 1000;
    world.lastChangeAt = clock.t;
    assert.equal(await reconcileConfig(ctx), undefined);
    assert.equal(world.stats.configHashes, hashes + 1);
    assert.ok(writes.includes(`Secret/${CONFIG_INDEX_NAME}`));
  });

  it('a churn that went quiet is published QUIET_MS after its last change, not a churn interval later', async () => {
    const { ctx, world, writes, clock } = setup(30);
    await reconcileConfig(ctx);
    for (let i = 30; i < 30 + CHURN_TENANTS + 5; i++) addTenant(world, i);
    world.changedSincePublish = CHURN_TENANTS + 5;
    world.lastConfigBytes = 18e6;
    clock.t += 1000;
    world.lastChangeAt = clock.t;
    writes.length = 0;
    assert.deepEqual(await reconcileConfig(ctx), { requeueAfterMs: QUIET_MS });
    assert.equal(writes.length, 0);
    clock.t += QUIET_MS;
    assert.equal(await reconcileConfig(ctx), undefined);
    assert.ok(writes.includes(`Secret/${CONFIG_INDEX_NAME}`), 'published once quiet');
  });

  it('a converged config is hashed (memoized) and not written again', async () => {
    const { ctx, writes, clock } = setup(5);
    await reconcileConfig(ctx);
    writes.length = 0;
    clock.t += 10_000;
    assert.equal(await reconcileConfig(ctx), undefined);
    assert.deepEqual(writes, []);
  });

  it('sweeps the NetworkPolicy of a namespace whose last tenant is gone, and only that one', async () => {
    const { ctx, world, writes, clock } = setup(3); // ns-0, ns-1, ns-2
    for (const n of ['ns-0', 'ns-1', 'ns-2'])
      world.networkPolicies.ingest('MODIFIED', served(tenantNetworkPolicy(n, world.options)));
    await reconcileConfig(ctx);
    assert.ok(!writes.some((w) => w.startsWith('delete/')));
    const gone = world.tenants.get('ns-1/t-1')!;
    world.tenants.ingest('DELETED', gone);
    writes.length = 0;
    clock.t += 10_000;
    await reconcileConfig(ctx);
    assert.deepEqual(
      writes.filter((w) => w.startsWith('delete/')),
      [`delete/${tenantNetworkPolicyName('ns-1')}`],
    );
  });
});

describe('config shards', () => {
  it('are created (POST), not applied: their name is their content hash; the index is applied after them', async () => {
    const { ctx, verbs } = setup(30);
    await reconcileConfig(ctx);
    const shards = verbs.filter((v) => v.startsWith('create '));
    assert.ok(shards.length >= 2, `shards created: ${verbs.join(', ')}`);
    const mine = verbs.filter((v) => !v.endsWith(UPSTREAM_CREDENTIALS_SECRET));
    assert.deepEqual(
      mine.filter((v) => v.startsWith('apply ')),
      [`apply ${CONFIG_INDEX_NAME}`],
    );
    assert.equal(mine.at(-1), `apply ${CONFIG_INDEX_NAME}`);
  });

  it("one that exists already (not cached yet) is applied, so its content is the operator's again", async () => {
    let existing: string | undefined;
    const { ctx, verbs } = setup(30, { exists: (name) => (existing ??= name) === name });
    await reconcileConfig(ctx);
    const created = verbs.filter((v) => v.startsWith('create ')).map((v) => v.slice('create '.length));
    assert.ok(existing !== undefined && created.length >= 2);
    assert.ok(verbs.includes(`apply ${existing}`), verbs.join(', '));
    assert.ok(!verbs.includes(`apply ${created.find((n) => n !== existing)}`));
  });
});

describe('planCredentialReads', () => {
  const w = (sha: string) => ({ ns: 'models', name: 'cred', key: 'token', sha });
  const cases: {
    name: string;
    wanted: [string, string][];
    have: Record<string, string>;
    want: { same: boolean; carry: string[]; read: string[] };
  }[] = [
    {
      name: 'nothing mirrored yet: every source is read',
      wanted: [
        ['a', '1'],
        ['b', '2'],
      ],
      have: {},
      want: { same: false, carry: [], read: ['a', 'b'] },
    },
    {
      name: 'all the same',
      wanted: [
        ['a', '1'],
        ['b', '2'],
      ],
      have: { a: '1', b: '2' },
      want: { same: true, carry: ['a', 'b'], read: [] },
    },
    {
      name: 'one new model among many: only its source is read',
      wanted: [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ],
      have: { a: '1', b: '2' },
      want: { same: false, carry: ['a', 'b'], read: ['c'] },
    },
    {
      name: 'a rotated credential is read again',
      wanted: [
        ['a', '1'],
        ['b', '9'],
      ],
      have: { a: '1', b: '2' },
      want: { same: false, carry: ['a'], read: ['b'] },
    },
    {
      name: 'a model gone: rewritten without it, nothing read',
      wanted: [['a', '1']],
      have: { a: '1', b: '2' },
      want: { same: false, carry: ['a'], read: [] },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const have = Object.fromEntries(Object.entries(c.have).map(([k, sha256]) => [k, { sha256 }]));
      assert.deepEqual(planCredentialReads(new Map(c.wanted.map(([k, sha]) => [k, w(sha)])), have), c.want);
    });
});

describe('upstream credentials mirrored for the gateway', () => {
  it('reads only the sources that changed; a value the mirror no longer holds as the source has it is read again', async () => {
    const { ctx, world } = setup(0);
    const models = ['a', 'b', 'c'];
    for (const m of models) world.models.ingest('MODIFIED', served(model(m)));
    const src = (m: string, v: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `${m}-upstream-auth`,
        namespace: 'llm',
        labels: { 'app.kubernetes.io/managed-by': 'tollgate', 'tollgate.dev/model': m },
      },
      data: { 'api-key': Buffer.from(v).toString('base64') },
    });
    const values = new Map(models.map((m) => [m, `secret-of-${m}`]));
    for (const m of models) world.managedSecrets.ingest('MODIFIED', served(src(m, values.get(m)!)));
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    // the mirror as the API server holds it: b's value edited by hand since the cache saw it
    const mirrorData: Record<string, string> = {
      'llm.a': b64('secret-of-a'),
      'llm.b': b64('edited'),
      'llm.c': b64('secret-of-c'),
    };
    const gets: string[] = [];
    const applied: Record<string, string>[] = [];
    ctx.client = {
      ...ctx.client,
      get: async (_r: unknown, ns: string, name: string) => {
        if (name !== CONFIG_INDEX_NAME) gets.push(`${ns}/${name}`);
        if (name === UPSTREAM_CREDENTIALS_SECRET) return { metadata: { name, namespace: ns }, data: mirrorData };
        const m = models.find((x) => name === `${x}-upstream-auth`);
        return m ? src(m, values.get(m)!) : undefined;
      },
      apply: async (_r: unknown, o: KObject) => {
        if (o.metadata.name === UPSTREAM_CREDENTIALS_SECRET) applied.push(o['data'] as Record<string, string>);
        world.managedSecrets.ingest('MODIFIED', served(o));
        return o;
      },
    } as unknown as KubeClient;
    await reconcileConfig(ctx);
    assert.deepEqual(
      gets.sort(),
      ['llm/a-upstream-auth', 'llm/b-upstream-auth', 'llm/c-upstream-auth'],
      'first: every source',
    );
    // the cache now holds the mirror as written; c's source is rotated
    values.set('c', 'rotated-c');
    world.managedSecrets.ingest('MODIFIED', served(src('c', 'rotated-c')));
    world.managedSecrets.ingest(
      'MODIFIED',
      served({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: UPSTREAM_CREDENTIALS_SECRET, namespace: TEST_GATEWAY_NAMESPACE },
        data: { 'llm.a': b64('secret-of-a'), 'llm.b': b64('secret-of-b'), 'llm.c': b64('secret-of-c') },
      }),
    );
    gets.length = 0;
    applied.length = 0;
    await reconcileConfig(ctx);
    assert.deepEqual(
      gets.sort(),
      ['llm/b-upstream-auth', 'llm/c-upstream-auth', `${TEST_GATEWAY_NAMESPACE}/${UPSTREAM_CREDENTIALS_SECRET}`],
      'the mirror once, c (rotated) and b (edited in the mirror)',
    );
    assert.deepEqual(applied.at(-1), {
      'llm.a': b64('secret-of-a'),
      'llm.b': b64('secret-of-b'),
      'llm.c': b64('rotated-c'),
    });
  });
});
