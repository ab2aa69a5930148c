// Shutdown signals (signals.ts): a signal sent to the whole process group reaches the re-executed gateway twice
// (directly and forwarded by its parent, reexec.ts). Before: the second copy killed it mid-drain (exit 143, and the
// operator's Lease stayed held: platform check 2026-12-03, finding 05).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPEAT_MS, signalAction, type SignalState } from './signals.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { freePort } from './test/net.ts';

describe('signalAction', () => {
  const rows: [string, [string, number][], string[]][] = [
    ['one signal: stop', [['SIGTERM', 0]], ['stop']],
    [
      'the same signal twice at once (a group signal through the re-exec parent): ignored',
      [
        ['SIGTERM', 0],
        ['SIGTERM', 3],
      ],
      ['stop', 'ignore'],
    ],
    [
      'the same signal again after REPEAT_MS: exit',
      [
        ['SIGINT', 0],
        ['SIGINT', REPEAT_MS + 1],
      ],
      ['stop', 'exit'],
    ],
    [
      'another signal: exit',
      [
        ['SIGTERM', 0],
        ['SIGINT', 5],
      ],
      ['stop', 'exit'],
    ],
    [
      'a third copy within REPEAT_MS: still ignored',
      [
        ['SIGTERM', 0],
        ['SIGTERM', 1],
        ['SIGTERM', 2],
      ],
      ['stop', 'ignore', 'ignore'],
    ],
  ];
  for (const [name, seq, want] of rows)
    it(name, () => {
      const state: SignalState = {};
      assert.deepEqual(
        seq.map(([sig, t]) => signalAction(state, sig, t)),
        want,
      );
    });
});

describe('tollgate gateway, re-executed with its V8 flags, and SIGTERM to its process group', () => {
  it('drains and exits 0 (the second copy of the signal does not kill it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-signals-'));
    try {
      const file = join(dir, 'config.json');
      const key = newKey();
      writeFileSync(
        file,
        JSON.stringify(
          config(
            [model('m1', 'http://127.0.0.1:9')],
            [tenant({ name: 't', models: ['m1'], keys: [{ name: 'k', key }] })],
          ),
        ),
      );
      const port = await freePort();
      const mport = await freePort();
      const env = { ...process.env };
      delete env.TOLLGATE_NO_REEXEC;
      const p = spawn(
        process.execPath,
        ['bin/tollgate.ts', 'gateway', '--config', file, '--port', String(port), '--metrics-port', String(mport)],
        { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true },
      );
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
      try {
        const until = Date.now() + 30_000;
        while (Date.now() < until) {
          const up = await fetch(`http://127.0.0.1:${mport}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
          if (up) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        process.kill(-(p.pid as number), 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const code = await Promise.race([
          exited,
          new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 20_000))),
        ]);
        clearTimeout(timer);
        assert.equal(code, 0, out.slice(-2000));
        assert.match(out, /draining and shutting down/);
      } finally {
        try {
          process.kill(-(p.pid as number), 'SIGKILL');
        } catch {
          /* exited */
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
