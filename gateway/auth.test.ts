// Stacked auth against a real gateway and simulator: each layer failing alone, with its own code, and the
// upstream never called when a layer refuses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CAPTURED, call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';

installLeakScan();

const good = newKey();
const embedOnly = newKey();
const expired = newKey();
const revoked = newKey();
const suspendedKey = newKey();
const windowKey = newKey();
const ipKey = newKey();
const unknown = newKey();
const promptKey = newKey();
let s: Stack;

before(async () => {
  s = await startStack((url) =>
    config(
      [model('m1', url), model('m2', url), model('embed-only', url, { capabilities: ['embeddings'] })],
      [
        tenant({
          name: 'a',
          models: ['m1', 'embed-only'],
          keys: [
            { name: 'good', key: good },
            { name: 'embed', key: embedOnly, scopes: ['embeddings'] },
            { name: 'old', key: expired, expiresAt: '2020-01-01T00:00:00Z' },
            { name: 'gone', key: revoked, revoked: true },
          ],
        }),
        tenant({ name: 'b', models: ['m1'], keys: [{ name: 'k', key: suspendedKey }], over: { suspended: true } }),
        // a window that is never open now: one minute, on a day that is not today
        tenant({
          name: 'c',
          models: ['m1'],
          keys: [{ name: 'k', key: windowKey }],
          over: {
            accessWindows: [
              [
                {
                  days: [['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][(new Date().getUTCDay() + 2) % 7] as 'Mon'],
                  start: '03:00',
                  end: '03:01',
                  timeZone: 'UTC',
                },
              ],
            ],
          },
        }),
        tenant({
          name: 'd',
          models: ['m1'],
          keys: [{ name: 'k', key: ipKey }],
          over: { ipAllowlists: [['10.0.0.0/8']] },
        }),
        tenant({
          name: 'e',
          models: ['m1'],
          keys: [{ name: 'k', key: promptKey }],
          over: { logging: 'redactedPrompts', ipAllowlists: [['127.0.0.0/8', '::1/128']] },
        }),
      ],
    ),
  );
});
after(() => s.close());

describe('stacked auth: each layer fails alone with its own code', () => {
  const cases: [string, () => Promise<{ status: number; code: string | undefined }>, number, string][] = [
    [
      'no credential',
      async () => r(await call(s.url, '/v1/chat/completions', { body: chat('m1') })),
      401,
      'missing_api_key',
    ],
    [
      'unknown but well-formed key',
      async () => r(await call(s.url, '/v1/chat/completions', { key: unknown, body: chat('m1') })),
      401,
      'invalid_api_key',
    ],
    [
      'expired key',
      async () => r(await call(s.url, '/v1/chat/completions', { key: expired, body: chat('m1') })),
      401,
      'expired_api_key',
    ],
    [
      'revoked key',
      async () => r(await call(s.url, '/v1/chat/completions', { key: revoked, body: chat('m1') })),
      401,
      'revoked_api_key',
    ],
    [
      'suspended account',
      async () => r(await call(s.url, '/v1/chat/completions', { key: suspendedKey, body: chat('m1') })),
      403,
      'tenant_suspended',
    ],
    [
      'model not entitled',
      async () => r(await call(s.url, '/v1/chat/completions', { key: good, body: chat('m2') })),
      403,
      'model_not_entitled',
    ],
    [
      'model does not exist',
      async () => r(await call(s.url, '/v1/chat/completions', { key: good, body: chat('nope') })),
      404,
      'model_not_found',
    ],
    [
      'model does not serve the endpoint',
      async () => r(await call(s.url, '/v1/chat/completions', { key: good, body: chat('embed-only') })),
      400,
      'model_capability',
    ],
    [
      'key scope does not cover the endpoint',
      async () => r(await call(s.url, '/v1/chat/completions', { key: embedOnly, body: chat('m1') })),
      403,
      'scope_not_allowed',
    ],
    [
      'outside the access window',
      async () => r(await call(s.url, '/v1/chat/completions', { key: windowKey, body: chat('m1') })),
      403,
      'outside_access_window',
    ],
    [
      'address not on the allowlist',
      async () => r(await call(s.url, '/v1/chat/completions', { key: ipKey, body: chat('m1') })),
      403,
      'ip_not_allowed',
    ],
  ];
  for (const [name, fn, status, code] of cases) {
    it(`${name} -> ${status} ${code}, upstream not called`, async () => {
      const before = s.sim.stats.requests;
      const got = await fn();
      assert.deepEqual(got, { status, code });
      assert.equal(s.sim.stats.requests, before);
    });
  }

  it('the same request with a good key passes every layer', async () => {
    const res = await call(s.url, '/v1/chat/completions', { key: good, body: chat('m1') });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.json.choices as unknown[]).length, 1);
  });

  it('an embeddings-only key may call embeddings', async () => {
    const res = await call(s.url, '/v1/embeddings', { key: embedOnly, body: { model: 'embed-only', input: 'hello' } });
    assert.equal(res.status, 200, res.text);
  });

  it('/v1/models lists only entitled models and needs the models.list scope', async () => {
    const res = await call(s.url, '/v1/models', { key: good });
    assert.equal(res.status, 200);
    assert.deepEqual(
      (res.json.data as { id: string }[]).map((m) => m.id),
      ['embed-only', 'm1'],
    );
    assert.equal((await call(s.url, '/v1/models/m1', { key: good })).status, 200);
    assert.equal((await call(s.url, '/v1/models/m2', { key: good })).json.error?.code, 'model_not_found');
    assert.equal((await call(s.url, '/v1/models', { key: embedOnly })).json.error?.code, 'scope_not_allowed');
    assert.equal((await call(s.url, '/v1/models')).json.error?.code, 'missing_api_key');
  });

  it('the upstream sees the gateway credential, never the tenant key', async () => {
    await call(s.url, '/v1/chat/completions', { key: good, body: chat('m1') });
    const h = s.sim.stats.lastHeaders ?? {};
    assert.equal(h.authorization, undefined);
    assert.ok(!JSON.stringify(h).includes(good.slice(4, 20)));
  });
});

describe('audit and metrics', () => {
  it('logs prompts only for redactedPrompts tenants, masked; never for metadata tenants', async () => {
    const secretPrompt = `my key is ${newKey()} and mail me at jane@example.com`;
    await call(s.url, '/v1/chat/completions', {
      key: promptKey,
      body: chat('m1', { messages: [{ role: 'user', content: secretPrompt }] }),
    });
    await call(s.url, '/v1/chat/completions', {
      key: good,
      body: chat('m1', { messages: [{ role: 'user', content: 'metadata-only tenant text' }] }),
    });
    const lines = CAPTURED.filter((l) => l.includes('"msg":"request"'));
    const withPrompt = lines.filter((l) => l.includes('"prompt"'));
    assert.equal(withPrompt.length, 1);
    assert.match(withPrompt[0]!, /my key is \[redacted\] and mail me at \[redacted\]/);
    assert.ok(!lines.some((l) => l.includes('metadata-only tenant text')));
    const audit = (JSON.parse(withPrompt[0]!) as { audit: Record<string, unknown> }).audit;
    for (const f of ['reqId', 'tenant', 'keyId', 'model', 'tokensIn', 'tokensOut', 'cost', 'status', 'latencyMs'])
      assert.ok(f in audit, f);
    assert.equal(audit.keyId, 'team-e/e/k');
  });

  it('exposes tollgate_* metrics with rejections by code on the admin port only', async () => {
    const text = await (await fetch(`${s.gw.metricsUrl}/metrics`)).text();
    assert.match(text, /tollgate_rejections_total\{code="scope_not_allowed"\} [1-9]/);
    assert.match(
      text,
      /tollgate_requests_total\{endpoint="chat.completions",model="m1",code="ok",status="2xx"\} [1-9]/,
    );
    assert.match(text, /tollgate_tokens_total\{model="m1",direction="output"\} [1-9]/);
    assert.match(text, /tollgate_inflight_requests 0/);
    assert.equal((await call(s.url, '/metrics', { key: good })).status, 404);
  });
});

function r(res: { status: number; json: { error?: { code: string } } }): { status: number; code: string | undefined } {
  return { status: res.status, code: res.json.error?.code };
}
