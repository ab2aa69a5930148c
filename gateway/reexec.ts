// V8 sizes the young generation for throughput, up to tens of MB per semi-space; a config with 10,000
// tenants then leaves the heap (and RSS) at its validation peak for good. The gateway runs with a small
// semi-space: RSS stays ~40% lower and scavenges stay short (p99). V8 reads the flag only at start, so
// the gateway command re-executes itself once with it (TOLLGATE_NO_REEXEC=1 disables).
import { spawn } from 'node:child_process';

export const GATEWAY_V8_FLAGS = ['--max-semi-space-size=4'];

/** Undefined when the flags are in force; otherwise runs this process again with them and returns its exit code. */
export async function reexecWithGatewayFlags(): Promise<number | undefined> {
  return reexecWithFlags(GATEWAY_V8_FLAGS);
}

/** The same for any long-running command (the operator uses it too). */
export async function reexecWithFlags(flags: readonly string[]): Promise<number | undefined> {
  const have = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (process.env.TOLLGATE_NO_REEXEC === '1' || flags.every((f) => have.includes(f.split('=')[0]!))) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, TOLLGATE_NO_REEXEC: '1' },
  });
  const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, forward);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1))));
}
