// Operator scale benchmark (prints figures; not a test). On a fresh local control plane (its own state
// dir, stopped at the end): 1,000 LLMTenants across 100 namespaces, 50 LLMModels and 5 LLMPolicies created
// from empty; reports time to converge, API writes the operator made, its peak RSS, and config
// propagation latency (CR change -> enforced by a gateway in --from-cluster mode) over 100 changes.
// Usage: npm run bench:operator [-- --tenants N --namespaces N --models N --changes N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient } from '../operator/kube/client.ts';
import type { KObject } from '../operator/kube/object.ts';
import { R } from '../operator/kube/resources.ts';
import { WRITE_VERBS, freePort, httpJson, metricSum, simulator, start, until, type Proc } from '../e2e/operator/harness.ts';
import { repoRoot } from '../e2e/kube.ts';
import { OPERATOR_V8_FLAGS } from '../cli/commands/operator.ts';

const { values } = parseArgs({ options: {
  tenants: { type: 'string', default: '1000' }, namespaces: { type: 'string', default: '100' },
  models: { type: 'string', default: '50' }, policies: { type: 'string', default: '5' }, changes: { type: 'string', default: '100' },
} });
const N = { tenants: Number(values.tenants), namespaces: Number(values.namespaces), models: Number(values.models), policies: Number(values.policies), changes: Number(values.changes) };
const state = mkdtempSync(join(tmpdir(), 'tollgate-scale-'));
const env = { ...process.env, TOLLGATE_CLUSTER_DIR: state };
const procs: Proc[] = [];
const log = (msg: string) => process.stderr.write(`[scale] ${msg}\n`);

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++] as T); }));
}

/** RSS of a process and its descendants (the operator re-executes itself with V8 flags). */
function rssKb(pid: number): number {
  let total = 0;
  try { total = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) total += rssKb(Number(child));
    }
  } catch { /* gone */ }
  return total;
}

async function main(): Promise<void> {
  log(`starting a fresh control plane in ${state}`);
  execFileSync('bash', [join(repoRoot, 'e2e/cluster/build.sh'), 'kubernetes', 'etcd', 'kwok', 'llm-d-inference-sim'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('bash', [join(repoRoot, 'e2e/cluster/up.sh')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const kubeconfig = join(state, 'kubeconfig');
  const k = KubeClient.fromKubeconfig(kubeconfig);
  const GW = 'tollgate-system';
  const ports = { h: await freePort(), m: await freePort(), gw: await freePort(), gwa: await freePort(), sim: await freePort() };
  await k.create(R.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: GW } });
  await k.create(R.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'llm' } });
  procs.push(simulator(ports.sim, 'model-0'));
  // As in the chart: the V8 flags come from NODE_OPTIONS, so there is no re-exec parent to count.
  const op = start('operator', process.execPath, [join(repoRoot, 'bin/tollgate.ts'), 'operator', '--kubeconfig', kubeconfig, '--namespace', GW,
    '--health-port', String(ports.h), '--metrics-port', String(ports.m), '--bind-address', '127.0.0.1'], { NODE_OPTIONS: OPERATOR_V8_FLAGS.join(' ') });
  procs.push(op);
  const gw = start('gateway', process.execPath, [join(repoRoot, 'bin/tollgate.ts'), 'gateway', '--from-cluster', '--namespace', GW, '--kubeconfig', kubeconfig,
    '--port', String(ports.gw), '--metrics-port', String(ports.gwa), '--log-level', 'warn', '--upstream', `model-0=http://127.0.0.1:${ports.sim}/v1`]);
  procs.push(gw);
  await until('operator healthy', async () => (await httpJson(`http://127.0.0.1:${ports.h}/healthz`)).status === 200, 60_000);
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssKb(op.child.pid ?? 0)); }, 200);
  const writes = () => metricSum(`http://127.0.0.1:${ports.m}/metrics`, 'tollgate_operator_api_requests_total', (l) => WRITE_VERBS.test(l) && !l.includes('resource="leases"'));
  const writes0 = await writes();

  const t0 = performance.now();
  const nss = Array.from({ length: N.namespaces }, (_, i) => `team-${i}`);
  await pool(nss, 16, (ns) => k.create(R.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { tier: ['gold', 'silver', 'bronze'][Number(ns.split('-')[1]) % 3] as string } } }));
  const policies: KObject[] = Array.from({ length: N.policies }, (_, i) => ({
    apiVersion: 'tollgate.dev/v1alpha1', kind: 'LLMPolicy', metadata: { name: `policy-${i}` },
    spec: i === 0
      ? { tiers: ['gold', 'silver', 'bronze'].map((t) => ({ name: t, models: ['*'], budget: { tokens: { limit: 1e6, window: '24h' } } })), limits: { maxOutputTokens: 256 } }
      : { selector: { namespaceSelector: { matchLabels: { tier: ['gold', 'silver', 'bronze'][i % 3] as string } } }, rateLimits: { requestsPerMinute: 100 * i }, guardrails: { redaction: { detectors: ['secrets'] } } },
  }));
  const models: KObject[] = Array.from({ length: N.models }, (_, i) => ({
    apiVersion: 'tollgate.dev/v1alpha1', kind: 'LLMModel', metadata: { name: `model-${i}`, namespace: 'llm' },
    spec: { engine: 'vllm', image: `registry.example.com/vllm@sha256:${'a'.repeat(64)}`, servedName: `model-${i}`, replicas: i < 10 ? 1 : 0,
      model: { huggingface: { repo: 'org/m', revision: 'b'.repeat(40) } }, resources: { gpus: 1 }, scheduling: { nodeSelector: { 'tollgate.dev/gpu-pool': 'a100' } } },
  }));
  const tenants: KObject[] = Array.from({ length: N.tenants }, (_, i) => ({
    apiVersion: 'tollgate.dev/v1alpha1', kind: 'LLMTenant', metadata: { name: `tenant-${i}`, namespace: nss[i % N.namespaces] as string },
    spec: { tier: ['gold', 'silver', 'bronze'][(i % N.namespaces) % 3], keys: [{ name: 'main' }] },
  }));
  await pool(policies, 4, (p) => k.create(R.LLMPolicy, p));
  await pool(models, 8, (m) => k.create(R.LLMModel, m));
  await pool(tenants, 16, (t) => k.create(R.LLMTenant, t));
  const created = performance.now();
  log(`created ${N.tenants} tenants, ${N.models} models, ${N.policies} policies in ${((created - t0) / 1000).toFixed(1)} s`);

  type S = KObject & { status?: { conditions?: { type: string; status: string }[]; observedGeneration?: number } };
  await until('convergence', async () => {
    const ts = (await k.list<S>(R.LLMTenant)).items;
    const ready = ts.filter((t) => t.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const ms = (await k.list<S>(R.LLMModel)).items.filter((m) => m.status?.observedGeneration === m.metadata.generation).length;
    const r = await httpJson(`http://127.0.0.1:${ports.gwa}/readyz`);
    const cfg = (r.body as { config?: { hash?: string; tenants?: number } }).config;
    const idx = await k.get(R.Secret, GW, 'tollgate-gateway-config');
    const published = idx?.metadata.annotations?.['tollgate.dev/config-hash'];
    const keysIssued = (await k.list(R.Secret, { labelSelector: 'tollgate.dev/tenant-keys=true' })).items.length;
    log(`tenants Ready ${ready}/${N.tenants}, models with status ${ms}/${N.models}, key Secrets ${keysIssued}, gateway ${cfg?.tenants ?? 0} tenants ${cfg?.hash === published ? '(latest)' : ''}`);
    return ready === N.tenants && ms === N.models && keysIssued === N.tenants && cfg?.hash === published && cfg?.tenants === N.tenants;
  }, 600_000, 1000);
  const converged = performance.now();
  const converge_s = (converged - t0) / 1000;
  const api_writes = (await writes()) - writes0;
  log(`converged in ${converge_s.toFixed(1)} s with ${api_writes} API writes`);

  // Propagation: suspend / unsuspend tenants, time until the gateway enforces it.
  const sample = tenants.slice(0, 20);
  const keys = new Map<string, string>();
  for (const t of sample) {
    const s = await k.get<KObject & { data?: Record<string, string> }>(R.Secret, t.metadata.namespace, `${t.metadata.name}-tollgate-keys`);
    keys.set(t.metadata.name, Buffer.from(s?.data?.['main'] ?? '', 'base64').toString());
  }
  const suspended = new Set<string>();
  const lat: number[] = [];
  for (let i = 0; i < N.changes; i++) {
    const t = sample[i % sample.length] as KObject;
    const want = !suspended.has(t.metadata.name);
    const start = performance.now();
    await k.request('PATCH', `/apis/tollgate.dev/v1alpha1/namespaces/${t.metadata.namespace}/llmtenants/${t.metadata.name}`, { body: { spec: { suspended: want } }, contentType: 'application/merge-patch+json' });
    await until('change enforced', async () => {
      const r = await httpJson(`http://127.0.0.1:${ports.gw}/v1/models`, { headers: { authorization: `Bearer ${keys.get(t.metadata.name)}` } });
      return want ? r.status === 403 : r.status === 200;
    }, 30_000, 10);
    lat.push((performance.now() - start) / 1000);
    if (want) suspended.add(t.metadata.name); else suspended.delete(t.metadata.name);
  }
  clearInterval(sampler);
  const mtext = await (await fetch(`http://127.0.0.1:${ports.m}/metrics`)).text();
  const gauge = (n: string) => Number(new RegExp(`^${n} ([0-9.e+]+)`, 'm').exec(mtext)?.[1] ?? NaN) / 1e6;
  log(`operator heap used ${gauge('tollgate_operator_process_nodejs_heap_size_used_bytes').toFixed(0)} MB, heap total ${gauge('tollgate_operator_process_nodejs_heap_size_total_bytes').toFixed(0)} MB, external ${gauge('tollgate_operator_process_nodejs_external_memory_bytes').toFixed(0)} MB, rss now ${(rssKb(op.child.pid ?? 0) / 1024).toFixed(0)} MB`);
  peakRss = Math.max(peakRss, rssKb(op.child.pid ?? 0));
  const p50 = quantile(lat, 0.5);
  const p99 = quantile(lat, 0.99);
  const rss_mb = peakRss / 1024;
  console.log('');
  console.log(`| figure | value | goal |`);
  console.log(`|---|---|---|`);
  console.log(`| objects | ${N.tenants} LLMTenants in ${N.namespaces} namespaces, ${N.models} LLMModels, ${N.policies} LLMPolicies | |`);
  console.log(`| time to converge from empty | ${converge_s.toFixed(1)} s | <= 60 s |`);
  console.log(`| API writes by the operator (excl. leader heartbeat) | ${api_writes} | |`);
  console.log(`| operator peak RSS | ${rss_mb.toFixed(0)} MB | <= 200 MB |`);
  console.log(`| propagation CR change -> enforced, p50 / p99 over ${N.changes} changes | ${p50.toFixed(3)} s / ${p99.toFixed(3)} s | p99 <= 2 s |`);
  console.log(`RESULT converge_s=${converge_s.toFixed(1)} api_writes=${api_writes} rss_mb=${rss_mb.toFixed(0)} propagation_p50_s=${p50.toFixed(3)} propagation_p99_s=${p99.toFixed(3)}`);
}

main().catch((err: unknown) => { console.error(`scale benchmark failed: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; }).finally(async () => {
  for (const p of procs.reverse()) await p.stop();
  try { execFileSync('bash', [join(repoRoot, 'e2e/cluster/down.sh')], { env, stdio: 'ignore' }); } catch { /* already down */ }
});
