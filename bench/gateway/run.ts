// Gateway benchmark: one run, same machine, same upstream simulator, same load generator, alternating
// rounds across targets:
//   direct           the simulator itself
//   tollgate-memory  full pipeline (auth, limits, reservation, settlement, audit, metrics), in-memory store
//   tollgate-redis   the same with the Redis store
//   tollgate-redis-cluster  the same on a real Redis Cluster (3 masters + replicas, WAIT for a replica)
//   tollgate-off     --no-enforcement (its own floor: Fastify + proxy only)
//   portkey          @portkey-ai/gateway --headless (npm), custom host = the simulator
//   litellm          litellm[proxy] (PyPI), one worker, master key only
// Tollgate runs with 10,000 tenants and 50,000 keys loaded; requests rotate over 1,000 keys.
// Prints a table and, last, a machine-readable line:
//   RESULT p50_added_ms=… p99_added_ms=… rps=… rps_vs_portkey=… rps_vs_litellm=… rss_mb=…
//
// Phase D (hostile neighbour, issue #10): p99 of normal requests and the gateway's event-loop delay
// (perf_hooks.monitorEventLoopDelay via prom-client, 10 ms resolution) with and without one tenant sending
// the worst inputs (1 MiB single word, 1 MiB of one CJK character or of spaces, 100k tiny messages, deep
// arrays, 4,096 messages). `--hostile-only` runs just that phase against Tollgate (no peers);
// `--gateway-root DIR` runs the gateway from another checkout (e.g. the unfixed main) for a before/after.
//
// Usage: npm run bench:gateway [-- --quick] [-- --only direct,tollgate-memory] [-- --tenants N] [-- --hostile-only] [-- --gateway-root DIR]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { generateKey, hashKey } from '../../api/keys.ts';
import { GATEWAY_CONFIG_SCHEMA_VERSION, sealGatewayConfig, type CfgTenant } from '../../api/gateway-config.ts';
import { cacheDir } from '../../e2e/binaries.ts';
import { freePort } from '../../gateway/test/net.ts';
import { startRedis } from '../../gateway/test/redis.ts';
import { startRedisCluster } from '../../gateway/test/redis-cluster.ts';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, tenants: { type: 'string', default: '10000' }, 'hostile-only': { type: 'boolean', default: false }, 'gateway-root': { type: 'string' } } });
const HOSTILE_ONLY = flags['hostile-only'];
const GATEWAY_MAIN = flags['gateway-root'] ? join(flags['gateway-root'], 'gateway/main.ts') : 'gateway/main.ts';

const QUICK = flags.quick;
const ROOT = new URL('../..', import.meta.url).pathname;
const CACHE = cacheDir();
const TENANTS = Number(flags.tenants);
const KEYS_PER_TENANT = 5;
const LAT_ROUNDS = QUICK ? 2 : 6;
const LAT_PER_ROUND = QUICK ? 100 : 300;
const TTFT_ROUNDS = QUICK ? 2 : 4;
const TTFT_PER_ROUND = QUICK ? 50 : 100;
const STEPS = QUICK ? [1, 16, 64] : [1, 8, 32, 64, 128];
const STEP_SECONDS = QUICK ? 2 : 3;
const P99_BOUND_MS = 10;
const HOSTILE_SECONDS = QUICK ? 4 : 8;

const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);

// ---- processes ---------------------------------------------------------------------------------------
const children: ChildProcess[] = [];
function start(name: string, cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const p = spawn(cmd, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  p.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  p.on('exit', (code) => {
    if (!stopping && code !== 0 && code !== null) log(`${name} exited with ${code}: ${err.slice(-800)}`);
  });
  children.push(p);
  return p;
}
let stopping = false;
let redisPid: number | undefined;
function stopAll(): void {
  stopping = true;
  if (redisPid !== undefined) {
    try {
      process.kill(redisPid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  const alive = children.filter((p) => p.pid !== undefined && p.exitCode === null);
  for (const p of alive) {
    try {
      process.kill(-p.pid!, 'SIGTERM');
    } catch {
      // gone
    }
  }
  // A gateway whose event loop is blocked (the unfixed code on a hostile input) never runs its SIGTERM
  // handler: after a short grace period the whole group is killed.
  if (alive.length > 0) execFileSync('sleep', ['1']);
  for (const p of alive) {
    try {
      process.kill(-p.pid!, 0);
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

async function waitHttp(url: string, init: RequestInit = {}, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** CPU ticks and RSS of every process in a process group (a gateway and any workers it spawned). */
function groupStats(pgid: number): { cpuSeconds: number; rssMb: number } {
  let ticks = 0;
  let rssPages = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue; // field 5: pgrp
    ticks += Number(f[11]) + Number(f[12]); // utime + stime
    rssPages += Number(f[21]);
  }
  return { cpuSeconds: ticks / 100, rssMb: (rssPages * 4096) / 1024 / 1024 };
}

// ---- targets -----------------------------------------------------------------------------------------
interface Target {
  name: string;
  base: string;
  headers: Record<string, string>;
  model: string;
  streamModel: string;
  pgid: number | undefined;
  pool: Pool;
  /** Rotating credentials (Tollgate: 1,000 tenant keys). */
  keys?: string[];
  /** Tollgate's admin port (event-loop delay from its process metrics). */
  metricsBase?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let keyIdx = 0;
function headersFor(t: Target): Record<string, string> {
  if (!t.keys) return t.headers;
  const k = t.keys[keyIdx++ % t.keys.length]!;
  return { ...t.headers, authorization: `Bearer ${k}` };
}

const BODY = (model: string, stream = false): string =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'Write one sentence about toll roads.' }], max_tokens: 16, ...(stream ? { stream: true } : {}) });

async function once(t: Target, body: string): Promise<number> {
  const t0 = performance.now();
  const r = await t.pool.request({ method: 'POST', path: '/v1/chat/completions', headers: headersFor(t), body });
  await r.body.dump({ limit: 1 << 20 });
  if (r.statusCode !== 200) throw new Error(`${t.name}: HTTP ${r.statusCode}`);
  return performance.now() - t0;
}

async function ttft(t: Target, body: string): Promise<number> {
  const t0 = performance.now();
  const r = await t.pool.request({ method: 'POST', path: '/v1/chat/completions', headers: headersFor(t), body });
  if (r.statusCode !== 200) throw new Error(`${t.name}: HTTP ${r.statusCode}`);
  let first = 0;
  for await (const chunk of r.body) {
    if (first === 0 && (chunk as Buffer).includes('"content":"')) first = performance.now() - t0;
  }
  return first;
}

async function load(t: Target, concurrency: number, seconds: number): Promise<{ rps: number; p50: number; p99: number; errors: number; cpuPerReq: number; rssMb: number }> {
  const body = BODY(t.model);
  const warmEnd = performance.now() + 500;
  const end = warmEnd + seconds * 1000;
  const lat: number[] = [];
  let errors = 0;
  let rssMax = 0;
  let cpu0 = 0;
  let t0 = 0;
  let started = false;
  const sampler = setInterval(() => {
    if (t.pgid !== undefined) rssMax = Math.max(rssMax, groupStats(t.pgid).rssMb);
  }, 250);
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const now = performance.now();
      if (!started && now >= warmEnd) {
        started = true;
        t0 = now;
        cpu0 = t.pgid === undefined ? 0 : groupStats(t.pgid).cpuSeconds;
      }
      try {
        const ms = await once(t, body);
        if (started) lat.push(ms);
      } catch {
        if (started) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = t.pgid === undefined ? 0 : groupStats(t.pgid).cpuSeconds;
  lat.sort((a, b) => a - b);
  return { rps: lat.length / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), errors, cpuPerReq: lat.length ? ((cpu1 - cpu0) * 1000) / lat.length : NaN, rssMb: rssMax };
}

// ---- phase D: hostile neighbour --------------------------------------------------------------------
interface HostileRow {
  run: 'normal only' | 'with hostile tenant';
  n: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  loopP99: number;
  loopMax: number;
  hostileSent: number;
  hostileStatuses: string;
}

/** The worst inputs of issue #10, each within the tenant's 1 MiB body limit unless the point is the limit. */
function hostileBodies(): { name: string; body: string }[] {
  const msg = (content: string): string => JSON.stringify({ model: 'm1', max_tokens: 16, messages: [{ role: 'user', content }] });
  const MiB = 1024 * 1024 - 200;
  return [
    { name: '1 MiB single word', body: msg('a'.repeat(MiB)) },
    { name: '1 MiB of one CJK character', body: msg('中'.repeat(Math.floor(MiB / 3))) },
    { name: '1 MiB of spaces', body: msg(' '.repeat(MiB)) },
    { name: '1 MiB of one punctuation mark', body: msg('!'.repeat(MiB)) },
    { name: '100k tiny messages', body: JSON.stringify({ model: 'm1', max_tokens: 16, messages: Array.from({ length: 100_000 }, () => ({ role: 'user', content: 'x' })) }) },
    { name: '4096 messages', body: JSON.stringify({ model: 'm1', max_tokens: 16, messages: Array.from({ length: 4096 }, () => ({ role: 'user', content: 'b'.repeat(240) })) }) },
    { name: 'deep arrays', body: `{"model":"m1","messages":${'['.repeat(500_000)}${']'.repeat(500_000)}}` },
  ];
}

/** prom-client's event-loop lag gauges; reading them resets its histogram, so read once before a run. */
async function loopLag(t: Target): Promise<{ p99: number; max: number }> {
  if (!t.metricsBase) return { p99: NaN, max: NaN };
  try {
    const text = await (await fetch(`${t.metricsBase}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
    const g = (n: string): number => Number(new RegExp(`^tollgate_nodejs_eventloop_lag_${n}_seconds (\\S+)$`, 'm').exec(text)?.[1]) * 1000;
    return { p99: g('p99'), max: g('max') };
  } catch {
    return { p99: NaN, max: NaN };
  }
}

async function hostilePhase(t: Target, keys: string[]): Promise<HostileRow[]> {
  const hostileKey = keys[keys.length - 1]!;
  const normalKeys = keys.slice(0, -1);
  const bodies = hostileBodies();
  const rows: HostileRow[] = [];
  for (const withHostile of [false, true, false, true]) {
    await loopLag(t); // reset the gateway's histogram
    const end = performance.now() + HOSTILE_SECONDS * 1000;
    const lat: number[] = [];
    let errors = 0;
    let hostileSent = 0;
    const statuses = new Map<string, number>();
    const normal = async (): Promise<void> => {
      let i = 0;
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const r = await t.pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { ...t.headers, authorization: `Bearer ${normalKeys[i++ % normalKeys.length]}` }, body: BODY(t.model), signal: AbortSignal.timeout(15_000) });
          await r.body.dump({ limit: 1 << 20 });
          if (r.statusCode === 200) lat.push(performance.now() - t0);
          else errors++;
        } catch {
          errors++;
          lat.push(performance.now() - t0);
        }
        await new Promise((r) => setTimeout(r, 5)); // ~ a steady stream, not a saturation test
      }
    };
    const hostile = async (): Promise<void> => {
      let i = 0;
      while (performance.now() < end) {
        const b = bodies[i++ % bodies.length]!;
        try {
          const r = await t.pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { ...t.headers, authorization: `Bearer ${hostileKey}` }, body: b.body, signal: AbortSignal.timeout(30_000) });
          await r.body.dump({ limit: 1 << 20 });
          statuses.set(String(r.statusCode), (statuses.get(String(r.statusCode)) ?? 0) + 1);
        } catch {
          statuses.set('timeout/reset', (statuses.get('timeout/reset') ?? 0) + 1);
        }
        hostileSent++;
      }
    };
    await Promise.all([normal(), normal(), normal(), normal(), ...(withHostile ? [hostile()] : [])]);
    const lag = await loopLag(t);
    lat.sort((a, b) => a - b);
    rows.push({
      run: withHostile ? 'with hostile tenant' : 'normal only', n: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? NaN, errors,
      loopP99: lag.p99, loopMax: lag.max, hostileSent, hostileStatuses: [...statuses].map(([k, v]) => `${k}x${v}`).join(' '),
    });
  }
  return rows;
}

function hostileReport(rows: HostileRow[], name: string): string {
  const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const out = ['', `Hostile neighbour (${name}; 4 normal clients with a 5 ms pause, ${HOSTILE_SECONDS} s per run, alternating; the gateway's event-loop delay from perf_hooks.monitorEventLoopDelay at 10 ms resolution):`, '',
    '| run | normal requests | p50 ms | p99 ms | max ms | errors | event-loop delay p99 / max ms | hostile requests (statuses) |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) out.push(`| ${r.run} | ${r.n} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.max)} | ${r.errors} | ${f(r.loopP99)} / ${f(r.loopMax)} | ${r.run === 'normal only' ? '–' : `${r.hostileSent} (${r.hostileStatuses})`} |`);
  const base = rows.filter((r) => r.run === 'normal only');
  const hot = rows.filter((r) => r.run !== 'normal only');
  const worst = (rs: HostileRow[], k: 'p99' | 'loopMax'): number => Math.max(...rs.map((r) => r[k]));
  out.push('', `HOSTILE ${name} p99_normal_ms=${f(worst(base, 'p99'), 2)} p99_with_hostile_ms=${f(worst(hot, 'p99'), 2)} loop_max_normal_ms=${f(worst(base, 'loopMax'))} loop_max_with_hostile_ms=${f(worst(hot, 'loopMax'))}`);
  return out.join('\n');
}

// ---- main --------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const t0 = Date.now();
  if (!HOSTILE_ONLY) {
    log('installing peers (cached)');
    execFileSync('bash', [join(ROOT, 'bench/gateway/setup-peers.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const portkeyBin = join(CACHE, 'bench/portkey-1.15.2/node_modules/@portkey-ai/gateway/build/start-server.js');
  const litellmBin = join(CACHE, 'bench/litellm-venv/bin/litellm');
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));

  const simPort = await freePort();
  const simStreamPort = await freePort();
  const sim = start('sim', process.execPath, ['gateway/sim/main.ts', '--port', String(simPort), '--output-tokens', '16']);
  const simStream = start('sim-stream', process.execPath, ['gateway/sim/main.ts', '--port', String(simStreamPort), '--output-tokens', '8', '--inter-token-ms', '2']);
  const simUrl = `http://127.0.0.1:${simPort}/v1`;
  const simStreamUrl = `http://127.0.0.1:${simStreamPort}/v1`;

  log(`generating a config with ${TENANTS} tenants and ${TENANTS * KEYS_PER_TENANT} keys`);
  const keys: string[] = [];
  const tenants: CfgTenant[] = [];
  for (let i = 0; i < TENANTS; i++) {
    const name = `t${String(i).padStart(5, '0')}`;
    const ks = Array.from({ length: KEYS_PER_TENANT }, () => generateKey());
    if (i % Math.max(1, Math.floor(TENANTS / 1000)) === 0) keys.push(ks[0]!);
    tenants.push({
      id: `team-${name}/${name}`, namespace: `team-${name}`, name, tier: 'gold', suspended: false, models: ['m1', 'm-stream'],
      limits: { budgets: [{ unit: 'tokens', limit: 1e12, windowSeconds: 86400 }, { unit: 'tokens', limit: 1e11, windowSeconds: 3600 }], requestsPerMinute: 10_000_000, tokensPerMinute: 1e12, concurrency: 10_000, maxOutputTokens: 1024, maxN: 4, maxRequestBytes: 1024 * 1024 },
      guardrails: { redaction: { detectors: [], customPatterns: [] }, promptInjection: { mode: 'off', threshold: 0.7 }, exfiltration: { mode: 'off', allowedHosts: [] }, canaries: [], structuredOutput: { enforce: false } },
      logging: 'metadata', accessWindows: [], ipAllowlists: [],
      keys: ks.map((k, j) => ({ id: `team-${name}/${name}/k${j}`, sha256: hashKey(k), scopes: ['chat.completions', 'completions', 'embeddings', 'models.list'], revoked: false })),
    });
  }
  const cost = { unit: 'tokens' as const, inputTokenWeight: 1, outputTokenWeight: 1, gpuSecondWeight: 1, gpusPerReplica: 1, estimatedOutputTokensPerSecond: 50 };
  const cfg = sealGatewayConfig({
    schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
    models: [
      { servedName: 'm1', id: 'bench/m1', engine: 'vllm', upstream: simUrl, capabilities: ['chat.completions', 'completions'], contextLength: 8192, cost },
      { servedName: 'm-stream', id: 'bench/m-stream', engine: 'vllm', upstream: simStreamUrl, capabilities: ['chat.completions', 'completions'], contextLength: 8192, cost },
    ],
    tenants,
  });
  const cfgFile = join(dir, 'gateway-config.json');
  writeFileSync(cfgFile, JSON.stringify(cfg));
  log(`config: ${(readFileSync(cfgFile).length / 1e6).toFixed(1)} MB`);

  const redis = await startRedis();
  redisPid = redis.pid;
  const targets: Target[] = [];
  const only = flags.only?.split(',');
  const want = (n: string): boolean => (HOSTILE_ONLY ? n === 'tollgate-memory' || n === 'direct' : !only || only.includes(n) || n === 'direct');
  const mk = (name: string, base: string, p: ChildProcess | undefined, extra: Partial<Target> = {}): Target => ({
    name, base, headers: { 'content-type': 'application/json' }, model: 'm1', streamModel: 'm-stream', pgid: p?.pid,
    pool: new Pool(base, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 }), ...extra,
  });
  targets.push(mk('direct', `http://127.0.0.1:${simPort}`, sim));
  const direct = targets[0]!;
  const streamDirect = mk('direct-stream', `http://127.0.0.1:${simStreamPort}`, simStream);

  // issue #15: a real Redis Cluster (3 masters + 3 replicas; reservations wait for a replica's WAIT)
  const cluster = want('tollgate-redis-cluster') ? await startRedisCluster() : undefined;
  const gateways: [string, readonly string[]][] = [['tollgate-memory', []], ['tollgate-redis', ['--redis-url', redis.url]], ...(cluster ? [['tollgate-redis-cluster', ['--redis-url', cluster.url]] as [string, string[]]] : []), ['tollgate-off', ['--no-enforcement']]];
  for (const [name, extra] of gateways) {
    if (!want(name)) continue;
    const port = await freePort();
    const mport = await freePort();
    const p = start(name, process.execPath, ['--max-semi-space-size=4', GATEWAY_MAIN, '--config', cfgFile, '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(mport), '--log-level', 'warn', ...extra]);
    targets.push(mk(name, `http://127.0.0.1:${port}`, p, name === 'tollgate-off' ? {} : { keys, metricsBase: `http://127.0.0.1:${mport}` }));
  }
  if (want('portkey')) {
    const port = await freePort();
    const p = start('portkey', process.execPath, [portkeyBin, `--port=${port}`, '--headless']);
    targets.push(mk('portkey', `http://127.0.0.1:${port}`, p, { headers: { 'content-type': 'application/json', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': simUrl, authorization: 'Bearer dummy' } }));
  }
  if (want('litellm')) {
    const port = await freePort();
    const llcfg = join(dir, 'litellm.yaml');
    writeFileSync(llcfg, [
      'model_list:',
      `  - model_name: m1\n    litellm_params:\n      model: openai/m1\n      api_base: ${simUrl}\n      api_key: dummy`,
      `  - model_name: m-stream\n    litellm_params:\n      model: openai/m-stream\n      api_base: ${simStreamUrl}\n      api_key: dummy`,
      'litellm_settings:\n  drop_params: true\n  set_verbose: false',
    ].join('\n'));
    const master = `sk-bench-${generateKey().slice(4, 36)}`;
    const p = start('litellm', litellmBin, ['--config', llcfg, '--host', '127.0.0.1', '--port', String(port), '--num_workers', '1'], { LITELLM_MASTER_KEY: master, LITELLM_LOG: 'ERROR' });
    targets.push(mk('litellm', `http://127.0.0.1:${port}`, p, { headers: { 'content-type': 'application/json', authorization: `Bearer ${master}` } }));
  }
  for (const t of targets) {
    log(`waiting for ${t.name}`);
    await waitHttp(`${t.base}${t.name === 'portkey' ? '/' : '/v1/models'}`, { headers: t.keys ? { authorization: `Bearer ${keys[0]}` } : t.headers });
    await once(t, BODY(t.model)); // a request must succeed end to end before measuring
  }
  const idleRss = new Map<string, number>();
  await new Promise((r) => setTimeout(r, 1000));
  for (const t of targets) idleRss.set(t.name, t.pgid === undefined ? NaN : groupStats(t.pgid).rssMb);
  log(`targets up after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${targets.map((t) => t.name).join(', ')}`);

  // warm-up
  for (const t of targets) for (let i = 0; i < 200; i++) await once(t, BODY(t.model));

  if (HOSTILE_ONLY) {
    const t = targets.find((x) => x.name === 'tollgate-memory')!;
    const rowsH = await hostilePhase(t, keys);
    process.stdout.write(`${hostileReport(rowsH, t.name)}\nTotal bench time ${((Date.now() - t0) / 1000).toFixed(0)} s.\n`);
    for (const x of targets) await x.pool.close();
    await streamDirect.pool.close();
    stopAll();
    await redis.stop();
    return;
  }

  // A: added latency at concurrency 1, alternating rounds
  log('phase A: latency at concurrency 1');
  const lat = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < LAT_ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const body = BODY(t.model);
      for (let i = 0; i < LAT_PER_ROUND; i++) lat.get(t.name)!.push(await once(t, body));
    }
  }
  for (const v of lat.values()) v.sort((a, b) => a - b);

  // B: streaming time to first token at concurrency 1
  log('phase B: streaming time to first token');
  const ttftRes = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const streamTargets = targets.map((t) => (t === direct ? { ...streamDirect, name: 'direct' } : { ...t, model: t.streamModel, headers: t.name === 'portkey' ? { ...t.headers, 'x-portkey-custom-host': simStreamUrl } : t.headers }));
  const streamFailures = new Map<string, string>();
  for (let round = 0; round < TTFT_ROUNDS; round++) {
    for (const t of round % 2 === 0 ? streamTargets : [...streamTargets].reverse()) {
      if (streamFailures.has(t.name)) continue;
      const body = BODY(t.model, true);
      try {
        for (let i = 0; i < TTFT_PER_ROUND; i++) ttftRes.get(t.name)!.push(await ttft(t, body));
      } catch (e) {
        streamFailures.set(t.name, e instanceof Error ? e.message : String(e));
        ttftRes.set(t.name, []);
        log(`streaming through ${t.name} failed: ${streamFailures.get(t.name)}`);
      }
    }
  }
  for (const v of ttftRes.values()) v.sort((a, b) => a - b);

  // C: throughput steps, alternating targets within each step
  log(`phase C: throughput at concurrency ${STEPS.join(', ')} (${STEP_SECONDS} s each)`);
  const steps = new Map<string, Awaited<ReturnType<typeof load>>[]>(targets.map((t) => [t.name, []]));
  for (const c of STEPS) {
    for (const t of targets) steps.get(t.name)!.push(await load(t, c, STEP_SECONDS));
  }
  // D: hostile neighbour (issue #10): normal traffic with and without one tenant sending the worst inputs
  log('phase D: hostile neighbour');
  const hostileRows = new Map<string, HostileRow[]>();
  for (const t of targets) if (t.name === 'tollgate-memory' || t.name === 'tollgate-redis') hostileRows.set(t.name, await hostilePhase(t, keys));
  await new Promise((r) => setTimeout(r, 2000));
  const afterRss = new Map<string, number>(targets.map((t) => [t.name, t.pgid === undefined ? NaN : groupStats(t.pgid).rssMb]));

  // ---- report --------------------------------------------------------------------------------------
  const d = lat.get('direct')!;
  const dTtft = ttftRes.get('direct')!;
  const dSteps = steps.get('direct')!;
  const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  const maxRps = (name: string): { rps: number; c: number } => {
    let best = { rps: 0, c: 0 };
    steps.get(name)!.forEach((s, i) => {
      const bound = (dSteps[i]?.p99 ?? 0) + P99_BOUND_MS;
      if (s.errors === 0 && s.p99 <= bound && s.rps > best.rps) best = { rps: s.rps, c: STEPS[i]! };
    });
    return best;
  };
  const peakRps = (name: string): number => Math.max(0, ...steps.get(name)!.filter((s) => s.errors === 0).map((s) => s.rps));
  const cpuAt = (name: string): number => {
    const s = steps.get(name)!;
    const i = Math.min(s.length - 1, STEPS.indexOf(32) >= 0 ? STEPS.indexOf(32) : s.length - 1);
    return s[i]?.cpuPerReq ?? NaN;
  };
  const rows = targets.map((t) => {
    const l = lat.get(t.name)!;
    const tt = ttftRes.get(t.name)!;
    const m = maxRps(t.name);
    const loadRss = Math.max(...steps.get(t.name)!.map((s) => s.rssMb));
    return {
      name: t.name,
      p50: percentile(l, 50), p99: percentile(l, 99),
      addP50: percentile(l, 50) - percentile(d, 50), addP99: percentile(l, 99) - percentile(d, 99),
      ttftAdd: percentile(tt, 50) - percentile(dTtft, 50), ttftAdd99: percentile(tt, 99) - percentile(dTtft, 99),
      rps: m.rps, rpsC: m.c, peak: peakRps(t.name), cpu: cpuAt(t.name),
      rssIdle: idleRss.get(t.name) ?? NaN, rssLoad: loadRss, rssAfter: afterRss.get(t.name) ?? NaN,
    };
  });
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  const out: string[] = [];
  out.push('', `Machine: ${cpus().length} vCPU (${cpuModel}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${execFileSync('uname', ['-r']).toString().trim()}, Node ${process.version}; load generator, simulator and gateway share the machine.`);
  out.push(`Tollgate: ${TENANTS} tenants / ${TENANTS * KEYS_PER_TENANT} keys loaded, requests rotate over ${keys.length} keys, every control configured (2 budget windows, rpm, tpm, concurrency). Latency: ${LAT_ROUNDS}x${LAT_PER_ROUND} sequential requests per target in alternating rounds. Max RPS: highest of concurrency ${STEPS.join('/')} (${STEP_SECONDS} s each) with p99 <= direct p99 + ${P99_BOUND_MS} ms and no errors.`, '');
  out.push('| target | p50 ms | p99 ms | added p50 ms | added p99 ms | stream TTFT added p50/p99 ms | max RPS p99-bounded (at c) | peak RPS | CPU ms/req (c=32) | RSS MB idle / load / after |');
  out.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const isDirect = r.name === 'direct';
    out.push(`| ${r.name} | ${f(r.p50)} | ${f(r.p99)} | ${isDirect ? '–' : f(r.addP50)} | ${isDirect ? '–' : f(r.addP99)} | ${isDirect ? '–' : `${f(r.ttftAdd)} / ${f(r.ttftAdd99)}`} | ${f(r.rps, 0)} (${r.rpsC}) | ${f(r.peak, 0)} | ${f(r.cpu, 3)} | ${f(r.rssIdle, 0)} / ${f(r.rssLoad, 0)} / ${f(r.rssAfter, 0)} |`);
  }
  for (const [name, why] of streamFailures) out.push('', `Streaming through ${name} failed (${why}); its TTFT column is empty.`);
  out.push('', 'Throughput steps (rps / p99 ms per concurrency):');
  for (const t of targets) out.push(`  ${t.name.padEnd(16)} ${steps.get(t.name)!.map((s, i) => `c${STEPS[i]}: ${f(s.rps, 0)}/${f(s.p99, 1)}${s.errors ? ` (${s.errors} err)` : ''}`).join('  ')}`);
  const tg = rows.find((r) => r.name === 'tollgate-memory');
  const pk = rows.find((r) => r.name === 'portkey');
  const ll = rows.find((r) => r.name === 'litellm');
  for (const [name, hr] of hostileRows) out.push(hostileReport(hr, name));
  out.push('', `Total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (tg) {
    const ratio = (a: number, b: number | undefined): string => (b && b > 0 ? (a / b).toFixed(2) : 'nan');
        // rps: the p99-bounded figure. The ratios compare peak RPS (same single process, same machine, no
    // errors): on a shared 2-core box the peers rarely meet the p99 bound at any step, which would make a
    // bounded ratio infinite rather than informative.
    process.stdout.write(`RESULT p50_added_ms=${f(tg.addP50, 3)} p99_added_ms=${f(tg.addP99, 3)} rps=${f(tg.rps, 0)} rps_vs_portkey=${ratio(tg.peak, pk?.peak)} rps_vs_litellm=${ratio(tg.peak, ll?.peak)} rss_mb=${f(tg.rssLoad, 0)}\n`);
  }
  for (const t of targets) await t.pool.close();
  await streamDirect.pool.close();
  stopAll();
  await redis.stop();
  await cluster?.stop();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    stopAll();
    process.exit(1);
  },
);
