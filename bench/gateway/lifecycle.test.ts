// The benchmark notices when a process it measures dies (non-zero exit, no figures) and leaves nothing behind
// on any exit. Runs the real benchmark (small: --quick, 50 tenants, Tollgate in memory and on Redis, nginx, the
// plain Node proxy), waits until it is measuring, then kills one of its processes (or interrupts it) and checks
// the exit code, the message, that no process of any group it started is alive and that its temp dir is gone.
// Needs redis-server (scripts/ensure-redis.sh) and nginx (bench/gateway/setup-peers.sh nginx).
// Run: node --test bench/gateway/lifecycle.test.ts
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { alive, groupPids } from './procs.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const started = new Set<number>();
after(() => {
  // a failing case must not leave the benchmark (or what it started) running
  for (const pgid of started) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

interface Outcome {
  code: number | null;
  stderr: string;
  pids: Map<string, number>;
  workDir: string | undefined;
}

/** Runs the benchmark until it logs `phase A`, then `act`s on it; resolves when it has exited. */
function runAndInterrupt(act: (bench: number, pids: Map<string, number>) => void): Promise<Outcome> {
  const p = spawn(
    process.execPath,
    [
      'bench/gateway/run.ts',
      '--quick',
      '--tenants',
      '50',
      '--only',
      'tollgate-memory,tollgate-redis,nginx,node-proxy',
      '--no-hostile',
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  started.add(p.pid!);
  const pids = new Map<string, number>();
  let workDir: string | undefined;
  let stderr = '';
  let acted = false;
  p.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const m of stderr.matchAll(/^bench: started (\S+) pid (\d+)$/gm)) pids.set(m[1]!, Number(m[2]));
    workDir ??= /^bench: work dir (\S+)$/m.exec(stderr)?.[1];
    if (!acted && /^bench: phase A/m.test(stderr)) {
      acted = true;
      act(p.pid!, pids);
    }
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 240_000);
  return new Promise((resolve) =>
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, pids, workDir });
    }),
  );
}

/** Every group the benchmark started is empty (bounded wait: SIGKILL delivery is asynchronous). */
async function assertNothingLeft(o: Outcome): Promise<void> {
  assert.ok(o.pids.size >= 6, `expected sim, sim-stream, redis-server, 2 gateways and nginx in the log:\n${o.stderr}`);
  const deadline = Date.now() + 5000;
  let left: string[];
  do {
    left = [...o.pids]
      .filter(([, pid]) => alive(pid) || groupPids(pid).length > 0)
      .map(([n, pid]) => `${n} (${pid}: ${groupPids(pid).join(',')})`);
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  assert.deepEqual(left, [], 'processes left behind');
  assert.ok(o.workDir, 'work dir logged');
  assert.equal(existsSync(o.workDir!), false, `temp dir ${o.workDir} left behind`);
}

describe('bench/gateway lifecycle', { timeout: 600_000 }, () => {
  it('a gateway killed mid-run fails the benchmark (exit 1, named) and nothing is left', async () => {
    const o = await runAndInterrupt((_bench, pids) => process.kill(pids.get('tollgate-memory')!, 'SIGKILL'));
    assert.equal(o.code, 1, o.stderr);
    assert.match(o.stderr, /FATAL: tollgate-memory \(pid \d+\) killed by SIGKILL/);
    assert.doesNotMatch(o.stderr, /^RESULT/m);
    await assertNothingLeft(o);
  });

  it('nginx killed mid-run (its master; the worker stays in the group) fails the benchmark and nothing is left', async () => {
    const o = await runAndInterrupt((_bench, pids) => process.kill(pids.get('nginx')!, 'SIGKILL'));
    assert.equal(o.code, 1, o.stderr);
    assert.match(o.stderr, /FATAL: nginx \(pid \d+\) killed by SIGKILL/);
    await assertNothingLeft(o);
  });

  it('a Redis server (started by the test helper) dying fails the benchmark and nothing is left', async () => {
    const o = await runAndInterrupt((_bench, pids) => process.kill(pids.get('redis-server')!, 'SIGKILL'));
    assert.equal(o.code, 1, o.stderr);
    assert.match(o.stderr, /FATAL: redis-server \(pid \d+\) is gone/);
    await assertNothingLeft(o);
  });

  it('SIGINT to the benchmark stops everything it started (exit 130)', async () => {
    const o = await runAndInterrupt((bench) => process.kill(bench, 'SIGINT'));
    assert.equal(o.code, 130, o.stderr);
    await assertNothingLeft(o);
  });
});
