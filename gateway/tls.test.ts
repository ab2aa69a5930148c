// TLS on the tenant port (--tls-cert / --tls-key): TLS 1.3 only, a real request through it, the admin
// port still plain HTTP, a renewed certificate served without a restart (files swapped by rename, as the
// kubelet flips a Secret volume), a pair that does not load leaving the old certificate in force, and
// close() not held up by idle TLS keep-alive connections. Certificates come from the openssl CLI.
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { startGateway } from './server.ts';
import { makeCa, type TestCa } from './test/certs.ts';
import { CAPTURED, captureLogger, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';

installLeakScan();

const testCa = makeCa('tollgate-tls-');
const dir = testCa.dir;
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');
const key = newKey();
let s: Stack;
let port = 0;
const issue = (name: string) => testCa.issue(name);

/** Replace the served pair the way the kubelet does: whole files appear at once (rename). */
function install(pair: { cert: Buffer; key: Buffer }): void {
  writeFileSync(`${certFile}.new`, pair.cert);
  writeFileSync(`${keyFile}.new`, pair.key);
  renameSync(`${keyFile}.new`, keyFile);
  renameSync(`${certFile}.new`, certFile);
}

const ca = (): Buffer => readFileSync(testCa.caFile);

function handshake(
  opts: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {},
): Promise<{ protocol: string | null; serial: string }> {
  return new Promise((resolve, reject) => {
    const sock: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca(), ...opts }, () => {
      resolve({ protocol: sock.getProtocol(), serial: sock.getPeerX509Certificate()?.serialNumber ?? '' });
      sock.end();
    });
    sock.once('error', reject);
    sock.setTimeout(5000, () => sock.destroy(new Error('TLS handshake timed out')));
  });
}

function httpsCall(
  path: string,
  opts: { body?: unknown; agent?: Agent } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        path,
        ca: ca(),
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        agent: opts.agent ?? false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          CAPTURED.push(text);
          resolve({ status: res.statusCode ?? 0, text });
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

async function until(what: string, f: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await f()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let first: ReturnType<TestCa['issue']>;

before(async () => {
  first = issue('first');
  install(first);
  s = await startStack(
    (url) => config([model('m1', url)], [tenant({ name: 'a', models: ['m1'], keys: [{ name: 'k', key }] })]),
    { tls: { certFile, keyFile, reloadIntervalMs: 100 } },
  );
  assert.match(s.url, /^https:\/\//);
  port = Number(new URL(s.url).port);
});

after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway TLS (--tls-cert / --tls-key)', () => {
  it('negotiates TLS 1.3 with the certificate from the files and serves requests over it', async () => {
    const h = await handshake();
    assert.equal(h.protocol, 'TLSv1.3');
    assert.equal(h.serial, first.serial);
    const models = await httpsCall('/v1/models');
    assert.equal(models.status, 200, models.text);
    const r = await httpsCall('/v1/chat/completions', { body: chat('m1') });
    assert.equal(r.status, 200, r.text);
    assert.ok((JSON.parse(r.text) as { choices: unknown[] }).choices.length > 0);
  });

  it('refuses TLS 1.2 clients and plain HTTP on the tenant port', async () => {
    await assert.rejects(handshake({ maxVersion: 'TLSv1.2' }));
    const plain: unknown = await fetch(`http://127.0.0.1:${port}/healthz`).catch((e: unknown) => e);
    assert.ok(
      plain instanceof Error || (plain instanceof Response && plain.status === 400),
      'plain HTTP gets no gateway response',
    );
  });

  it('keeps the admin port plain HTTP', async () => {
    const m = await fetch(`${s.gw.metricsUrl}/metrics`);
    assert.match(s.gw.metricsUrl, /^http:\/\//);
    assert.equal(m.status, 200);
    assert.match(await m.text(), /tollgate_/);
    assert.equal((await fetch(`${s.gw.metricsUrl}/healthz`)).status, 200);
  });

  it('serves a renewed certificate without a restart, still TLS 1.3 only, and logs the reload', async () => {
    const second = issue('second');
    install(second);
    await until('the renewed certificate served', async () => (await handshake()).serial === second.serial);
    assert.equal((await handshake()).protocol, 'TLSv1.3');
    await assert.rejects(handshake({ maxVersion: 'TLSv1.2' }), 'TLS 1.2 still refused after a reload');
    assert.equal((await httpsCall('/v1/models')).status, 200);
    assert.ok(
      CAPTURED.some((l) => l.includes('"tls_reloaded"') && l.includes(second.serial)),
      'reload logged with the new serial',
    );
  });

  it('keeps serving the old certificate when the new pair does not load, and picks up a good pair after', async () => {
    const served = (await handshake()).serial;
    const third = issue('third');
    const other = issue('other');
    install({ cert: third.cert, key: other.key }); // key does not match the certificate
    await until('the failure logged', () => CAPTURED.some((l) => l.includes('"tls_reload_failed"')));
    assert.equal(s.gw.certReloader?.check(), 'failed');
    assert.equal((await handshake()).serial, served);
    assert.equal((await httpsCall('/v1/models')).status, 200);
    assert.equal(
      CAPTURED.filter((l) => l.includes('"tls_reload_failed"')).length,
      1,
      'one log line per bad pair, not one per poll',
    );
    install({ cert: 'not a certificate' as unknown as Buffer, key: other.key });
    await until('the garbage logged', () => CAPTURED.filter((l) => l.includes('"tls_reload_failed"')).length === 2);
    assert.equal((await handshake()).serial, served);
    install(third);
    await until('the good pair served', async () => (await handshake()).serial === third.serial);
    for (const l of CAPTURED) assert.ok(!l.includes('PRIVATE KEY'), 'no key material logged');
  });

  it('refuses to start with a pair that does not load', async () => {
    const bad = join(dir, 'missing.crt');
    await assert.rejects(
      startGateway({
        config: { kind: 'static', value: {} },
        port: 0,
        metricsPort: 0,
        logger: captureLogger(),
        tls: { certFile: bad, keyFile },
      }),
      /TLS certificate .*missing\.crt/,
    );
  });

  it('close() drains an in-flight request and is not held up by an idle keep-alive TLS connection', async () => {
    const other = await startStack(
      (url) => config([model('m1', url)], [tenant({ name: 'b', models: ['m1'], keys: [{ name: 'k', key }] })]),
      { tls: { certFile, keyFile }, sim: { latencyMs: 400 } },
    );
    const savedPort = port;
    port = Number(new URL(other.url).port);
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await httpsCall('/healthz', { agent })).status, 200);
      const inflight = httpsCall('/v1/chat/completions', { body: chat('m1') });
      await new Promise((r) => setTimeout(r, 150));
      const t0 = Date.now();
      await other.close();
      assert.ok(Date.now() - t0 < 3000, `close took ${Date.now() - t0} ms`);
      const r = await inflight;
      assert.equal(r.status, 200, r.text);
      await assert.rejects(handshake(), 'the port is closed');
    } finally {
      agent.destroy();
      port = savedPort;
    }
  });
});
