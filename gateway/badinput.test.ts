// Hostile and malformed input: every case gets a clear 4xx in the OpenAI error shape, without a stack
// trace or a key fragment, and the process keeps serving.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { call, chat, installLeakScan, startStack, CAPTURED, type Res, type Stack } from './test/harness.ts';
import { jsonDepthExceeds, validateRequest } from './request.ts';

installLeakScan();

const key = newKey();
let s: Stack;
before(async () => {
  s = await startStack((url) =>
    config(
      [model('m1', url)],
      [
        tenant({
          name: 'b',
          models: ['m1'],
          keys: [{ name: 'k', key }],
          limits: { maxRequestBytes: 64 * 1024, maxN: 4, maxInputTokens: 2000 },
        }),
      ],
    ),
  );
});
after(() => s.close());

function assertOpenAIError(res: Res, status: number, code: string): void {
  assert.equal(res.status, status, res.text.slice(0, 300));
  assert.equal(res.json.error?.code, code, res.text.slice(0, 300));
  assert.equal(typeof res.json.error?.message, 'string');
  assert.equal(typeof res.json.error?.type, 'string');
  assert.ok('param' in (res.json.error ?? {}));
  assert.doesNotMatch(res.text, /\n\s+at |node:internal|\.ts:\d+|stack/i, 'no stack trace');
  assert.doesNotMatch(res.text, /tgk_[A-Za-z0-9]{4}/, 'no key material');
}

/** Raw HTTP for what fetch refuses to send (absolute URIs, odd request targets). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.end(text));
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    setTimeout(() => {
      sock.destroy();
      resolve(out);
    }, 2000).unref();
  });
}

describe('bad input', () => {
  const post = (
    body: unknown,
    extra: { raw?: string; headers?: Record<string, string>; key?: string } = {},
  ): Promise<Res> =>
    call(s.url, '/v1/chat/completions', {
      key: extra.key ?? key,
      ...(extra.raw !== undefined ? { raw: extra.raw } : { body }),
      ...(extra.headers ? { headers: extra.headers } : {}),
    });

  it('oversized body -> 413 (declared and chunked)', async () => {
    assertOpenAIError(
      await post(chat('m1', { messages: [{ role: 'user', content: 'x'.repeat(70_000) }] })),
      413,
      'request_too_large',
    );
    const port = Number(new URL(s.url).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/chat/completions',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 80; i++) req.write(`${' '.repeat(1000)}`);
      req.end('{}');
    });
    assert.equal(status, 413);
  });

  it('invalid JSON, non-object JSON, empty body, wrong content type', async () => {
    assertOpenAIError(await post(undefined, { raw: '{"model": "m1", "messages": [' }), 400, 'invalid_json');
    assertOpenAIError(await post(undefined, { raw: '[1,2,3]' }), 400, 'invalid_json');
    assertOpenAIError(await post(undefined, { raw: '' }), 400, 'invalid_json');
    assertOpenAIError(
      await post(undefined, { raw: 'model=m1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'unsupported_media_type',
    );
  });

  it('deep nesting -> 400 json_too_deep (and the parser is never asked)', async () => {
    const deep = `{"model":"m1","messages":[{"role":"user","content":"x"}],"user":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    assertOpenAIError(await post(undefined, { raw: deep }), 400, 'json_too_deep');
  });

  it('huge n -> 400 n_too_large; bad n -> invalid_parameter', async () => {
    assertOpenAIError(await post(chat('m1', { n: 1_000_000 })), 400, 'n_too_large');
    assertOpenAIError(await post(chat('m1', { n: 0 })), 400, 'invalid_parameter');
    assertOpenAIError(await post(chat('m1', { n: 'lots' })), 400, 'invalid_parameter');
  });

  it('a completions prompt batch above maxN prompts × n -> 400 n_too_large naming prompt (red team F1)', async () => {
    const batch = async (prompt: unknown, extra: Record<string, unknown> = {}): Promise<Res> =>
      call(s.url, '/v1/completions', { key, body: { model: 'm1', prompt, max_tokens: 5, ...extra } });
    const big = await batch(Array.from({ length: 100 }, () => 'hi'));
    assertOpenAIError(big, 400, 'n_too_large');
    assert.equal(big.json.error?.param, 'prompt');
    assertOpenAIError(await batch(['a', 'b', 'c'], { n: 2 }), 400, 'n_too_large');
    assertOpenAIError(await batch([[1], [2], [3], [4], [5]]), 400, 'n_too_large');
    assert.equal((await batch(['a', 'b'], { n: 2 })).status, 200, 'two prompts × n 2 = maxN 4');
  });

  it('banned parameters (SSRF and credential knobs) and unknown parameters', async () => {
    for (const p of [
      'api_base',
      'base_url',
      'api_key',
      'extra_headers',
      'extra_body',
      'custom_llm_provider',
      'chat_template',
    ]) {
      const res = await post(
        chat('m1', { [p]: p === 'api_key' ? newKey() : 'http://169.254.169.254/latest/meta-data/' }),
      );
      assertOpenAIError(res, 400, 'banned_parameter');
      assert.equal(res.json.error?.param, p);
    }
    assertOpenAIError(await post(chat('m1', { frobnicate: true })), 400, 'unknown_parameter');
    assertOpenAIError(await post(chat('m1', { __proto__x: 1 })), 400, 'unknown_parameter');
    assertOpenAIError(await post(chat('m1', { ['x'.repeat(5000)]: 1 })), 400, 'unknown_parameter');
  });

  it('malformed messages', async () => {
    for (const messages of [
      undefined,
      [],
      'hi',
      [null],
      [{ role: 'wizard', content: 'x' }],
      [{ role: 'user' }],
      [{ role: 'user', content: 5 }],
      [{ role: 'user', content: [{ type: 'video', url: 'x' }] }],
      [{ role: 'user', content: 'x', evil: 1 }],
      [{ role: 'tool', content: 'x' }],
    ]) {
      assertOpenAIError(
        await post({ model: 'm1', ...(messages !== undefined ? { messages } : {}) }),
        400,
        'invalid_messages',
      );
    }
    assertOpenAIError(await post({ messages: [{ role: 'user', content: 'x' }] }), 400, 'missing_model');
    assertOpenAIError(await post(chat('m1', { max_tokens: -5 })), 400, 'invalid_parameter');
    assertOpenAIError(await post(chat('m1', { stream_options: { include_usage: true } })), 400, 'invalid_parameter');
  });

  it('input limits: more input tokens than allowed -> 400 input_too_long', async () => {
    assertOpenAIError(
      await post(chat('m1', { messages: [{ role: 'user', content: 'word '.repeat(5000) }] })),
      400,
      'input_too_long',
    );
  });

  it('odd paths and methods -> 404 not_found without auth details', async () => {
    for (const path of [
      '//v1/chat/completions',
      '/v1/%2e%2e/admin',
      '/v1/../metrics',
      '/v1/chat/completions/',
      '/V1/chat/completions',
      '/metrics',
      '/v1/models%00',
      '/%00',
    ]) {
      const res = await call(s.url, path, { key, body: chat('m1') });
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
      assert.ok(
        res.json.error?.code === 'not_found' || res.json.error?.code === 'invalid_json',
        `${path}: ${res.text}`,
      );
    }
    assertOpenAIError(await call(s.url, '/v1/chat/completions', { key, method: 'GET' }), 404, 'not_found');
    const port = Number(new URL(s.url).port);
    const absolute = await raw(
      port,
      `POST http://169.254.169.254/v1/chat/completions HTTP/1.1\r\nHost: evil\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    assert.match(absolute, /^HTTP\/1\.1 4\d\d/);
    assert.doesNotMatch(absolute, / 200 /);
    const garbage = await raw(port, 'GARBAGE /\x00\x01 HTTP/9.9\r\n\r\n');
    assert.ok(garbage === '' || /^HTTP\/1\.1 4\d\d/.test(garbage));
  });

  it('SQL-looking, very long, binary and prefix-only keys -> 401 invalid_api_key', async () => {
    const cases = [
      "' OR 1=1 --",
      "tgk_' UNION SELECT sha256 FROM keys --",
      'x'.repeat(10_000),
      `${key.slice(0, 20)}`,
      `${key}x`,
      key.toUpperCase(),
      `tgk_${'A'.repeat(46)}`,
      '%00%00',
      '😀'.repeat(30),
    ];
    for (const k of cases) {
      const res = await call(s.url, '/v1/chat/completions', {
        headers: { authorization: `Bearer ${k}` },
        body: chat('m1'),
      }).catch(() => undefined);
      if (res === undefined) continue; // fetch refuses some header values itself
      assertOpenAIError(res, 401, 'invalid_api_key');
    }
    assertOpenAIError(
      await call(s.url, '/v1/chat/completions', {
        headers: { authorization: `Basic ${Buffer.from(`u:${key}`).toString('base64')}` },
        body: chat('m1'),
      }),
      401,
      'invalid_api_key',
    );
    assertOpenAIError(
      await call(s.url, '/v1/chat/completions', { headers: { authorization: key }, body: chat('m1') }),
      401,
      'invalid_api_key',
    );
    // a header far over the limit is refused by the HTTP layer, not echoed
    const port = Number(new URL(s.url).port);
    const huge = await raw(
      port,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(40_000)}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(huge, /^HTTP\/1\.1 431/);
  });

  it('missing auth on every route -> 401 missing_api_key (before the body is read)', async () => {
    for (const [method, path] of [
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1/completions'],
      ['POST', '/v1/embeddings'],
      ['GET', '/v1/models'],
      ['GET', '/v1/models/m1'],
    ] as const) {
      const res = await call(s.url, path, method === 'POST' ? { body: { model: 'm1' } } : { method });
      assertOpenAIError(res, 401, 'missing_api_key');
    }
    // an unauthenticated 10 MB body is refused without being parsed
    assertOpenAIError(
      await call(s.url, '/v1/chat/completions', { raw: `{"x":"${'y'.repeat(10_000_000)}"}` }),
      401,
      'missing_api_key',
    );
  });

  it('still serves after all of that, and nothing leaked into logs', async () => {
    const res = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
    assert.equal(res.status, 200);
    assert.ok(
      CAPTURED.some((l) => l.includes('"code":"banned_parameter"')),
      'refusals are audited',
    );
  });
});

describe('request validation (unit)', () => {
  it('counts JSON depth without being fooled by brackets in strings', () => {
    assert.equal(jsonDepthExceeds('{"a":"[[[[[[[[[[[["}', 3), false);
    assert.equal(jsonDepthExceeds('{"a":[[[1]]]}', 3), true);
    assert.equal(jsonDepthExceeds('{"a":"\\"[[[[["}', 2), false);
    // an escaped backslash ends the string: the brackets after it count
    assert.equal(jsonDepthExceeds('{"a":"x\\\\"[[[[[1]]]]]}', 3), true);
    assert.equal(jsonDepthExceeds('{"a":"x\\\\\\"[[[[[1]]]]]"}', 3), false);
    assert.equal(jsonDepthExceeds(`{"a":"${'['.repeat(100_000)}","b":[[1]]}`, 2), true);
    assert.equal(jsonDepthExceeds('{"a":"unterminated [[[[[[', 2), false);
  });
  it('normalises explicit nulls and takes the smaller of max_tokens and max_completion_tokens', () => {
    const p = validateRequest('chat.completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      temperature: null,
      max_tokens: 50,
      max_completion_tokens: 20,
    });
    assert.equal(p.requestedMaxTokens, 20);
    assert.equal('temperature' in p.body, false);
  });
  it('counts token-id prompts and multimodal parts', () => {
    assert.equal(validateRequest('completions', { model: 'm', prompt: [1, 2, 3] }).input.overhead, 3);
    const p = validateRequest('chat.completions', {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image_url', image_url: { url: 'data:x' } },
          ],
        },
      ],
    });
    assert.deepEqual(p.input.texts, ['hi']);
    assert.ok(p.input.overhead >= 512);
  });
});
