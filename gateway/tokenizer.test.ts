// Admission counts a request with its model's encoding (LLMModel spec.tokenizer, carried in the gateway
// config): the same prompt fits a tenant's input limit on an o200k_base model and not on a cl100k_base one.
// And the learnt engine/estimate correction (plan/input-ratio.ts) end to end through a real gateway.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { encodingFor } from './encodings.ts';
import { ALPHA, SHARED_FACTOR_MAX } from './plan/input-ratio.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';
import { countText } from './tokens.ts';

installLeakScan();

const LIMIT = 200;
// Hindi: ~13 tokens per repeat in cl100k_base, ~5 in o200k_base
const PROMPT = 'नमस्ते दुनिया '.repeat(20);
const key = newKey();
const otherKey = newKey();
const imageKey = newKey();
let s: Stack;
before(async () => {
  s = await startStack((url) =>
    config(
      [
        model('m-default', url),
        model('m-cl100k', url, { tokenizer: 'cl100k_base' }),
        model('m-o200k', url, { tokenizer: 'o200k_base' }),
      ],
      [
        tenant({
          name: 't',
          models: ['m-default', 'm-cl100k', 'm-o200k'],
          keys: [{ name: 'k', key }],
          limits: { maxInputTokens: LIMIT },
        }),
      ],
    ),
  );
});
after(() => s.close());

describe("admission counts with the model's encoding", () => {
  it('the sample sits between the limit in one encoding and the other', () => {
    assert.ok(countText(encodingFor('o200k_base'), PROMPT) + 7 < LIMIT);
    assert.ok(countText(encodingFor('cl100k_base'), PROMPT) > LIMIT);
  });

  const cases: [string, number, string | undefined][] = [
    ['m-o200k', 200, undefined],
    ['m-cl100k', 400, 'input_too_long'],
    ['m-default', 400, 'input_too_long'], // no tokenizer in the config: cl100k_base
  ];
  for (const [m, status, code] of cases) {
    it(`${m}: ${status}${code ? ` ${code}` : ''}`, async () => {
      const res = await call(s.url, '/v1/chat/completions', {
        key,
        body: chat(m, { messages: [{ role: 'user', content: PROMPT }] }),
      });
      assert.equal(res.status, status, res.text.slice(0, 300));
      assert.equal(res.json.error?.code, code);
    });
  }
});

// An engine whose tokenizer counts three times what the gateway estimates: the learnt factor raises the
// reservation (budget amount), published on the metrics port; max_tokens and the input limit are unchanged.
describe('the learnt correction raises the reservation towards what the engine reports', () => {
  const PROMPT_EN = 'The quick brown fox jumps over the lazy dog. '.repeat(10);
  const estimate = countText(encodingFor('cl100k_base'), PROMPT_EN) + 7; // + message framing and reply priming
  let engine: Server;
  let st: Stack;
  const seenMaxTokens: number[] = [];
  before(async () => {
    engine = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seenMaxTokens.push((JSON.parse(body) as { max_tokens: number }).max_tokens);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 1,
            model: 'm-x3',
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3 * estimate, completion_tokens: 1, total_tokens: 3 * estimate + 1 },
          }),
        );
      });
    });
    await new Promise<void>((r) => engine.listen(0, '127.0.0.1', r));
    const port = (engine.address() as AddressInfo).port;
    st = await startStack(() =>
      config(
        [model('m-x3', `http://127.0.0.1:${port}/v1`)],
        [
          tenant({
            name: 'x3',
            models: ['m-x3'],
            keys: [{ name: 'k', key }],
            limits: {
              maxOutputTokens: 10,
              budgets: [{ unit: 'tokens', limit: 10_000_000, windowSeconds: 86400 }],
            },
          }),
          ...['other', 'img'].map((name) =>
            tenant({
              name,
              models: ['m-x3'],
              keys: [{ name: 'k', key: name === 'other' ? otherKey : imageKey }],
              limits: {
                maxOutputTokens: 10,
                budgets: [{ unit: 'tokens', limit: 10_000_000, windowSeconds: 86400 }],
              },
            }),
          ),
        ],
      ),
    );
  });
  after(async () => {
    await st?.close();
    await new Promise((r) => engine?.close(r));
  });

  it('30 settlements later: ratio ~2.9 on the gauge, the reservation ~2.9x the input, max_tokens as before', async () => {
    const reserved: number[] = [];
    for (let i = 0; i < 30; i++) {
      const before = CAPTURED.length;
      const res = await call(st.url, '/v1/chat/completions', {
        key,
        body: chat('m-x3', { messages: [{ role: 'user', content: PROMPT_EN }] }),
      });
      assert.equal(res.status, 200, res.text.slice(0, 200));
      await new Promise((r) => setTimeout(r, 20));
      const line = CAPTURED.slice(before).find(
        (l) => l.includes('"audit"') && l.includes('"reserved"') && l.includes('"model":"m-x3"'),
      );
      assert.ok(line, 'an audit line with the reservation');
      reserved.push((JSON.parse(line) as { audit: { reserved: number } }).audit.reserved);
    }
    const want = 1 + 2 * (1 - (1 - ALPHA) ** 30); // EWMA from 1 towards 3
    const metrics = await (await fetch(`${st.gw.metricsUrl}/metrics`)).text();
    const m = /tollgate_input_token_ratio\{model="m-x3"\} ([0-9.]+)/.exec(metrics);
    assert.ok(m, 'the gauge is published');
    assert.ok(Math.abs(Number(m[1]) - want) < 1e-6, `${m[1]} vs ${want}`);
    assert.equal(reserved[0], estimate + 10, 'the first request reserves the own count');
    const factorBeforeLast = 1 + 2 * (1 - (1 - ALPHA) ** 29);
    assert.equal(reserved.at(-1), Math.ceil(estimate * factorBeforeLast) + 10);
    assert.deepEqual(new Set(seenMaxTokens), new Set([10]), 'max_tokens is not corrected');
  });

  // red team F9: one tenant's traffic drove the one shared ratio, and every tenant's reservation, to ×4
  const reservedOf = async (k: string, content: unknown): Promise<number> => {
    const before = CAPTURED.length;
    const res = await call(st.url, '/v1/chat/completions', {
      key: k,
      body: chat('m-x3', { messages: [{ role: 'user', content }] }),
    });
    assert.equal(res.status, 200, res.text.slice(0, 200));
    await new Promise((r) => setTimeout(r, 20));
    const line = CAPTURED.slice(before).find((l) => l.includes('"audit"') && l.includes('"reserved"'));
    assert.ok(line, 'an audit line with the reservation');
    return (JSON.parse(line) as { audit: { reserved: number } }).audit.reserved;
  };
  const gauge = async (): Promise<number> => {
    const metrics = await (await fetch(`${st.gw.metricsUrl}/metrics`)).text();
    return Number(/tollgate_input_token_ratio\{model="m-x3"\} ([0-9.]+)/.exec(metrics)?.[1]);
  };

  it("another tenant's same request: raised by the model's average at most ×1.5, not ×2.9", async () => {
    assert.ok((await gauge()) > 2.8, 'the model average has learnt ~2.9 from tenant x3');
    assert.equal(await reservedOf(otherKey, PROMPT_EN), Math.ceil(estimate * SHARED_FACTOR_MAX) + 10);
  });

  it('image requests teach the average nothing', async () => {
    const before = await gauge();
    const parts = [
      { type: 'text', text: PROMPT_EN },
      { type: 'image_url', image_url: { url: 'https://example.com/i.png' } },
    ];
    for (let i = 0; i < 10; i++) await reservedOf(imageKey, parts);
    assert.equal(await gauge(), before);
  });
});
