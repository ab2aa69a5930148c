// The real kube-scheduler places GPU pods on nodes advertising nvidia.com/gpu (kwok fake nodes locally,
// patched kind nodes on kind), honours the GPU taint, and reports Unschedulable when nothing fits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  allocatable,
  clients,
  createTestNamespace,
  describePods,
  gpuNodes,
  gpuPoolLabel,
  gpuResource,
  gpuToleration,
  isPodReady,
  listPods,
  pauseImage,
  podCondition,
  waitFor,
  type TestNamespace,
} from '../kube.ts';

const { core, apps } = clients();

function gpuDeployment(
  name: string,
  gpus: number,
  extra: { tolerate?: boolean; nodeSelector?: Record<string, string> } = {},
): V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...(extra.tolerate === false ? {} : { tolerations: [gpuToleration] }),
          ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'model',
              image: pauseImage,
              resources: {
                requests: { cpu: '100m', memory: '64Mi', [gpuResource]: String(gpus) },
                limits: { memory: '64Mi', [gpuResource]: String(gpus) },
              },
            },
          ],
        },
      },
    },
  };
}

describe('scheduling GPU workloads', { timeout: 180_000 }, () => {
  let ns: TestNamespace;
  before(async () => {
    ns = await createTestNamespace(core, 'e2e-sched');
  });
  after(async () => {
    await ns?.delete();
  });

  async function podsOf(app: string): Promise<V1Pod[]> {
    return listPods(core, ns.name, `app=${app}`);
  }

  it('the cluster advertises GPU nodes with a pool label and the GPU taint', async () => {
    const nodes = await gpuNodes(core);
    assert.ok(
      nodes.length > 0,
      `no node advertises ${gpuResource}: run e2e/cluster/up.sh (or kind-gpu-nodes.sh on kind)`,
    );
    for (const n of nodes) {
      assert.ok(n.metadata?.labels?.[gpuPoolLabel], `GPU node ${n.metadata?.name} has no ${gpuPoolLabel} label`);
      assert.ok(
        n.spec?.taints?.some((t) => t.key === gpuToleration.key && t.effect === 'NoSchedule'),
        `GPU node ${n.metadata?.name} lacks the ${gpuToleration.key}:NoSchedule taint`,
      );
    }
  });

  it('places a Deployment requesting nvidia.com/gpu: 1 on a GPU node and the pod becomes Running', async () => {
    await apps.createNamespacedDeployment({ namespace: ns.name, body: gpuDeployment('gpu-one', 1) });
    const pod = await waitFor(
      'the gpu-one pod to be Running and Ready',
      async () => (await podsOf('gpu-one')).find(isPodReady),
      { timeoutMs: 90_000 },
      async () => describePods(await podsOf('gpu-one')),
    );
    const nodeName = pod.spec?.nodeName;
    assert.ok(nodeName, 'a Running pod has a node');
    const node = await core.readNode({ name: nodeName });
    assert.ok(allocatable(node, gpuResource) >= 1, `pod landed on ${nodeName}, which has no ${gpuResource}`);
    assert.ok(node.metadata?.labels?.[gpuPoolLabel], `node ${nodeName} has no ${gpuPoolLabel} label`);
    assert.equal(podCondition(pod, 'PodScheduled')?.status, 'True');
    const dep = await waitFor('deployment gpu-one to report 1 available replica', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'gpu-one', namespace: ns.name });
      return d.status?.availableReplicas === 1 ? d : undefined;
    });
    assert.equal(dep.status?.readyReplicas, 1);
    // free its GPU: it may have landed on the single-GPU pool the next test pins a pod to
    await apps.deleteNamespacedDeployment({ name: 'gpu-one', namespace: ns.name, propagationPolicy: 'Foreground' });
    await waitFor('the gpu-one pods to be gone', async () => (await podsOf('gpu-one')).length === 0, {
      timeoutMs: 60_000,
    });
  });

  it('honours a GPU-pool nodeSelector', async () => {
    const nodes = await gpuNodes(core);
    // the pool with the fewest GPUs per node, so the choice is not the scheduler's default anyway
    const sorted = [...nodes].sort((a, b) => allocatable(a, gpuResource) - allocatable(b, gpuResource));
    const pool = sorted[0]?.metadata?.labels?.[gpuPoolLabel];
    assert.ok(pool, 'a GPU node with a pool label');
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: gpuDeployment('gpu-pool', 1, { nodeSelector: { [gpuPoolLabel]: pool } }),
    });
    const pod = await waitFor(
      `the gpu-pool pod to run in pool ${pool}`,
      async () => (await podsOf('gpu-pool')).find(isPodReady),
      { timeoutMs: 90_000 },
      async () => describePods(await podsOf('gpu-pool')),
    );
    const node = await core.readNode({ name: pod.spec?.nodeName ?? '' });
    assert.equal(node.metadata?.labels?.[gpuPoolLabel], pool);
  });

  async function unschedulable(app: string): Promise<string> {
    const pod = await waitFor(
      `the scheduler to mark the ${app} pod Unschedulable`,
      async () =>
        (await podsOf(app)).find((p) => {
          const c = podCondition(p, 'PodScheduled');
          return c?.status === 'False' && c.reason === 'Unschedulable';
        }),
      { timeoutMs: 60_000 },
      async () => describePods(await podsOf(app)),
    );
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(pod.spec?.nodeName, undefined);
    return podCondition(pod, 'PodScheduled')?.message ?? '';
  }

  it('leaves a pod asking for more GPUs than any node has Pending, with the reason', async () => {
    const most = Math.max(...(await gpuNodes(core)).map((n) => allocatable(n, gpuResource)));
    const want = Math.max(16, most + 1);
    await apps.createNamespacedDeployment({ namespace: ns.name, body: gpuDeployment('gpu-too-many', want) });
    const message = await unschedulable('gpu-too-many');
    assert.match(message, /Insufficient nvidia\.com\/gpu/, `scheduler message: ${message}`);
    assert.match(message, /^0\/\d+ nodes are available/, `scheduler message: ${message}`);
  });

  it('does not place a GPU pod without the toleration on tainted GPU nodes', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: gpuDeployment('gpu-untolerated', 1, { tolerate: false }),
    });
    const message = await unschedulable('gpu-untolerated');
    // e.g. "0/5 nodes are available: 2 Insufficient nvidia.com/gpu, 3 node(s) had untolerated taint(s). ..."
    assert.match(message, /\d+ node\(s\) had untolerated taint/, `scheduler message: ${message}`);
  });
});
