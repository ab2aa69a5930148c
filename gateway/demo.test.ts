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
    const p = spawn(process.execPath, ['bin/tollgate.ts', 'demo', '--port', String(port), '--metrics-port', String(mport), '--exit-after-check', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${port}/v1`));
    assert.match(out, /tgk_[0-9A-Za-z]{46}/);
    assert.match(out, /curl -s .*\/chat\/completions/);
    assert.match(out, /request 1: 200 ok/);
    assert.match(out, /429 budget_exceeded/);
  });
});
