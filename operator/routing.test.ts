import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_INDEX_NAME } from '../api/delivery.ts';
import type { EventOrigin, InformerEvent } from '../kube/informer.ts';
import type { KObject } from '../kube/object.ts';
import { LABEL_MODEL, LABEL_TENANT } from './compiler/labels.ts';
import { routeSecret, type SecretRoute } from './routing.ts';

const GW = 'tollgate-system';

function secret(namespace: string, name: string, labels: Record<string, string> = {}, owner?: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      resourceVersion: '7',
      labels,
      ...(owner
        ? { ownerReferences: [{ apiVersion: 'tollgate.dev/v1alpha1', kind: 'LLMTenant', name: owner, uid: 'u1' }] }
        : {}),
    },
  } as KObject;
}

const keySecret = secret('team-a', 'alice-keys', { [LABEL_TENANT]: 'alice' }, 'alice');
const modelSecret = secret('models', 'llama-upstream', { [LABEL_MODEL]: 'llama' });
const byo = secret('team-a', 'my-key');

test('routeSecret: which keys a Secret event queues', () => {
  const cases: { name: string; o: KObject; event: InformerEvent; origin: EventOrigin; want: SecretRoute }[] = [
    {
      name: "the tenant reconciler's own write of a key Secret: config only, not the tenant again",
      o: keySecret,
      event: 'update',
      origin: 'self',
      want: { replicas: false, config: true },
    },
    {
      name: 'its own first write (add) of a key Secret: config only',
      o: keySecret,
      event: 'add',
      origin: 'self',
      want: { replicas: false, config: true },
    },
    {
      name: 'a key Secret edited by someone else (watch): the tenant and the config',
      o: keySecret,
      event: 'update',
      origin: 'watch',
      want: { replicas: false, config: true, tenant: 'team-a/alice' },
    },
    {
      name: 'a key Secret deleted by someone else: the tenant and the config',
      o: keySecret,
      event: 'delete',
      origin: 'watch',
      want: { replicas: false, config: true, tenant: 'team-a/alice' },
    },
    {
      name: 'a key Secret on resync: the tenant, not the config',
      o: keySecret,
      event: 'resync',
      origin: 'watch',
      want: { replicas: false, config: false, tenant: 'team-a/alice' },
    },
    {
      name: 'a model Secret: its model and the config',
      o: modelSecret,
      event: 'update',
      origin: 'watch',
      want: { replicas: false, config: true, model: 'models/llama' },
    },
    {
      name: 'a bring-your-own Secret: every tenant of its namespace and the config',
      o: byo,
      event: 'add',
      origin: 'watch',
      want: { replicas: false, config: true, tenantsIn: 'team-a' },
    },
    {
      name: 'the config index in the gateway namespace: replicas and the config',
      o: secret(GW, CONFIG_INDEX_NAME),
      event: 'update',
      origin: 'watch',
      want: { replicas: true, config: true },
    },
    {
      name: 'a config shard in the gateway namespace on resync: nothing',
      o: secret(GW, 'tollgate-config-3'),
      event: 'resync',
      origin: 'watch',
      want: { replicas: false, config: false },
    },
  ];
  for (const c of cases) assert.deepEqual(routeSecret(c.o, c.event, c.origin, GW), c.want, c.name);
});
