// Test helpers for suites that run against a real API server: the local control plane that
// `npm run cluster:up` starts (kubeconfig .tollgate-cluster/kubeconfig), or any cluster named by $KUBECONFIG
// (e.g. kind from kind-config.yaml). Polling with timeouts is fine here (tests); product code watches.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type V1Namespace,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const clusterStateDir = process.env.TOLLGATE_CLUSTER_DIR ?? join(repoRoot, '.tollgate-cluster');
/** Label put on every namespace the e2e suites create (handy for cleaning up after a crashed run). */
export const e2eLabel = 'tollgate.dev/e2e';
/** Node label of the fake GPU pools (values a100, l4 on the local cluster); GPU nodes carry the taint below. */
export const gpuPoolLabel = 'tollgate.dev/gpu-pool';
export const gpuResource = 'nvidia.com/gpu';
export const gpuToleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' } as const;
/** A tiny image: kwok never runs it; on kind, the pause image is preloaded on every node. */
export const pauseImage = 'registry.k8s.io/pause:3.10';

/** $KUBECONFIG when set (first entry), else the local control plane's kubeconfig. Throws when missing. */
export function kubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p !== '');
  const path = fromEnv ?? join(clusterStateDir, 'kubeconfig');
  if (!existsSync(path)) {
    throw new Error(
      fromEnv
        ? `KUBECONFIG=${env.KUBECONFIG} names no file`
        : `${path} does not exist: start the local control plane with 'npm run cluster:up' (or set KUBECONFIG)`,
    );
  }
  return path;
}

export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath(env));
  return kc;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  apiext: ApiextensionsV1Api;
  objects: KubernetesObjectApi;
}

export function clients(kc: KubeConfig = loadKubeConfig()): Clients {
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    apiext: kc.makeApiClient(ApiextensionsV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

export function isApiError(err: unknown, code?: number): err is ApiException<unknown> {
  return err instanceof ApiException && (code === undefined || err.code === code);
}
export const isNotFound = (err: unknown): boolean => isApiError(err, 404);

/** The server's message for a failed request (the Status body's `message`), or the error's own message. */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message;
    return typeof err.body === 'string' ? err.body : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Runs `call`, retrying while the API server answers 429 (e.g. "storage is (re)initializing" right after a
 * CRD became Established, or priority-and-fairness throttling), up to `timeoutMs`.
 */
export async function retryOn429<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!isApiError(err, 429) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than undefined/false/null, and returns that.
 * On timeout, throws naming `what` and the last thing `describe` (or the last error) reported.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 60_000, intervalMs = 250 }: WaitOptions = {},
  describe?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      let state = lastError === undefined ? '' : ` (last error: ${apiErrorMessage(lastError)})`;
      if (describe) state += ` (last state: ${await describe().catch((e: unknown) => String(e))})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until GET of the object 404s. */
export async function waitForGone(what: string, read: () => Promise<unknown>, opts?: WaitOptions): Promise<void> {
  await waitFor(
    `${what} to be deleted`,
    async () => {
      try {
        await read();
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
    opts,
  );
}

export interface TestNamespace {
  name: string;
  /** Deletes the namespace (foreground is not needed: the namespace controller empties it). */
  delete(): Promise<void>;
}

/**
 * Creates a namespace `<prefix>-<random>` labelled tollgate.dev/e2e=true and waits for its `default`
 * ServiceAccount (pods are refused until the controller-manager made it).
 */
export async function createTestNamespace(core: CoreV1Api, prefix: string, opts?: WaitOptions): Promise<TestNamespace> {
  const body: V1Namespace = { metadata: { generateName: `${prefix}-`, labels: { [e2eLabel]: 'true' } } };
  const ns = await core.createNamespace({ body });
  const name = ns.metadata?.name;
  if (!name) throw new Error('namespace create returned no name');
  await waitFor(
    `ServiceAccount ${name}/default`,
    () => core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
    opts,
  );
  return {
    name,
    async delete() {
      try {
        await core.deleteNamespace({ name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

/** Creates the namespace if it does not exist yet (returns true when it created it). */
export async function ensureNamespace(core: CoreV1Api, name: string): Promise<boolean> {
  try {
    await core.createNamespace({ body: { metadata: { name, labels: { [e2eLabel]: 'true' } } } });
    return true;
  } catch (err) {
    if (isApiError(err, 409)) return false;
    throw err;
  }
}

export function podCondition(pod: V1Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type);
}
export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && podCondition(pod, 'Ready')?.status === 'True';
}

/** Pods in `namespace` matching `labelSelector`. */
export async function listPods(core: CoreV1Api, namespace: string, labelSelector: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector })).items;
}

export function describePods(pods: V1Pod[]): string {
  if (pods.length === 0) return 'no pods';
  return pods
    .map((p) => {
      const sched = podCondition(p, 'PodScheduled');
      return `${p.metadata?.name}: phase=${p.status?.phase} node=${p.spec?.nodeName ?? '-'} scheduled=${sched?.status ?? '?'} ${sched?.reason ?? ''} ${sched?.message ?? ''}`.trim();
    })
    .join('; ');
}

/** Allocatable count of an extended/native resource on a node (0 when absent). */
export function allocatable(node: V1Node, resource: string): number {
  const q = node.status?.allocatable?.[resource];
  return q === undefined ? 0 : Number.parseInt(q, 10) || 0;
}

/** Nodes that advertise at least one nvidia.com/gpu. */
export async function gpuNodes(core: CoreV1Api): Promise<V1Node[]> {
  return (await core.listNode()).items.filter((n) => allocatable(n, gpuResource) > 0);
}
