// Heap bytes per tenant held by the operator's caches and compiled state (prints figures; not a test).
// No cluster: objects shaped as the API server sends them (managedFields of two managers, the status the
// operator writes, a key Secret with data, a tenant NetworkPolicy) go through the informers' ingestion
// (World's informers, kube/transforms.ts), then the gateway config is assembled as the config reconciler
// does. Heap is measured after a full GC, before and after. For comparison it also measures the same
// objects kept as the informers kept them before (everything but managedFields).
// Usage: node --expose-gc bench/operator-memory.ts [--tenants 10000] [--namespaces 1000] [--models 100]
//        [--heap-snapshot FILE]
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { generateKey } from '../api/keys.ts';
import { tenantNetworkPolicy } from '../operator/compiler/tenant.ts';
import { KubeClient } from '../kube/client.ts';
import type { KObject } from '../kube/object.ts';
import { tenantStatus } from '../operator/status/tenant.ts';
import { World } from '../operator/world.ts';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '1000' },
    models: { type: 'string', default: '100' },
    /** write a heap snapshot (Chrome DevTools' format) here once everything is cached and compiled */
    'heap-snapshot': { type: 'string' },
  },
});
const N = { tenants: Number(values.tenants), namespaces: Number(values.namespaces), models: Number(values.models) };
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const TIERS = ['gold', 'silver', 'bronze'];
const GW = 'tollgate-system';
let rv = 1000;

function managedFields(spec: unknown): unknown[] {
  // What the API server records: one entry per manager, with the fields it owns (roughly the object's shape).
  const shape = (v: unknown): unknown =>
    v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [`f:${k}`, shape(x)])) : {};
  return [
    {
      manager: 'bench',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2026-12-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: shape(spec),
    },
    {
      manager: 'tollgate-operator',
      operation: 'Apply',
      apiVersion: 'v1',
      time: '2026-12-01T00:00:01Z',
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: shape(spec),
    },
  ];
}

function meta(
  name: string,
  namespace: string | undefined,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: crypto.randomUUID(),
    resourceVersion: String(rv++),
    generation: 1,
    creationTimestamp: '2026-12-01T00:00:00Z',
    ...extra,
  };
}

const world = new World(
  new KubeClient({ kind: 'direct', connection: { server: 'https://127.0.0.1:1', source: 'bench' } }),
  { gatewayNamespace: GW, resyncMs: 0, log: () => {} },
  { gatewayNamespace: GW, gatewayUrl: 'http://gw/v1' },
);
const add = (i: { ingest(t: 'MODIFIED', o: KObject): void }, o: Record<string, unknown>) =>
  i.ingest('MODIFIED', o as unknown as KObject);

for (let i = 0; i < 5; i++) {
  const spec =
    i === 0
      ? {
          tierGrants: { approve: ['*'] },
          tiers: TIERS.map((t) => ({ name: t, models: ['*'], budget: { tokens: { limit: 1e6, window: '24h' } } })),
          limits: { maxOutputTokens: 256 },
        }
      : {
          selector: { namespaceSelector: { matchLabels: { tier: TIERS[i % 3] } } },
          rateLimits: { requestsPerMinute: 100 * i },
          guardrails: { redaction: { detectors: ['secrets'] } },
        };
  add(world.policies, {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMPolicy',
    metadata: meta(`policy-${i}`, undefined),
    spec,
  });
}
for (let i = 0; i < N.models; i++) {
  add(world.models, {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMModel',
    metadata: meta(`model-${i}`, 'llm'),
    spec: {
      engine: 'vllm',
      image: `registry.example.com/vllm@sha256:${'a'.repeat(64)}`,
      servedName: `model-${i}`,
      replicas: 0,
      model: { huggingface: { repo: 'org/m', revision: 'b'.repeat(40) } },
      resources: { gpus: 1 },
    },
  });
}
for (let i = 0; i < N.namespaces; i++) {
  add(world.namespaces, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(`team-${i}`, undefined, {
      labels: { tier: TIERS[i % 3], 'kubernetes.io/metadata.name': `team-${i}` },
      managedFields: managedFields({ metadata: { labels: {} } }),
    }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
}
world.compiledModels();
world.compiledPolicies();

// The objects of one tenant, as the API server sends them once the operator has converged.
function tenantObjects(i: number): {
  tenant: Record<string, unknown>;
  secret: Record<string, unknown>;
  np: Record<string, unknown>;
} {
  const ns = `team-${i % N.namespaces}`;
  const name = `tenant-${i}`;
  const spec = { tier: TIERS[(i % N.namespaces) % 3], keys: [{ name: 'main' }] };
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: meta(`${name}-tollgate-keys`, ns, {
      labels: {
        'app.kubernetes.io/managed-by': 'tollgate',
        'app.kubernetes.io/name': 'tollgate',
        'tollgate.dev/tenant': name,
        'tollgate.dev/tenant-keys': 'true',
      },
      annotations: { 'tollgate.dev/rotation.main': '0' },
      ownerReferences: [
        {
          apiVersion: 'tollgate.dev/v1alpha1',
          kind: 'LLMTenant',
          name,
          uid: `u-${i}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: managedFields({
        data: { main: 1 },
        metadata: { labels: {}, annotations: {}, ownerReferences: {} },
      }),
    }),
    data: { main: Buffer.from(generateKey()).toString('base64') },
  };
  // one per tenant namespace: the tenants of a namespace share it (the cache keeps one)
  const np = tenantNetworkPolicy(ns, world.options) as unknown as Record<string, unknown>;
  (np as { metadata: Record<string, unknown> }).metadata = {
    ...(np as { metadata: Record<string, unknown> }).metadata,
    ...meta((np as { metadata: { name: string } }).metadata.name, GW),
    managedFields: managedFields(np['spec']),
  };
  return {
    tenant: {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'LLMTenant',
      metadata: meta(name, ns, { uid: `u-${i}`, managedFields: managedFields({ spec }) }),
      spec,
    },
    secret,
    np,
  };
}

const h0 = heap();
const t0 = performance.now();
for (let i = 0; i < N.tenants; i++) {
  const o = tenantObjects(i);
  add(world.managedSecrets, o.secret);
  add(world.networkPolicies, o.np);
  add(world.tenants, o.tenant);
}
// The status the operator writes, back through the informer (as the watch would deliver it).
const now = new Date();
for (let i = 0; i < N.tenants; i++) {
  const ns = `team-${i % N.namespaces}`;
  const obj = world.tenants.get(`${ns}/tenant-${i}`)!;
  const outcome = world.tenantOutcome(ns, `tenant-${i}`, now)!;
  add(world.tenants, {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: String(rv++) },
    status: JSON.parse(JSON.stringify(tenantStatus(outcome, undefined, 'http://gw/v1', now))),
  });
}
const cfg = world.gatewayConfig(now);
const built = performance.now();
const h1 = heap();
const perTenant = (h1 - h0) / N.tenants;
if (values['heap-snapshot']) console.log(`heap snapshot: ${writeHeapSnapshot(values['heap-snapshot'])}`);
// One tenant changed: the work the next config reconcile does.
const compiles0 = world.stats.tenantCompiles;
const tChange = performance.now();
const one = world.tenants.get('team-0/tenant-0')!;
add(world.tenants, {
  ...one,
  metadata: { ...one.metadata, resourceVersion: String(rv++), generation: 2 },
  spec: { ...(one['spec'] as object), suspended: true },
});
const cfg2 = world.gatewayConfig(new Date());
const changeMs = performance.now() - tChange;
const recompiles = world.stats.tenantCompiles - compiles0;

// Before: the same objects as the old informers kept them (everything but managedFields).
const keep: unknown[] = [];
const h2 = heap();
for (let i = 0; i < N.tenants; i++) {
  const o = tenantObjects(i);
  const strip = (x: Record<string, unknown>) => {
    const m = { ...(x['metadata'] as Record<string, unknown>) };
    delete m['managedFields'];
    return { ...x, metadata: m };
  };
  const outcome = world.tenantOutcome(`team-${i % N.namespaces}`, `tenant-${i}`, now)!;
  keep.push(strip(o.secret), strip(o.np), {
    ...strip(o.tenant),
    status: JSON.parse(JSON.stringify(tenantStatus(outcome, undefined, 'http://gw/v1', now))),
  });
}
const h3 = heap();
console.log(
  `tenants ${N.tenants}, namespaces ${N.namespaces}, models ${N.models}; config ${cfg.tenants} tenants, hash ${cfg.hash.slice(7, 19)} -> ${cfg2.hash.slice(7, 19)}`,
);
console.log(
  `cached + compiled state: ${(perTenant / 1024).toFixed(2)} KiB heap per tenant (${((h1 - h0) / 1e6).toFixed(1)} MB), built in ${((built - t0) / 1000).toFixed(1)} s`,
);
console.log(
  `the same objects kept as before (all but managedFields, no compiled state): ${((h3 - h2) / N.tenants / 1024).toFixed(2)} KiB per tenant`,
);
console.log(`one tenant changed: ${recompiles} tenant(s) compiled, config re-hashed in ${changeMs.toFixed(0)} ms`);
console.log(
  `RESULT heap_bytes_per_tenant=${perTenant.toFixed(0)} before_cache_bytes_per_tenant=${((h3 - h2) / N.tenants).toFixed(0)} recompiles_per_change=${recompiles} change_ms=${changeMs.toFixed(0)}`,
);
void keep.length;
