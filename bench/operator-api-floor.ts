// The API server's own write throughput on this machine (prints figures; not a test): the floor under the
// operator's converge time. On a fresh local control plane (its own state dir, stopped at the end; or the
// cluster of --kubeconfig), N server-side applies per phase, C at a time, of the objects the operator writes
// while converging: new key Secrets, new LLMTenants (a CRD: JSON, schema validation) and the status of those
// LLMTenants (apply to the status subresource); for comparison the same without server-side apply (POST,
// merge patch). Each phase runs with the client over HTTP/2 (undici 8's default: every request a stream on
// one connection) and over HTTP/1.1 (C sockets), and reports writes/s, mean and p99 latency, and the CPU
// seconds the API server and etcd used (and its CPU ms per write). Also a gateway config shard (768 KB) applied vs POSTed.
// Usage: node bench/operator-api-floor.ts [--count 1000] [--concurrency 32] [--kubeconfig PATH]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient, type Transport } from '../kube/client.ts';
import type { KObject } from '../kube/object.ts';
import { R } from '../kube/resources.ts';
import { repoRoot } from '../e2e/kube.ts';
import { expectedBinaryPath } from '../e2e/binaries.ts';
import { groupStats } from './gateway/procs.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    kubeconfig: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const C = Number(values.concurrency);
const own = !values.kubeconfig;
const state = own ? mkdtempSync(join(tmpdir(), 'tollgate-floor-')) : '';
const env = { ...process.env, ...(own ? { TOLLGATE_CLUSTER_DIR: state } : {}) };
const log = (msg: string) => process.stderr.write(`[floor ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

let up = false;
function down(): void {
  if (!up) return;
  up = false;
  try {
    execFileSync('bash', [join(repoRoot, 'e2e/cluster/down.sh')], { env, stdio: 'ignore' });
  } catch {
    /* already down */
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(sig, () => {
    down();
    process.exit(130);
  });

/** CPU seconds of the API server and etcd so far (own control plane only). */
function controlPlaneCpu(): { apiserver: number; etcd: number } {
  const pid = (name: string) => {
    const f = join(state, 'pids', `${name}.pid`);
    return own && existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : 0;
  };
  const cpu = (name: string) => (pid(name) > 0 ? groupStats(pid(name)).cpuSeconds : 0);
  return { apiserver: cpu('kube-apiserver'), etcd: cpu('etcd') };
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

interface Row {
  phase: string;
  transport: string;
  writesPerS: number;
  meanMs: number;
  p99Ms: number;
  apiserverCores: number;
  etcdCores: number;
  /** CPU ms of the API server per write */
  apiserverMsPerWrite: number;
}

async function phase(
  name: string,
  transport: string,
  items: number[],
  write: (i: number) => Promise<unknown>,
): Promise<Row> {
  const lat: number[] = [];
  const cpu0 = controlPlaneCpu();
  const t0 = performance.now();
  await pool(items, C, async (i) => {
    const s = performance.now();
    await write(i);
    lat.push(performance.now() - s);
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = controlPlaneCpu();
  lat.sort((a, b) => a - b);
  const row = {
    phase: name,
    transport,
    writesPerS: items.length / wall,
    meanMs: lat.reduce((a, b) => a + b, 0) / lat.length,
    p99Ms: lat[Math.min(lat.length - 1, Math.ceil(0.99 * lat.length) - 1)] ?? NaN,
    apiserverCores: (cpu1.apiserver - cpu0.apiserver) / wall,
    etcdCores: (cpu1.etcd - cpu0.etcd) / wall,
    apiserverMsPerWrite: ((cpu1.apiserver - cpu0.apiserver) * 1000) / items.length,
  };
  log(`${name} over ${transport}: ${row.writesPerS.toFixed(0)} writes/s`);
  return row;
}

async function main(): Promise<void> {
  let kubeconfig = values.kubeconfig ?? '';
  if (own) {
    const needed = ['kube-apiserver', 'etcd', 'kwok'] as const;
    if (!needed.every((b) => existsSync(expectedBinaryPath(b))))
      throw new Error('control-plane binaries missing: bash e2e/cluster/build.sh kubernetes etcd kwok');
    up = true;
    execFileSync('bash', [join(repoRoot, 'e2e/cluster/up.sh')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    kubeconfig = join(state, 'kubeconfig');
  }
  const transports: [string, Transport][] = [
    ['HTTP/2', {}],
    [`HTTP/1.1 x${C}`, { http1: true, connections: C }],
  ];
  const rows: Row[] = [];
  const items = Array.from({ length: COUNT }, (_, i) => i);
  const admin = KubeClient.fromKubeconfig(kubeconfig);
  for (const [tname, transport] of transports) {
    const k = KubeClient.fromKubeconfig(kubeconfig, undefined, transport);
    const ns = `floor-${rows.length}`;
    await admin.create(R.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // warm-up: connections, TLS, the API server's caches of the types
    await k.apply(R.Secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'warm', namespace: ns } });
    rows.push(
      await phase('apply new Secret', tname, items, (i) =>
        k.apply(R.Secret, {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'Opaque',
          metadata: { name: `s-${i}`, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'tollgate' } },
          data: { main: Buffer.from(`tg-${'x'.repeat(40)}-${i}`).toString('base64') },
        }),
      ),
    );
    rows.push(
      await phase('create new Secret (POST, no apply)', tname, items, (i) =>
        k.create(R.Secret, {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'Opaque',
          metadata: { name: `c-${i}`, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'tollgate' } },
          data: { main: Buffer.from(`tg-${'x'.repeat(40)}-${i}`).toString('base64') },
        } as KObject),
      ),
    );
    // A gateway config shard: up to 768 KB of base64 (SHARD_TARGET_BYTES), content-addressed, written while tenants
    // change. The API server parses an apply body as YAML, a POST body as JSON.
    const shardItems = items.slice(0, Math.max(5, Math.floor(COUNT / 50)));
    const shard = (prefix: string, i: number): KObject =>
      ({
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: `${prefix}-${i}`, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'tollgate' } },
        data: { 'config.json': randomBytes(576 * 1024).toString('base64') },
      }) as KObject;
    rows.push(await phase('apply config shard (768 KB)', tname, shardItems, (i) => k.apply(R.Secret, shard('sa', i))));
    rows.push(
      await phase('create config shard (768 KB, POST)', tname, shardItems, (i) => k.create(R.Secret, shard('sc', i))),
    );
    rows.push(
      await phase('apply new LLMTenant', tname, items, (i) =>
        k.apply(R.LLMTenant, {
          apiVersion: 'tollgate.dev/v1alpha1',
          kind: 'LLMTenant',
          metadata: { name: `t-${i}`, namespace: ns },
          spec: { tier: 'gold', keys: [{ name: 'main' }] },
        } as KObject),
      ),
    );
    rows.push(
      await phase('apply LLMTenant status', tname, items, (i) =>
        k.apply(
          R.LLMTenant,
          {
            apiVersion: 'tollgate.dev/v1alpha1',
            kind: 'LLMTenant',
            metadata: { name: `t-${i}`, namespace: ns },
            status: {
              observedGeneration: 1,
              conditions: [
                {
                  type: 'Ready',
                  status: 'True',
                  reason: 'Ready',
                  message: 'ready',
                  lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
                  observedGeneration: 1,
                },
              ],
            },
          } as KObject,
          { subresource: 'status' },
        ),
      ),
    );
    rows.push(
      await phase('merge-patch LLMTenant status (no apply)', tname, items, (i) =>
        k.request('PATCH', `/apis/tollgate.dev/v1alpha1/namespaces/${ns}/llmtenants/t-${i}/status`, {
          body: { status: { observedGeneration: 2 } },
          contentType: 'application/merge-patch+json',
          verb: 'patch-status',
          resource: 'llmtenants',
        }),
      ),
    );
  }
  console.log('');
  console.log(`API server write throughput: ${COUNT} writes per phase, ${C} at a time (load ${loadavg()})`);
  console.log('');
  console.log(
    '| phase | client transport | writes/s | mean / p99 latency | API server / etcd cores | API server CPU ms per write |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.phase} | ${r.transport} | ${r.writesPerS.toFixed(0)} | ${r.meanMs.toFixed(0)} / ${r.p99Ms.toFixed(0)} ms | ${r.apiserverCores.toFixed(2)} / ${r.etcdCores.toFixed(2)} | ${r.apiserverMsPerWrite.toFixed(1)} |`,
    );
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

main()
  .catch((err: unknown) => {
    console.error(`floor benchmark FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    down();
    process.exit();
  });
