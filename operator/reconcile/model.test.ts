// The model reconciler's shared object: the namespace's default-deny NetworkPolicy, wanted by every model there.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { model } from '../compiler/testdata.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { EventOrigin } from '../../kube/informer.ts';
import type { KObject } from '../../kube/object.ts';
import { reconcileModel } from './model.ts';
import { testContext, testWorld } from './testing.ts';

let rv = 1;
const served = (o: object): KObject => {
  const m = (o as { metadata: Record<string, unknown> }).metadata;
  return {
    ...o,
    metadata: { ...m, uid: `uid-${String(m['name'])}`, resourceVersion: String(rv++), generation: 1 },
  } as KObject;
};

it('models of one namespace reconciled side by side apply its default-deny policy once; deleted, it comes back', async () => {
  const world = testWorld();
  const names = ['m1', 'm2', 'm3'];
  for (const n of names) world.models.ingest('MODIFIED', served(model(n)));
  const writes: string[] = [];
  const client = {
    // an API server slow to answer: the other reconciles go on meanwhile (no watch event is delivered here)
    apply: async (_r: unknown, o: KObject) => {
      writes.push(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
      await new Promise((r) => setTimeout(r, 10));
      return served(o);
    },
    get: async () => undefined,
    create: async () => ({}),
  } as unknown as KubeClient;
  const ctx = testContext(world, client);
  const origins: EventOrigin[] = [];
  world.networkPolicies.on((o, _e, _old, origin) => {
    if (o.metadata.name === 'tollgate-default-deny') origins.push(origin);
  });
  const ns = 'llm'; // testdata's model namespace
  const deny = `NetworkPolicy/${ns}/tollgate-default-deny`;
  await Promise.all(names.map((n) => reconcileModel(ctx, ns, n)));
  assert.equal(writes.filter((w) => w === deny).length, 1, writes.join(', '));
  assert.deepEqual(origins, ['self'], 'cached as the operator’s own write');
  world.networkPolicies.ingest('DELETED', world.networkPolicies.get(`${ns}/tollgate-default-deny`)!);
  writes.length = 0;
  await reconcileModel(ctx, ns, 'm2');
  assert.ok(writes.includes(deny), writes.join(', '));
});

it("a model's objects (Deployment, Service, NetworkPolicies) are applied side by side, not one round trip after another", async () => {
  const world = testWorld();
  world.models.ingest('MODIFIED', served(model('m1')));
  let inFlight = 0;
  let most = 0;
  const kinds: string[] = [];
  const client = {
    apply: async (_r: unknown, o: KObject, opts: { subresource?: string } = {}) => {
      if (!opts.subresource && o.kind !== 'Secret') kinds.push(String(o.kind));
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return served(o);
    },
    get: async () => undefined,
    create: async () => ({}),
  } as unknown as KubeClient;
  const ctx = testContext(world, client);
  await reconcileModel(ctx, 'llm', 'm1');
  assert.ok(kinds.length >= 4, kinds.join(', '));
  assert.equal(most, kinds.length, `every object in flight at once (${kinds.join(', ')})`);
});
