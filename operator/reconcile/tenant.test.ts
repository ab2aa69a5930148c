// The tenant reconciler against a world fed through the informers' ingestion and a client that records writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { model, policy, tenant } from '../compiler/testdata.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import type { World } from '../world.ts';
import type { ReconcileContext } from './context.ts';
import { reconcileTenant } from './tenant.ts';
import { TEST_GATEWAY_NAMESPACE, testContext, testWorld } from './testing.ts';
import { ENFORCEMENT_WAIT_MS } from '../status/enforcement.ts';
import { tenantNetworkPolicyName } from '../compiler/tenant.ts';
import type { EventOrigin, InformerEvent } from '../../kube/informer.ts';
import { routeSecret } from '../routing.ts';

const GW = TEST_GATEWAY_NAMESPACE;
let rv = 1;
const served = (o: object): KObject => {
  const m = (o as { metadata: Record<string, unknown> }).metadata;
  return {
    ...o,
    metadata: { ...m, uid: `uid-${String(m['name'])}`, resourceVersion: String(rv++), generation: 1 },
  } as KObject;
};

interface Setup {
  ctx: ReconcileContext;
  world: World;
  writes: string[];
  /** Secret data (decoded) of every Secret write, by write. */
  secretData: Record<string, string>[];
  events: { type: string; reason: string; note: string }[];
  logs: Record<string, unknown>[];
  /** What each apply stored, by kind/namespace/name (as the API server answered it). */
  stored: Map<string, KObject>;
  /** Keys the reconciler queued (ctx.enqueue), with their delay. */
  enqueued: [string, number | undefined][];
}

function setup(
  opts: {
    slowPolicyApply?: boolean;
    secretNamespaces?: string[];
    unseenSecret?: Record<string, string>;
    keepEnforcementUnknown?: boolean;
  } = {},
): Setup {
  const world = testWorld(opts.secretNamespaces ? { secretNamespaces: opts.secretNamespaces } : {});
  world.policies.ingest(
    'MODIFIED',
    served(policy('gold', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] })),
  );
  world.models.ingest('MODIFIED', served(model('small')));
  // no gateway replica: Ready does not wait for one (status/enforcement.ts; the enforcement tests set their own)
  if (!opts.keepEnforcementUnknown) world.enforcement.observeReplicas([]);
  world.tenants.ingest('MODIFIED', served(tenant('team', 'a', { tier: 'gold', keys: [{ name: 'main' }] })));
  const writes: string[] = [];
  const secretData: Record<string, string>[] = [];
  const events: { type: string; reason: string; note: string }[] = [];
  const logs: Record<string, unknown>[] = [];
  const stored = new Map<string, KObject>();
  const decode = (o: KObject) =>
    Object.fromEntries(
      Object.entries((o['data'] ?? {}) as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString(),
      ]),
    );
  const unseen = opts.unseenSecret;
  const slow = opts.slowPolicyApply ?? false;
  const client = {
    // what the API server answers an apply with: the object as stored (no watch event is delivered here)
    apply: async (_r: unknown, o: KObject, opts: { subresource?: string } = {}) => {
      writes.push(`${o.kind}/${o.metadata.name}${opts.subresource ? `/${opts.subresource}` : ''}`);
      if (o.kind === 'Secret') secretData.push(decode(o));
      // an API server slow to answer: other reconciles go on meanwhile
      if (o.kind === 'NetworkPolicy' && slow) await new Promise((r) => setTimeout(r, 20));
      if (opts.subresource === 'status') {
        stored.set(`status/${o.metadata.namespace}/${o.metadata.name}`, o);
        const cur = world.tenants.get(`${o.metadata.namespace}/${o.metadata.name}`)!;
        // the status as stored: a new resourceVersion, as the API server gives it
        world.tenants.ingest('MODIFIED', {
          ...cur,
          metadata: { ...cur.metadata, resourceVersion: String(rv++) },
          status: o['status'],
        } as KObject);
      }
      const answer = served(o);
      if (!opts.subresource) stored.set(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, answer);
      return answer;
    },
    // a key Secret that exists but the cache has not seen (a watch behind, or no managed-by label)
    get: async (r: { kind: string }) =>
      r.kind === 'Secret' && unseen
        ? {
            metadata: { name: 'a-tollgate-keys', namespace: 'team', annotations: {} },
            data: Object.fromEntries(Object.entries(unseen).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          }
        : undefined,
    create: async (_r: unknown, o: KObject) => {
      if (o.kind === 'Event')
        events.push({ type: String(o['type']), reason: String(o['reason']), note: String(o['note']) });
      return {};
    },
  } as unknown as KubeClient;
  const enqueued: [string, number | undefined][] = [];
  const ctx = testContext(world, client, {
    log: (msg, fields) => logs.push({ msg, ...fields }),
    enqueue: (key, afterMs) => enqueued.push([key, afterMs]),
  });
  return { ctx, world, writes, secretData, events, logs, stored, enqueued };
}

describe('tenant reconciler', () => {
  it('issues the keys, opens the namespace and writes status in one pass, without waiting for the watch', async () => {
    const { ctx, world, writes } = setup();
    assert.equal(await reconcileTenant(ctx, 'team', 'a'), undefined, 'not requeued');
    assert.deepEqual(
      writes.sort(),
      ['LLMTenant/a/status', `NetworkPolicy/${tenantNetworkPolicyName('team')}`, 'Secret/a-tollgate-keys'].sort(),
    );
    assert.ok(world.managedSecrets.get('team/a-tollgate-keys'), 'the written Secret is in the cache (as digests)');
    const status = world.tenants.get('team/a')!['status'] as { conditions: { type: string; status: string }[] };
    assert.equal(status.conditions.find((c) => c.type === 'Ready')?.status, 'True', 'Ready with the issued key');
  });

  it('a second pass issues nothing again (the cache has the keys it wrote)', async () => {
    const { ctx, writes } = setup();
    await reconcileTenant(ctx, 'team', 'a');
    writes.length = 0;
    await reconcileTenant(ctx, 'team', 'a');
    assert.ok(!writes.includes('Secret/a-tollgate-keys'), `no new keys: ${writes.join(', ')}`);
    assert.ok(!writes.includes('LLMTenant/a/status'));
  });

  it("its own writes do not queue the tenant again (the new tenant's second reconcile); an edit by someone else does", async () => {
    const { ctx, world } = setup();
    const queued: string[] = [];
    const record = (o: KObject, event: InformerEvent, _old: KObject | undefined, origin: EventOrigin) => {
      const r = routeSecret(o, event, origin, GW);
      if (r.tenant) queued.push(`tenant/${r.tenant}`);
    };
    world.managedSecrets.on(record);
    const npOrigins: EventOrigin[] = [];
    world.networkPolicies.on((_o, _e, _old, origin) => npOrigins.push(origin));
    await reconcileTenant(ctx, 'team', 'a');
    assert.deepEqual(queued, [], 'the key Secret it wrote queues nothing');
    assert.deepEqual(npOrigins, ['self'], 'the NetworkPolicy it applied is cached as its own');
    // the same version arriving by the watch is no event; another version (a hand edit) queues the tenant
    const cached = world.managedSecrets.get('team/a-tollgate-keys')!;
    world.managedSecrets.ingest('MODIFIED', cached);
    assert.deepEqual(queued, []);
    world.managedSecrets.ingest('MODIFIED', {
      ...cached,
      metadata: { ...cached.metadata, resourceVersion: String(rv++) },
    } as KObject);
    assert.deepEqual(queued, ['tenant/team/a']);
  });

  it('a tenant in a namespace whose Secrets are not watched: no Secret read or write, the status, an Event and a warn log say why', async () => {
    const { ctx, world, writes, events, logs } = setup({ secretNamespaces: ['llm-serving', 'team-support'] });
    await reconcileTenant(ctx, 'team', 'a');
    assert.ok(!writes.some((w) => w.startsWith('Secret/')), writes.join(', '));
    const status = world.tenants.get('team/a')!['status'] as {
      conditions: { type: string; status: string; reason: string; message: string }[];
    };
    const keys = status.conditions.find((c) => c.type === 'KeysIssued');
    const ready = status.conditions.find((c) => c.type === 'Ready');
    assert.equal(keys?.reason, 'NamespaceNotWatched');
    assert.match(keys?.message ?? '', /--secret-namespaces.*operator\.secretNamespaces/);
    assert.deepEqual([ready?.status, ready?.reason], ['False', 'NamespaceNotWatched']);
    assert.deepEqual(
      events.map((e) => [e.type, e.reason]),
      [['Warning', 'NamespaceNotWatched']],
    );
    assert.ok(logs.some((l) => l['level'] === 'warn' && /not watched/.test(String(l['msg']))));
    // reconciled again (a label change): still nothing written, no second Event
    writes.length = 0;
    await reconcileTenant(ctx, 'team', 'a');
    assert.deepEqual(writes, []);
    assert.equal(events.length, 1);
  });

  it('NamespaceNotWatched gets its Warning Event also when Ready reports another reason first (no policy)', async () => {
    const { ctx, world, events } = setup({ secretNamespaces: ['elsewhere'] });
    world.policies.ingest('DELETED', world.policies.get('gold')!);
    await reconcileTenant(ctx, 'team', 'a');
    const reasons = events.filter((e) => e.type === 'Warning').map((e) => e.reason);
    assert.ok(reasons.includes('NamespaceNotWatched'), reasons.join(', '));
  });

  it('never issues a new key over a key Secret that exists but is not in the cache', async () => {
    const { ctx, secretData } = setup({ unseenSecret: { main: 'tg_existing-key-material-0123456789abcdef' } });
    await reconcileTenant(ctx, 'team', 'a');
    assert.ok(secretData.length > 0, 'applied with its labels, so the cache sees it next');
    for (const d of secretData) assert.equal(d['main'], 'tg_existing-key-material-0123456789abcdef');
  });

  it('several new tenants of one namespace, side by side, apply its NetworkPolicy once', async () => {
    const { ctx, world, writes } = setup({ slowPolicyApply: true });
    for (const n of ['b', 'c', 'd'])
      world.tenants.ingest('MODIFIED', served(tenant('team', n, { tier: 'gold', keys: [{ name: 'main' }] })));
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => reconcileTenant(ctx, 'team', n)));
    const np = `NetworkPolicy/${tenantNetworkPolicyName('team')}`;
    assert.equal(writes.filter((w) => w === np).length, 1, writes.join(', '));
    assert.equal(writes.filter((w) => w.startsWith('Secret/')).length, 4);
    assert.equal(world.inflightApplies.size, 0);
    // level-triggered: deleted by hand, it is applied again by the next reconcile
    world.networkPolicies.ingest('DELETED', world.networkPolicies.get(`${GW}/${tenantNetworkPolicyName('team')}`)!);
    writes.length = 0;
    await reconcileTenant(ctx, 'team', 'b');
    assert.deepEqual(writes, [np]);
  });

  describe('Ready waits for the gateway to enforce the keys (status/enforcement.ts)', () => {
    const readyOf = (world: World) =>
      (
        world.tenants.get('team/a')!['status'] as
          { conditions: { type: string; status: string; reason: string }[] } | undefined
      )?.conditions.find((c) => c.type === 'Ready');
    /** A new process (empty ledger, replicas not seen yet) over the objects as the API server has them after `before`. */
    const restarted = (before: Setup): Setup => {
      const next = setup({ keepEnforcementUnknown: true });
      next.world.tenants.ingest('MODIFIED', {
        ...served(tenant('team', 'a', { tier: 'gold', keys: [{ name: 'main' }] })),
        status: before.stored.get('status/team/a')!['status'],
      } as KObject);
      next.world.managedSecrets.ingest('MODIFIED', before.stored.get('Secret/team/a-tollgate-keys')!, 'watch');
      next.world.networkPolicies.ingest(
        'MODIFIED',
        before.stored.get(`NetworkPolicy/${GW}/${tenantNetworkPolicyName('team')}`)!,
        'watch',
      );
      return next;
    };
    const publish = (world: World, hash: string) => {
      world.gatewayConfig(new Date('2026-12-01T00:00:00Z'));
      world.enforcement.recordPublication(hash, world.publishedKeys());
    };

    it('a new tenant is not Ready while a live replica is on a config without its key; once it loads one, Ready (one status write)', async () => {
      const { ctx, world, writes, enqueued } = setup();
      publish(world, 'sha256:old');
      world.enforcement.observeReplicas(['sha256:old']);
      const r = await reconcileTenant(ctx, 'team', 'a');
      assert.ok(writes.includes('Secret/a-tollgate-keys'), 'the key is issued at once');
      assert.ok(
        !writes.includes('LLMTenant/a/status'),
        `no status before the gateway has the key: ${writes.join(', ')}`,
      );
      assert.equal(r, undefined, 'no timer of its own');
      const wake = enqueued.find(([k]) => k === 'replicas');
      assert.ok(
        wake && wake[1]! > 0 && wake[1]! <= ENFORCEMENT_WAIT_MS,
        'the replicas reconciler wakes at the deadline',
      );
      publish(world, 'sha256:new');
      assert.deepEqual(world.enforcement.observeReplicas(['sha256:old']), [], 'the replica has not moved');
      assert.deepEqual(world.enforcement.observeReplicas(['sha256:new']), ['team/a'], 'the replica loaded it');
      writes.length = 0;
      await reconcileTenant(ctx, 'team', 'a');
      assert.deepEqual(writes, ['LLMTenant/a/status']);
      assert.equal(readyOf(world)?.status, 'True');
    });

    it('every live replica must have it: one replica behind keeps Ready waiting', async () => {
      const { ctx, world, writes } = setup();
      await reconcileTenant(ctx, 'team', 'a'); // no replica yet: Ready at once
      publish(world, 'sha256:one');
      world.enforcement.observeReplicas(['sha256:one', 'sha256:one']);
      world.tenants.ingest('MODIFIED', served(tenant('team', 'b', { tier: 'gold', keys: [{ name: 'main' }] })));
      writes.length = 0;
      await reconcileTenant(ctx, 'team', 'b');
      assert.deepEqual(writes, ['Secret/b-tollgate-keys'], 'b waits for its first status');
      publish(world, 'sha256:two');
      assert.deepEqual(world.enforcement.observeReplicas(['sha256:two', 'sha256:one']), [], 'one replica behind');
      writes.length = 0;
      await reconcileTenant(ctx, 'team', 'b');
      assert.deepEqual(writes, [], 'b still waits');
      assert.deepEqual(world.enforcement.observeReplicas(['sha256:two', 'sha256:two']), ['team/b']);
      await reconcileTenant(ctx, 'team', 'b');
      assert.deepEqual(writes, ['LLMTenant/b/status']);
      await reconcileTenant(ctx, 'team', 'a');
      assert.deepEqual(writes, ['LLMTenant/b/status'], 'a, enforced all along, writes nothing');
    });

    it('after the wait the status says why: Ready=False/KeysNotEnforced, then Ready once enforced', async () => {
      const { ctx, world, events } = setup();
      publish(world, 'sha256:old');
      world.enforcement.observeReplicas(['sha256:old']);
      let t = Date.parse('2026-12-01T00:00:00Z');
      ctx.now = () => new Date(t);
      await reconcileTenant(ctx, 'team', 'a');
      t += ENFORCEMENT_WAIT_MS;
      await reconcileTenant(ctx, 'team', 'a');
      const ready = readyOf(world);
      assert.equal(ready?.status, 'False');
      assert.equal(ready?.reason, 'KeysNotEnforced');
      publish(world, 'sha256:new');
      world.enforcement.observeReplicas(['sha256:new']);
      await reconcileTenant(ctx, 'team', 'a');
      assert.equal(readyOf(world)?.status, 'True');
      assert.deepEqual(events, [], 'progress, not news: no Event into or out of it (20,000 at 10k)');
    });

    it('a key rotated in: Ready stays as reported (no write, no flap) until the gateway has the new key', async () => {
      const { ctx, world, writes } = setup();
      publish(world, 'sha256:one');
      world.enforcement.observeReplicas(['sha256:one']);
      await reconcileTenant(ctx, 'team', 'a');
      publish(world, 'sha256:two');
      world.enforcement.observeReplicas(['sha256:two']);
      await reconcileTenant(ctx, 'team', 'a');
      assert.equal(readyOf(world)?.status, 'True');
      // spec.keys[].rotation raised: a new generation, a new key
      const cur = world.tenants.get('team/a')!;
      world.tenants.ingest('MODIFIED', {
        ...served(tenant('team', 'a', { tier: 'gold', keys: [{ name: 'main', rotation: 1 }] })),
        metadata: { ...cur.metadata, generation: 2, resourceVersion: String(rv++) },
        status: cur['status'],
      } as KObject);
      writes.length = 0;
      await reconcileTenant(ctx, 'team', 'a');
      assert.deepEqual(writes, ['Secret/a-tollgate-keys'], 'the new key, no status yet');
      assert.equal(readyOf(world)?.status, 'True');
      const ids = world.enforcement.recordPublication(
        'sha256:three',
        (world.gatewayConfig(ctx.now()), world.publishedKeys()),
      );
      assert.deepEqual(ids, []);
      assert.deepEqual(world.enforcement.observeReplicas(['sha256:three']), ['team/a']);
      writes.length = 0;
      await reconcileTenant(ctx, 'team', 'a');
      assert.deepEqual(writes, ['LLMTenant/a/status'], 'Ready for generation 2, once');
      assert.equal(readyOf(world)?.status, 'True');
    });

    it('a restart while a replica is on a config this process never recorded writes nothing', async () => {
      const before = setup();
      await reconcileTenant(before.ctx, 'team', 'a');
      const { ctx, world, writes } = restarted(before);
      publish(world, 'sha256:found'); // what this process finds published
      world.enforcement.observeReplicas(['sha256:older']); // a replica still on the config before it
      await reconcileTenant(ctx, 'team', 'a');
      assert.deepEqual(writes, []);
    });

    it('just after a start (replicas not seen yet) a Ready tenant writes nothing; a new one waits', async () => {
      const before = setup();
      await reconcileTenant(before.ctx, 'team', 'a');
      assert.equal(readyOf(before.world)?.status, 'True');
      // a new process: the objects as the API server has them, an empty ledger
      const { ctx, world, writes, enqueued } = restarted(before);
      await reconcileTenant(ctx, 'team', 'a');
      assert.deepEqual(writes, [], 'no write at all');
      world.tenants.ingest('MODIFIED', served(tenant('team', 'c', { tier: 'gold', keys: [{ name: 'main' }] })));
      await reconcileTenant(ctx, 'team', 'c');
      assert.deepEqual(writes, ['Secret/c-tollgate-keys'], 'c: its key, no status yet');
      assert.ok(
        enqueued.some(([k]) => k === 'replicas'),
        'the replicas reconciler wakes at its deadline',
      );
    });
  });
});
