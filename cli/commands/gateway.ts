// tollgate gateway (--config FILE | -f PATH...) [--port N] [--metrics-port N] [--redis-url-file FILE] [--tls-cert FILE --tls-key FILE] [--upstream NAME=URL]...
// Heavy modules are imported after the re-exec check, so the parent that only waits for the child stays small.
import { reexecWithGatewayFlags } from '../../gateway/reexec.ts';
import type { ConfigSourceSpec } from '../../gateway/server.ts';
import { parse, UsageError } from '../args.ts';
import { REDIS_URL_ENV, RedisUrlError, resolveRedisUrl } from '../../gateway/redis-url.ts';

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
  '  --watch-interval-ms N      config poll interval (default 1000)',
  '  --log-level LEVEL          pino level (default info)',
  '  --no-enforcement           BENCHMARK ONLY: no auth, no limits, no accounting',
].join('\n');

function upstreamMap(list: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--upstream wants NAME=URL, got "${item}"`);
    const url = item.slice(eq + 1);
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--upstream ${item.slice(0, eq)}: "${url}" is not a URL`);
    }
    out.set(item.slice(0, eq), url);
  }
  return out;
}

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
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
    'watch-interval-ms': { type: 'string', default: '1000' },
    'log-level': { type: 'string', default: 'info' },
    'no-enforcement': { type: 'boolean', default: false },
    'from-cluster': { type: 'boolean', default: false },
    namespace: { type: 'string', default: process.env['POD_NAMESPACE'] ?? 'tollgate-system' },
    kubeconfig: { type: 'string' },
  });
  const child = await reexecWithGatewayFlags();
  if (child !== undefined) return child;
  const [{ createLogger }, { startGateway }] = await Promise.all([
    import('../../gateway/audit.ts'),
    import('../../gateway/server.ts'),
  ]);
  const paths = values.filename ?? [];
  const fromCluster = values['from-cluster'];
  if ([values.config !== undefined, paths.length > 0, fromCluster].filter(Boolean).length !== 1)
    throw new UsageError('give exactly one of --config FILE, -f PATH... or --from-cluster');
  const mode = values['rate-limit-failure-mode'];
  if (mode !== 'closed' && mode !== 'local') throw new UsageError('--rate-limit-failure-mode must be closed or local');
  const upstreams = upstreamMap(values.upstream ?? []);
  let redisUrl: string | undefined;
  try {
    redisUrl = resolveRedisUrl({
      flag: values['redis-url'],
      file: values['redis-url-file'],
      env: process.env[REDIS_URL_ENV],
    });
  } catch (e) {
    if (e instanceof RedisUrlError) throw new UsageError(e.message);
    throw e;
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined))
    throw new UsageError('give --tls-cert and --tls-key together');
  const tls =
    values['tls-cert'] !== undefined && values['tls-key'] !== undefined
      ? { certFile: values['tls-cert'], keyFile: values['tls-key'] }
      : undefined;
  const log = createLogger({ level: values['log-level'] });

  let source: ConfigSourceSpec;
  if (fromCluster)
    source = {
      kind: 'cluster',
      namespace: values.namespace,
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    };
  else if (values.config !== undefined) source = { kind: 'file', path: values.config };
  else {
    // The manifest compiler is loaded only for `-f` (a config file or the cluster never needs it).
    const [{ formatProblem }, { compileFromPaths, compileProblems }] = await Promise.all([
      import('../../api/validate.ts'),
      import('../load.ts'),
    ]);
    const load = async (): Promise<unknown> => {
      const { loaded, result } = compileFromPaths(
        paths,
        { upstreamOverrides: Object.fromEntries(upstreams) },
        {},
        values.recursive,
      );
      if (!result)
        throw new Error(`manifests do not validate: ${loaded.problems.slice(0, 5).map(formatProblem).join('; ')}`);
      for (const p of compileProblems(result, loaded.sources))
        log.warn({ event: 'compile_warning', problem: formatProblem(p) }, 'manifest problem');
      return result.gatewayConfig;
    };
    source = { kind: 'loader', paths, load, label: `manifests:${paths.join(',')}` };
  }
  const timeouts = {
    ...(values['connect-timeout-ms'] !== undefined
      ? { connectMs: intFlag(values['connect-timeout-ms'], '--connect-timeout-ms')! }
      : {}),
    ...(values['first-byte-timeout-ms'] !== undefined
      ? { firstByteMs: intFlag(values['first-byte-timeout-ms'], '--first-byte-timeout-ms')! }
      : {}),
    ...(values['idle-timeout-ms'] !== undefined
      ? { idleMs: intFlag(values['idle-timeout-ms'], '--idle-timeout-ms')! }
      : {}),
    ...(values['total-timeout-ms'] !== undefined
      ? { totalMs: intFlag(values['total-timeout-ms'], '--total-timeout-ms')! }
      : {}),
  };
  const tp = values['trust-proxy'];
  const trustProxy =
    tp === undefined ? undefined : tp === 'true' ? true : tp === 'false' ? false : tp.split(',').map((s) => s.trim());
  if (values['no-enforcement'])
    log.warn({ event: 'enforcement_off' }, 'ENFORCEMENT IS OFF: no auth, no limits, no accounting (benchmarking only)');

  const gw = await startGateway({
    config: source,
    host: values.host,
    port: intFlag(values.port, '--port')!,
    metricsHost: values['metrics-host'] ?? values.host,
    metricsPort: intFlag(values['metrics-port'], '--metrics-port')!,
    ...(redisUrl !== undefined ? { redisUrl } : {}),
    ...(tls ? { tls } : {}),
    rateLimitFailureMode: mode,
    upstreamOverrides: upstreams,
    ...(values['upstream-credentials-dir'] !== undefined ? { credentialsDir: values['upstream-credentials-dir'] } : {}),
    logger: log,
    watchIntervalMs: intFlag(values['watch-interval-ms'], '--watch-interval-ms')!,
    handleSignals: true,
    app: { enforcement: !values['no-enforcement'], timeouts, ...(trustProxy !== undefined ? { trustProxy } : {}) },
  });
  if (!gw.initial.ok && !fromCluster) {
    console.error(`tollgate gateway: no valid config: ${gw.initial.error.message}`);
    await gw.close();
    return 1;
  }
  process.stderr.write(
    `tollgate gateway: serving ${gw.url}/v1 (config ${gw.holder.current?.hash ?? 'none yet: not ready until the operator publishes one'}); metrics ${gw.metricsUrl}/metrics\n`,
  );
  // Run until a signal: startGateway's handlers drain and exit.
  await new Promise<never>(() => undefined);
  return 0;
}
