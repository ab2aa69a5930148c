// What a loaded gateway config costs the gateway process (prints figures; not a test). The parent
// generates a config shaped like bench/gateway's (N tenants, 5 keys each, every control configured) and
// runs one child per mode, with the gateway's V8 flags, that loads it the way the gateway does:
//   file     `--config FILE`: the file watcher's first load into the ConfigHolder
//   cluster  `--from-cluster`: the config Secrets (index + shards, as the operator publishes them) listed
//            by the config source's informer from a fake API (no cluster), reassembled, verified, swapped
//   gateway  the whole gateway process (`node gateway/main.ts --config FILE`, V8 flags and malloc env as shipped), once with
//            an empty config (the module baseline) and once with the N-tenant config, each without and with a
//            warm compile cache (NODE_COMPILE_CACHE, as the chart runs it): process.memoryUsage() after a full
//            GC (heap used/total, external, arrayBuffers, bytecode) and RSS by mapping (bench/gateway/mem-probe.mjs)
// Each config child prints heap and RSS after a full GC with its modules loaded (baseline), the peak RSS while
// loading, and heap and RSS after a full GC with the config in force (retained).
// Usage: node bench/gateway-config-memory.ts [--tenants 10000] [--mode file,cluster,gateway] [--heap-snapshot DIR]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { warmCompileCache } from './gateway/compile-cache.ts';
import { benchConfig, benchTenant } from './gateway/config.ts';
import { freePort, gatewayArgs } from '../gateway/test/net.ts';
import { GATEWAY_MALLOC_ENV } from '../gateway/heap.ts';
import { GATEWAY_V8_FLAGS } from '../gateway/reexec.ts';
import type { GatewayConfig } from '../api/gateway-config.ts';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '10000' },
    mode: { type: 'string', default: 'file,cluster,gateway' },
    child: { type: 'string' },
    input: { type: 'string' },
    'heap-snapshot': { type: 'string' },
  },
});
const GW_NS = 'tollgate-system';
const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);

function generate(n: number): GatewayConfig {
  const tenants = Array.from({ length: n }, (_, i) =>
    benchTenant(
      i,
      Array.from({ length: 5 }, (_, j) => `tg-bench-${i}-${j}`),
    ),
  );
  return benchConfig('http://127.0.0.1:9/v1', 'http://127.0.0.1:9/v1', tenants);
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
};
const usage = (): { heap: number; rss: number } => {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
};

async function child(mode: string, input: string): Promise<void> {
  // Everything the load path needs, imported before the baseline.
  const { ConfigHolder } = await import('../gateway/config/holder.ts');
  const { ConfigText, readConfigFile } = await import('../gateway/config/source.ts');
  const { ClusterConfigSource } = await import('../gateway/config/cluster.ts');
  const holder = new ConfigHolder();
  const base = usage();
  const t0 = performance.now();
  let stop = (): void => undefined;
  if (mode === 'file') {
    const raw = await readConfigFile(input);
    const r =
      raw instanceof ConfigText
        ? await holder.applyText(raw.chunks(), `file:${input}`)
        : holder.apply(raw, `file:${input}`);
    if (!r.ok) throw new Error(r.error.message);
  } else {
    type Obj = { metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<
      string,
      unknown
    >;
    // The API server's answers: one JSON file per Secret, read and parsed per answer as the client does.
    const names = readdirSync(input)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    const read = (name: string): Obj | undefined =>
      names.includes(name) ? (JSON.parse(readFileSync(join(input, `${name}.json`), 'utf8')) as Obj) : undefined;
    const fake = {
      // Honours what the sources ask for: a label selector `key!=value` and a field selector by name.
      list: async (_r: unknown, o: { labelSelector?: string; fieldSelector?: string; transform?: (x: Obj) => Obj }) => {
        const byName = o.fieldSelector?.startsWith('metadata.name=')
          ? o.fieldSelector.slice('metadata.name='.length)
          : undefined;
        const not = /([^,=!]+)!=([^,]+)/.exec(o.labelSelector ?? '');
        const items = names
          .filter((n) => byName === undefined || n === byName)
          .map((n) => read(n)!)
          .filter((x) => !not || x.metadata.labels?.[not[1]!] !== not[2]);
        return { items: items.map((x) => (o.transform ? o.transform(x) : x)), resourceVersion: '1' };
      },
      get: async (_r: unknown, _ns: string, name: string) => read(name),
      watch: (_p: string, _q: unknown, _cb: unknown, signal: AbortSignal) =>
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
      request: async () => ({}),
    };
    const src = new ClusterConfigSource({
      client: fake as never,
      namespace: GW_NS,
      holder,
      credentials: new Map(),
      replicaName: 'bench',
      log: () => undefined,
    });
    await src.start();
    for (let i = 0; i < 200 && !holder.current; i++) await new Promise((r) => setTimeout(r, 50));
    if (!holder.current) throw new Error(`not loaded: ${holder.lastError?.message ?? '?'}`);
    stop = () => src.stop();
  }
  const loadMs = performance.now() - t0;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const after = usage();
  if (values['heap-snapshot']) {
    const { writeHeapSnapshot } = await import('node:v8');
    console.error(
      `heap snapshot: ${writeHeapSnapshot(join(values['heap-snapshot'], `gateway-config-${mode}.heapsnapshot`))}`,
    );
  }
  const snap = holder.current!;
  console.log(
    JSON.stringify({
      mode,
      keys: snap.keys.size,
      tenants: snap.tenantCount,
      loadMs: Math.round(loadMs),
      baseHeap: base.heap,
      baseRss: base.rss,
      peakRss,
      heap: after.heap,
      rss: after.rss,
    }),
  );
  stop();
}

interface GatewayMem {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  bytecode: number;
  scriptSource: number;
  hwm: number;
  maps: { binary: number; anon: number; brk: number; other: number };
}

/** One gateway process with FILE loaded: its memory after a full GC, once it is ready. */
async function gatewayMemory(file: string, env: Record<string, string>): Promise<GatewayMem> {
  const port = await freePort();
  const mport = await freePort();
  const p = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...GATEWAY_V8_FLAGS,
      '--import',
      join(import.meta.dirname, 'gateway/mem-probe.mjs'),
      join(import.meta.dirname, '../gateway/main.ts'),
      ...gatewayArgs({ config: file, port, metricsPort: mport, logLevel: 'warn' }),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TOLLGATE_NO_REEXEC: '1', ...GATEWAY_MALLOC_ENV, ...env },
    },
  );
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error(`gateway not ready: ${err.slice(-500)}`);
      const ok = await fetch(`http://127.0.0.1:${mport}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000)); // guards compiled, timers settled
    p.kill('SIGUSR2');
    for (let i = 0; i < 100 && !/MEM .*\n/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
    const line = /MEM (.*)\n/.exec(err)?.[1];
    if (!line) throw new Error(`no MEM line: ${err.slice(-500)}`);
    return JSON.parse(line) as GatewayMem;
  } finally {
    p.kill('SIGTERM');
  }
}

async function gatewayMode(dir: string, file: string): Promise<void> {
  const empty = join(dir, 'gateway-config-empty.json');
  writeFileSync(empty, JSON.stringify(benchConfig('http://127.0.0.1:9/v1', 'http://127.0.0.1:9/v1', [])));
  const cacheEnv = warmCompileCache(join(import.meta.dirname, '..'), join(dir, 'node-compile-cache'), [
    '--expose-gc',
    ...GATEWAY_V8_FLAGS,
  ]);
  console.log(
    '\ngateway process (node gateway/main.ts, after a full GC; MB)\n' +
      'config   compile cache  RSS    peak   heap used/total  external  arrayBuffers  bytecode  RSS: binary  anon   malloc',
  );
  for (const [label, f] of [
    ['empty', empty],
    ['N', file],
  ] as const)
    for (const cached of [false, true]) {
      const m = await gatewayMemory(f, cached ? cacheEnv : {});
      console.log(
        `${(label === 'N' ? values.tenants : label).padEnd(8)} ${(cached ? 'warm' : 'none').padEnd(13)}  ${mb(m.rss).padStart(5)}  ${mb(m.hwm).padStart(5)}  ${mb(m.heapUsed).padStart(6)} / ${mb(m.heapTotal).padEnd(6)}  ${mb(m.external).padStart(8)}  ${mb(m.arrayBuffers).padStart(12)}  ${mb(m.bytecode).padStart(8)}  ${mb(m.maps.binary).padStart(11)}  ${mb(m.maps.anon).padStart(5)}  ${mb(m.maps.brk).padStart(6)}`,
      );
    }
}

async function main(): Promise<void> {
  if (values.child) return child(values.child, values.input ?? '');
  const n = Number(values.tenants);
  const dir = mkdtempSync(join(tmpdir(), 'tg-cfgmem-'));
  try {
    const cfg = generate(n);
    const file = join(dir, 'gateway-config.json');
    writeFileSync(file, JSON.stringify(cfg));
    const { configSecrets } = await import('../operator/compiler/delivery.ts');
    const secrets = configSecrets(cfg, GW_NS).map((s) => {
      const { stringData, ...rest } = s;
      return {
        ...rest,
        metadata: { ...rest.metadata, resourceVersion: '1' },
        data: Object.fromEntries(
          Object.entries(stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
      };
    });
    const secretsDir = join(dir, 'secrets');
    mkdirSync(secretsDir);
    for (const s of secrets) writeFileSync(join(secretsDir, `${s.metadata?.name ?? ''}.json`), JSON.stringify(s));
    console.log(
      `config: ${n} tenants, ${n * 5} keys, ${mb(readFileSync(file).length)} MB JSON, ${secrets.length - 1} shards`,
    );
    console.log(
      'mode     load ms  baseline heap/RSS MB  peak RSS MB  retained heap/RSS MB  config heap MB (retained - baseline)',
    );
    for (const mode of values.mode.split(',')) {
      if (mode === 'gateway') continue;
      const out = execFileSync(
        process.execPath,
        [
          '--expose-gc',
          '--max-semi-space-size=4',
          import.meta.filename,
          '--child',
          mode,
          '--input',
          mode === 'file' ? file : secretsDir,
          ...(values['heap-snapshot'] ? ['--heap-snapshot', values['heap-snapshot']] : []),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TOLLGATE_NO_REEXEC: '1' } },
      );
      const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
      console.log(
        `${mode.padEnd(8)} ${String(r['loadMs']).padStart(7)}  ${mb(r['baseHeap']!).padStart(8)} / ${mb(r['baseRss']!).padEnd(9)}  ${mb(r['peakRss']!).padStart(11)}  ${mb(r['heap']!).padStart(8)} / ${mb(r['rss']!).padEnd(9)}  ${mb(r['heap']! - r['baseHeap']!)}`,
      );
    }
    if (values.mode.split(',').includes('gateway')) await gatewayMode(dir, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
