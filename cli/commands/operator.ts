// tollgate operator [--kubeconfig PATH] [--leader-elect] [--health-port N] [--metrics-port N] ...
import { reexecWithFlags } from '../../gateway/reexec.ts';
import { onShutdownSignals } from '../../gateway/signals.ts';
import { parse, UsageError } from '../args.ts';

/**
 * A small young generation and an old-space cap keep RSS close to the live heap (about 50 MB plus ~20 KB
 * per tenant): without a cap V8 sizes the heap from the machine's memory and collects lazily. Override
 * with NODE_OPTIONS=--max-old-space-size=N for more than ~5,000 tenants (see gateway/reexec.ts).
 */
export const OPERATOR_V8_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=192'];

/** Where the image puts jemalloc: a link to the libjemalloc2 package's library, whatever the architecture (Dockerfile). */
export const JEMALLOC_IN_IMAGE = '/usr/local/lib/libjemalloc.so.2';

/**
 * The operator's allocator as the chart runs it (`operator.jemalloc`): jemalloc preloaded, its freed pages returned
 * after a second by a background thread. With glibc's malloc the operator kept 95-120 MB of native memory outside
 * V8's heap at 10,000 tenants (arenas holding what HTTP/2, TLS and the compilers freed); with jemalloc 31-71 MB:
 * RSS just after converging 289 -> 240-241 MiB, at rest 292 -> 238-242 MiB, peak 311 -> 288-289 MB, operator CPU
 * within run-to-run noise (bench:operator, README "Scale"). Not for the gateway: there it saved 7 MB under load
 * and cost more CPU per request (bench/gateway --quick: 0.23 -> 0.32 ms).
 */
export const OPERATOR_MALLOC_ENV: Readonly<Record<string, string>> = {
  LD_PRELOAD: JEMALLOC_IN_IMAGE,
  MALLOC_CONF: 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0',
};

/**
 * Node's compile cache (the chart's /tmp emptyDir): with it the TypeScript stripper (amaro's WebAssembly, ~17 MB RSS)
 * is loaded once per pod, not by every restart of the container; the gateway does the same (gateway/README.md).
 */
export const OPERATOR_COMPILE_CACHE = '/tmp/node-compile-cache';

export const summary = 'run the operator: reconcile LLMModel / LLMTenant / LLMPolicy and publish the gateway config';
export const usage =
  'tollgate operator [--kubeconfig PATH] [--namespace NS] [--leader-elect] [--health-port N] [--metrics-port N] [--bind-address ADDR] [--workers N] [--gateway-url URL] [--secret-namespaces NS,NS...]';

function port(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const code = await reexecWithFlags(OPERATOR_V8_FLAGS);
  if (code !== undefined) return code;
  // Heavy modules load only in the process that does the work.
  const { Operator, defaultOperatorOptions } = await import('../../operator/manager.ts');
  const { values } = parse(argv, {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', default: process.env['POD_NAMESPACE'] ?? 'tollgate-system' },
    'leader-elect': { type: 'boolean', default: false },
    'health-port': { type: 'string' },
    'metrics-port': { type: 'string' },
    'bind-address': { type: 'string', default: '0.0.0.0' },
    workers: { type: 'string', default: '32' },
    'gateway-url': { type: 'string' },
    identity: { type: 'string' },
    'secret-namespaces': { type: 'string' },
  });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError('--workers must be 1..64');
  const ns = values.namespace;
  const op = new Operator(
    defaultOperatorOptions({
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      namespace: ns,
      leaderElect: values['leader-elect'],
      healthPort: port(values['health-port'], 'health-port', 8081),
      metricsPort: port(values['metrics-port'], 'metrics-port', 8082),
      bindAddress: values['bind-address'],
      workers,
      ...(values['gateway-url'] ? { gatewayUrl: values['gateway-url'] } : {}),
      ...(values.identity ? { identity: values.identity } : {}),
      ...(values['secret-namespaces']
        ? {
            secretNamespaces: values['secret-namespaces']
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
          }
        : {}),
    }),
  );
  const done = new Promise<number>((resolve) => {
    const shutdown = (sig: string) => {
      op.opts.log('shutting down', { signal: sig });
      void op.stop().then(() => resolve(0));
    };
    onShutdownSignals(shutdown, (sig) => op.opts.log('shutdown signal repeated: already stopping', { signal: sig }));
  });
  await op.start();
  op.opts.log('operator started', { namespace: ns, leaderElect: values['leader-elect'], identity: op.opts.identity });
  return done;
}
