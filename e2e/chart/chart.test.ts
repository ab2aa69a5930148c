// The Helm chart, offline: `helm lint` and `helm template` (helm built from Go modules), the schema,
// the CRD copies, hardened pods, the exact RBAC, NetworkPolicies, the admission policy, the alerts' metric
// names against the code, and the chart's command lines against the CLI. No cluster needed.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { usage as gatewayUsage } from '../../cli/commands/gateway.ts';
import {
  OPERATOR_COMPILE_CACHE,
  OPERATOR_MALLOC_ENV,
  OPERATOR_V8_FLAGS,
  usage as operatorUsage,
} from '../../cli/commands/operator.ts';
import { GATEWAY_MALLOC_ENV } from '../../gateway/heap.ts';
import { GATEWAY_V8_FLAGS } from '../../gateway/reexec.ts';
import { chartTemplateFor } from '../../scripts/sync-chart-crds.ts';
import { repoRoot } from '../kube.ts';
import {
  chartDir,
  find,
  flattenRules,
  helm,
  one,
  render,
  renderRaw,
  valuesFile,
  type K8sObject,
  type Rule,
} from './helm.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ALL_ON = {
  metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
  gateway: { tls: { enabled: true, certManager: { enabled: true, issuerRef: { name: 'tollgate-ca' } } } },
};

type Container = {
  name: string;
  image: string;
  args?: string[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: unknown; limits?: unknown };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string }[];
  volumes?: { name: string; secret?: { secretName: string } }[];
};
const podSpec = (d: K8sObject): PodSpec =>
  (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const container = (d: K8sObject): Container => podSpec(d).containers[0]!;
const rulesOf = (o: K8sObject): Rule[] => (o as unknown as { rules: Rule[] }).rules;

describe('helm lint', () => {
  it('is clean with the defaults and with every optional feature on (--strict: warnings fail)', async () => {
    for (const values of [
      {},
      ALL_ON,
      {
        redis: { enabled: false, external: { existingSecret: 'redis-url' } },
        operator: { secretNamespaces: ['llm-serving'] },
      },
    ]) {
      const r = await helm(['lint', chartDir, '--strict', '--kube-version', '1.34.10', '-f', valuesFile(values)]);
      assert.equal(r.code, 0, `helm lint failed for ${JSON.stringify(values)}:\n${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stdout, /\[(WARNING|ERROR)\]/, r.stdout);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });
});

describe('values.schema.json', () => {
  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown top-level key', { replica: 2 }, /additional properties 'replica' not allowed|replica/],
    ['a misspelt nested key', { gateway: { replica: 3 } }, /replica/],
    ['a string where a number goes', { gateway: { replicas: 'two' } }, /replicas/],
    ['a malformed digest', { image: { digest: 'sha256:1234' } }, /digest/],
    ['an unknown failure mode', { gateway: { rateLimitFailureMode: 'open' } }, /rateLimitFailureMode/],
    ['an unknown validation action', { admissionPolicy: { validationActions: ['Reject'] } }, /validationActions/],
    // platform check 2026-12-03, finding 09: these rendered and failed only at apply (an Argo CD sync, not CI)
    ['a malformed resource quantity', { gateway: { resources: { limits: { memory: 'lots' } } } }, /memory/],
    ['a misspelt resources key', { operator: { resources: { limit: { memory: '1Gi' } } } }, /limit/],
    [
      'runAsUser 0 (the containers never need root)',
      { gateway: { podSecurityContext: { runAsUser: 0 } } },
      /runAsUser/,
    ],
  ];
  for (const [what, values, message] of refused) {
    it(`refuses ${what}`, async () => {
      const r = await renderRaw(values);
      assert.notEqual(r.code, 0, `helm template accepted ${JSON.stringify(values)}`);
      assert.match(r.stderr, /values don't meet the specifications of the schema/);
      assert.match(r.stderr, message);
    });
  }
  it('documents every key of values.yaml in the README', () => {
    const readme = readFileSync(join(chartDir, 'README.md'), 'utf8');
    const keys: string[] = [];
    const walk = (o: unknown, prefix: string): void => {
      if (!o || typeof o !== 'object' || Array.isArray(o)) {
        keys.push(prefix);
        return;
      }
      const entries = Object.entries(o as Record<string, unknown>);
      if (entries.length === 0) {
        keys.push(prefix);
        return;
      }
      for (const [k, v] of entries) {
        const path = prefix ? `${prefix}.${k}` : k;
        // Probes, security contexts and resources are Kubernetes objects: documented as a whole.
        if (/(Probe|[sS]ecurityContext|resources|Selector|issuerRef|privateKey)$/.test(k)) keys.push(path);
        else walk(v, path);
      }
    };
    walk(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')), '');
    const missing = keys.filter((k) => !readme.includes(`\`${k}\``));
    assert.deepEqual(missing, [], `values not documented in charts/tollgate/README.md: ${missing.join(', ')}`);
  });
});

describe('CRDs in the chart', () => {
  it('are the copies of crds/ that scripts/sync-chart-crds.ts makes (run `npm run gen:chart-crds` after `npm run gen:crds`)', () => {
    const src = readdirSync(join(repoRoot, 'crds'))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const dst = readdirSync(join(chartDir, 'templates', 'crds')).sort();
    assert.deepEqual(dst, src);
    for (const f of src) {
      const want = chartTemplateFor(readFileSync(join(repoRoot, 'crds', f), 'utf8'), f);
      assert.equal(
        readFileSync(join(chartDir, 'templates', 'crds', f), 'utf8'),
        want,
        `charts/tollgate/templates/crds/${f} is out of date: npm run gen:chart-crds`,
      );
    }
  });

  it('render to exactly the CRDs of crds/, with helm.sh/resource-policy: keep, behind crds.enabled', async () => {
    const rendered = find(await render(), 'CustomResourceDefinition');
    const src = readdirSync(join(repoRoot, 'crds'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => parse(readFileSync(join(repoRoot, 'crds', f), 'utf8')) as K8sObject & { spec: unknown });
    assert.equal(rendered.length, src.length);
    for (const crd of src) {
      const r = one(rendered, 'CustomResourceDefinition', crd.metadata.name) as K8sObject & { spec: unknown };
      assert.deepEqual(r.spec, crd.spec, `${crd.metadata.name}: the chart's spec differs from crds/`);
      assert.equal(r.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
    }
    assert.equal(find(await render({ crds: { enabled: false } }), 'CustomResourceDefinition').length, 0);
    for (const r of find(await render({ crds: { keep: false } }), 'CustomResourceDefinition'))
      assert.equal(r.metadata.annotations?.['helm.sh/resource-policy'], undefined);
  });
});

describe('workloads', () => {
  it('every pod is hardened: non-root, read-only root FS, no privilege escalation, drop ALL, seccomp RuntimeDefault, resources and probes', async () => {
    const deployments = find(await render(ALL_ON), 'Deployment');
    assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), [
      'tollgate-gateway',
      'tollgate-operator',
      'tollgate-redis',
    ]);
    for (const d of deployments) {
      const spec = podSpec(d);
      assert.equal(spec.securityContext?.['runAsNonRoot'], true, d.metadata.name);
      assert.deepEqual(spec.securityContext?.['seccompProfile'], { type: 'RuntimeDefault' }, d.metadata.name);
      assert.ok(Number(spec.securityContext?.['runAsUser']) > 0, `${d.metadata.name} runs as a numeric non-root uid`);
      for (const c of spec.containers) {
        const sc = c.securityContext ?? {};
        assert.equal(sc['readOnlyRootFilesystem'], true, `${d.metadata.name}/${c.name}`);
        assert.equal(sc['allowPrivilegeEscalation'], false, `${d.metadata.name}/${c.name}`);
        assert.equal(sc['privileged'], false, `${d.metadata.name}/${c.name}`);
        assert.deepEqual(sc['capabilities'], { drop: ['ALL'] }, `${d.metadata.name}/${c.name}`);
        assert.ok(c.resources?.requests && c.resources.limits, `${d.metadata.name}/${c.name} sets requests and limits`);
        assert.ok(c.livenessProbe && c.readinessProbe, `${d.metadata.name}/${c.name} has probes`);
      }
    }
  });

  it('mounts a ServiceAccount token only where the API is used (operator, gateway)', async () => {
    const objects = await render();
    const mounts = Object.fromEntries(
      find(objects, 'Deployment').map((d) => [d.metadata.name, podSpec(d).automountServiceAccountToken]),
    );
    assert.deepEqual(mounts, { 'tollgate-gateway': true, 'tollgate-operator': true, 'tollgate-redis': false });
    for (const sa of find(objects, 'ServiceAccount'))
      assert.equal(
        (sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken,
        false,
        sa.metadata.name,
      );
  });

  it('the operator: leader election, probes on /healthz and /readyz, the gateway URL', async () => {
    const op = one(await render(), 'Deployment', 'tollgate-operator');
    const args = container(op).args ?? [];
    assert.ok(args.includes('--leader-elect'));
    assert.ok(args.includes('--namespace=tollgate-system'));
    assert.ok(args.includes('--gateway-url=http://tollgate-gateway.tollgate-system.svc:8080/v1'));
    assert.deepEqual((container(op).readinessProbe as { httpGet: unknown }).httpGet, {
      path: '/readyz',
      port: 'health',
    });
    const tls =
      container(one(await render({ gateway: { tls: { enabled: true } } }), 'Deployment', 'tollgate-operator')).args ??
      [];
    assert.ok(
      tls.includes('--gateway-url=https://tollgate-gateway.tollgate-system.svc:8080/v1'),
      'tenants are told the https URL when TLS is on',
    );
  });

  it('the gateway: 2 replicas, PodDisruptionBudget, one replica per node, config from the API, Redis password from a Secret', async () => {
    const objects = await render();
    const gw = one(objects, 'Deployment', 'tollgate-gateway');
    assert.equal((gw as unknown as { spec: { replicas: number } }).spec.replicas, 2);
    const pdb = one(objects, 'PodDisruptionBudget', 'tollgate-gateway') as K8sObject & {
      spec: { maxUnavailable: number };
    };
    assert.equal(pdb.spec.maxUnavailable, 1);
    const spread = podSpec(gw).topologySpreadConstraints ?? [];
    assert.ok(
      spread.some((t) => t.topologyKey === 'kubernetes.io/hostname' && t.whenUnsatisfiable === 'DoNotSchedule'),
    );
    const c = container(gw);
    assert.ok(c.args?.includes('--from-cluster') && c.args.includes('--namespace=tollgate-system'));
    // The operator's NetworkPolicies admit gateway pods by exactly these labels (operator/compiler/options.ts).
    const labels = (gw as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec
      .template.metadata.labels;
    assert.equal(labels['app.kubernetes.io/name'], 'tollgate');
    assert.equal(labels['app.kubernetes.io/component'], 'gateway');
    // The Redis URL (with the password) reaches the gateway through its environment, not argv.
    assert.ok(!c.args?.some((a) => a.startsWith('--redis-url')), 'no Redis URL in argv');
    const envNames = (c.env ?? []).map((e) => e.name);
    assert.ok(
      c.env?.some((e) => e.name === 'REDIS_PASSWORD' && e.valueFrom),
      'the password comes from a Secret, not the pod spec',
    );
    assert.ok(
      c.env?.some(
        (e) =>
          e.name === 'TOLLGATE_REDIS_URL' &&
          e.value === 'redis://:$(REDIS_PASSWORD)@tollgate-redis.tollgate-system.svc:6379',
      ),
    );
    assert.ok(
      envNames.indexOf('REDIS_PASSWORD') < envNames.indexOf('TOLLGATE_REDIS_URL'),
      'the kubelet expands $(REDIS_PASSWORD) only from variables defined before',
    );
    assert.ok(
      !JSON.stringify(gw).includes(
        Buffer.from(
          (one(objects, 'Secret', 'tollgate-redis-auth') as unknown as { data: { password: string } }).data.password,
          'base64',
        ).toString(),
      ),
    );
  });

  it('the gateway process runs as its memory was measured: V8 flags in NODE_OPTIONS (no re-exec), compile cache, malloc trim', async () => {
    const c = container(one(await render(), 'Deployment', 'tollgate-gateway'));
    const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
    // exactly the flags `tollgate gateway` would otherwise re-execute itself with (gateway/reexec.ts)
    assert.deepEqual(env.get('NODE_OPTIONS')?.split(' '), [...GATEWAY_V8_FLAGS]);
    assert.equal(env.get('NODE_COMPILE_CACHE'), '/tmp/node-compile-cache');
    for (const [k, v] of Object.entries(GATEWAY_MALLOC_ENV)) assert.equal(env.get(k), v, k);
  });

  it('the operator process runs as its memory was measured: V8 flags, compile cache, jemalloc (off on request)', async () => {
    const env = async (o: Record<string, unknown> = {}) =>
      new Map(
        (container(one(await render(o), 'Deployment', 'tollgate-operator')).env ?? []).map((e) => [e.name, e.value]),
      );
    const on = await env();
    // exactly the flags `tollgate operator` would otherwise re-execute itself with, and what bench:operator runs
    assert.deepEqual(on.get('NODE_OPTIONS')?.split(' '), [...OPERATOR_V8_FLAGS]);
    assert.equal(on.get('NODE_COMPILE_CACHE'), OPERATOR_COMPILE_CACHE);
    for (const [k, v] of Object.entries(OPERATOR_MALLOC_ENV)) assert.equal(on.get(k), v, k);
    const off = await env({ operator: { jemalloc: false } });
    assert.equal(off.has('LD_PRELOAD'), false);
    assert.equal(off.has('MALLOC_CONF'), false);
    assert.equal(off.get('NODE_COMPILE_CACHE'), OPERATOR_COMPILE_CACHE);
    // the gateway keeps glibc's malloc
    const gw = container(one(await render(), 'Deployment', 'tollgate-gateway'));
    assert.equal(
      (gw.env ?? []).some((e) => e.name === 'LD_PRELOAD'),
      false,
    );
  });

  it('refuses a multi-replica gateway without a shared store', async () => {
    const r = await renderRaw({ redis: { enabled: false } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /needs a shared store/);
    assert.equal((await renderRaw({ redis: { enabled: false }, gateway: { replicas: 1 } })).code, 0);
    const ext = container(
      one(
        await render({ redis: { enabled: false, external: { existingSecret: 'ext' } } }),
        'Deployment',
        'tollgate-gateway',
      ),
    );
    assert.ok(!ext.args?.some((a) => a.startsWith('--redis-url')), 'no Redis URL in argv');
    assert.ok(
      ext.env?.some((e) => e.name === 'TOLLGATE_REDIS_URL' && e.valueFrom),
      'the external URL comes from its Secret through the environment',
    );
  });

  it('TLS: the Secret is mounted, --tls-cert/--tls-key passed, cert-manager asked for the Certificate when enabled', async () => {
    const objects = await render(ALL_ON);
    const gw = one(objects, 'Deployment', 'tollgate-gateway');
    const c = container(gw);
    assert.ok(
      c.args?.includes('--tls-cert=/etc/tollgate/tls/tls.crt') &&
        c.args.includes('--tls-key=/etc/tollgate/tls/tls.key'),
    );
    assert.equal(podSpec(gw).volumes?.find((v) => v.name === 'tls')?.secret?.secretName, 'tollgate-gateway-tls');
    const cert = one(objects, 'Certificate', 'tollgate-gateway') as K8sObject & {
      spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string } };
    };
    assert.equal(cert.spec.secretName, 'tollgate-gateway-tls');
    assert.ok(cert.spec.dnsNames.includes('tollgate-gateway.tollgate-system.svc'));
    assert.equal(cert.spec.issuerRef.name, 'tollgate-ca');
    const svc = one(objects, 'Service', 'tollgate-gateway') as K8sObject & {
      spec: { ports: { name: string; appProtocol: string }[] };
    };
    assert.deepEqual([svc.spec.ports[0]?.name, svc.spec.ports[0]?.appProtocol], ['https', 'https']);
    assert.equal(
      find(await render({ gateway: { tls: { enabled: true } } }), 'Certificate').length,
      0,
      'no Certificate unless asked',
    );
  });

  it('images: the digest wins over the tag; requireImageDigests refuses an image without one', async () => {
    const objects = await render({ image: { digest: DIGEST, tag: 'ignored' }, redis: { image: { digest: DIGEST } } });
    assert.equal(
      container(one(objects, 'Deployment', 'tollgate-operator')).image,
      `ghcr.io/tollgate/tollgate@${DIGEST}`,
    );
    assert.equal(container(one(objects, 'Deployment', 'tollgate-redis')).image, `docker.io/library/redis@${DIGEST}`);
    assert.equal(
      container(one(await render(), 'Deployment', 'tollgate-gateway')).image,
      'ghcr.io/tollgate/tollgate:0.1.0',
      'appVersion when no tag',
    );
    const r = await renderRaw({ requireImageDigests: true, image: { digest: DIGEST } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /redis\.image\.digest is empty and requireImageDigests is true/);
    assert.equal(
      (await renderRaw({ requireImageDigests: true, image: { digest: DIGEST }, redis: { image: { digest: DIGEST } } }))
        .code,
      0,
    );
  });
});

// What the operator's code does, and nothing else (operator/world.ts informers; operator/reconcile/*.ts;
// operator/runtime/leader.ts). Any change here is a change of the operator's privileges: review it.
const OPERATOR_CLUSTER_RULES = [
  'apps/deployments:create',
  'apps/deployments:list',
  'apps/deployments:patch',
  'apps/deployments:watch',
  'core/namespaces:list',
  'core/namespaces:watch',
  'core/nodes:list',
  'core/nodes:watch',
  'core/pods:list',
  'core/pods:watch',
  'core/services:create',
  'core/services:list',
  'core/services:patch',
  'core/services:watch',
  'events.k8s.io/events:create',
  'networking.k8s.io/networkpolicies:create',
  'networking.k8s.io/networkpolicies:list',
  'networking.k8s.io/networkpolicies:patch',
  'networking.k8s.io/networkpolicies:watch',
  'tollgate.dev/llmmodels/finalizers:update',
  'tollgate.dev/llmmodels/status:patch',
  'tollgate.dev/llmmodels:list',
  'tollgate.dev/llmmodels:watch',
  'tollgate.dev/llmpolicies/status:patch',
  'tollgate.dev/llmpolicies:list',
  'tollgate.dev/llmpolicies:watch',
  'tollgate.dev/llmtenants/finalizers:update',
  'tollgate.dev/llmtenants/status:patch',
  'tollgate.dev/llmtenants:list',
  'tollgate.dev/llmtenants:watch',
];
const SECRET_RULES = [
  'core/secrets:create',
  'core/secrets:get',
  'core/secrets:list',
  'core/secrets:patch',
  'core/secrets:watch',
];
const OPERATOR_NAMESPACE_RULES = [
  'coordination.k8s.io/leases:create',
  'coordination.k8s.io/leases:delete',
  'coordination.k8s.io/leases:get[tollgate-operator]',
  'coordination.k8s.io/leases:list',
  'coordination.k8s.io/leases:update[tollgate-operator]',
  'coordination.k8s.io/leases:watch',
  'core/secrets:delete',
  'networking.k8s.io/networkpolicies:delete',
];
const GATEWAY_RULES = [
  'coordination.k8s.io/leases:create',
  'coordination.k8s.io/leases:patch',
  'core/secrets:list',
  'core/secrets:watch',
];

// The users' roles (templates/rbac/aggregated-roles.yaml): what a namespace's view/edit/admin gain, and the
// platform team's roles for the cluster-scoped LLMPolicy (never aggregated into a namespace role).
const USER_ROLES = ['tollgate:view', 'tollgate:edit', 'tollgate:policy-view', 'tollgate:policy-admin'];
const USER_ROLE_RULES: Record<string, { rules: string[]; aggregateTo: string[] }> = {
  'tollgate:view': {
    rules: [
      'tollgate.dev/llmmodels/status:get',
      'tollgate.dev/llmmodels/status:list',
      'tollgate.dev/llmmodels/status:watch',
      'tollgate.dev/llmmodels:get',
      'tollgate.dev/llmmodels:list',
      'tollgate.dev/llmmodels:watch',
      'tollgate.dev/llmtenants/status:get',
      'tollgate.dev/llmtenants/status:list',
      'tollgate.dev/llmtenants/status:watch',
      'tollgate.dev/llmtenants:get',
      'tollgate.dev/llmtenants:list',
      'tollgate.dev/llmtenants:watch',
    ],
    aggregateTo: ['admin', 'edit', 'view'],
  },
  'tollgate:edit': {
    rules: [
      'tollgate.dev/llmmodels:create',
      'tollgate.dev/llmmodels:delete',
      'tollgate.dev/llmmodels:patch',
      'tollgate.dev/llmmodels:update',
      'tollgate.dev/llmtenants:create',
      'tollgate.dev/llmtenants:delete',
      'tollgate.dev/llmtenants:patch',
      'tollgate.dev/llmtenants:update',
    ],
    aggregateTo: ['admin', 'edit'],
  },
  'tollgate:policy-view': {
    rules: [
      'tollgate.dev/llmpolicies/status:get',
      'tollgate.dev/llmpolicies/status:list',
      'tollgate.dev/llmpolicies/status:watch',
      'tollgate.dev/llmpolicies:get',
      'tollgate.dev/llmpolicies:list',
      'tollgate.dev/llmpolicies:watch',
    ],
    aggregateTo: [],
  },
  'tollgate:policy-admin': {
    rules: [
      'tollgate.dev/llmpolicies/status:get',
      'tollgate.dev/llmpolicies/status:list',
      'tollgate.dev/llmpolicies/status:watch',
      'tollgate.dev/llmpolicies:create',
      'tollgate.dev/llmpolicies:delete',
      'tollgate.dev/llmpolicies:get',
      'tollgate.dev/llmpolicies:list',
      'tollgate.dev/llmpolicies:patch',
      'tollgate.dev/llmpolicies:update',
      'tollgate.dev/llmpolicies:watch',
    ],
    aggregateTo: [],
  },
};

describe("RBAC for the custom resources' users (aggregated ClusterRoles)", () => {
  it('view/edit aggregate into the built-in roles; the LLMPolicy roles aggregate into none (bound by the platform team)', async () => {
    const objects = await render();
    for (const [name, want] of Object.entries(USER_ROLE_RULES)) {
      const role = one(objects, 'ClusterRole', name);
      assert.deepEqual(flattenRules(rulesOf(role)), want.rules, name);
      const labels = role.metadata.labels ?? {};
      const aggregated = Object.keys(labels)
        .filter((k) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-') && labels[k] === 'true')
        .map((k) => k.slice('rbac.authorization.k8s.io/aggregate-to-'.length))
        .sort();
      assert.deepEqual(aggregated, want.aggregateTo, `${name} aggregates into`);
    }
  });
  it('no namespace role reaches LLMPolicies or any status subresource write', async () => {
    for (const name of ['tollgate:view', 'tollgate:edit']) {
      for (const rule of flattenRules(rulesOf(one(await render(), 'ClusterRole', name)))) {
        assert.doesNotMatch(rule, /llmpolicies/, `${name}: ${rule}`);
        assert.doesNotMatch(rule, /\/status:(create|update|patch|delete)/, `${name}: ${rule}`);
      }
    }
  });
  it('rbac.aggregateClusterRoles=false renders none of them', async () => {
    const names = find(await render({ rbac: { aggregateClusterRoles: false } }), 'ClusterRole').map(
      (o) => o.metadata.name,
    );
    assert.deepEqual(
      names.filter((n) => USER_ROLES.includes(n)),
      [],
    );
  });
});

describe('RBAC', () => {
  it('no wildcard verbs, resources or API groups anywhere; no escalation verbs', async () => {
    for (const o of [...find(await render(ALL_ON), 'ClusterRole'), ...find(await render(ALL_ON), 'Role')]) {
      for (const r of rulesOf(o)) {
        for (const f of [r.verbs, r.resources ?? [], r.apiGroups ?? []])
          assert.ok(!f.includes('*'), `${o.kind} ${o.metadata.name}: ${JSON.stringify(r)}`);
        for (const v of ['escalate', 'bind', 'impersonate', 'deletecollection'])
          assert.ok(!r.verbs.includes(v), `${o.kind} ${o.metadata.name} grants ${v}`);
        assert.equal(r.nonResourceURLs, undefined);
      }
    }
  });

  it('the operator: exactly the rules its code needs (cluster-wide Secrets by default)', async () => {
    const objects = await render();
    assert.deepEqual(
      flattenRules(rulesOf(one(objects, 'ClusterRole', 'tollgate-operator'))),
      [...OPERATOR_CLUSTER_RULES, ...SECRET_RULES].sort(),
    );
    assert.deepEqual(flattenRules(rulesOf(one(objects, 'Role', 'tollgate-operator'))), OPERATOR_NAMESPACE_RULES);
    assert.deepEqual(
      find(objects, 'ClusterRole')
        .map((o) => o.metadata.name)
        .filter((n) => !USER_ROLES.includes(n)),
      ['tollgate-operator'],
      'the gateway has no ClusterRole',
    );
    const crb = one(objects, 'ClusterRoleBinding', 'tollgate-operator') as K8sObject & { subjects: { name: string }[] };
    assert.deepEqual(
      crb.subjects.map((s) => s.name),
      ['tollgate-operator'],
    );
  });

  it('the operator with secretNamespaces: Secrets only through Roles in those namespaces (+ the release namespace)', async () => {
    const objects = await render({ operator: { secretNamespaces: ['llm-serving', 'team-a'] } });
    assert.deepEqual(flattenRules(rulesOf(one(objects, 'ClusterRole', 'tollgate-operator'))), OPERATOR_CLUSTER_RULES);
    const secretRoles = find(objects, 'Role', 'tollgate-operator-secrets');
    assert.deepEqual(secretRoles.map((r) => r.metadata.namespace).sort(), ['llm-serving', 'team-a', 'tollgate-system']);
    for (const r of secretRoles) assert.deepEqual(flattenRules(rulesOf(r)), SECRET_RULES);
    assert.equal(find(objects, 'RoleBinding', 'tollgate-operator-secrets').length, 3);
    assert.ok(
      container(one(objects, 'Deployment', 'tollgate-operator')).args?.includes(
        '--secret-namespaces=tollgate-system,llm-serving,team-a',
      ),
    );
  });

  it('without leader election the operator gets no Lease writes', async () => {
    const rules = flattenRules(
      rulesOf(one(await render({ operator: { leaderElection: false } }), 'Role', 'tollgate-operator')),
    );
    assert.deepEqual(rules, [
      'coordination.k8s.io/leases:delete',
      'coordination.k8s.io/leases:list',
      'coordination.k8s.io/leases:watch',
      'core/secrets:delete',
      'networking.k8s.io/networkpolicies:delete',
    ]);
  });

  it('the gateway: read Secrets and renew its Lease in its own namespace, nothing else', async () => {
    const objects = await render();
    const role = one(objects, 'Role', 'tollgate-gateway');
    assert.equal(role.metadata.namespace, 'tollgate-system');
    assert.deepEqual(flattenRules(rulesOf(role)), GATEWAY_RULES);
    const bindings = [...find(objects, 'RoleBinding'), ...find(objects, 'ClusterRoleBinding')] as (K8sObject & {
      subjects: { name: string }[];
      roleRef: { name: string };
    })[];
    assert.deepEqual(
      bindings
        .filter((b) => b.subjects.some((s) => s.name === 'tollgate-gateway'))
        .map((b) => `${b.kind}/${b.roleRef.name}`),
      ['RoleBinding/tollgate-gateway'],
    );
  });
});

describe('NetworkPolicies', () => {
  type NP = K8sObject & {
    spec: {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress?: { from?: unknown[]; ports?: { port: number }[] }[];
      egress?: { to?: unknown[]; ports?: { port: number }[] }[];
    };
  };
  it('the operator, the gateway and Redis each have one, restricting ingress and egress', async () => {
    const nps = find(await render(), 'NetworkPolicy') as NP[];
    assert.deepEqual(nps.map((n) => n.metadata.name).sort(), [
      'tollgate-gateway',
      'tollgate-operator',
      'tollgate-redis',
    ]);
    for (const np of nps) assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress'], np.metadata.name);
    const redis = nps.find((n) => n.metadata.name === 'tollgate-redis')!;
    assert.deepEqual(redis.spec.egress, [], 'Redis connects to nothing');
    assert.deepEqual(redis.spec.ingress, [
      {
        from: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/name': 'tollgate',
                'app.kubernetes.io/instance': 'tollgate',
                'app.kubernetes.io/component': 'gateway',
              },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 6379 }],
      },
    ]);
    const gw = nps.find((n) => n.metadata.name === 'tollgate-gateway')!;
    assert.deepEqual(
      gw.spec.ingress?.map((r) => r.ports?.map((p) => p.port)),
      [[9090]],
      "only scraping here; tenants come through the operator's per-tenant policies",
    );
    const egressPorts = gw.spec.egress?.flatMap((r) => r.ports?.map((p) => p.port) ?? []);
    assert.deepEqual(egressPorts, [443, 6443, 53, 53, 8000, 8080, 11434, 6379]);
    const op = nps.find((n) => n.metadata.name === 'tollgate-operator')!;
    assert.deepEqual(
      op.spec.egress?.flatMap((r) => r.ports?.map((p) => p.port) ?? []),
      [443, 6443, 53, 53],
    );
    assert.equal(find(await render({ networkPolicy: { enabled: false } }), 'NetworkPolicy').length, 0);
  });
});

describe('admission policy', () => {
  type VAP = K8sObject & {
    spec: { matchConstraints: { resourceRules: { resources: string[] }[] }; validations: { expression: string }[] };
  };
  it('matches Pods and workloads and is bound to the inference namespaces (by label, or by name)', async () => {
    const objects = await render();
    const vap = one(objects, 'ValidatingAdmissionPolicy', 'tollgate-require-image-digests') as VAP;
    const resources = vap.spec.matchConstraints.resourceRules.flatMap((r) => r.resources);
    for (const r of ['pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'])
      assert.ok(resources.includes(r), r);
    const binding = one(objects, 'ValidatingAdmissionPolicyBinding', 'tollgate-require-image-digests') as K8sObject & {
      spec: { validationActions: string[]; matchResources: { namespaceSelector: unknown } };
    };
    assert.deepEqual(binding.spec.validationActions, ['Deny']);
    assert.deepEqual(binding.spec.matchResources.namespaceSelector, {
      matchLabels: { 'tollgate.dev/role': 'inference' },
    });
    const byName = one(
      await render({ admissionPolicy: { namespaces: ['llm-a', 'llm-b'] } }),
      'ValidatingAdmissionPolicyBinding',
      'tollgate-require-image-digests',
    ) as typeof binding;
    assert.deepEqual(byName.spec.matchResources.namespaceSelector, {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['llm-a', 'llm-b'] }],
    });
  });

  it("approved model sources: LLMModel creates and updates, every LLMPolicy a parameter, the operator's message for each list", async () => {
    const objects = await render();
    type SourcesVAP = K8sObject & {
      spec: {
        paramKind: unknown;
        failurePolicy: string;
        matchConstraints: { resourceRules: { apiGroups: string[]; resources: string[]; operations: string[] }[] };
        validations: { expression: string; messageExpression: string }[];
      };
    };
    const vap = one(objects, 'ValidatingAdmissionPolicy', 'tollgate-approved-model-sources') as SourcesVAP;
    assert.deepEqual(vap.spec.paramKind, { apiVersion: 'tollgate.dev/v1alpha1', kind: 'LLMPolicy' });
    assert.deepEqual(vap.spec.matchConstraints.resourceRules, [
      { apiGroups: ['tollgate.dev'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['llmmodels'] },
    ]);
    assert.equal(vap.spec.failurePolicy, 'Fail');
    // one validation per list, with the message operator/compiler/policy.ts sourceRefusal() gives
    const { sourceRefusal } = await import('../../operator/compiler/policy.ts');
    for (const [list, what] of [
      ['images', 'image repository'],
      ['huggingface', 'Hugging Face repo'],
      ['ollama', 'Ollama model'],
      ['oci', 'OCI repository'],
    ] as const) {
      const v = vap.spec.validations.find((x) => x.expression.includes(`params.spec.modelSources.${list}.exists(`));
      assert.ok(v, list);
      // evaluate the concatenation with the value and the policy name substituted: the same text
      const literals = v.messageExpression
        .trim()
        .replace(/^'|'$/g, '')
        .split(/' \+ [^']+? \+ '/);
      assert.equal(literals.length, 3, v.messageExpression);
      assert.equal(
        `${literals[0]}VALUE${literals[1]}POLICY${literals[2]}`,
        sourceRefusal(what, 'VALUE', 'POLICY', list),
      );
    }
    const binding = one(objects, 'ValidatingAdmissionPolicyBinding', 'tollgate-approved-model-sources') as K8sObject & {
      spec: { paramRef: unknown; validationActions: string[] };
    };
    assert.deepEqual(binding.spec.paramRef, { selector: {}, parameterNotFoundAction: 'Allow' });
    assert.deepEqual(binding.spec.validationActions, ['Deny']);
    assert.equal(
      find(
        await render({ modelSourcesPolicy: { enabled: false } }),
        'ValidatingAdmissionPolicy',
        'tollgate-approved-model-sources',
      ).length,
      0,
    );
  });
});

describe('monitoring', () => {
  it('ServiceMonitors scrape the gateway admin port and the operator metrics port', async () => {
    const sms = find(await render(ALL_ON), 'ServiceMonitor') as (K8sObject & {
      spec: { endpoints: { port: string }[] };
    })[];
    assert.deepEqual(sms.map((s) => `${s.metadata.name}:${s.spec.endpoints[0]?.port}`).sort(), [
      'tollgate-gateway:admin',
      'tollgate-operator:metrics',
    ]);
    assert.equal(
      find(await render(), 'ServiceMonitor').length + find(await render(), 'PrometheusRule').length,
      0,
      'off by default',
    );
  });

  it('the PrometheusRule has the alerts the issue asks for, on metric names the code exports', async () => {
    type PR = K8sObject & { spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
    const rules = (one(await render(ALL_ON), 'PrometheusRule', 'tollgate') as PR).spec.groups.flatMap((g) => g.rules);
    const alerts = rules.map((r) => r.alert);
    for (const a of [
      'TollgateKeyRequestRateAnomaly',
      'TollgateSecretRedactedFromOutput',
      'TollgateUpstreamTimeoutSpike',
      'TollgateFailedAuthSpike',
      'TollgateCostAnomaly',
      'TollgateBudgetNearExhaustion',
      'TollgateGatewayReplicasOnStaleConfig',
      'TollgateOperatorReconcileErrors',
    ]) {
      assert.ok(alerts.includes(a), `missing alert ${a}`);
    }
    // Every metric an alert reads is defined in the code, and every label it groups by is one of its labels.
    const exported = new Map<string, Set<string>>();
    for (const dir of ['gateway', 'operator', 'guardrails']) {
      for (const f of readdirSync(join(repoRoot, dir), { recursive: true, encoding: 'utf8' }).filter(
        (x) => x.endsWith('.ts') && !x.endsWith('.test.ts'),
      )) {
        for (const m of readFileSync(join(repoRoot, dir, f), 'utf8').matchAll(
          /name: '(tollgate_[a-z0-9_]+)',?(?:[^{}]*?labelNames: \[([^\]]*)\])?/g,
        )) {
          exported.set(m[1]!, new Set([...(m[2] ?? '').matchAll(/'([a-z_]+)'/g)].map((x) => x[1]!)));
        }
      }
    }
    assert.ok(
      exported.has('tollgate_requests_total') &&
        exported.has('tollgate_operator_reconciles_total') &&
        exported.has('tollgate_budget_used_ratio'),
      'found the metric definitions',
    );
    const unknown: string[] = [];
    for (const r of rules) {
      const names = [...r.expr.matchAll(/\btollgate_[a-z0-9_]+/g)]
        .map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))
        .filter((n) => !/^tollgate_(process|nodejs)_/.test(n)); // the gateway's default Node.js/process metrics
      for (const name of names) if (!exported.has(name)) unknown.push(`${r.alert}: ${name}`);
      // `by (a, b)` over a single metric: each label must be one the metric has.
      if (new Set(names).size === 1 && exported.has(names[0]!)) {
        const labels = exported.get(names[0]!)!;
        for (const by of r.expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
          for (const l of by[1]!
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean))
            if (!labels.has(l)) unknown.push(`${r.alert}: ${names[0]} has no label ${l}`);
        }
      }
      assert.equal(
        (r.expr.match(/\(/g) ?? []).length,
        (r.expr.match(/\)/g) ?? []).length,
        `${r.alert}: unbalanced parentheses`,
      );
    }
    assert.deepEqual(unknown, [], 'alerts on metrics (or labels) nobody exports');
  });
});

describe("the chart's command lines are the CLI's", () => {
  const flagsOf = (text: string): Set<string> => new Set([...text.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
  const argsOf = async (name: string) =>
    (
      container(
        one(
          await render({
            ...ALL_ON,
            gateway: {
              ...ALL_ON.gateway,
              timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 },
              trustProxy: 'true',
            },
            operator: { secretNamespaces: ['x'] },
          }),
          'Deployment',
          name,
        ),
      ).args ?? []
    )
      .filter((a) => a.startsWith('--'))
      .map((a) => a.split('=')[0]!);

  it('every operator flag the chart passes is one `tollgate operator` knows', async () => {
    const known = flagsOf(operatorUsage);
    assert.deepEqual(
      (await argsOf('tollgate-operator')).filter((f) => !known.has(f)),
      [],
    );
  });

  // Flags the gateway does not have yet: asked of the lead (TLS). Reported as TODO
  // until `tollgate gateway --help` lists them, then this is an ordinary test.
  const PENDING_GATEWAY_FLAGS = ['--tls-cert', '--tls-key'];
  const missingGatewayFlags = PENDING_GATEWAY_FLAGS.filter((f) => !flagsOf(gatewayUsage).has(f));
  it(
    'every gateway flag the chart passes is one `tollgate gateway` knows',
    { todo: missingGatewayFlags.length > 0 ? `tollgate gateway lacks ${missingGatewayFlags.join(' ')}` : false },
    async () => {
      const known = flagsOf(gatewayUsage);
      assert.deepEqual(
        (await argsOf('tollgate-gateway')).filter((f) => !known.has(f)),
        [],
      );
    },
  );
});
