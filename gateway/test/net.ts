import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (bound and released; fine for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The gateway command's arguments for a process on loopback: config file, tenant and metrics ports, log level. */
export function gatewayArgs(o: { config: string; port: number; metricsPort: number; logLevel?: string }): string[] {
  const args = ['--config', o.config, '--host', '127.0.0.1', '--port', String(o.port)];
  args.push('--metrics-port', String(o.metricsPort));
  return o.logLevel === undefined ? args : [...args, '--log-level', o.logLevel];
}
