// What the gateway's memory does under load (prints figures; not a test). Starts the simulator and one
// gateway as bench/gateway/run.ts runs `tollgate-memory` (N tenants / 5 keys each, the shipped V8 flags and
// malloc setting, a warm compile cache), with bench/gateway/mem-probe.mjs loaded, then: idle after start, `--concurrency`
// requests in flight for `--seconds` rotating over 1,000 keys (RSS sampled every 100 ms), and after the load —
// RSS as it is, then after a full GC with process.memoryUsage() and the RSS by mapping. `--flag` adds a V8 flag,
// `--env K=V` an environment variable (both repeatable), `--heap-snapshot DIR` writes a heap snapshot after the
// load (node --heapsnapshot-signal), `--trace-gc` prints the gateway's GC trace to stderr, `--smaps FILE` copies
// its /proc/PID/smaps after the load; `--alloc-profile FILE` writes what the load allocated (alloc-probe.mjs:
// every allocation sampled, collected ones included) instead of the memory figures. `--idle S` waits S seconds after the load before the last figures.
// Usage: node bench/gateway/mem-load.ts [--tenants 10000] [--concurrency 128] [--seconds 8] [--flag=--x]…
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { generateKey } from '../../api/keys.ts';
import type { CfgTenant } from '../../api/gateway-config.ts';
import { freePort, gatewayArgs } from '../../gateway/test/net.ts';
import { GATEWAY_MALLOC_ENV } from '../../gateway/heap.ts';
import { GATEWAY_V8_FLAGS } from '../../gateway/reexec.ts';
import { benchConfig, benchTenant } from './config.ts';
import { warmCompileCache } from './compile-cache.ts';
import { Procs } from './procs.ts';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '128' },
    seconds: { type: 'string', default: '8' },
    idle: { type: 'string', default: '0' },
    flag: { type: 'string', multiple: true, default: [] },
    env: { type: 'string', multiple: true, default: [] },
    'heap-snapshot': { type: 'string' },
    'trace-gc': { type: 'boolean', default: false },
    smaps: { type: 'string' },
    'alloc-profile': { type: 'string' },
  },
});
const ROOT = new URL('../..', import.meta.url).pathname;
const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const rssOf = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** CPU seconds (user + system) of a process. */
const cpuOf = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

/** 256 KB anonymous mappings resident (V8 heap pages) and their resident total. */
function v8Pages(pid: number): { n: number; bytes: number } {
  let n = 0;
  let bytes = 0;
  let anon256 = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) anon256 = (m[3] ?? '') === '' && parseInt(m[2]!, 16) - parseInt(m[1]!, 16) === 256 * 1024;
    else if (anon256 && line.startsWith('Rss:')) {
      const kb = Number(line.split(/\s+/)[1]);
      if (kb > 0) n++;
      bytes += kb * 1024;
    }
  }
  return { n, bytes };
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN;
}

interface Drive {
  done: number;
  errors: number;
  peak: number;
  cpuMs: number;
  /** p50, p99, p99.9 ms */
  pcts: number[];
}

/** `--concurrency` requests in flight for `--seconds` against base, rotating over keys; RSS and CPU of pid. */
async function drive(base: string, body: string, keys: readonly string[], pid: number | undefined): Promise<Drive> {
  const pool = new Pool(base, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  let k = 0;
  let done = 0;
  let errors = 0;
  let peak = 0;
  const lat: number[] = [];
  const sampler = setInterval(() => {
    if (pid !== undefined) peak = Math.max(peak, rssOf(pid));
  }, 100);
  const end = performance.now() + Number(values.seconds) * 1000;
  const cpu0 = pid === undefined ? 0 : cpuOf(pid);
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const r = await pool.request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[k++ % keys.length]}` },
        body,
      });
      await r.body.dump();
      lat.push(performance.now() - t0);
      if (r.statusCode === 200) done++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  clearInterval(sampler);
  await pool.close();
  const cpuMs = pid === undefined ? NaN : ((cpuOf(pid) - cpu0) * 1000) / done;
  lat.sort((a, b) => a - b);
  return { done, errors, peak, cpuMs, pcts: [pct(lat, 50), pct(lat, 99), pct(lat, 99.9)] };
}

async function waitHttp(url: string, headers: Record<string, string>): Promise<void> {
  const end = Date.now() + 120_000;
  for (;;) {
    try {
      const r = await fetch(url, { headers });
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`${url} not up`);
    await sleep(200);
  }
}

function probe(p: ChildProcess, err: { text: string }): Promise<Record<string, unknown>> {
  const before = err.text.length;
  p.kill('SIGUSR2');
  return new Promise((resolve, reject) => {
    const end = Date.now() + 10_000;
    const poll = (): void => {
      const m = /MEM (\{.*\})\n/.exec(err.text.slice(before));
      if (m) resolve(JSON.parse(m[1]!) as Record<string, unknown>);
      else if (Date.now() > end) reject(new Error('no MEM line'));
      else setTimeout(poll, 50);
    };
    poll();
  });
}

function line(label: string, m: Record<string, unknown>, pages: { n: number; bytes: number }): string {
  const maps = m.maps as Record<string, number>;
  const spaces = Object.entries(m.spaces as Record<string, number[]>)
    .filter(([, v]) => v[2]! > 512 * 1024)
    .map(([k, v]) => `${k.replace('_space', '')} ${mb(v[0]!)}/${mb(v[1]!)}/${mb(v[2]!)}`)
    .join(', ');
  return `${label.padEnd(22)} RSS ${mb(m.rss as number)}  heap ${mb(m.heapUsed as number)} / ${mb(m.heapTotal as number)}  external ${mb(m.external as number)}  binary ${mb(maps.binary!)}  anon ${mb(maps.anon!)}  malloc ${mb(maps.brk!)}  V8 pages ${pages.n} (${mb(pages.bytes)})\n  spaces size/used/physical: ${spaces}\n  ${JSON.stringify(m.heapStats)}\n  cpp ${JSON.stringify(m.cpp)}`;
}

async function main(): Promise<void> {
  const tenants = Number(values.tenants);
  // every process in its own group, stopped on any exit (SIGINT included); a death during the run is fatal
  const procs = new Procs((s) => void process.stderr.write(`mem-load: ${s}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-memload-'));
  procs.tempDir(dir);
  try {
    const simPort = await freePort();
    procs.start(
      'simulator',
      process.execPath,
      ['gateway/sim/main.ts', '--port', String(simPort), '--output-tokens', '16'],
      {
        cwd: ROOT,
      },
    );
    const simUrl = `http://127.0.0.1:${simPort}/v1`;
    const keys: string[] = [];
    const ts: CfgTenant[] = [];
    for (let i = 0; i < tenants; i++) {
      const ks = Array.from({ length: 5 }, () => generateKey());
      if (i % Math.max(1, Math.floor(tenants / 1000)) === 0) keys.push(ks[0]!);
      ts.push(benchTenant(i, ks));
    }
    const cfgFile = join(dir, 'gateway-config.json');
    writeFileSync(cfgFile, JSON.stringify(benchConfig(simUrl, simUrl, ts)));
    const flags = [...GATEWAY_V8_FLAGS, ...values.flag];
    const nodeFlags = [
      ...flags,
      '--expose-gc',
      '--import',
      join(ROOT, values['alloc-profile'] ? 'bench/gateway/alloc-probe.mjs' : 'bench/gateway/mem-probe.mjs'),
      ...(values['heap-snapshot']
        ? ['--heapsnapshot-signal=SIGUSR1', `--diagnostic-dir=${values['heap-snapshot']}`]
        : []),
      ...(values['trace-gc'] ? ['--trace-gc'] : []),
    ];
    // the compile cache is kept per V8 flag set: warmed with the very flags the gateway runs with
    const env: Record<string, string> = {
      ...warmCompileCache(ROOT, join(dir, 'cc'), nodeFlags),
      ...GATEWAY_MALLOC_ENV,
      ...(values['alloc-profile'] ? { ALLOC_PROFILE_FILE: values['alloc-profile'] } : {}),
      ...Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    };
    const port = await freePort();
    const mport = await freePort();
    const gw: ChildProcess = procs.start(
      'gateway',
      process.execPath,
      [
        ...nodeFlags,
        'gateway/main.ts',
        ...gatewayArgs({ config: cfgFile, port, metricsPort: mport, logLevel: 'warn' }),
      ],
      { cwd: ROOT, env, stdout: values['trace-gc'] ? 'pipe' : 'ignore' },
    );
    const err = { text: '' };
    // --trace-gc lines: `[pid:0x…]  1017 ms: Mark-Compact 63.5 (68.8) -> 40.8 (51.5) MB, pooled: 2 MB, 14.55 / 0.00 ms …`
    const gcs: { kind: string; ms: number }[] = [];
    let outBuf = '';
    gw.stdout?.on('data', (d: Buffer) => {
      outBuf += d.toString();
      const lines = outBuf.split('\n');
      outBuf = lines.pop()!;
      for (const l of lines) {
        const m = /ms: (Scavenge|Mark-Compact|Minor Mark-Sweep)\b.*?MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \//.exec(l);
        if (m) gcs.push({ kind: m[1]!, ms: Number(m[2]) });
      }
    });
    gw.stderr!.on('data', (d: Buffer) => {
      err.text += d.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(`${base}/v1/models`, { authorization: `Bearer ${keys[0]}` });
    await sleep(1000);
    const pid = gw.pid!;
    console.log(`flags: ${flags.join(' ')}  env: ${values.env.join(' ') || '-'}  tenants ${tenants}`);
    console.log(`idle (no GC)            RSS ${mb(rssOf(pid))}  V8 pages ${v8Pages(pid).n}`);
    if (values['alloc-profile']) gw.kill('SIGUSR1');
    else console.log(line('idle (after full GC)', await probe(gw, err), v8Pages(pid)));
    const body = JSON.stringify({
      model: 'm1',
      messages: [{ role: 'user', content: 'Write one sentence about toll roads.' }],
      max_tokens: 16,
    });
    // the simulator alone first (the baseline of "added" latency), then the gateway
    const direct = await drive(`http://127.0.0.1:${simPort}`, body, keys, undefined);
    const gcBefore = gcs.length;
    const r = await drive(base, body, keys, pid);
    // failed requests of a dead target report the death, not the symptom
    procs.failIfOneDied();
    const during = gcs.slice(gcBefore);
    const scav = during.filter((g) => g.kind === 'Scavenge');
    const majors = during.filter((g) => g.kind !== 'Scavenge');
    const ms = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' / ');
    console.log(
      `load: c=${values.concurrency} ${values.seconds} s, ${r.done} ok (${(r.done / Number(values.seconds)).toFixed(0)}/s), ${r.errors} errors; CPU ${r.cpuMs.toFixed(3)} ms/req; peak RSS ${mb(r.peak)}; load ${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(
      `latency p50 / p99 / p99.9 ms: gateway ${ms(r.pcts)}, direct ${ms(direct.pcts)}, added ${ms(r.pcts.map((x, i) => x - direct.pcts[i]!))}`,
    );
    if (values['trace-gc'])
      console.log(
        `GC during the load: ${scav.length} scavenges (${(scav.length / r.done).toFixed(4)}/request, pause p50 ${pct(
          scav.map((g) => g.ms).sort((a, b) => a - b),
          50,
        ).toFixed(
          2,
        )} ms, max ${Math.max(0, ...scav.map((g) => g.ms)).toFixed(2)} ms), ${majors.length} mark-compacts (pauses ${majors.map((g) => g.ms.toFixed(1)).join(', ')} ms)`,
      );
    if (values['alloc-profile']) {
      gw.kill('SIGUSR2');
      const until = Date.now() + 20_000;
      while (!err.text.includes('ALLOC-PROFILE-WRITTEN') && Date.now() < until) await sleep(100);
      console.log(`allocation profile of the load in ${values['alloc-profile']}`);
      procs.expectExit(gw.pid);
      gw.kill('SIGTERM');
      return;
    }
    console.log(`after load (no GC)      RSS ${mb(rssOf(pid))}  V8 pages ${v8Pages(pid).n}`);
    if (Number(values.idle) > 0) {
      await sleep(Number(values.idle) * 1000);
      console.log(`after ${values.idle} s idle (no GC)  RSS ${mb(rssOf(pid))}  V8 pages ${v8Pages(pid).n}`);
    }
    console.log(line('after load (full GC)', await probe(gw, err), v8Pages(pid)));
    if (values.smaps) writeFileSync(values.smaps, readFileSync(`/proc/${pid}/smaps`));
    if (values['heap-snapshot']) {
      gw.kill('SIGUSR1');
      await sleep(8000);
      console.log(`heap snapshot in ${values['heap-snapshot']}`);
    }
    // a clean exit (the gateway drains on SIGTERM): profiles asked for with --flag (--heap-prof, --cpu-prof) are
    // written then
    procs.expectExit(gw.pid);
    gw.kill('SIGTERM');
    await new Promise((r) => gw.once('exit', r));
  } finally {
    procs.stopAll();
  }
}

await main();
