// Config loading and hot reload: atomic swap from a watched file, invalid configs refused with the last
// good one kept (visible in logs, metrics and /readyz), in-flight requests finish under the config they
// started with, and the programmatic apply() used by the in-cluster watcher.
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { GatewayConfig } from '../api/gateway-config.ts';
import { ConfigHolder } from './config/holder.ts';
import { startGateway, type RunningGateway } from './server.ts';
import { startSimulator, type Simulator } from './sim/sim.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { freePort } from './test/net.ts';
import { CAPTURED, call, captureLogger, chat, installLeakScan } from './test/harness.ts';

installLeakScan();

const keyA = newKey();
const keyB = newKey();
let sim: Simulator;
let gw: RunningGateway;
let file: string;
const v1 = (): GatewayConfig =>
  config([model('m1', sim.url)], [tenant({ name: 'a', models: ['m1'], keys: [{ name: 'k', key: keyA }] })]);
const v2 = (): GatewayConfig =>
  config(
    [model('m1', sim.url), model('m2', sim.url)],
    [
      tenant({ name: 'a', models: ['m1', 'm2'], keys: [{ name: 'k', key: keyA }] }),
      tenant({ name: 'b', models: ['m2'], keys: [{ name: 'k', key: keyB }] }),
    ],
  );

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function until(fn: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  sim = await startSimulator();
  file = join(mkdtempSync(join(tmpdir(), 'tollgate-cfg-')), 'gateway-config.yaml');
  writeFileSync(file, stringify(v1()));
  gw = await startGateway({
    config: { kind: 'file', path: file },
    port: 0,
    metricsPort: 0,
    logger: captureLogger(),
    watchIntervalMs: 100,
  });
});
after(async () => {
  await gw.close();
  await sim.close();
});

describe('config hot reload', () => {
  it('serves the initial file config and reports its hash', async () => {
    assert.equal(gw.initial.ok, true);
    const r = (await (await fetch(`${gw.metricsUrl}/readyz`)).json()) as {
      config: { hash: string };
      lastReloadError: unknown;
    };
    assert.equal(r.config.hash, v1().hash);
    assert.equal(r.lastReloadError, null);
    assert.equal(
      (await call(gw.url, '/v1/chat/completions', { key: keyB, body: chat('m2') })).json.error?.code,
      'invalid_api_key',
    );
  });

  it('a changed file is validated and swapped in', async () => {
    writeAtomically(file, JSON.stringify(v2()));
    await until(() => gw.holder.current?.hash === v2().hash, 'the new config');
    assert.equal((await call(gw.url, '/v1/chat/completions', { key: keyB, body: chat('m2') })).status, 200);
    const pub = (await (await fetch(`${gw.url}/readyz`)).json()) as { configHash: string };
    assert.equal(pub.configHash, v2().hash);
  });

  it('an invalid config is refused; the last good one stays in force and says so everywhere', async () => {
    const bad = { ...v2(), hash: `sha256:${'0'.repeat(64)}` }; // tampered: hash does not match content
    writeAtomically(file, JSON.stringify(bad));
    await until(() => gw.holder.lastError !== undefined, 'the refusal');
    assert.equal(gw.holder.current?.hash, v2().hash);
    assert.equal((await call(gw.url, '/v1/chat/completions', { key: keyB, body: chat('m2') })).status, 200);
    const detail = (await (await fetch(`${gw.metricsUrl}/readyz`)).json()) as {
      status: string;
      config: { hash: string };
      lastReloadError: { at: string; source: string; message?: string };
    };
    assert.equal(detail.status, 'ready');
    assert.equal(detail.config.hash, v2().hash);
    // /readyz says when and where; the reason (no config text) is in the config_refused log line
    assert.ok(Date.parse(detail.lastReloadError.at) > 0 && detail.lastReloadError.message === undefined);
    assert.ok(CAPTURED.some((l) => l.includes('"event":"config_refused"') && l.includes('hash does not match')));
    assert.equal(
      ((await (await fetch(`${gw.url}/readyz`)).json()) as { lastReloadFailed: boolean }).lastReloadFailed,
      true,
    );
    const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    assert.match(metrics, /tollgate_config_reloads_total\{result="failure"\} [1-9]/);
    assert.match(metrics, new RegExp(`tollgate_config_info\\{hash="${v2().hash}"\\} 1`));
    assert.ok(CAPTURED.some((l) => l.includes('"event":"config_refused"')));
    writeAtomically(file, 'models: [unclosed');
    await until(() => (gw.holder.lastError?.message ?? '').includes('cannot load'), 'the YAML refusal');
    assert.equal(gw.holder.current?.hash, v2().hash);
    writeAtomically(file, stringify(v1()));
    await until(() => gw.holder.current?.hash === v1().hash && gw.holder.lastError === undefined, 'recovery');
  });

  it('an in-flight request finishes under the config it started with', async () => {
    gw.holder.apply(v2(), 'test');
    sim.options = { latencyMs: 400 };
    try {
      const pending = call(gw.url, '/v1/chat/completions', { key: keyB, body: chat('m2') });
      await new Promise((r) => setTimeout(r, 100));
      gw.holder.apply(v1(), 'test'); // tenant b disappears mid-request
      assert.equal((await pending).status, 200);
      assert.equal(
        (await call(gw.url, '/v1/chat/completions', { key: keyB, body: chat('m2') })).json.error?.code,
        'invalid_api_key',
      );
    } finally {
      sim.options = {};
    }
  });

  it('ConfigHolder.apply never throws and reports refusals', () => {
    const h = new ConfigHolder();
    const refused: string[] = [];
    h.observe({ refused: (e) => refused.push(e.message) });
    for (const bad of [null, 42, 'x', {}, { ...v1(), schemaVersion: 'v0' }, { ...v1(), tenants: [{ id: 1 }] }]) {
      const r = h.apply(bad, 'unit');
      assert.equal(r.ok, false);
    }
    assert.equal(refused.length, 6);
    assert.equal(h.current, undefined);
    assert.equal(h.apply(v1(), 'unit').ok, true);
    const same = h.apply(v1(), 'unit');
    assert.ok(same.ok && !same.changed);
  });
});

describe('beforeServing (the CLI compacts the heap there: heap.ts)', () => {
  it('runs once, with the first config in force, before the port serves', async () => {
    const port = await freePort();
    const seen: { hash: string | undefined; connect: string }[] = [];
    const cfg = config([model('m1', 'http://127.0.0.1:9/v1')], [tenant({ name: 'a', models: ['m1'] })]);
    const connect = (): Promise<string> =>
      new Promise((resolve) => {
        const s = createConnection({ host: '127.0.0.1', port });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    const running = await startGateway({
      config: { kind: 'static', value: cfg },
      host: '127.0.0.1',
      port,
      metricsPort: 0,
      logger: captureLogger(),
      beforeServing: async (hash) => {
        seen.push({ hash, connect: await connect() });
      },
    });
    try {
      assert.deepEqual(seen, [{ hash: cfg.hash, connect: 'ECONNREFUSED' }]);
      assert.equal(await connect(), 'connected');
    } finally {
      await running.close();
    }
  });
});
