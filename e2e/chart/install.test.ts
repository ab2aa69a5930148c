// The chart on the real local control plane: `helm install` (CRDs adopted from up.sh, operator Secret
// access scoped to the examples' namespaces), pods scheduled onto kwok nodes; the operator and the gateway
// run as local processes with the chart's own arguments and their ServiceAccounts' tokens (kwok runs no
// containers), the operator reconciles the examples and the gateway loads the config it publishes (RBAC
// sufficient); what they must not do is refused (RBAC minimal); the ValidatingAdmissionPolicy rejects
// unpinned images in the inference namespace; `helm upgrade` and `helm uninstall` keep the custom resources.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { KubeClient } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import { R, pathFor, resourceFor, type Resource } from '../../kube/resources.ts';
import { kubeconfigPath, repoRoot } from '../kube.ts';
import { freePort, httpJson, metricSum, start, until, type Proc } from '../operator/harness.ts';
import type { GatewayConfig } from '../../api/gateway-config.ts';
import {
  CONFIG_INDEX_KEY,
  CONFIG_INDEX_NAME,
  CONFIG_SHARD_KEY,
  assembleConfigText,
  type ConfigIndex,
} from '../../api/delivery.ts';
import { chartDir, helm, serviceAccountKubeconfig, statusOf, valuesFile } from './helm.ts';

const sfx = Date.now().toString(36).slice(-5);
const RELEASE = `tollgate-${sfx}`; // also the fullname (it contains "tollgate")
const NS = `tollgate-chart-${sfx}`;
const EXAMPLE_NAMESPACES = ['llm-serving', 'team-search', 'team-support', 'team-risk'];
// No storage provisioner on the local control plane: the bundled Redis uses an emptyDir here (issue #15 made a PVC the default).
const VALUES = { operator: { secretNamespaces: EXAMPLE_NAMESPACES }, redis: { persistence: { enabled: false } } };
const PINNED = `registry.k8s.io/pause@sha256:${'7031c1b2'.repeat(8)}`;
const FIELD_MANAGER = 'e2e-chart';

type Obj = KObject & {
  spec?: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
};
const admin = KubeClient.fromKubeconfig(kubeconfigPath());
const procs: Proc[] = [];
let installed = false;
let operatorMetrics = '';
let gatewayAdmin = '';
let gatewayUrl = '';

function examples(file: string): KObject[] {
  return parseAllDocuments(readFileSync(join(repoRoot, 'examples', file), 'utf8'))
    .map((d) => d.toJS() as KObject)
    .filter(Boolean);
}

async function apply(obj: KObject): Promise<void> {
  const r = resourceFor(obj.apiVersion, obj.kind);
  await admin.request('PATCH', pathFor(r, obj.metadata.namespace, obj.metadata.name), {
    query: { fieldManager: FIELD_MANAGER, force: 'true', fieldValidation: 'Strict' },
    body: obj,
    contentType: 'application/apply-patch+yaml',
  });
}

const ready = (o: Obj | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready');
const condition = (o: Obj | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);

/** The gateway config the operator published (index + shards, checksums verified). */
async function publishedConfig(): Promise<GatewayConfig> {
  type S = KObject & { data?: Record<string, string> };
  const text = (s: S | undefined, key: string) => Buffer.from(s?.data?.[key] ?? '', 'base64').toString('utf8');
  const index = JSON.parse(text(await admin.get<S>(R.Secret, NS, CONFIG_INDEX_NAME), CONFIG_INDEX_KEY)) as ConfigIndex;
  const shards = new Map<string, string>();
  for (const sh of index.shards) shards.set(sh.name, text(await admin.get<S>(R.Secret, NS, sh.name), CONFIG_SHARD_KEY));
  return JSON.parse(assembleConfigText(index, shards)) as GatewayConfig;
}

/** The gateway enforces what the operator last published. */
async function gatewayCaughtUp(): Promise<void> {
  await until(
    'the gateway on the published config',
    async () => {
      const published = (await admin.get(R.Secret, NS, CONFIG_INDEX_NAME))?.metadata.annotations?.[
        'tollgate.dev/config-hash'
      ];
      const enforced = ((await httpJson(`${gatewayAdmin}/readyz`)).body as { config?: { hash?: string } })?.config
        ?.hash;
      return published !== undefined && published === enforced;
    },
    30_000,
  );
}

/** Until the published config's entry for a tenant satisfies `ok` (status is written before the coalesced publication), and the gateway enforces it. */
async function untilPublished(
  id: string,
  what: string,
  ok: (t: GatewayConfig['tenants'][number]) => boolean,
): Promise<GatewayConfig['tenants'][number]> {
  const entry = await until(
    `published: ${what}`,
    async () => {
      const t = (await publishedConfig()).tenants.find((x) => x.id === id);
      return t && ok(t) ? t : undefined;
    },
    30_000,
  );
  await gatewayCaughtUp();
  return entry;
}

/** A chat completion through the chart's gateway: the status and the error code. */
async function chat(key: string, model: string): Promise<{ status: number; code?: string }> {
  const r = await httpJson(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }),
  });
  return { status: r.status, code: (r.body as { error?: { code?: string } })?.error?.code };
}

async function deploymentArgs(name: string): Promise<string[]> {
  const d = await admin.get<KObject & { spec: { template: { spec: { containers: { args?: string[] }[] } } } }>(
    R.Deployment,
    NS,
    name,
  );
  const args = d?.spec.template.spec.containers[0]?.args;
  if (!args) throw new Error(`${NS}/${name} has no args`);
  return args;
}

/** The chart's arguments, with what only makes sense in a pod replaced for a local process. */
function localArgs(args: string[], replace: Record<string, string | undefined>, kubeconfig: string): string[] {
  const out = args.filter((a) => !(a.split('=')[0]! in replace));
  for (const [flag, value] of Object.entries(replace)) if (value !== undefined) out.push(`${flag}=${value}`);
  return [join(repoRoot, 'bin', 'tollgate.ts'), ...out, `--kubeconfig=${kubeconfig}`];
}

async function podsOf(
  ns: string,
  selector: string,
): Promise<
  (KObject & {
    spec: { nodeName?: string };
    status: { phase?: string; conditions?: { type: string; status: string }[] };
  })[]
> {
  return (await admin.list(R.Pod, { namespace: ns, labelSelector: selector })).items as never;
}
const podReady = (p: Awaited<ReturnType<typeof podsOf>>[number]) =>
  p.status.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

before(async () => {
  // Namespaces the previous run deleted may still be terminating.
  for (const ns of EXAMPLE_NAMESPACES)
    await until(
      `namespace ${ns} gone or active`,
      async () => !(await admin.get(R.Namespace, undefined, ns))?.metadata.deletionTimestamp,
      120_000,
    );
  // Pod Security Admission enforces the "restricted" profile on the release: a pod of the chart that is
  // not hardened is refused and `helm install --wait` fails.
  await admin.create(R.Namespace, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: NS,
      labels: {
        'tollgate.dev/e2e': 'true',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  });
  for (const ns of examples('00-namespaces.yaml')) await apply(ns);
  // up.sh installed crds/ with kubectl: hand them to the release (Helm's documented adoption), as a team
  // moving from kubectl-applied CRDs to the chart would.
  for (const plural of ['llmmodels', 'llmtenants', 'llmpolicies']) {
    await admin.request('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.tollgate.dev`, {
      contentType: 'application/merge-patch+json',
      body: {
        metadata: {
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': RELEASE, 'meta.helm.sh/release-namespace': NS },
        },
      },
    });
  }
});

after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  if (installed)
    await helm(['uninstall', RELEASE, '-n', NS, '--wait', '--timeout', '60s'], { kubeconfig: kubeconfigPath() });
  for (const p of examples('30-policies.yaml')) await admin.delete(R.LLMPolicy, undefined, p.metadata.name);
  for (const ns of [...EXAMPLE_NAMESPACES, NS]) await admin.delete(R.Namespace, undefined, ns);
  // Other suites use the examples' namespaces after this one: they must be gone, not terminating.
  for (const ns of [...EXAMPLE_NAMESPACES, NS])
    await until(
      `namespace ${ns} deleted`,
      async () => (await admin.get(R.Namespace, undefined, ns)) === undefined,
      120_000,
    );
});

describe('the chart on the local control plane', () => {
  it('helm install (namespace enforcing Pod Security "restricted"): every pod is scheduled onto a kwok node and becomes Ready; gateway replicas on two nodes, none on a GPU node', async () => {
    const r = await helm(
      ['install', RELEASE, chartDir, '-n', NS, '-f', valuesFile(VALUES), '--wait', '--timeout', '120s'],
      { kubeconfig: kubeconfigPath() },
    );
    assert.equal(r.code, 0, `helm install failed:\n${r.stdout}${r.stderr}`);
    installed = true;
    const pods = await until("the release's pods Ready", async () => {
      const ps = await podsOf(NS, `app.kubernetes.io/instance=${RELEASE}`);
      return ps.length === 4 && ps.every(podReady) ? ps : undefined;
    });
    const byComponent = (c: string) => pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === c);
    assert.equal(byComponent('operator').length, 1);
    assert.equal(byComponent('redis').length, 1);
    const gw = byComponent('gateway');
    assert.equal(gw.length, 2);
    assert.equal(new Set(gw.map((p) => p.spec.nodeName)).size, 2, 'topology spread: one gateway replica per node');
    for (const p of pods)
      assert.match(p.spec.nodeName ?? '', /^cpu-/, `${p.metadata.name} must not land on a tainted GPU node`);
  });

  it("the operator, with the chart ServiceAccount's token and the chart's arguments, reconciles the examples", async () => {
    const kubeconfig = await serviceAccountKubeconfig(admin, NS, `${RELEASE}-operator`);
    const [health, metrics] = [await freePort(), await freePort()];
    const args = localArgs(
      await deploymentArgs(`${RELEASE}-operator`),
      { '--health-port': String(health), '--metrics-port': String(metrics), '--bind-address': '127.0.0.1' },
      kubeconfig,
    );
    assert.ok(
      args.includes('--leader-elect') && args.includes(`--secret-namespaces=${[NS, ...EXAMPLE_NAMESPACES].join(',')}`),
      args.join(' '),
    );
    const op = start('chart-operator', process.execPath, args);
    procs.push(op);
    operatorMetrics = `http://127.0.0.1:${metrics}/metrics`;
    await until(
      'operator /readyz',
      async () => (await httpJson(`http://127.0.0.1:${health}/readyz`)).status === 200,
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${op.output()}`);
    });

    const manifests = [...examples('10-models.yaml'), ...examples('20-tenants.yaml'), ...examples('30-policies.yaml')];
    for (const m of manifests) await apply(m);
    for (const m of manifests) {
      const r = resourceFor(m.apiVersion, m.kind);
      const o = await until(
        `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name} Ready=True`,
        async () => {
          const x = await admin.get<Obj>(r, m.metadata.namespace, m.metadata.name);
          return ready(x)?.status === 'True' ? x : undefined;
        },
        90_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\noperator log:\n${op.output().slice(-4000)}`);
      });
      assert.equal(ready(o)?.status, 'True');
    }
    // Model pods: scheduled by the real scheduler onto GPU nodes of the right pool, admitted by the
    // admission policy (their images are pinned by digest).
    const modelPods = await until('3 model pods Ready', async () => {
      const ps = await podsOf(
        'llm-serving',
        'app.kubernetes.io/managed-by=tollgate,app.kubernetes.io/component=inference',
      );
      return ps.length === 3 && ps.every(podReady) ? ps : undefined;
    });
    for (const p of modelPods) assert.match(p.spec.nodeName ?? '', /^gpu-/);
    for (const [ns, name] of [
      ['team-search', 'search'],
      ['team-support', 'support-bot'],
      ['team-risk', 'risk-analytics'],
    ] as const) {
      assert.ok(await admin.get(R.Secret, ns, `${name}-tollgate-keys`), `${ns}/${name}-tollgate-keys issued`);
    }
    assert.ok(
      await admin.get(R.Secret, NS, 'tollgate-gateway-config'),
      'gateway config published in the release namespace',
    );
    assert.equal(
      await metricSum(operatorMetrics, 'tollgate_operator_api_requests_total', (l) => l.includes('code="403"')),
      0,
      `the operator was refused a request:\n${op.output().slice(-4000)}`,
    );
  });

  it("the gateway, with its ServiceAccount's token and the chart's arguments, loads the published config and renews its Lease", async () => {
    const kubeconfig = await serviceAccountKubeconfig(admin, NS, `${RELEASE}-gateway`);
    const [port, adminPort] = [await freePort(), await freePort()];
    // No kube-proxy here: the bundled Redis Service routes nowhere, so this replica keeps the in-memory store.
    const args = localArgs(
      await deploymentArgs(`${RELEASE}-gateway`),
      {
        '--host': '127.0.0.1',
        '--metrics-host': '127.0.0.1',
        '--port': String(port),
        '--metrics-port': String(adminPort),
        '--redis-url': undefined,
      },
      kubeconfig,
    );
    assert.ok(args.includes('--from-cluster') && args.includes(`--namespace=${NS}`), args.join(' '));
    const gw = start('chart-gateway', process.execPath, args, { POD_NAME: `e2e-chart-${sfx}` });
    procs.push(gw);
    gatewayAdmin = `http://127.0.0.1:${adminPort}`;
    gatewayUrl = `http://127.0.0.1:${port}`;
    const published = async () =>
      (await admin.get(R.Secret, NS, 'tollgate-gateway-config'))?.metadata.annotations?.['tollgate.dev/config-hash'];
    const gatewayHash = async () =>
      ((await httpJson(`${gatewayAdmin}/readyz`)).body as { config?: { hash?: string } })?.config?.hash;
    await until(
      'the gateway enforces the published config',
      async () => {
        const h = await gatewayHash();
        return h !== undefined && h === (await published());
      },
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\ngateway log:\n${gw.output().slice(-4000)}`);
    });
    const lease = await until('the replica Lease', () => admin.get(R.Lease, NS, `tollgate-gateway-e2e-chart-${sfx}`));
    assert.equal(lease.metadata.annotations?.['tollgate.dev/config-hash'], await published());
    // The operator sees the replica through its Lease (list/watch leases in the release namespace).
    await until(
      'the operator counts the replica as current',
      async () =>
        (await admin.get(R.Secret, NS, 'tollgate-gateway-config'))?.metadata.annotations?.[
          'tollgate.dev/gateway-replicas'
        ]?.startsWith('1/1'),
      30_000,
    );

    // Deleting a tenant: the operator deletes its NetworkPolicy in the release namespace and sweeps
    // superseded config shards (its only delete rights); the gateway follows the new config.
    const before = await published();
    const np = (
      await admin.list(R.NetworkPolicy, { namespace: NS, labelSelector: 'tollgate.dev/tenant-namespace=team-risk' })
    ).items;
    assert.equal(np.length, 1, 'the tenant NetworkPolicy is in the release namespace');
    await admin.delete(R.LLMTenant, 'team-risk', 'risk-analytics');
    await until(
      'the tenant NetworkPolicy swept',
      async () =>
        (await admin.list(R.NetworkPolicy, { namespace: NS, labelSelector: 'tollgate.dev/tenant-namespace=team-risk' }))
          .items.length === 0,
      30_000,
    );
    await until(
      'the gateway on the new config',
      async () => {
        const h = await gatewayHash();
        return h !== before && h === (await published());
      },
      30_000,
    );
    assert.ok(
      (await metricSum(
        operatorMetrics,
        'tollgate_operator_api_requests_total',
        (l) => l.includes('verb="delete"') && l.includes('code="200"'),
      )) >= 1,
    );
    assert.equal(
      await metricSum(operatorMetrics, 'tollgate_operator_api_requests_total', (l) => l.includes('code="403"')),
      0,
    );
    assert.doesNotMatch(gw.output(), /forbidden|\(RBAC\)|: 403 /i, 'the gateway was refused something');
  });

  it('RBAC is minimal: the operator is refused Secrets outside its namespaces and everything it does not manage', async () => {
    const op = KubeClient.fromKubeconfig(await serviceAccountKubeconfig(admin, NS, `${RELEASE}-operator`));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x', namespace: 'llm-serving' },
      spec: { containers: [{ name: 'c', image: PINNED }] },
    };
    const refused: [string, () => Promise<unknown>][] = [
      ['list Secrets in kube-system', () => op.list(R.Secret, { namespace: 'kube-system' })],
      ['list Secrets cluster-wide', () => op.list(R.Secret)],
      ['read a Secret in default', () => op.request('GET', pathFor(R.Secret, 'default', 'anything'))],
      [
        'write a Secret in default',
        () => op.apply(R.Secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'default' } }),
      ],
      [
        'delete a Secret outside the release namespace',
        () => op.request('DELETE', pathFor(R.Secret, 'team-search', 'search-tollgate-keys')),
      ],
      [
        'delete a NetworkPolicy outside the release namespace',
        () => op.request('DELETE', pathFor(R.NetworkPolicy, 'llm-serving', 'tollgate-default-deny')),
      ],
      ['create a Pod', () => op.create(R.Pod, pod)],
      [
        'delete a Deployment (garbage collection does)',
        () => op.request('DELETE', pathFor(R.Deployment, 'llm-serving', 'llama-3-1-8b-instruct-engine')),
      ],
      ['read ConfigMaps', () => op.list(R.ConfigMap)],
      ['get a Node by name', () => op.request('GET', pathFor(R.Node, undefined, 'cpu-0'))],
      [
        'change an LLMModel spec (only status is its to write)',
        () =>
          op.request('PATCH', `/apis/tollgate.dev/v1alpha1/namespaces/llm-serving/llmmodels/bge-small-en`, {
            body: { spec: { replicas: 2 } },
            contentType: 'application/merge-patch+json',
          }),
      ],
      [
        'delete an LLMTenant',
        () => op.request('DELETE', '/apis/tollgate.dev/v1alpha1/namespaces/team-search/llmtenants/search'),
      ],
      ['delete a Namespace', () => op.request('DELETE', pathFor(R.Namespace, undefined, 'team-support'))],
      [
        'update a Lease other than its own',
        () =>
          op.request('PUT', pathFor(R.Lease, NS, `tollgate-gateway-e2e-chart-${sfx}`), {
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name: `tollgate-gateway-e2e-chart-${sfx}`, namespace: NS },
            },
          }),
      ],
      [
        'write Leases in another namespace',
        () =>
          op.create(R.Lease, {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: 'tollgate-operator', namespace: 'default' },
          }),
      ],
      [
        'change a CRD',
        () =>
          op.request('PATCH', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/llmmodels.tollgate.dev', {
            body: { metadata: { labels: { x: 'y' } } },
            contentType: 'application/merge-patch+json',
          }),
      ],
      [
        'bind itself a ClusterRole',
        () =>
          op.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
            body: {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'ClusterRoleBinding',
              metadata: { name: `e2e-${sfx}` },
              roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
              subjects: [{ kind: 'ServiceAccount', name: `${RELEASE}-operator`, namespace: NS }],
            },
          }),
      ],
      [
        'change the admission policy',
        () =>
          op.request(
            'DELETE',
            `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${RELEASE}-require-image-digests`,
          ),
      ],
    ];
    const got = await Promise.all(refused.map(async ([what, call]) => [what, await statusOf(call)] as const));
    assert.deepEqual(
      got.filter(([, s]) => s !== 403),
      [],
      'the operator was allowed something it must not do',
    );
    // ...while what it needs still works with the same token (the refusals are not a broken token).
    assert.equal(
      await statusOf(() =>
        op.list(R.Secret, { namespace: 'team-search', labelSelector: 'app.kubernetes.io/managed-by=tollgate' }),
      ),
      200,
    );
  });

  it("RBAC is minimal: the gateway reads only its own namespace's Secrets and writes nothing but its Lease", async () => {
    const gw = KubeClient.fromKubeconfig(await serviceAccountKubeconfig(admin, NS, `${RELEASE}-gateway`));
    const refused: [string, () => Promise<unknown>][] = [
      ['list Secrets in a tenant namespace', () => gw.list(R.Secret, { namespace: 'team-search' })],
      ['list Secrets in a model namespace', () => gw.list(R.Secret, { namespace: 'llm-serving' })],
      ['list Secrets cluster-wide', () => gw.list(R.Secret)],
      [
        'write its config',
        () =>
          gw.apply(R.Secret, {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'tollgate-gateway-config', namespace: NS },
          }),
      ],
      ['delete a Secret', () => gw.request('DELETE', pathFor(R.Secret, NS, 'tollgate-gateway-config'))],
      ['read ConfigMaps in its namespace', () => gw.list(R.ConfigMap, { namespace: NS })],
      ['read the custom resources', () => gw.list(R.LLMTenant)],
      ['list Pods', () => gw.list(R.Pod, { namespace: NS })],
      [
        "update the operator's Lease",
        () =>
          gw.request('PUT', pathFor(R.Lease, NS, 'tollgate-operator'), {
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name: 'tollgate-operator', namespace: NS },
            },
          }),
      ],
      ['delete a Lease', () => gw.request('DELETE', pathFor(R.Lease, NS, 'tollgate-operator'))],
      [
        'write Leases in another namespace',
        () =>
          gw.create(R.Lease, {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: 'x', namespace: 'default' },
          }),
      ],
      ['change NetworkPolicies', () => gw.request('DELETE', pathFor(R.NetworkPolicy, NS, `${RELEASE}-gateway`))],
    ];
    const got = await Promise.all(refused.map(async ([what, call]) => [what, await statusOf(call)] as const));
    assert.deepEqual(
      got.filter(([, s]) => s !== 403),
      [],
      'the gateway was allowed something it must not do',
    );
    assert.equal(
      await statusOf(() =>
        gw.list(R.Secret, { namespace: NS, labelSelector: 'app.kubernetes.io/managed-by=tollgate' }),
      ),
      200,
    );
  });

  it('the aggregated roles: a namespace `edit` manages its LLMTenant, `view` only reads it, neither writes status or LLMPolicies; policy-admin does', async () => {
    const can = async (
      user: string,
      verb: string,
      resource: string,
      namespace?: string,
      subresource?: string,
    ): Promise<boolean> => {
      const sar = await admin.request<{ status: { allowed: boolean } }>(
        'POST',
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user,
              groups: ['system:authenticated'],
              resourceAttributes: { group: 'tollgate.dev', resource, verb, namespace, subresource },
            },
          },
        },
      );
      return sar.status.allowed;
    };
    const bind = (
      kind: 'RoleBinding' | 'ClusterRoleBinding',
      name: string,
      role: string,
      user: string,
      namespace?: string,
    ) =>
      admin.request(
        'POST',
        kind === 'RoleBinding'
          ? `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`
          : '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
        {
          body: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind,
            metadata: { name, ...(namespace ? { namespace } : {}) },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
            subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
          },
        },
      );
    const editor = `e2e-editor-${sfx}`,
      viewer = `e2e-viewer-${sfx}`,
      platform = `e2e-platform-${sfx}`;
    await bind('RoleBinding', editor, 'edit', editor, 'team-search');
    await bind('RoleBinding', viewer, 'view', viewer, 'team-search');
    await bind('ClusterRoleBinding', platform, `${RELEASE}:policy-admin`, platform);
    try {
      // kube-controller-manager's aggregation controller fills the built-in roles asynchronously.
      await until(
        'the built-in edit role covers llmtenants',
        async () => await can(editor, 'create', 'llmtenants', 'team-search'),
        30_000,
      );
      await until(
        'the built-in view role covers llmtenants',
        async () => await can(viewer, 'list', 'llmtenants', 'team-search'),
        30_000,
      );
      const got = {
        editorPatchesTenant: await can(editor, 'patch', 'llmtenants', 'team-search'),
        editorElsewhere: await can(editor, 'create', 'llmtenants', 'team-support'),
        editorStatus: await can(editor, 'patch', 'llmtenants', 'team-search', 'status'),
        editorPolicy: await can(editor, 'create', 'llmpolicies'),
        viewerCreates: await can(viewer, 'create', 'llmtenants', 'team-search'),
        viewerReadsModels: await can(viewer, 'get', 'llmmodels', 'team-search'),
        platformPolicy: await can(platform, 'create', 'llmpolicies'),
        platformPolicyStatus: await can(platform, 'patch', 'llmpolicies', undefined, 'status'),
      };
      assert.deepEqual(got, {
        editorPatchesTenant: true,
        editorElsewhere: false,
        editorStatus: false,
        editorPolicy: false,
        viewerCreates: false,
        viewerReadsModels: true,
        platformPolicy: true,
        platformPolicyStatus: false,
      });
    } finally {
      await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/team-search/rolebindings/${editor}`);
      await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/team-search/rolebindings/${viewer}`);
      await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${platform}`);
    }
  });

  it('tier and suspension are grants: a tenant ServiceAccount bound to `edit` in its namespace asks for gold and is not granted it; it cannot lift a platform suspension', async () => {
    const ns = 'team-support',
      tenantName = 'support-bot',
      sa = `tenant-dev-${sfx}`,
      block = `e2e-block-${sfx}`;
    const tenantPath = `/apis/tollgate.dev/v1alpha1/namespaces/${ns}/llmtenants/${tenantName}`;
    const merge = (body: unknown) => ({ body, contentType: 'application/merge-patch+json' });
    await admin.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns } },
    });
    await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: sa, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
      },
    });
    const dev = KubeClient.fromKubeconfig(await serviceAccountKubeconfig(admin, ns, sa));
    const tenant = () =>
      admin.get<
        Obj & {
          status?: {
            observedGeneration?: number;
            tier?: string;
            tierGrant?: Record<string, string>;
            grantedModels?: string[];
          };
        }
      >(R.LLMTenant, ns, tenantName);
    const keyOf = async () =>
      Buffer.from(
        (await admin.get<KObject & { data: Record<string, string> }>(R.Secret, ns, `${tenantName}-tollgate-keys`))!
          .data['bot']!,
        'base64',
      ).toString('utf8');
    try {
      // The team's own tenant is the team's to edit (aggregated `edit`)...
      await until(
        'the tenant ServiceAccount may patch its LLMTenant',
        async () =>
          (await statusOf(() =>
            dev.request('PATCH', tenantPath, { ...merge({ spec: { tier: 'silver' } }), query: { dryRun: 'All' } }),
          )) === 200,
        30_000,
      );
      await untilPublished(`${ns}/${tenantName}`, 'tier silver', (t) => t.tier === 'silver');
      const key = await keyOf();
      assert.equal((await chat(key, 'llama-3.1-70b-instruct')).code, 'model_not_entitled', 'silver has no 70B model');

      // 1. ...it asks for gold: a request, not a grant (the platform approves silver for team-support only).
      await dev.request('PATCH', tenantPath, merge({ spec: { tier: 'gold' } }));
      const asked = await until(
        'TierNotGranted on the tenant',
        async () => {
          const t = await tenant();
          return t?.status?.tierGrant?.['requested'] === 'gold' && condition(t, 'TierNotGranted')?.status === 'True'
            ? t
            : undefined;
        },
        30_000,
      );
      assert.equal(
        condition(asked, 'TierNotGranted')?.message,
        'tier gold requested; granted bronze by policy platform-default',
      );
      assert.deepEqual(asked.status?.tierGrant, {
        requested: 'gold',
        granted: 'bronze',
        policy: 'platform-default',
        message: 'tier gold requested; granted bronze by policy platform-default',
      });
      assert.equal(asked.status?.tier, 'bronze');
      assert.ok(!asked.status?.grantedModels?.includes('llama-3.1-70b-instruct'), JSON.stringify(asked.status));
      const entry = await untilPublished(`${ns}/${tenantName}`, 'tier bronze', (t) => t.tier === 'bronze');
      assert.deepEqual(entry?.models, ['llama-3.1-8b-instruct'], 'no gold model in the compiled gateway config');
      assert.equal((await chat(key, 'llama-3.1-70b-instruct')).code, 'model_not_entitled');

      // 2. The platform suspends the namespace (LLMPolicy: cluster-scoped, the platform team's).
      await admin.create(R.LLMPolicy, {
        apiVersion: 'tollgate.dev/v1alpha1',
        kind: 'LLMPolicy',
        metadata: { name: block },
        spec: { selector: { namespaces: [ns] }, suspend: { reason: 'e2e: security incident' } },
      });
      await until(
        'Suspended=True/SuspendedByPolicy',
        async () => condition(await tenant(), 'Suspended')?.reason === 'SuspendedByPolicy',
        30_000,
      );
      await untilPublished(`${ns}/${tenantName}`, 'suspended', (t) => t.suspended);
      assert.equal((await chat(key, 'llama-3.1-8b-instruct')).code, 'tenant_suspended');

      // 3. Everything the tenant team can try from its namespace: what RBAC allows changes nothing, the rest is refused.
      const attempts: [string, () => Promise<unknown>, number][] = [
        [
          'un-suspend its LLMTenant (spec.suspended: false)',
          () => dev.request('PATCH', tenantPath, merge({ spec: { suspended: false } })),
          200,
        ],
        [
          'relabel its LLMTenant',
          () => dev.request('PATCH', tenantPath, merge({ metadata: { labels: { escaped: 'true' } } })),
          200,
        ],
        [
          'write its status',
          () => dev.request('PATCH', `${tenantPath}/status`, merge({ status: { conditions: [] } })),
          403,
        ],
        [
          'delete the blocking LLMPolicy',
          () => dev.request('DELETE', `/apis/tollgate.dev/v1alpha1/llmpolicies/${block}`),
          403,
        ],
        [
          'edit the blocking LLMPolicy',
          () =>
            dev.request(
              'PATCH',
              `/apis/tollgate.dev/v1alpha1/llmpolicies/${block}`,
              merge({ spec: { suspend: null } }),
            ),
          403,
        ],
        [
          'create a policy granting itself gold',
          () =>
            dev.create(R.LLMPolicy, {
              apiVersion: 'tollgate.dev/v1alpha1',
              kind: 'LLMPolicy',
              metadata: { name: `self-grant-${sfx}` },
              spec: { selector: { namespaces: [ns] }, tierGrants: { approve: ['gold'] } },
            }),
          403,
        ],
        [
          'change the admission policies',
          () =>
            dev.request(
              'DELETE',
              `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${RELEASE}-approved-model-sources`,
            ),
          403,
        ],
      ];
      const got: [string, number][] = [];
      for (const [what, call] of attempts) got.push([what, await statusOf(call)]);
      assert.deepEqual(
        got,
        attempts.map(([what, , want]) => [what, want]),
      );
      const after = await until(
        "the operator saw the tenant's edits",
        async () => {
          const t = await tenant();
          return t?.status?.observedGeneration === t?.metadata.generation ? t : undefined;
        },
        30_000,
      );
      assert.deepEqual(
        [condition(after, 'Suspended')?.status, condition(after, 'Suspended')?.reason],
        ['True', 'SuspendedByPolicy'],
      );
      await gatewayCaughtUp();
      assert.equal((await publishedConfig()).tenants.find((t) => t.id === `${ns}/${tenantName}`)?.suspended, true);
      assert.equal((await chat(key, 'llama-3.1-8b-instruct')).code, 'tenant_suspended');
    } finally {
      await admin.delete(R.LLMPolicy, undefined, block);
      await admin.request(
        'PATCH',
        tenantPath,
        merge({ spec: { tier: 'silver' }, metadata: { labels: { escaped: null } } }),
      );
      await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/${sa}`);
      await admin.request('DELETE', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}`);
    }
    await until(
      'the tenant Ready again on silver',
      async () => {
        const t = await tenant();
        return ready(t)?.status === 'True' && t?.status?.tier === 'silver';
      },
      30_000,
    );
  });

  it("approved model sources: the API server rejects an LLMModel from an unapproved source with the rule's message; the operator stops serving one a new allowlist excludes", async () => {
    const vapName = `${RELEASE}-approved-model-sources`;
    const base = examples('10-models.yaml').find((m) => m.metadata.name === 'bge-small-en') as KObject & {
      spec: Record<string, unknown> & { model: Record<string, unknown> };
    };
    const candidate = (name: string, patch: Record<string, unknown>) => ({
      ...base,
      metadata: { name, namespace: 'llm-serving' },
      spec: { ...base.spec, servedName: name, ...patch },
    });
    const refusal = async (obj: unknown): Promise<string> => {
      try {
        await admin.request('POST', pathFor(R.LLMModel, 'llm-serving'), { body: obj, query: { dryRun: 'All' } });
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      return 'admitted';
    };
    const hf = await until(
      'the policy in force at admission',
      async () => {
        const m = await refusal(
          candidate('uncensored', {
            model: {
              huggingface: { repo: 'someone/uncensored-llama', revision: '0123456789abcdef0123456789abcdef01234567' },
            },
          }),
        );
        return m === 'admitted' ? undefined : m;
      },
      30_000,
    );
    assert.match(
      hf,
      new RegExp(
        `403 .*ValidatingAdmissionPolicy '${vapName}'.*Hugging Face repo "someone/uncensored-llama" is not an approved model source: rule LLMPolicy approved-model-sources spec\\.modelSources\\.huggingface`,
      ),
    );
    const image = await refusal(
      candidate('evil-image', { image: `evil.example/vllm/vllm-openai@sha256:${'e'.repeat(64)}` }),
    );
    assert.match(
      image,
      /image repository "evil\.example\/vllm\/vllm-openai" is not an approved model source: rule LLMPolicy approved-model-sources spec\.modelSources\.images/,
    );
    const lookalike = await refusal(
      candidate('lookalike', { image: `docker.io/vllmx/vllm-openai@sha256:${'e'.repeat(64)}` }),
    );
    assert.match(lookalike, /rule LLMPolicy approved-model-sources spec\.modelSources\.images/);
    // approved: an organisation prefix, case-insensitive for Hugging Face; an image repository below docker.io/vllm/
    assert.equal(
      await refusal(
        candidate('approved', {
          model: {
            huggingface: { repo: 'Meta-Llama/Llama-3.2-1B', revision: '0123456789abcdef0123456789abcdef01234567' },
          },
        }),
      ),
      'admitted',
    );
    type VapStatus = { status?: { observedGeneration?: number; typeChecking?: { expressionWarnings?: unknown[] } } };
    const vap = await until(
      'the policy type-checked',
      async () => {
        const v = await admin.request<VapStatus>(
          'GET',
          `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${vapName}`,
        );
        return v.status?.observedGeneration && v.status.typeChecking ? v : undefined;
      },
      30_000,
    );
    assert.deepEqual(vap.status?.typeChecking?.expressionWarnings ?? [], []);

    // A stricter allowlist added later: models admitted before it are refused by the operator, naming the rule.
    const strict = `e2e-sources-${sfx}`;
    await admin.create(R.LLMPolicy, {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'LLMPolicy',
      metadata: { name: strict },
      spec: { modelSources: { huggingface: ['meta-llama/*'] } },
    });
    try {
      const bge = await until(
        'bge-small-en Ready=False/SourceNotApproved',
        async () => {
          const m = await admin.get<Obj>(R.LLMModel, 'llm-serving', 'bge-small-en');
          return ready(m)?.reason === 'SourceNotApproved' ? m : undefined;
        },
        30_000,
      );
      assert.equal(
        ready(bge)?.message,
        `Hugging Face repo "BAAI/bge-small-en-v1.5" is not an approved model source: rule LLMPolicy ${strict} spec.modelSources.huggingface`,
      );
      assert.equal(condition(bge, 'SourceApproved')?.status, 'False');
      await until(
        'its Deployment at 0 replicas',
        async () =>
          (
            await admin.get<KObject & { spec: { replicas: number } }>(
              R.Deployment,
              'llm-serving',
              'bge-small-en-engine',
            )
          )?.spec.replicas === 0,
        30_000,
      );
      await until(
        'no longer in the published gateway config',
        async () => !(await publishedConfig()).models.some((m) => m.servedName === 'bge-small-en-v1.5'),
        30_000,
      );
      await gatewayCaughtUp();
      // and admission refuses a new model from that source
      assert.match(
        await refusal(candidate('bge-again', {})),
        new RegExp(`rule LLMPolicy ${strict} spec\\.modelSources\\.huggingface`),
      );
    } finally {
      await admin.delete(R.LLMPolicy, undefined, strict);
    }
    await until(
      'bge-small-en Ready again',
      async () => ready(await admin.get<Obj>(R.LLMModel, 'llm-serving', 'bge-small-en'))?.status === 'True',
      90_000,
    );
  });

  it('the ValidatingAdmissionPolicy rejects unpinned images in the inference namespace and admits pinned ones', async () => {
    const deployment = (name: string, ns: string, image: string, init?: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            ...(init ? { initContainers: [{ name: 'init', image: init }] } : {}),
            containers: [{ name: 'app', image }],
          },
        },
      },
    });
    const refusal = async (call: () => Promise<unknown>): Promise<string> => {
      try {
        await call();
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      return 'admitted';
    };
    const tag = await refusal(() =>
      admin.create(R.Deployment, deployment('tagged', 'llm-serving', 'registry.k8s.io/pause:3.10')),
    );
    assert.match(
      tag,
      /403 .*ValidatingAdmissionPolicy '.*-require-image-digests'.*pinned by digest.*app=registry\.k8s\.io\/pause:3\.10/,
    );
    const init = await refusal(() =>
      admin.create(R.Deployment, deployment('tagged-init', 'llm-serving', PINNED, 'busybox')),
    );
    assert.match(init, /not pinned: init=busybox/);
    const pod = await refusal(() =>
      admin.create(R.Pod, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bare', namespace: 'llm-serving' },
        spec: { containers: [{ name: 'app', image: 'nginx:latest' }] },
      }),
    );
    assert.match(pod, /not pinned: app=nginx:latest/);

    // The API server type-checked the policy's CEL against the matched kinds without a warning.
    type VapStatus = { status?: { observedGeneration?: number; typeChecking?: { expressionWarnings?: unknown[] } } };
    const vap = await until(
      'the policy type-checked',
      async () => {
        const v = await admin.request<VapStatus>(
          'GET',
          `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${RELEASE}-require-image-digests`,
        );
        return v.status?.observedGeneration && v.status.typeChecking ? v : undefined;
      },
      30_000,
    );
    assert.deepEqual(vap.status?.typeChecking?.expressionWarnings ?? [], []);

    await admin.create(R.Deployment, deployment('pinned', 'llm-serving', PINNED));
    await until("the pinned Deployment's pod Running", async () =>
      (await podsOf('llm-serving', 'app=pinned')).some(podReady),
    );
    // Bound to the inference namespaces only.
    assert.equal(
      await refusal(() =>
        admin.request('POST', pathFor(R.Deployment, NS), {
          query: { dryRun: 'All' },
          body: deployment('tagged', NS, 'registry.k8s.io/pause:3.10'),
        }),
      ),
      'admitted',
    );
  });

  it('helm upgrade keeps the custom resources (same objects, still Ready) and rolls the change out', async () => {
    type Key = [Resource, string | undefined, string];
    const keys: Key[] = [...examples('10-models.yaml'), ...examples('20-tenants.yaml'), ...examples('30-policies.yaml')]
      .filter((m) => m.metadata.name !== 'risk-analytics') // deleted above
      .map((m) => [resourceFor(m.apiVersion, m.kind), m.metadata.namespace, m.metadata.name]);
    const uids = async () => Promise.all(keys.map(async ([r, ns, n]) => (await admin.get(r, ns, n))?.metadata.uid));
    const crdUid = async () =>
      (
        await admin.request<KObject>(
          'GET',
          '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/llmmodels.tollgate.dev',
        )
      ).metadata.uid;
    const [before, crdBefore] = [await uids(), await crdUid()];
    assert.ok(before.every(Boolean));
    const r = await helm(
      [
        'upgrade',
        RELEASE,
        chartDir,
        '-n',
        NS,
        '-f',
        valuesFile({ ...VALUES, gateway: { replicas: 3 } }),
        '--wait',
        '--timeout',
        '120s',
      ],
      { kubeconfig: kubeconfigPath() },
    );
    assert.equal(r.code, 0, `helm upgrade failed:\n${r.stdout}${r.stderr}`);
    assert.deepEqual(await uids(), before);
    assert.equal(await crdUid(), crdBefore);
    for (const [res, ns, n] of keys)
      assert.equal(ready(await admin.get<Obj>(res, ns, n))?.status, 'True', `${ns ?? ''}/${n} still Ready`);
    await until(
      '3 gateway replicas Ready',
      async () =>
        (await podsOf(NS, `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=gateway`)).filter(podReady)
          .length === 3,
    );
  });

  it('helm uninstall keeps the CRDs and the custom resources', async () => {
    await Promise.all(procs.map((p) => p.stop()));
    const r = await helm(['uninstall', RELEASE, '-n', NS, '--wait', '--timeout', '60s'], {
      kubeconfig: kubeconfigPath(),
    });
    assert.equal(r.code, 0, `helm uninstall failed:\n${r.stdout}${r.stderr}`);
    installed = false;
    assert.match(r.stdout + r.stderr, /kept due to the resource policy/);
    for (const plural of ['llmmodels', 'llmtenants', 'llmpolicies']) {
      assert.equal(
        await statusOf(() =>
          admin.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.tollgate.dev`),
        ),
        200,
        `${plural} CRD kept`,
      );
    }
    assert.equal((await admin.list(R.LLMModel, { namespace: 'llm-serving' })).items.length, 3);
    assert.equal(await admin.get(R.Deployment, NS, `${RELEASE}-gateway`), undefined, 'the release itself is gone');
    assert.equal(
      await statusOf(() =>
        admin.request(
          'GET',
          `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${RELEASE}-require-image-digests`,
        ),
      ),
      404,
    );
  });
});
