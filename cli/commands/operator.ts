// tollgate operator [--kubeconfig PATH] [--leader-elect] [--health-port N] [--metrics-port N] ...
import { Operator, defaultOperatorOptions } from '../../operator/manager.ts';
import { parse, UsageError } from '../args.ts';

export const summary = 'run the operator: reconcile LLMModel / LLMTenant / LLMPolicy and publish the gateway config';
export const usage = 'tollgate operator [--kubeconfig PATH] [--namespace NS] [--leader-elect] [--health-port N] [--metrics-port N] [--bind-address ADDR] [--workers N] [--gateway-url URL] [--secret-namespaces NS,NS...]';

function port(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', default: process.env['POD_NAMESPACE'] ?? 'tollgate-system' },
    'leader-elect': { type: 'boolean', default: false },
    'health-port': { type: 'string' },
    'metrics-port': { type: 'string' },
    'bind-address': { type: 'string', default: '0.0.0.0' },
    workers: { type: 'string', default: '4' },
    'gateway-url': { type: 'string' },
    identity: { type: 'string' },
    'secret-namespaces': { type: 'string' },
  });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError('--workers must be 1..64');
  const ns = values.namespace;
  const op = new Operator(defaultOperatorOptions({
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    namespace: ns,
    leaderElect: values['leader-elect'],
    healthPort: port(values['health-port'], 'health-port', 8081),
    metricsPort: port(values['metrics-port'], 'metrics-port', 8082),
    bindAddress: values['bind-address'],
    workers,
    ...(values['gateway-url'] ? { gatewayUrl: values['gateway-url'] } : {}),
    ...(values.identity ? { identity: values.identity } : {}),
    ...(values['secret-namespaces'] ? { secretNamespaces: values['secret-namespaces'].split(',').map((x) => x.trim()).filter(Boolean) } : {}),
  }));
  const done = new Promise<number>((resolve) => {
    const shutdown = (sig: string) => {
      op.opts.log('shutting down', { signal: sig });
      void op.stop().then(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await op.start();
  op.opts.log('operator started', { namespace: ns, leaderElect: values['leader-elect'], identity: op.opts.identity });
  return done;
}
