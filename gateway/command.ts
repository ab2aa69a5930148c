// The gateway's command line: `node gateway/main.ts <flags>` (the container entry, no CLI) and
// `tollgate gateway <flags>` (cli/commands/gateway.ts, which adds `-f`: manifests compiled on the fly by the
// operator's compiler, which the gateway itself never imports). Flags -> StartOptions is a pure step
// (`gatewayOptions`); heavy modules are imported after the re-exec check, so the parent that only waits for
// the child stays small.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Logger } from 'pino';
import { REDIS_URL_ENV, RedisUrlError, resolveRedisUrl } from './redis-url.ts';
import { compactHeap, tuneHeap } from './heap.ts';
import { reexecWithGatewayFlags } from './reexec.ts';
import type { ConfigSourceSpec, StartOptions } from './server.ts';

/** A flag the command cannot take (the CLI prints it with the usage and exits 2). */
export class GatewayUsageError extends Error {}

/** Manifests -> a config loader (the CLI's `-f`: the operator's compiler; absent in the container entry). */
export type ManifestLoader = (spec: {
  readonly paths: readonly string[];
  readonly recursive: boolean;
  readonly upstreamOverrides: ReadonlyMap<string, string>;
  readonly log: Logger;
}) => () => Promise<unknown>;

export const summary =
  'run the gateway: enforce a gateway config (file, or manifests compiled on the fly) on every request';
export const usage = [
  'tollgate gateway (--config FILE | -f PATH... [-R] | --from-cluster [--namespace NS] [--kubeconfig PATH]) [flags]',
  '',
  '  --from-cluster             watch the config the operator publishes (Secrets in --namespace); hot-swapped',
  '  --namespace NS             gateway namespace for --from-cluster (default $POD_NAMESPACE or tollgate-system)',
  '  --kubeconfig PATH          for --from-cluster outside a pod (default: in-cluster credentials, then $KUBECONFIG)',
  '  --config FILE              gateway config (JSON or YAML, e.g. `tollgate render --gateway-config`); watched and hot-reloaded',
  '  -f, --filename PATH        compile LLMModel/LLMTenant/LLMPolicy/Secret manifests on the fly (same compiler as render); watched',
  '                             (the `tollgate` CLI only: `node gateway/main.ts` does not ship the compiler)',
  '  -R, --recursive            descend into folders given with -f',
  '  --host ADDR                listen address (default 127.0.0.1; use 0.0.0.0 in a pod)',
  '  --port N                   tenant-facing port (default 8080)',
  '  --metrics-host ADDR        admin listen address (default: --host)',
  '  --metrics-port N           admin port: /metrics, /healthz, /readyz with detail (default 9090)',
  '  --redis-url URL            shared store for many replicas (redis://, rediss://, redis+cluster://h:p,h:p, redis+sentinel://h:p/master); default in-memory',
  '  --redis-url-file FILE      the same URL read from a file (a mounted Secret; trimmed): keeps the password out of argv',
  `                             or set $${REDIS_URL_ENV}; give at most one of the three. The URL is never logged`,
  '  --tls-cert FILE            serve the tenant port over TLS 1.3 only, certificate chain from this PEM file',
  '  --tls-key FILE             its private key (PEM); both files are re-read every 5 s and a renewed pair served',
  '                             without a restart (a pair that does not load keeps the old one). Admin port stays HTTP',
  '  --rate-limit-failure-mode closed|local   rpm/tpm/concurrency when Redis is unreachable (default closed; budgets always fail closed)',
  '  --upstream NAME=URL        point served model NAME at URL (repeatable), e.g. --upstream llama=http://127.0.0.1:8000/v1',
  '  --upstream-credentials-dir DIR   one file per upstream credential (mounted Secret), file name = credentialKey',
  '  --trust-proxy VALUE        trust X-Forwarded-For from these proxies (true, a CIDR list "10.0.0.0/8,127.0.0.1", ...)',
  '  --connect-timeout-ms N, --first-byte-timeout-ms N, --idle-timeout-ms N, --total-timeout-ms N   upstream timeouts',
  '  --request-timeout-ms N     a request (headers and body) must arrive within N ms of its start (default 30000, min 1000)',
  '  --judge-concurrency N      in-flight calls per judge model on this replica (default 64); a tenant holds at most',
  '                             a quarter: beyond it its calls wait up to the judge timeout, then are refused',
  '  --watch-interval-ms N      config poll interval (default 1000)',
  '  --log-level LEVEL          pino level (default info)',
  '  --no-enforcement           BENCHMARK ONLY: no auth, no limits, no accounting',
  '',
  '  $TOLLGATE_HEAP_GROWING_PERCENT   how far the V8 heap may grow between two full GCs, in percent of what the last',
  '                             one kept (integer 0-400, default 50; 0: V8 decides, up to 300): lower = less RSS, more GC',
].join('\n');

const FLAGS = {
  config: { type: 'string' },
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R', default: false },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8080' },
  'metrics-host': { type: 'string' },
  'metrics-port': { type: 'string', default: '9090' },
  'redis-url': { type: 'string' },
  'redis-url-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'rate-limit-failure-mode': { type: 'string', default: 'closed' },
  upstream: { type: 'string', multiple: true },
  'upstream-credentials-dir': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'connect-timeout-ms': { type: 'string' },
  'first-byte-timeout-ms': { type: 'string' },
  'idle-timeout-ms': { type: 'string' },
  'total-timeout-ms': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
  'judge-concurrency': { type: 'string' },
  'watch-interval-ms': { type: 'string', default: '1000' },
  'log-level': { type: 'string', default: 'info' },
  'no-enforcement': { type: 'boolean', default: false },
  'from-cluster': { type: 'boolean', default: false },
  namespace: { type: 'string' },
  kubeconfig: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export type GatewayFlags = ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>['values'];

/** argv -> flag values (unknown flags and missing values are usage errors). */
export function parseGatewayFlags(argv: readonly string[]): GatewayFlags {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true }).values;
  } catch (err) {
    throw new GatewayUsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

function upstreamMap(list: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new GatewayUsageError(`--upstream wants NAME=URL, got "${item}"`);
    const url = item.slice(eq + 1);
    try {
      new URL(url);
    } catch {
      throw new GatewayUsageError(`--upstream ${item.slice(0, eq)}: "${url}" is not a URL`);
    }
    out.set(item.slice(0, eq), url);
  }
  return out;
}

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new GatewayUsageError(`${name} must be a non-negative integer`);
  return n;
}

const TIMEOUT_FLAGS = {
  connectMs: 'connect-timeout-ms',
  firstByteMs: 'first-byte-timeout-ms',
  idleMs: 'idle-timeout-ms',
  totalMs: 'total-timeout-ms',
} as const;

function timeouts(values: GatewayFlags): Partial<Record<keyof typeof TIMEOUT_FLAGS, number>> {
  const out: Partial<Record<keyof typeof TIMEOUT_FLAGS, number>> = {};
  for (const [k, flag] of Object.entries(TIMEOUT_FLAGS) as [keyof typeof TIMEOUT_FLAGS, string][]) {
    const n = intFlag(values[flag as keyof GatewayFlags] as string | undefined, `--${flag}`);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

function trustProxy(tp: string | undefined): boolean | string[] | undefined {
  if (tp === undefined) return undefined;
  if (tp === 'true' || tp === 'false') return tp === 'true';
  return tp.split(',').map((s) => s.trim());
}

/** Where the config comes from: exactly one of --config, -f (needs a manifest loader) and --from-cluster. */
function configSource(
  values: GatewayFlags,
  env: Readonly<Record<string, string | undefined>>,
  upstreams: ReadonlyMap<string, string>,
  log: Logger,
  manifests: ManifestLoader | undefined,
): ConfigSourceSpec {
  const paths = values.filename ?? [];
  if ([values.config !== undefined, paths.length > 0, values['from-cluster']].filter(Boolean).length !== 1)
    throw new GatewayUsageError('give exactly one of --config FILE, -f PATH... or --from-cluster');
  if (values['from-cluster'])
    return {
      kind: 'cluster',
      namespace: values.namespace ?? env['POD_NAMESPACE'] ?? 'tollgate-system',
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    };
  if (values.config !== undefined) return { kind: 'file', path: values.config };
  if (!manifests)
    throw new GatewayUsageError(
      '-f needs the manifest compiler, which the gateway entry point does not ship: run `tollgate gateway -f`, or give --config or --from-cluster',
    );
  const load = manifests({ paths, recursive: values.recursive, upstreamOverrides: upstreams, log });
  return { kind: 'loader', paths, load, label: `manifests:${paths.join(',')}` };
}

/**
 * Flag values -> the gateway's start options (pure but for the logger it is handed: no I/O, nothing started).
 * `env` supplies $TOLLGATE_REDIS_URL and $POD_NAMESPACE.
 */
export function gatewayOptions(
  values: GatewayFlags,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  manifests?: ManifestLoader,
): StartOptions {
  const mode = values['rate-limit-failure-mode'];
  if (mode !== 'closed' && mode !== 'local')
    throw new GatewayUsageError('--rate-limit-failure-mode must be closed or local');
  const upstreams = upstreamMap(values.upstream ?? []);
  let redisUrl: string | undefined;
  try {
    redisUrl = resolveRedisUrl({ flag: values['redis-url'], file: values['redis-url-file'], env: env[REDIS_URL_ENV] });
  } catch (e) {
    if (e instanceof RedisUrlError) throw new GatewayUsageError(e.message);
    throw e;
  }
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined))
    throw new GatewayUsageError('give --tls-cert and --tls-key together');
  const tp = trustProxy(values['trust-proxy']);
  const credentialsDir = values['upstream-credentials-dir'];
  const requestTimeoutMs = intFlag(values['request-timeout-ms'], '--request-timeout-ms');
  if (requestTimeoutMs !== undefined && requestTimeoutMs < 1000)
    throw new GatewayUsageError('--request-timeout-ms must be at least 1000 (0 would let a body take forever)');
  const judgeConcurrency = intFlag(values['judge-concurrency'], '--judge-concurrency');
  if (judgeConcurrency !== undefined && judgeConcurrency < 1)
    throw new GatewayUsageError('--judge-concurrency must be at least 1');
  return {
    config: configSource(values, env, upstreams, log, manifests),
    host: values.host,
    port: intFlag(values.port, '--port')!,
    metricsHost: values['metrics-host'] ?? values.host,
    metricsPort: intFlag(values['metrics-port'], '--metrics-port')!,
    ...(redisUrl !== undefined ? { redisUrl } : {}),
    ...(cert !== undefined && key !== undefined ? { tls: { certFile: cert, keyFile: key } } : {}),
    rateLimitFailureMode: mode,
    upstreamOverrides: upstreams,
    ...(credentialsDir !== undefined ? { credentialsDir } : {}),
    logger: log,
    watchIntervalMs: intFlag(values['watch-interval-ms'], '--watch-interval-ms')!,
    handleSignals: true,
    app: {
      enforcement: !values['no-enforcement'],
      timeouts: timeouts(values),
      ...(tp !== undefined ? { trustProxy: tp } : {}),
      ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
      ...(judgeConcurrency !== undefined ? { judgeConcurrency } : {}),
    },
  };
}

/** Runs the gateway until a signal (its handlers drain and exit); 1 when a file config does not load. */
export async function runGateway(argv: readonly string[], opts: { manifests?: ManifestLoader } = {}): Promise<number> {
  const values = parseGatewayFlags(argv);
  const child = await reexecWithGatewayFlags();
  if (child !== undefined) return child;
  tuneHeap();
  const [{ createLogger }, { startGateway }] = await Promise.all([import('./audit.ts'), import('./server.ts')]);
  const log = createLogger({ level: values['log-level'] });
  const options = gatewayOptions(values, process.env, log, opts.manifests);
  if (values['no-enforcement'])
    log.warn({ event: 'enforcement_off' }, 'ENFORCEMENT IS OFF: no auth, no limits, no accounting (benchmarking only)');
  const gw = await startGateway({
    ...options,
    beforeServing: () => {
      const t0 = performance.now();
      compactHeap();
      log.info({ event: 'heap_compacted', ms: Math.round(performance.now() - t0) }, 'heap compacted before serving');
    },
  });
  if (!gw.initial.ok && options.config.kind !== 'cluster') {
    console.error(`tollgate gateway: no valid config: ${gw.initial.error.message}`);
    await gw.close();
    return 1;
  }
  process.stderr.write(
    `tollgate gateway: serving ${gw.url}/v1 (config ${gw.holder.current?.hash ?? 'none yet: not ready until the operator publishes one'}); metrics ${gw.metricsUrl}/metrics\n`,
  );
  await new Promise<never>(() => undefined);
  return 0;
}

/** The container entry's main: --help, usage errors (exit 2) and failures (exit 1) as the CLI prints them. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`Usage: ${usage}\n\n${summary}`);
    return 0;
  }
  try {
    return await runGateway(argv);
  } catch (err) {
    if (err instanceof GatewayUsageError) {
      console.error(`tollgate gateway: ${err.message}\nUsage: ${usage}`);
      return 2;
    }
    console.error(`tollgate gateway: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
