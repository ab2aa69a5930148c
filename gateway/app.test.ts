// buildApp() without sockets (Fastify inject): the plugins every route shares (context, errors, body,
// identity, audit) and the routes that answer without an upstream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp, type Gateway } from './app.ts';
import { ConfigHolder } from './config/holder.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, captureLogger, installLeakScan } from './test/harness.ts';

installLeakScan();

const key = newKey();
const cfg = config(
  [model('m1', 'http://127.0.0.1:9/v1'), model('m2', 'http://127.0.0.1:9/v1')],
  [tenant({ name: 'a', models: ['m2'], keys: [{ name: 'k', key }] })],
);
let gw: Gateway;
let empty: Gateway;

before(async () => {
  const holder = new ConfigHolder();
  assert.ok(holder.apply(cfg, 'test').ok);
  gw = buildApp({ holder, logger: captureLogger() });
  empty = buildApp({ holder: new ConfigHolder(), logger: captureLogger() });
  await Promise.all([gw.app.ready(), empty.app.ready()]);
});
after(async () => {
  await gw?.close();
  await empty?.close();
});

const auth = { authorization: `Bearer ${key}` };

describe('buildApp (inject)', () => {
  it('unknown routes: not_found in the OpenAI shape, x-should-retry false, the request id', async () => {
    const r = await gw.app.inject({ method: 'GET', url: '/v1/nope' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().error.code, 'not_found');
    assert.equal(r.headers['x-should-retry'], 'false');
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('identity before the body: no key -> missing_api_key, whatever the body', async () => {
    const r = await gw.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    assert.equal(r.json().error.code, 'missing_api_key');
  });

  it('only JSON bodies', async () => {
    const r = await gw.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'x',
    });
    assert.equal(r.statusCode, 415);
    assert.equal(r.json().error.code, 'unsupported_media_type');
  });

  it('the tenant body limit before the body is read', async () => {
    const r = await gw.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: 'm2', messages: [{ role: 'user', content: 'x'.repeat(2 << 20) }] }),
    });
    assert.equal(r.json().error.code, 'request_too_large');
  });

  it('/v1/models: only the models the tenant is entitled to', async () => {
    const r = await gw.app.inject({ method: 'GET', url: '/v1/models', headers: auth });
    assert.deepEqual(
      r.json().data.map((m: { id: string }) => m.id),
      ['m2'],
    );
    assert.equal(
      (await gw.app.inject({ method: 'GET', url: '/v1/models/m1', headers: auth })).json().error.code,
      'model_not_found',
    );
    assert.equal((await gw.app.inject({ method: 'GET', url: '/v1/models/m2', headers: auth })).json().id, 'm2');
  });

  it('/readyz: the hash in force; without a config, not ready and every route not_ready', async () => {
    const r = await gw.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().configHash, cfg.hash);
    assert.equal((await empty.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    const nr = await empty.app.inject({ method: 'GET', url: '/v1/models', headers: auth });
    assert.equal(nr.statusCode, 503);
    assert.equal(nr.json().error.code, 'not_ready');
  });

  it('one audit line per request, probes excluded', async () => {
    const before = CAPTURED.filter((l) => l.includes('"audit"')).length;
    await gw.app.inject({ method: 'GET', url: '/healthz' });
    await gw.app.inject({ method: 'GET', url: '/v1/models', headers: auth });
    const lines = CAPTURED.filter((l) => l.includes('"audit"')).slice(before);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /"endpoint":"models.list"/);
  });
});
