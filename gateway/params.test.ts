// The OpenAI parameters the SDKs send, over real HTTP to the simulator (SDK check 2026-12-03, finding 02):
// what the engine receives (dropped hints gone, forwarded ones intact), and finding 05: every answer,
// /v1/models included, carries the x-request-id its audit line has.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';

installLeakScan();

const key = newKey();
const cappedKey = newKey();
let s: Stack;
before(async () => {
  s = await startStack((url) =>
    config(
      [model('m1', url)],
      [
        tenant({ name: 'a', models: ['m1'], keys: [{ name: 'k', key }] }),
        tenant({
          name: 'capped',
          models: ['m1'],
          keys: [{ name: 'k', key: cappedKey }],
          limits: { maxOutputTokens: 16 },
        }),
      ],
    ),
  );
});
after(async () => {
  await s?.close();
});

const DROPPED = {
  metadata: { team: 'search' },
  store: false,
  service_tier: 'auto',
  safety_identifier: 'user-42',
  prompt_cache_key: 'k1',
  prompt_cache_retention: 'in_memory',
  verbosity: 'low',
  modalities: ['text'],
  prediction: { type: 'content', content: 'Hello' },
};

describe('OpenAI SDK parameters through the gateway', () => {
  it('platform hints are accepted and kept from the engine; reasoning_effort and the thinking switch reach it', async () => {
    const r = await call(s.url, '/v1/chat/completions', {
      key,
      body: chat('m1', {
        max_tokens: 4,
        ...DROPPED,
        reasoning_effort: 'low',
        chat_template_kwargs: { enable_thinking: false },
      }),
    });
    assert.equal(r.status, 200, r.text);
    const sent = s.sim.stats.lastBody!;
    for (const k of Object.keys(DROPPED)) assert.equal(Object.hasOwn(sent, k), false, `${k} not forwarded`);
    assert.equal(sent.reasoning_effort, 'low');
    assert.deepEqual(sent.chat_template_kwargs, { enable_thinking: false });
  });

  it('stream_options.include_obfuscation is accepted and not forwarded', async () => {
    const r = await call(s.url, '/v1/chat/completions', {
      key,
      body: chat('m1', {
        max_tokens: 4,
        stream: true,
        stream_options: { include_usage: true, include_obfuscation: false },
      }),
    });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /data: \[DONE\]/);
    assert.deepEqual(s.sim.stats.lastBody!.stream_options, { include_usage: true });
  });

  it('a refusal names the parameter and echoes no value', async () => {
    const r = await call(s.url, '/v1/chat/completions', {
      key,
      body: chat('m1', { modalities: ['text', 'audio'], audio: { voice: 'secret-voice-x' } }),
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error?.param, 'modalities');
    assert.doesNotMatch(r.text, /secret-voice-x/);
  });
});

describe('x-request-id on every answer (finding 05)', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const rows: [name: string, path: string, status: number][] = [
    ['models.list', '/v1/models', 200],
    ['models.retrieve', '/v1/models/m1', 200],
    ['models.retrieve, unknown model', '/v1/models/nope', 404],
  ];
  for (const [name, path, status] of rows) {
    it(`${name} -> ${status} with x-request-id`, async () => {
      const r = await call(s.url, path, { key });
      assert.equal(r.status, status, r.text);
      assert.match(r.headers.get('x-request-id') ?? '', UUID);
    });
  }
  it('a client-sent x-request-id is not reflected (the gateway id is its own)', async () => {
    const r = await call(s.url, '/v1/models', { key, headers: { 'x-request-id': 'client-chosen-id' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('x-request-id') ?? '', UUID);
  });
});

describe('min_tokens above the output limit (SDK re-check 2026-12-03: accepted)', () => {
  const refused = async (k: string, body: Record<string, unknown>, path = '/v1/chat/completions') => {
    const before = s.sim.stats.requests;
    const r = await call(s.url, path, { key: k, body });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error?.code, 'invalid_parameter');
    assert.equal(r.json.error?.param, 'min_tokens');
    assert.equal(s.sim.stats.requests, before, 'refused before the engine');
  };

  it('above max_tokens or max_completion_tokens: 400 naming min_tokens', async () => {
    await refused(key, chat('m1', { max_tokens: 5, min_tokens: 10 }));
    await refused(key, chat('m1', { max_completion_tokens: 5, min_tokens: 6 }));
    await refused(key, { model: 'm1', prompt: 'hi', max_tokens: 5, min_tokens: 10 }, '/v1/completions');
  });

  it("above the tenant's output cap (max_tokens unset or lowered to it): 400 naming min_tokens", async () => {
    await refused(cappedKey, chat('m1', { min_tokens: 100 }));
    await refused(cappedKey, chat('m1', { max_tokens: 200, min_tokens: 100 }));
  });

  it('within the limit: forwarded with the max_tokens the engine is sent', async () => {
    const r = await call(s.url, '/v1/chat/completions', { key: cappedKey, body: chat('m1', { min_tokens: 8 }) });
    assert.equal(r.status, 200, r.text);
    assert.equal(s.sim.stats.lastBody!.min_tokens, 8);
    assert.equal(s.sim.stats.lastBody!.max_tokens, 16);
  });
});
