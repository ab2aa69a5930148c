// The README's first command: `tollgate demo` serves the examples on the in-memory store with the
// simulator, prints keys and curl lines, and shows a budget rejection.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePort } from './test/net.ts';

describe('tollgate demo', () => {
  it('starts, prints URL / keys / curl, and demonstrates a budget rejection', async () => {
    const port = await freePort();
    const mport = await freePort();
    const p = spawn(
      process.execPath,
      [
        'bin/tollgate.ts',
        'demo',
        '--port',
        String(port),
        '--metrics-port',
        String(mport),
        '--exit-after-check',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${port}/v1`));
    assert.match(out, /tgk_[0-9A-Za-z]{46}/);
    assert.match(out, /curl -s .*\/chat\/completions/);
    assert.match(out, /request 1: 200 ok/);
    assert.match(out, /429 (insufficient_quota|budget_window_full)/); // budget_window_full only within a minute of the hourly reset
  });
});

describe('tollgate gateway -f', () => {
  it('compiles manifests on the fly, applies --upstream, reports ready, and drains on SIGTERM', async () => {
    const port = await freePort();
    const mport = await freePort();
    const p = spawn(
      process.execPath,
      [
        'bin/tollgate.ts',
        'gateway',
        '-f',
        'examples',
        '--upstream',
        'llama-3.1-8b-instruct=http://127.0.0.1:9/v1',
        '--port',
        String(port),
        '--metrics-port',
        String(mport),
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      let ready: { status?: string; config?: { source: string; models: number } } = {};
      for (let i = 0; i < 100 && ready.status !== 'ready'; i++) {
        ready = await fetch(`http://127.0.0.1:${mport}/readyz`).then(
          (r) => r.json() as Promise<typeof ready>,
          () => ({}),
        );
        if (ready.status !== 'ready') await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(ready.status, 'ready', out);
      assert.equal(ready.config?.source, 'manifests:examples');
      assert.equal(ready.config?.models, 3);
    } finally {
      p.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    assert.equal(code, 0, out);
  });

  it('refuses a missing config with a clear message and exit code 1', async () => {
    const p = spawn(
      process.execPath,
      ['bin/tollgate.ts', 'gateway', '--config', '/nonexistent/config.json', '--port', '0', '--metrics-port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    assert.equal(code, 1, out);
    assert.match(out, /no valid config: cannot load config/);
  });
});
