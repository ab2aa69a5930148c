// Starts a real redis-server on a free loopback port for a test file. Fails loudly when redis-server is
// missing (run scripts/ensure-redis.sh); never skips.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './net.ts';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /** SIGSTOP/SIGCONT: simulate an unreachable (hung) Redis. */
  pause(): void;
  resume(): void;
}

export function redisServerPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status !== 0 || p === '') {
    throw new Error('redis-server is not installed: run `scripts/ensure-redis.sh` (apt-get install redis-server) before the gateway tests');
  }
  return p;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = redisServerPath();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-'));
  const proc: ChildProcess = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited early (${proc.exitCode}): ${stderr}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: proc.pid,
    pause: () => proc.kill('SIGSTOP'),
    resume: () => proc.kill('SIGCONT'),
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGCONT');
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
