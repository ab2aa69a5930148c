// Operator scale benchmark (prints figures; not a test). On a fresh local control plane (its own state
// dir, stopped at the end): N LLMTenants across M namespaces, K LLMModels and 5 LLMPolicies created from
// empty, with the operator running under the V8 flags the chart ships (NODE_OPTIONS). Reports time to
// converge (every tenant Ready and the gateway enforcing the config that then stops changing), the operator's
// peak heap and RSS, its API writes (per tenant), config propagation latency
// (CR change -> enforced by a gateway in --from-cluster mode), its writes at rest, and a restart: time
// until the new process has reconciled everything, and the writes it made doing so.
// The benchmark fails at once if the operator or the gateway exits, and stops everything it started
// (processes by process group, then the control plane) on any exit, SIGINT and SIGTERM included.
// It also prints the CPU seconds of every process while converging (the control plane's components, the
// operator, the gateway); `--cpu-prof` runs the operator and the gateway under `node --cpu-prof` and prints
// where the operator's time went while converging and the gateway's while propagating changes.
// Usage: npm run bench:operator [-- --tenants N --namespaces N --models N --changes N --rest-seconds N --no-restart
//        --cpu-prof --node-options=FLAGS --operator-args=ARGS --operator-env=K=V --allocator jemalloc|glibc]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient } from '../kube/client.ts';
import type { KObject } from '../kube/object.ts';
import { R } from '../kube/resources.ts';
import {
  WRITE_VERBS,
  freePort,
  httpJson,
  logDir,
  metricSum,
  start,
  until,
  type Proc,
} from '../e2e/operator/harness.ts';
import { repoRoot } from '../e2e/kube.ts';
import { expectedBinaryPath } from '../e2e/binaries.ts';
import { OPERATOR_MALLOC_ENV, OPERATOR_V8_FLAGS } from '../cli/commands/operator.ts';
import { GATEWAY_V8_FLAGS } from '../gateway/reexec.ts';
import { groupStats } from './gateway/procs.ts';
import { formatSummary, summarizeProfile, type CpuProfile } from './gateway/cpuprof.ts';
import { cpuRows, formatCpuRows } from './operator-scale-cpu.ts';
import { formatRss, rssByKind, v8Figures } from './operator-rss.ts';
import { changeHops, formatHops, type Change } from './operator-propagation.ts';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '1000' },
    namespaces: { type: 'string', default: '100' },
    models: { type: 'string', default: '50' },
    policies: { type: 'string', default: '5' },
    changes: { type: 'string', default: '100' },
    'rest-seconds': { type: 'string', default: '60' },
    'no-restart': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    /** experiments: V8 flags after the chart's (a later flag wins), e.g. --node-options=--max-old-space-size=160 */
    'node-options': { type: 'string', default: '' },
    /** experiments: extra operator arguments, e.g. --operator-args=--workers=16 */
    'operator-args': { type: 'string', default: '' },
    /** experiments: environment of the operator process, K=V (repeatable), e.g. --operator-env=MALLOC_TRIM_THRESHOLD_=131072 */
    'operator-env': { type: 'string', multiple: true, default: [] },
    /** the operator's allocator: jemalloc as the chart runs it (operator.jemalloc), or glibc */
    allocator: { type: 'string', default: 'jemalloc' },
  },
});
const N = {
  tenants: Number(values.tenants),
  namespaces: Number(values.namespaces),
  models: Number(values.models),
  policies: Number(values.policies),
  changes: Number(values.changes),
  rest: Number(values['rest-seconds']),
};
/**
 * Concurrent creates of the benchmark's own client (as a GitOps tool applying a repository of tenants would):
 * at 16 the creation alone took 27 s of a 66 s 1k run on this machine, the API server mostly idle.
 */
const CREATE_CONCURRENCY = 64;
/** Where Debian and Ubuntu put libjemalloc2's library (the image links it to JEMALLOC_IN_IMAGE). */
const JEMALLOC_HERE = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2'];
/**
 * Environment the chart gives the operator container besides NODE_OPTIONS: its allocator (`operator.jemalloc`,
 * OPERATOR_MALLOC_ENV) with this machine's copy of the library; `--allocator glibc` runs it without (as
 * `operator.jemalloc: false`). Not its NODE_COMPILE_CACHE: that is cold when a pod starts (it spares a restarted
 * container the TypeScript stripper), so the benchmark measures a new pod. MALLOC_ARENA_MAX=2 with glibc was tried
 * before: -20 MB RSS in bench/operator-memory.ts, but ~107 MB native memory outside V8 either way in a 10k run.
 */
function operatorContainerEnv(allocator: string): Record<string, string> {
  if (allocator === 'glibc') return {};
  if (allocator !== 'jemalloc') throw new Error(`--allocator must be jemalloc or glibc, not ${allocator}`);
  const lib = JEMALLOC_HERE.find((p) => existsSync(p));
  if (!lib)
    throw new Error(
      `the chart runs the operator on jemalloc, which is not installed here (${JEMALLOC_HERE.join(', ')}): ` +
        'apt-get install libjemalloc2, or pass --allocator glibc to measure without it',
    );
  return { ...OPERATOR_MALLOC_ENV, LD_PRELOAD: lib };
}
const OPERATOR_CONTAINER_ENV = operatorContainerEnv(values.allocator);
/** The published config unchanged this long after every tenant is Ready: converged (see the wait below). */
const SETTLE_MS = 5000;
/** The issue's targets (10k; 1k converges in 15 s). */
const GOALS = { convergeS: N.tenants <= 1000 ? 15 : 120, heapMb: 150, rssMb: 250, writesPerTenant: 4.5, p99S: 1 };
const state = mkdtempSync(join(tmpdir(), 'tollgate-scale-'));
const env = { ...process.env, TOLLGATE_CLUSTER_DIR: state };
const procs: Proc[] = [];
const profDir = join(state, 'cpuprof');
/** node flags of a profiled process (--cpu-prof: the profile is written when it exits). */
const profArgs = (name: string): string[] =>
  values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
/** µs on the monotonic clock V8's profiles use. */
const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);
const log = (msg: string) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---- cleanup on every exit ------------------------------------------------------------------------------
let cleaning: Promise<void> | undefined;
let clusterUp = false;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const p of [...procs].reverse()) await p.stop().catch(() => undefined);
    if (clusterUp) {
      try {
        execFileSync('bash', [join(repoRoot, 'e2e/cluster/down.sh')], { env, stdio: 'ignore' });
      } catch {
        /* already down */
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping everything this benchmark started`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- processes that must stay up ------------------------------------------------------------------------
/** Rejects the moment a watched process exits without being asked to. */
let failDied: (err: Error) => void = () => {};
const died = new Promise<never>((_, reject) => {
  failDied = reject;
});
died.catch(() => undefined);
const expectedExit = new Set<Proc>();
function watch(p: Proc): Proc {
  procs.push(p);
  void p.exited.then((code) => {
    if (expectedExit.has(p)) return;
    const tail = p.output().trim().split('\n').slice(-15).join('\n');
    failDied(
      new Error(`${p.name} exited (code ${code}) while the benchmark ran; its last log lines (${p.log}):\n${tail}`),
    );
  });
  return p;
}
/** Every wait races the processes' deaths. */
const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, died]);

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The operator's heap gauge (prom-client's default metrics, under their standard names since stop 26). */
const HEAP_USED = 'nodejs_heap_size_used_bytes';

/** A gauge's value; a metric the operator does not expose fails the run (a renamed metric once read as 0 MB). */
async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  const v = Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);
  if (!Number.isFinite(v)) throw new Error(`${url} does not expose the gauge ${name}`);
  return v;
}

/** Where the operator's resident memory is (its /proc smaps and V8's figures from its metrics). */
async function rssReport(pid: number, metricsUrl: string, title: string): Promise<string> {
  try {
    const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    const binary = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    const metrics = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    return formatRss(rssByKind(smaps, binary), v8Figures(metrics, ''), title);
  } catch (err) {
    return `\n${title}: not measured (${err instanceof Error ? err.message : String(err)})\n`;
  }
}

/** The operator's API requests until now by verb and resource, per tenant and per second of `seconds`. */
async function requestBreakdown(url: string, tenants: number, seconds: number): Promise<string> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  const sums = new Map<string, number>();
  for (const m of text.matchAll(/^tollgate_operator_api_requests_total\{([^}]*)\} ([0-9.e+]+)/gm)) {
    const labels = m[1] ?? '';
    const verb = /verb="([^"]*)"/.exec(labels)?.[1] ?? '';
    const resource = /resource="([^"]*)"/.exec(labels)?.[1] || '(watch)';
    const key = `${verb} ${resource}`;
    sums.set(key, (sums.get(key) ?? 0) + Number(m[2]));
  }
  const rows = [...sums].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((n, [, v]) => n + v, 0);
  // reconciles by kind: how many, and the seconds the workers spent in them (mostly waiting on the API server)
  const rec: string[] = [];
  for (const m of text.matchAll(
    /^tollgate_operator_reconcile_duration_seconds_count\{kind="([^"]*)"\} ([0-9.e+]+)/gm,
  )) {
    const sum = Number(
      new RegExp(`^tollgate_operator_reconcile_duration_seconds_sum\\{kind="${m[1]}"\\} ([0-9.e+]+)`, 'm').exec(
        text,
      )?.[1] ?? NaN,
    );
    rec.push(`${m[1]} ${m[2]} (${sum.toFixed(0)} s, ${((sum / Number(m[2])) * 1000).toFixed(0)} ms each)`);
  }
  return [
    '',
    `Reconciles while converging: ${rec.join('; ')}`,
    '',
    `Operator API requests while converging (${total} in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(0)}/s)`,
    '',
    '| verb resource | requests | per tenant |',
    '|---|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} | ${(v / tenants).toFixed(2)} |`),
    '',
  ].join('\n');
}

/** Writes by verb and resource, for the log when a phase that should write nothing did. */
async function writeBreakdown(url: string): Promise<string> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('tollgate_operator_api_requests_total') && WRITE_VERBS.test(l))
    .map((l) => l.replace('tollgate_operator_api_requests_total', ''))
    .join('; ');
}

async function main(): Promise<void> {
  log(`starting a fresh control plane in ${state}; process logs in ${logDir}`);
  // No model upstream is needed: propagation is measured on /v1/models, which the gateway answers itself.
  // (build.sh waits for the cache's build lock even when nothing is to be built: skip it when all are there)
  const needed = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'kwok'] as const;
  if (!needed.every((b) => existsSync(expectedBinaryPath(b))))
    execFileSync('bash', [join(repoRoot, 'e2e/cluster/build.sh'), 'kubernetes', 'etcd', 'kwok'], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  clusterUp = true;
  execFileSync('bash', [join(repoRoot, 'e2e/cluster/up.sh')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const kubeconfig = join(state, 'kubeconfig');
  const k = KubeClient.fromKubeconfig(kubeconfig);
  const GW = 'tollgate-system';
  const ports = { gw: await freePort(), gwa: await freePort() };
  await k.create(R.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: GW } });
  await k.create(R.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'llm' } });
  // As in the chart: the V8 flags come from NODE_OPTIONS, so there is no re-exec parent to count.
  const startOperator = async (name: string) => {
    const h = await freePort();
    const m = await freePort();
    const p = watch(
      start(
        name,
        process.execPath,
        [
          ...profArgs(name),
          join(repoRoot, 'bin/tollgate.ts'),
          'operator',
          '--kubeconfig',
          kubeconfig,
          '--namespace',
          GW,
          '--health-port',
          String(h),
          '--metrics-port',
          String(m),
          '--bind-address',
          '127.0.0.1',
          ...values['operator-args'].split(' ').filter(Boolean),
        ],
        {
          NODE_OPTIONS: [...OPERATOR_V8_FLAGS, values['node-options']].join(' ').trim(),
          ...OPERATOR_CONTAINER_ENV,
          ...Object.fromEntries(
            values['operator-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
          ),
        },
      ),
    );
    await guard(
      until(`${name} healthy`, async () => (await httpJson(`http://127.0.0.1:${h}/healthz`)).status === 200, 120_000),
    );
    return { p, metrics: `http://127.0.0.1:${m}/metrics` };
  };
  let op = await startOperator('operator');
  const gateway = watch(
    start('gateway', process.execPath, [
      // its V8 flags given here: no re-exec (a profiled parent would write a profile of its own)
      ...GATEWAY_V8_FLAGS,
      ...profArgs('gateway'),
      join(repoRoot, 'bin/tollgate.ts'),
      'gateway',
      '--from-cluster',
      '--namespace',
      GW,
      '--kubeconfig',
      kubeconfig,
      '--port',
      String(ports.gw),
      '--metrics-port',
      String(ports.gwa),
      '--log-level',
      'warn',
    ]),
  );

  /** CPU seconds so far of each process group measured (up.sh starts each component in its own session). */
  const cpuSample = (): Map<string, number> => {
    const out = new Map<string, number>();
    const pidDir = join(state, 'pids');
    for (const f of existsSync(pidDir) ? readdirSync(pidDir) : []) {
      const pid = Number(readFileSync(join(pidDir, f), 'utf8').trim());
      if (pid > 0) out.set(f.replace(/\.pid$/, ''), groupStats(pid).cpuSeconds);
    }
    for (const p of [op.p, gateway]) if (p.child.pid) out.set(p.name, groupStats(p.child.pid).cpuSeconds);
    const self = process.cpuUsage();
    out.set('benchmark', (self.user + self.system) / 1e6);
    return out;
  };

  // Peak RSS (sampled every 200 ms from /proc) and peak heap used (the operator's own gauge, every second).
  let peakRss = 0;
  let peakHeap = 0;
  const rssSampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssKb(op.p.child.pid ?? 0));
  }, 200);
  const heapSampler = setInterval(() => {
    void gauge(op.metrics, HEAP_USED).then(
      (v) => {
        if (Number.isFinite(v)) peakHeap = Math.max(peakHeap, v);
      },
      () => undefined,
    );
  }, 1000);
  const writes = (url = op.metrics) =>
    metricSum(url, 'tollgate_operator_api_requests_total', (l) => WRITE_VERBS.test(l));
  const heapEmpty = await gauge(op.metrics, HEAP_USED);
  const writes0 = await writes();

  // Which tenants are Ready, from one watch (listing every tenant each poll cost the starved API server more
  // than the operator's own writes: a 10k list is tens of MB).
  type Cond = { type: string; status: string };
  const readyTenants = new Set<string>();
  const tenantWatchStop = new AbortController();
  const tenantWatch = (async () => {
    while (!tenantWatchStop.signal.aborted) {
      await k
        .watch(
          '/apis/tollgate.dev/v1alpha1/llmtenants',
          { allowWatchBookmarks: 'false' },
          (e) => {
            const o = e.object as KObject & { status?: { conditions?: Cond[] } };
            const id = `${o.metadata?.namespace}/${o.metadata?.name}`;
            const ok = o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
            if (e.type !== 'DELETED' && ok) readyTenants.add(id);
            else readyTenants.delete(id);
          },
          tenantWatchStop.signal,
        )
        .catch(() => undefined);
    }
  })();
  const cpuBefore = cpuSample();
  const t0 = performance.now();
  const t0Us = monoUs();
  const nss = Array.from({ length: N.namespaces }, (_, i) => `team-${i}`);
  await guard(
    pool(nss, CREATE_CONCURRENCY, (ns) =>
      k.create(R.Namespace, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { tier: ['gold', 'silver', 'bronze'][Number(ns.split('-')[1]) % 3] as string } },
      }),
    ),
  );
  const policies: KObject[] = Array.from({ length: N.policies }, (_, i) => ({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMPolicy',
    metadata: { name: `policy-${i}` },
    spec:
      i === 0
        ? {
            tierGrants: { approve: ['*'] },
            tiers: ['gold', 'silver', 'bronze'].map((t) => ({
              name: t,
              models: ['*'],
              budget: { tokens: { limit: 1e6, window: '24h' } },
            })),
            limits: { maxOutputTokens: 256 },
          }
        : {
            selector: { namespaceSelector: { matchLabels: { tier: ['gold', 'silver', 'bronze'][i % 3] as string } } },
            rateLimits: { requestsPerMinute: 100 * i },
            guardrails: { redaction: { detectors: ['secrets'] } },
          },
  }));
  const models: KObject[] = Array.from({ length: N.models }, (_, i) => ({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMModel',
    metadata: { name: `model-${i}`, namespace: 'llm' },
    spec: {
      engine: 'vllm',
      image: `registry.example.com/vllm@sha256:${'a'.repeat(64)}`,
      servedName: `model-${i}`,
      replicas: i < 10 ? 1 : 0,
      model: { huggingface: { repo: 'org/m', revision: 'b'.repeat(40) } },
      resources: { gpus: 1 },
      scheduling: { nodeSelector: { 'tollgate.dev/gpu-pool': 'a100' } },
    },
  }));
  const tenants: KObject[] = Array.from({ length: N.tenants }, (_, i) => ({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMTenant',
    metadata: { name: `tenant-${i}`, namespace: nss[i % N.namespaces] as string },
    spec: { tier: ['gold', 'silver', 'bronze'][(i % N.namespaces) % 3], keys: [{ name: 'main' }] },
  }));
  await guard(pool(policies, 4, (p) => k.create(R.LLMPolicy, p)));
  await guard(pool(models, 8, (m) => k.create(R.LLMModel, m)));
  await guard(pool(tenants, CREATE_CONCURRENCY, (t) => k.create(R.LLMTenant, t)));
  const created = performance.now();
  log(
    `created ${N.tenants} tenants, ${N.models} models, ${N.policies} policies in ${((created - t0) / 1000).toFixed(1)} s`,
  );

  type S = KObject & { status?: { conditions?: { type: string; status: string }[]; observedGeneration?: number } };
  const gatewayState = async () => {
    const r = await httpJson(`http://127.0.0.1:${ports.gwa}/readyz`);
    const cfg = (r.body as { config?: { hash?: string; tenants?: number } }).config;
    const idx = await k.get(R.Secret, GW, 'tollgate-gateway-config');
    return {
      tenants: cfg?.tenants ?? 0,
      hash: cfg?.hash,
      published: idx?.metadata.annotations?.['tollgate.dev/config-hash'],
    };
  };
  // Cheap checks first (the gateway's config, then the tenants' watch); the models are a short list.
  let gatewayAllAt = 0;
  await guard(
    until(
      'convergence',
      async () => {
        const g = await gatewayState();
        if (g.tenants !== N.tenants || g.hash !== g.published) {
          log(
            `gateway ${g.tenants}/${N.tenants} tenants${g.hash === g.published ? ' (latest)' : ''}, heap peak ${(peakHeap / 1e6).toFixed(0)} MB, rss peak ${(peakRss / 1024).toFixed(0)} MB`,
          );
          return false;
        }
        gatewayAllAt ||= performance.now();
        const ready = readyTenants.size;
        const ms = (await k.list<S>(R.LLMModel)).items.filter(
          (m) => m.status?.observedGeneration === m.metadata.generation,
        ).length;
        log(
          `tenants Ready ${ready}/${N.tenants}, models with status ${ms}/${N.models}, gateway ${g.tenants} tenants (latest)`,
        );
        return ready === N.tenants && ms === N.models;
      },
      1_800_000,
      500,
    ),
  );
  const readyAt = performance.now();
  tenantWatchStop.abort();
  await tenantWatch;
  // Every tenant is Ready, but what changed last (the last keys) may not be published yet: publications are paced
  // while tenants churn. Converged = the gateway enforces a config that stops moving (the published hash unchanged
  // for SETTLE_MS); the time counted is when the gateway first enforced that last config.
  let published: string | undefined;
  let publishedAt = performance.now();
  let enforced: string | undefined;
  let enforcedAt = readyAt;
  await guard(
    until(
      'the last publication enforced',
      async () => {
        const g = await gatewayState();
        const now = performance.now();
        if (g.published !== published) [published, publishedAt] = [g.published, now];
        if (g.hash !== g.published) return false;
        if (g.hash !== enforced) [enforced, enforcedAt] = [g.hash, now];
        return now - publishedAt >= SETTLE_MS;
      },
      300_000,
      100,
    ),
  );
  const converged = Math.max(readyAt, enforcedAt);
  const convergedUs = monoUs();
  const convergeS = (converged - t0) / 1000;
  const windowS = (performance.now() - t0) / 1000;
  const cpuText = formatCpuRows(
    cpuRows(cpuBefore, cpuSample(), windowS),
    windowS,
    availableParallelism(),
    'CPU seconds by process while converging',
  );
  const apiWrites = (await writes()) - writes0;
  const heapFull = await gauge(op.metrics, HEAP_USED);
  log(
    `converged in ${convergeS.toFixed(1)} s with ${apiWrites} API writes (${(apiWrites / N.tenants).toFixed(2)} per tenant)`,
  );
  const phases =
    `creating the objects ${((created - t0) / 1000).toFixed(1)} s, then the gateway enforcing every tenant ` +
    `${((gatewayAllAt - created) / 1000).toFixed(1)} s, then every tenant Ready ${((readyAt - gatewayAllAt) / 1000).toFixed(1)} s, ` +
    `then the last publication enforced ${((converged - readyAt) / 1000).toFixed(1)} s`;
  log(`converge phases: ${phases}`);
  const requestText = await requestBreakdown(op.metrics, N.tenants, convergeS);
  const rssConverged = await rssReport(op.p.child.pid ?? 0, op.metrics, 'Operator RSS just after converging');

  // Propagation: suspend / unsuspend tenants, time until the gateway enforces it.
  const sample = tenants.slice(0, 20);
  const keys = new Map<string, string>();
  for (const t of sample) {
    const s = await k.get<KObject & { data?: Record<string, string> }>(
      R.Secret,
      t.metadata.namespace,
      `${t.metadata.name}-tollgate-keys`,
    );
    keys.set(t.metadata.name, Buffer.from(s?.data?.['main'] ?? '', 'base64').toString());
  }
  const suspended = new Set<string>();
  const lat: number[] = [];
  // When each new config index is published, as a watcher (a gateway) sees it: splits each change in two hops.
  const indexSeen: number[] = [];
  const changes: Change[] = [];
  const watchStop = new AbortController();
  let lastHash: string | undefined;
  const indexWatch = k
    .watch(
      `/api/v1/namespaces/${GW}/secrets`,
      { fieldSelector: 'metadata.name=tollgate-gateway-config' },
      (e) => {
        const h = (e.object as KObject).metadata?.annotations?.['tollgate.dev/config-hash'];
        if (h && h !== lastHash) {
          if (lastHash !== undefined) indexSeen.push(performance.now());
          lastHash = h;
        }
      },
      watchStop.signal,
    )
    .catch((err: unknown) => log(`index watch ended: ${err instanceof Error ? err.message : String(err)}`));
  await guard(until('index watch started', async () => lastHash !== undefined, 10_000, 20));
  const propagationUs: [number, number] = [monoUs(), 0];
  for (let i = 0; i < N.changes; i++) {
    const t = sample[i % sample.length] as KObject;
    const want = !suspended.has(t.metadata.name);
    const begin = performance.now();
    await guard(
      k.request(
        'PATCH',
        `/apis/tollgate.dev/v1alpha1/namespaces/${t.metadata.namespace}/llmtenants/${t.metadata.name}`,
        { body: { spec: { suspended: want } }, contentType: 'application/merge-patch+json' },
      ),
    );
    await guard(
      until(
        'change enforced',
        async () => {
          const r = await httpJson(`http://127.0.0.1:${ports.gw}/v1/models`, {
            headers: { authorization: `Bearer ${keys.get(t.metadata.name)}` },
          });
          return want ? r.status === 403 : r.status === 200;
        },
        60_000,
        10,
      ),
    );
    const enforced = performance.now();
    lat.push((enforced - begin) / 1000);
    changes.push({ begin, enforced });
    if (want) suspended.add(t.metadata.name);
    else suspended.delete(t.metadata.name);
  }
  propagationUs[1] = monoUs();
  watchStop.abort();
  await indexWatch;
  const hopsText = formatHops(changeHops(changes, indexSeen));
  log(hopsText);
  const p50 = quantile(lat, 0.5);
  const p99 = quantile(lat, 0.99);
  log(`propagation p50 ${p50.toFixed(3)} s, p99 ${p99.toFixed(3)} s over ${N.changes} changes`);
  // Let the last change settle (status writes, the config it published), then nothing may be written.
  await guard(new Promise((r) => setTimeout(r, 5000)));
  const restStart = await writes();
  log(`at rest for ${N.rest} s: counting writes`);
  await guard(new Promise((r) => setTimeout(r, N.rest * 1000)));
  const atRest = (await writes()) - restStart;
  log(`writes so far: ${await writeBreakdown(op.metrics)}`);
  clearInterval(heapSampler);
  clearInterval(rssSampler);
  peakRss = Math.max(peakRss, rssKb(op.p.child.pid ?? 0));
  const heapNow = await gauge(op.metrics, HEAP_USED);
  const rssRest = await rssReport(op.p.child.pid ?? 0, op.metrics, 'Operator RSS at rest');
  log(
    `at rest: ${atRest} writes; heap used ${(heapNow / 1e6).toFixed(0)} MB, rss ${(rssKb(op.p.child.pid ?? 0) / 1024).toFixed(0)} MB`,
  );

  // Restart: a new operator process reconciles everything again and must write nothing.
  let restart: { s: number; writes: number; peakHeapMb: number; rssMb: number } | undefined;
  if (!values['no-restart']) {
    const publishedBefore = (await gatewayState()).published;
    expectedExit.add(op.p);
    await op.p.stop('SIGTERM');
    const r0 = performance.now();
    op = await startOperator('operator-restarted');
    let rPeakHeap = 0;
    let rPeakRss = 0;
    const s2 = setInterval(() => {
      rPeakRss = Math.max(rPeakRss, rssKb(op.p.child.pid ?? 0));
      void gauge(op.metrics, HEAP_USED).then(
        (v) => {
          if (Number.isFinite(v)) rPeakHeap = Math.max(rPeakHeap, v);
        },
        () => undefined,
      );
    }, 500);
    await guard(
      until(
        'restarted operator reconciled every tenant',
        async () => {
          const done = await metricSum(op.metrics, 'tollgate_operator_reconciles_total', (l) =>
            l.includes('kind="tenant"'),
          );
          const depth = await gauge(op.metrics, 'tollgate_operator_queue_depth');
          return done >= N.tenants && depth === 0;
        },
        600_000,
        500,
      ),
    );
    const rs = (performance.now() - r0) / 1000;
    await guard(new Promise((r) => setTimeout(r, 5000)));
    clearInterval(s2);
    const rw = await writes();
    if (rw > 0) log(`writes by the restarted operator: ${await writeBreakdown(op.metrics)}`);
    const publishedAfter = (await gatewayState()).published;
    if (publishedAfter !== publishedBefore)
      log(`WARNING: the restarted operator published a different config (${publishedBefore} -> ${publishedAfter})`);
    restart = { s: rs, writes: rw, peakHeapMb: rPeakHeap / 1e6, rssMb: rPeakRss / 1024 };
    log(
      `restart: reconciled every tenant in ${rs.toFixed(1)} s with ${rw} writes; peak heap ${restart.peakHeapMb.toFixed(0)} MB`,
    );
  }

  // --cpu-prof: the profiles are written when the processes exit; the first operator has exited (restart).
  let profText = '';
  if (values['cpu-prof']) {
    for (const p of [op.p, gateway]) {
      expectedExit.add(p);
      await p.stop('SIGTERM');
    }
    const summary = (name: string, window: [number, number], title: string): string => {
      const file = join(profDir, `${name}.cpuprofile`);
      if (!existsSync(file)) return `\n--cpu-prof: ${file} was not written (the process did not exit cleanly)\n`;
      const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
      return formatSummary(summarizeProfile(prof, repoRoot, [window]), title);
    };
    profText =
      summary('operator', [t0Us, convergedUs], 'Where the operator spent its time while converging') +
      summary('gateway', propagationUs, 'Where the gateway spent its time while changes propagated');
  }

  const rssMb = peakRss / 1024;
  const heapMb = peakHeap / 1e6;
  const perTenant = (heapFull - heapEmpty) / N.tenants;
  const ok = (v: number, goal: number) => (v <= goal ? 'ok' : 'MISSED');
  console.log(cpuText);
  console.log(`\nConverge phases: ${phases}\n`);
  console.log(requestText);
  console.log(rssConverged);
  console.log(rssRest);
  console.log(hopsText);
  if (profText) console.log(profText);
  console.log('');
  console.log('| figure | value | goal |');
  console.log('|---|---|---|');
  console.log(
    `| objects | ${N.tenants} LLMTenants in ${N.namespaces} namespaces, ${N.models} LLMModels, ${N.policies} LLMPolicies | |`,
  );
  console.log(
    `| time to converge from empty (incl. creating the objects) | ${convergeS.toFixed(1)} s | <= ${GOALS.convergeS} s (${ok(convergeS, GOALS.convergeS)}) |`,
  );
  console.log(
    `| operator peak heap used (V8 flags ${[...OPERATOR_V8_FLAGS, values['node-options']].join(' ').trim()}) | ${heapMb.toFixed(0)} MB | <= ${GOALS.heapMb} MB (${ok(heapMb, GOALS.heapMb)}) |`,
  );
  console.log(
    `| operator peak RSS (${values.allocator}) | ${rssMb.toFixed(0)} MB | <= ${GOALS.rssMb} MB (${ok(rssMb, GOALS.rssMb)}) |`,
  );
  console.log(
    `| heap used per tenant after convergence (gauge delta; bench/operator-memory.ts measures it exactly) | ${(perTenant / 1024).toFixed(1)} KiB | |`,
  );
  console.log(
    `| API writes by the operator until converged | ${apiWrites} (${(apiWrites / N.tenants).toFixed(2)} per tenant) | <= ${GOALS.writesPerTenant} per tenant (${ok(apiWrites / N.tenants, GOALS.writesPerTenant)}) |`,
  );
  console.log(
    `| propagation CR change -> enforced, p50 / p99 over ${N.changes} changes | ${p50.toFixed(3)} s / ${p99.toFixed(3)} s | p99 <= ${GOALS.p99S} s (${ok(p99, GOALS.p99S)}) |`,
  );
  console.log(`| writes at rest over ${N.rest} s | ${atRest} | 0 (${ok(atRest, 0)}) |`);
  if (restart)
    console.log(
      `| restart: every tenant reconciled again / writes / peak heap | ${restart.s.toFixed(1)} s / ${restart.writes} / ${restart.peakHeapMb.toFixed(0)} MB | 0 writes (${ok(restart.writes, 0)}) |`,
    );
  console.log(
    `RESULT tenants=${N.tenants} converge_s=${convergeS.toFixed(1)} peak_heap_mb=${heapMb.toFixed(0)} rss_mb=${rssMb.toFixed(0)} api_writes=${apiWrites} writes_per_tenant=${(apiWrites / N.tenants).toFixed(2)} propagation_p50_s=${p50.toFixed(3)} propagation_p99_s=${p99.toFixed(3)} writes_at_rest=${atRest} heap_kib_per_tenant=${(perTenant / 1024).toFixed(1)}${restart ? ` restart_s=${restart.s.toFixed(1)} restart_writes=${restart.writes}` : ''}`,
  );
}

guard(main())
  .catch((err: unknown) => {
    console.error(`scale benchmark FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    process.exit();
  });
