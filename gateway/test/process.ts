// A gateway PROCESS for tests: `node gateway/main.ts` (the container entry) on free loopback ports, with a
// config written to a temporary file, its stdout/stderr handed to the caller, stopped by SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '../../api/gateway-config.ts';
import { freePort, gatewayArgs } from './net.ts';

export interface GatewayProcess {
  readonly proc: ChildProcess;
  /** Tenant port, http://127.0.0.1:N */
  readonly url: string;
  /** Admin port, http://127.0.0.1:N */
  readonly metricsUrl: string;
  /** SIGTERM, then the exit. */
  stop(): Promise<void>;
}

/** Starts the process (not yet ready: `waitReady(g.url)`); `args` are added after the config and ports. */
export async function spawnGateway(opts: {
  config: GatewayConfig;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  onOutput: (text: string) => void;
}): Promise<GatewayProcess> {
  const file = join(mkdtempSync(join(tmpdir(), 'tollgate-gw-')), 'config.json');
  writeFileSync(file, JSON.stringify(opts.config));
  const port = await freePort();
  const mport = await freePort();
  const proc = spawn(
    process.execPath,
    ['gateway/main.ts', ...gatewayArgs({ config: file, port, metricsPort: mport }), ...(opts.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) },
  );
  proc.stdout?.on('data', (d: Buffer) => opts.onOutput(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => opts.onOutput(d.toString()));
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${mport}`,
    stop: async () => {
      proc.kill('SIGTERM');
      if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
    },
  };
}
