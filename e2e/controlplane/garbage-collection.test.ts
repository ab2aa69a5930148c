// The real garbage collector (kube-controller-manager) deletes dependents whose owner is gone; the
// deployment and replicaset controllers create owned objects. Owner references are how the operator cleans
// up what it made for an LLMModel / LLMTenant, so this is the behaviour it relies on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import {
  clients,
  createTestNamespace,
  describePods,
  isPodReady,
  listPods,
  pauseImage,
  waitFor,
  waitForGone,
  type TestNamespace,
} from '../kube.ts';

const { core, apps } = clients();

describe('garbage collection', { timeout: 180_000 }, () => {
  let ns: TestNamespace;
  before(async () => {
    ns = await createTestNamespace(core, 'e2e-gc');
  });
  after(async () => {
    await ns?.delete();
  });

  async function ownerAndDependent(suffix: string): Promise<{ owner: V1ConfigMap; dependent: string }> {
    const owner = await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: `owner-${suffix}` }, data: { role: 'owner' } },
    });
    const uid = owner.metadata?.uid;
    assert.ok(uid);
    const dependent = `dependent-${suffix}`;
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: {
          name: dependent,
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: `owner-${suffix}`,
              uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        data: { role: 'dependent' },
      },
    });
    return { owner, dependent };
  }

  it('deleting an owner (background propagation) removes its dependent', async () => {
    const { dependent } = await ownerAndDependent('bg');
    await core.deleteNamespacedConfigMap({ name: 'owner-bg', namespace: ns.name, propagationPolicy: 'Background' });
    await waitForGone(
      `ConfigMap ${dependent}`,
      () => core.readNamespacedConfigMap({ name: dependent, namespace: ns.name }),
      {
        timeoutMs: 60_000,
      },
    );
  });

  it('deleting an owner with propagationPolicy=Orphan keeps the dependent and drops its owner reference', async () => {
    const { dependent } = await ownerAndDependent('orphan');
    await core.deleteNamespacedConfigMap({ name: 'owner-orphan', namespace: ns.name, propagationPolicy: 'Orphan' });
    const cm = await waitFor(
      `the garbage collector to orphan ${dependent}`,
      async () => {
        const c = await core.readNamespacedConfigMap({ name: dependent, namespace: ns.name });
        return (c.metadata?.ownerReferences ?? []).length === 0 ? c : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(cm.data?.role, 'dependent');
  });

  it('deleting a Deployment (foreground) removes its ReplicaSet and pods', async () => {
    const labels = { app: 'gc-web' };
    const body: V1Deployment = {
      metadata: { name: 'gc-web', labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'web', image: pauseImage, resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
          },
        },
      },
    };
    const dep = await apps.createNamespacedDeployment({ namespace: ns.name, body });
    const pods = await waitFor(
      'two gc-web pods Running and Ready',
      async () => {
        const ps = await listPods(core, ns.name, 'app=gc-web');
        return ps.filter(isPodReady).length === 2 ? ps : undefined;
      },
      { timeoutMs: 90_000 },
      async () => describePods(await listPods(core, ns.name, 'app=gc-web')),
    );
    const rsList = await apps.listNamespacedReplicaSet({ namespace: ns.name, labelSelector: 'app=gc-web' });
    assert.equal(rsList.items.length, 1);
    const rs = rsList.items[0]!;
    assert.equal(
      rs.metadata?.ownerReferences?.[0]?.uid,
      dep.metadata?.uid,
      'the ReplicaSet is owned by the Deployment',
    );
    for (const p of pods)
      assert.equal(p.metadata?.ownerReferences?.[0]?.uid, rs.metadata?.uid, 'pods are owned by the ReplicaSet');

    await apps.deleteNamespacedDeployment({ name: 'gc-web', namespace: ns.name, propagationPolicy: 'Foreground' });
    await waitForGone(
      'Deployment gc-web',
      () => apps.readNamespacedDeployment({ name: 'gc-web', namespace: ns.name }),
      {
        timeoutMs: 90_000,
      },
    );
    const rsName = rs.metadata?.name ?? '';
    await waitForGone(`ReplicaSet ${rsName}`, () =>
      apps.readNamespacedReplicaSet({ name: rsName, namespace: ns.name }),
    );
    await waitFor('gc-web pods to be gone', async () => (await listPods(core, ns.name, 'app=gc-web')).length === 0, {
      timeoutMs: 60_000,
    });
  });
});
