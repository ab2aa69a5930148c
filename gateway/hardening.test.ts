// Issue #10 (gateway hardening): every finding of the attack run as a regression test, over real HTTP
// against the real simulator (and real Redis where budgets are involved). Item 6 (exfiltration) lives with
// the guardrails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { OutputTransformFactory } from './transform.ts';
import { encodingFor } from './encodings.ts';
import { countText as countWith } from './tokens.ts';
import { outputAllowance } from './upstream/output-bound.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { assertNoKeyFragments, CAPTURED, call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';
import { freePort } from './test/net.ts';
import { startRedis, type RedisServer } from './test/redis.ts';

/** The fixture models name no tokenizer: the gateway counts them with cl100k_base. */
const countText = (t: string): number => countWith(encodingFor('cl100k_base'), t);

installLeakScan();

// A 43-character upstream credential (like the one the attack run saw) and a Redis password.
const UPSTREAM_KEY = 'upk-7Qm2Xv9LzR4sTb8NwYc1HdJ6gKf3PaE5uVoWiBn';
const REDIS_PASSWORD = 'rP4ssw0rd-Zq8Lm2Nx7Vb';
const SECRETS = [UPSTREAM_KEY, REDIS_PASSWORD];

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
  // nothing the gateway holds reached a client or a log line
  assertNoKeyFragments(CAPTURED, SECRETS);
});

function sseEvents(text: string): Record<string, unknown>[] {
  return text
    .split('\n\n')
    .map((e) => e.replace(/^data: /, ''))
    .filter((d) => d.startsWith('{'))
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

async function until(cond: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- item 1: CPU exhaustion in token counting ------------------------------------------------------------

describe('item 1: admission cost is linear and the event loop stays free', () => {
  const key = newKey();
  const spentKey = newKey();
  const piKey = newKey();
  let s: Stack;
  before(async () => {
    s = await startStack(
      (url) =>
        config(
          [model('m1', url, { contextLength: 200_000 }), model('m2', url, { contextLength: 8192 })],
          [
            tenant({
              name: 'cpu',
              models: ['m1'],
              keys: [{ name: 'k', key }],
              limits: {
                maxOutputTokens: 16,
                maxRequestBytes: 1024 * 1024,
                budgets: [{ unit: 'tokens', limit: 10_000_000, windowSeconds: 86400 }],
              },
            }),
            tenant({
              name: 'spent',
              models: ['m1'],
              keys: [{ name: 'k', key: spentKey }],
              limits: {
                maxOutputTokens: 16,
                maxRequestBytes: 1024 * 1024,
                budgets: [{ unit: 'tokens', limit: 1, windowSeconds: 86400 }],
              },
            }),
            tenant({
              name: 'pi',
              models: ['m2'],
              keys: [{ name: 'k', key: piKey }],
              limits: { maxOutputTokens: 16, maxRequestBytes: 1024 * 1024 },
              over: {
                guardrails: {
                  redaction: { detectors: [], customPatterns: [] },
                  promptInjection: { mode: 'block', threshold: 0.7 },
                  exfiltration: { mode: 'off', allowedHosts: [] },
                  canaries: [],
                  structuredOutput: { enforce: false },
                },
              },
            }),
          ],
        ),
      { sim: { latencyMs: 0 } },
    );
  });
  after(() => s.close());

  // Each was seconds to minutes of blocked event loop before the fix (100 KB of one character: ~5 s).
  const HOSTILE: [string, () => unknown][] = [
    ['100 KB of one letter', () => chat('m1', { messages: [{ role: 'user', content: 'a'.repeat(100_000) }] })],
    ['100 KB of one CJK character', () => chat('m1', { messages: [{ role: 'user', content: '中'.repeat(33_000) }] })],
    [
      '100 KB of one punctuation mark',
      () => chat('m1', { messages: [{ role: 'user', content: '!'.repeat(100_000) }] }),
    ],
    ['100 KB of spaces', () => chat('m1', { messages: [{ role: 'user', content: ' '.repeat(100_000) }] })],
    ['100 KB of newlines', () => chat('m1', { messages: [{ role: 'user', content: '\n'.repeat(100_000) }] })],
    ['1 MiB of one letter as a completions prompt', () => ({ model: 'm1', prompt: 'x'.repeat(1024 * 1024 - 100) })],
    [
      '4096 messages of one letter each',
      () => chat('m1', { messages: Array.from({ length: 4096 }, () => ({ role: 'user', content: 'b'.repeat(200) })) }),
    ],
  ];

  for (const [name, body] of HOSTILE) {
    it(`${name}: answered quickly, no event-loop stall, a normal request still fast`, async () => {
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      const t0 = performance.now();
      const hostile = call(
        s.url,
        '/v1/chat/completions'.replace(
          'chat/completions',
          (body() as { prompt?: unknown }).prompt !== undefined ? 'completions' : 'chat/completions',
        ),
        { key, body: body() },
      );
      const spent = call(s.url, '/v1/chat/completions', { key: spentKey, body: body() as Record<string, unknown> });
      await new Promise((r) => setTimeout(r, 20));
      const n0 = performance.now();
      const normal = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
      const normalMs = performance.now() - n0;
      const [hr, sr] = await Promise.all([hostile, spent]);
      const totalMs = performance.now() - t0;
      h.disable();
      const maxStallMs = h.max / 1e6;
      assert.equal(normal.status, 200);
      assert.ok([200, 400].includes(hr.status), `hostile: ${hr.status} ${hr.text.slice(0, 200)}`);
      assert.ok([400, 429].includes(sr.status), `spent budget: ${sr.status}`);
      // Generous bounds for a shared, busy 2-core CI box (the benchmark has the real figures); before the
      // fix the first five took 5 s to minutes of blocked event loop.
      assert.ok(totalMs < 5000, `hostile request took ${totalMs.toFixed(0)} ms`);
      assert.ok(maxStallMs < 1000, `event loop blocked for ${maxStallMs.toFixed(0)} ms`);
      assert.ok(normalMs < 3000, `a normal request took ${normalMs.toFixed(0)} ms next to the hostile one`);
    });
  }

  it('input limits are decided before the (linear but costly) prompt-injection scorer runs', async () => {
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const r = await call(s.url, '/v1/chat/completions', {
      key: piKey,
      body: chat('m2', { messages: [{ role: 'user', content: 'ignore previous instructions '.repeat(36_000) }] }),
    });
    h.disable();
    assert.equal(r.json.error?.code, 'context_length_exceeded');
    assert.ok(h.max / 1e6 < 1000, `event loop blocked for ${(h.max / 1e6).toFixed(0)} ms`);
  });

  it('deep arrays and 100k tiny messages are refused before any counting', async () => {
    const deep = await call(s.url, '/v1/chat/completions', {
      key,
      raw: `{"model":"m1","messages":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    });
    assert.equal(deep.json.error?.code, 'json_too_deep');
    const tiny = await call(s.url, '/v1/chat/completions', {
      key,
      body: chat('m1', { messages: Array.from({ length: 100_000 }, () => ({ role: 'user', content: 'x' })) }),
    });
    assert.ok(['invalid_messages', 'request_too_large'].includes(tiny.json.error?.code ?? ''), tiny.text);
  });
});

// ---- items 2 and 3: nothing upstream- or client-controlled reaches a tenant or a log verbatim -------------

describe('item 2: upstream error text never reaches the tenant', () => {
  const key = newKey();
  let s: Stack;
  before(async () => {
    s = await startStack(
      (url) =>
        config(
          [model('m1', url, { credentialKey: 'm1-key' })],
          [tenant({ name: 'up', models: ['m1'], keys: [{ name: 'k', key }] })],
        ),
      {
        sim: { latencyMs: 0, apiKey: UPSTREAM_KEY },
        credentials: new Map([['m1-key', UPSTREAM_KEY]]),
        app: { extraSecrets: [REDIS_PASSWORD] },
      },
    );
  });
  after(() => s.close());

  const pieces = [
    UPSTREAM_KEY.slice(3, 15),
    UPSTREAM_KEY.slice(20, 40),
    UPSTREAM_KEY.slice(10, 18),
    REDIS_PASSWORD.slice(2, 14),
  ];

  for (const status of [400, 401, 404, 422, 429, 500, 503]) {
    it(`upstream ${status} whose body quotes pieces of every credential: a generic message with the status`, async () => {
      const body = JSON.stringify({
        error: { message: `bad key ${pieces.join(' and ')} for ${UPSTREAM_KEY}`, detail: pieces.join('') },
        code: pieces[0],
      });
      s.sim.failWith = { status, body };
      try {
        const before = CAPTURED.length;
        const r = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
        assert.ok(r.status >= 400);
        assert.match(r.json.error?.message ?? '', new RegExp(`upstream status ${status}\\b`));
        assertNoKeyFragments([r.text], SECRETS);
        // the operator log has the status, the body's length and hash; its words only for redactedPrompts tenants
        const logged = CAPTURED.slice(before).find((l) => l.includes('upstream returned an error status'));
        assert.ok(logged?.includes(`"upstreamStatus":${status}`) && logged.includes('"hash":'), logged);
        assert.ok(!logged?.includes('bad key'), 'a metadata tenant: no upstream text in the log');
        assertNoKeyFragments(CAPTURED.slice(before), SECRETS);
      } finally {
        s.sim.failWith = undefined;
      }
    });
  }

  const streamErrors: [string, string][] = [
    [
      'data: {"error": ...} event',
      `data: ${JSON.stringify({ error: { message: `upstream auth failed for ${UPSTREAM_KEY}`, type: 'auth', code: 401 } })}\n\n`,
    ],
    ['event: error', `event: error\ndata: upstream auth failed for ${UPSTREAM_KEY} (redis ${REDIS_PASSWORD})\n\n`],
    [
      'an error object next to choices',
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: '' } }], error: { message: UPSTREAM_KEY.slice(2, 22) } })}\n\n`,
    ],
  ];
  for (const [name, raw] of streamErrors) {
    it(`SSE ${name} mid-stream: the client gets the gateway's own error event`, async () => {
      s.sim.options = { latencyMs: 0, outputTokens: 10, streamError: { afterTokens: 3, raw } };
      try {
        const before = CAPTURED.length;
        const r = await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { stream: true }) });
        assert.equal(r.status, 200);
        const errors = sseEvents(r.text).filter((e) => e.error !== undefined);
        assert.equal(errors.length, 1, r.text);
        assert.deepEqual(errors[0]!.error, {
          message: 'The model server failed.',
          type: 'api_error',
          param: null,
          code: 'upstream_error',
        });
        assert.ok(r.text.trimEnd().endsWith('data: [DONE]'));
        assertNoKeyFragments([r.text], SECRETS);
        await until(() => CAPTURED.slice(before).some((l) => l.includes('upstream sent an error event')));
        assertNoKeyFragments(CAPTURED.slice(before), SECRETS);
      } finally {
        s.sim.options = { latencyMs: 0 };
      }
    });
  }

  it('an error object dressed as a 200 (non-streamed) becomes upstream_error', async () => {
    s.sim.failWith = { status: 200, body: JSON.stringify({ error: { message: `quota for ${UPSTREAM_KEY}` } }) };
    try {
      const r = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
      assert.equal(r.json.error?.code, 'upstream_error');
      assertNoKeyFragments([r.text], SECRETS);
    } finally {
      s.sim.failWith = undefined;
    }
  });
});

describe('item 3: real keys in every client-controlled place reach no output', () => {
  const key = newKey();
  const planted = [newKey(), newKey(), newKey()]; // valid-format keys of nobody, scanned for by installLeakScan
  const k0 = planted[0]!;
  const body0 = k0.slice(4); // the base62 body alone (what a token-like X-Request-Id looks like)
  let s: Stack;
  before(async () => {
    s = await startStack(
      (url) =>
        config(
          [model('m1', url)],
          [tenant({ name: 'kp', models: ['m1'], keys: [{ name: 'k', key }], over: { logging: 'metadata' } })],
        ),
      {
        sim: { latencyMs: 0 },
        app: { trustProxy: true },
      },
    );
  });
  after(() => s.close());

  const everyHeader = (k: string): Record<string, string> => ({
    'x-request-id': k.slice(4),
    'user-agent': k,
    referer: `https://x/${k}`,
    'x-forwarded-for': k,
    'x-real-ip': k,
    forwarded: `for=${k}`,
    'last-event-id': k,
    cookie: `session=${k}`,
    'x-api-key': k,
    'openai-organization': k,
    'openai-project': k,
    'x-stainless-retry-count': k,
    'idempotency-key': k,
  });

  it('path, query, every header, body fields and reconnection ids: nothing in logs, audit, metrics or responses', async () => {
    const before = CAPTURED.length;
    const paths = [
      `/v1/${k0}`,
      `/v1/chat/completions/${k0}`,
      `/${body0}`,
      `/v1/models/${k0}`,
      `/v1/chat/completions?api_key=${k0}`,
      `/v1/chat/completions?${body0}=1`,
      `/v1/${encodeURIComponent(`../${k0}`)}`,
    ];
    for (const p of paths) {
      await call(s.url, p, { key, body: chat('m1'), headers: everyHeader(k0) });
      await call(s.url, p, { headers: everyHeader(k0) });
    }
    const bodies: Record<string, unknown>[] = [
      chat('m1', { user: k0 }),
      chat('m1', { [k0]: 1 }),
      chat('m1', { [body0]: 1 }),
      chat('m1', { messages: [{ role: 'user', content: k0, [k0]: 'x' }] }),
      chat('m1', { messages: [{ role: 'user', content: [{ type: k0, text: k0 }] }] }),
      chat('m1', { messages: [{ role: k0, content: 'x' }] }),
      chat('m1', { messages: [{ role: 'user', content: 'x', name: k0 }] }),
      chat('m1', { stop: [k0], seed: k0 }),
      chat('m1', {
        tools: [
          {
            type: 'function',
            function: {
              name: k0.slice(0, 40),
              parameters: { type: 'object', properties: { [k0]: { type: 'string' } } },
            },
          },
        ],
        tool_choice: { type: 'function', function: { name: k0 } },
      }),
      chat('m1', { response_format: { type: k0 } }),
      chat('m1', { logit_bias: { [k0]: 1 } }),
      chat('m1', { stream: true, stream_options: { [k0]: true } }),
      chat('m1', { stream: true }),
      { model: k0, messages: [{ role: 'user', content: 'x' }] },
      { model: 'm1', prompt: k0, suffix: k0 },
      { model: 'm1', input: [k0] },
    ];
    for (const b of bodies) {
      const path = 'prompt' in b ? '/v1/completions' : 'input' in b ? '/v1/embeddings' : '/v1/chat/completions';
      await call(s.url, path, { key, body: b, headers: { ...everyHeader(k0), 'last-event-id': body0 } });
    }
    // a bearer that is a (foreign, valid-format) key, and one in the wrong header
    await call(s.url, '/v1/chat/completions', {
      key: planted[1]!,
      body: chat('m1'),
      headers: everyHeader(planted[2]!),
    });
    await call(s.url, '/v1/chat/completions', {
      headers: { authorization: `Basic ${Buffer.from(`u:${k0}`).toString('base64')}`, ...everyHeader(k0) },
      body: chat('m1'),
    });
    // the admin port as well
    for (const p of ['/metrics', '/readyz', '/healthz'])
      CAPTURED.push(await (await fetch(`${s.gw.metricsUrl}${p}`)).text());
    CAPTURED.push(await (await fetch(`${s.url}/readyz`)).text());
    const lines = CAPTURED.slice(before);
    assertNoKeyFragments(lines, [k0, planted[1]!, planted[2]!]);
    // and the audit line keeps only validated values
    const audits = lines
      .filter((l) => l.includes('"msg":"request"'))
      .map((l) => (JSON.parse(l) as { audit: Record<string, unknown> }).audit);
    assert.ok(audits.length > 20, `${audits.length} audit lines`);
    for (const a of audits) {
      assert.equal(a.path, undefined, 'no raw path in the audit line');
      assert.equal(a.clientRequestId, undefined, 'a token-like X-Request-Id is not recorded');
      assert.ok(a.ip === undefined || /^[0-9a-f.:]+$/i.test(String(a.ip)), `ip ${String(a.ip)}`);
    }
  });

  it('a UUID X-Request-Id is kept (lower-cased)', async () => {
    const before = CAPTURED.length;
    await call(s.url, '/v1/chat/completions', {
      key,
      body: chat('m1'),
      headers: { 'x-request-id': '1B4E28BA-2FA1-11D2-883F-0016D3CCA427' },
    });
    const a = CAPTURED.slice(before).find((l) => l.includes('"msg":"request"'));
    assert.match(a ?? '', /"clientRequestId":"1b4e28ba-2fa1-11d2-883f-0016d3cca427"/);
  });
});

// ---- item 4: URLs without userinfo, /readyz without config text ------------------------------------------

describe('item 4: a password in a config error is never shown', () => {
  const PASSWORD = 'Sup3rS3cretUpstreamPw';
  const badUpstreams = [
    `http://admin:${PASSWORD}@[::1`,
    `http://admin:${PASSWORD}@llm host:80/v1`,
    `http://admin:${PASSWORD}@host:notaport/v1`,
    `http://admin:${PASSWORD}@10.0.0.1:8000/v1`,
  ];
  const key = newKey();

  it('config_refused log line and admin /readyz (a running gateway refusing a reload)', async () => {
    const s = await startStack(
      (url) => config([model('m1', url)], [tenant({ name: 'cfg', models: ['m1'], keys: [{ name: 'k', key }] })]),
      { sim: { latencyMs: 0 } },
    );
    try {
      for (const up of badUpstreams) {
        const before = CAPTURED.length;
        const r = s.gw.holder.apply(
          config([model('m1', up)], [tenant({ name: 'cfg', models: ['m1'], keys: [{ name: 'k', key }] })]),
          'test',
        );
        assert.equal(r.ok, false, up);
        const ready = await (await fetch(`${s.gw.metricsUrl}/readyz`)).text();
        const tenantReady = await (await fetch(`${s.url}/readyz`)).text();
        const out = [...CAPTURED.slice(before), ready, tenantReady, r.ok ? '' : r.error.message];
        for (const t of out)
          assert.ok(!t.includes(PASSWORD) && !t.includes('admin:'), `userinfo shown: ${t.slice(0, 300)}`);
        const detail = JSON.parse(ready) as { lastReloadError: Record<string, unknown> | null };
        assert.ok(detail.lastReloadError !== null);
        assert.ok(!('message' in detail.lastReloadError), '/readyz carries no config text');
        assert.ok(CAPTURED.slice(before).some((l) => l.includes('config_refused')));
      }
    } finally {
      await s.close();
    }
  });

  it('stderr and stdout of `tollgate gateway` refusing the config at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-cfg-'));
    try {
      for (const up of badUpstreams.slice(0, 2)) {
        // the two that do not parse (each start costs seconds)
        const file = join(dir, 'config.json');
        writeFileSync(
          file,
          JSON.stringify(
            config([model('m1', up)], [tenant({ name: 'cfg', models: ['m1'], keys: [{ name: 'k', key }] })]),
          ),
        );
        const port = await freePort();
        const mport = await freePort();
        const p = spawn(
          process.execPath,
          ['bin/tollgate.ts', 'gateway', '--config', file, '--port', String(port), '--metrics-port', String(mport)],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, TOLLGATE_NO_REEXEC: '1' },
            detached: true,
          },
        );
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const code = await Promise.race([
          new Promise<number | null>((resolve) => p.once('exit', resolve)),
          new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000)),
        ]);
        if (code === 'timeout') {
          process.kill(-p.pid!, 'SIGKILL');
          assert.fail('gateway did not exit on an invalid config');
        }
        assert.notEqual(code, 0, out);
        assert.match(out, /upstream/);
        assert.ok(
          !out.includes(PASSWORD) && !out.includes('admin:'),
          `userinfo on stdout/stderr: ${out.slice(0, 400)}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- item 5: own-property lookups for every untrusted key ------------------------------------------------

describe('item 5: every Object.prototype name at every level of the body', () => {
  const key = newKey();
  let s: Stack;
  before(async () => {
    s = await startStack(
      (url) => config([model('m1', url)], [tenant({ name: 'proto', models: ['m1'], keys: [{ name: 'k', key }] })]),
      { sim: { latencyMs: 0 } },
    );
  });
  after(() => s.close());

  const NAMES = Object.getOwnPropertyNames(Object.prototype);
  // [level, raw body with NAME in that place, expected code (undefined: free-form level, forwarded as data)]
  const LEVELS: [string, (n: string) => string, string | undefined][] = [
    [
      'top level',
      (n) => `{"model":"m1","messages":[{"role":"user","content":"hi"}],${JSON.stringify(n)}:{"x":1}}`,
      'unknown_parameter',
    ],
    [
      'top level (number)',
      (n) => `{"model":"m1","messages":[{"role":"user","content":"hi"}],${JSON.stringify(n)}:1}`,
      'unknown_parameter',
    ],
    [
      'message',
      (n) => `{"model":"m1","messages":[{"role":"user","content":"hi",${JSON.stringify(n)}:"x"}]}`,
      'invalid_messages',
    ],
    [
      'content part',
      (n) =>
        `{"model":"m1","messages":[{"role":"user","content":[{"type":"text","text":"hi",${JSON.stringify(n)}:"x"}]}]}`,
      'invalid_messages',
    ],
    [
      'logit_bias',
      (n) => `{"model":"m1","messages":[{"role":"user","content":"hi"}],"logit_bias":{${JSON.stringify(n)}:1}}`,
      'invalid_parameter',
    ],
    [
      'stream_options',
      (n) =>
        `{"model":"m1","stream":true,"messages":[{"role":"user","content":"hi"}],"stream_options":{${JSON.stringify(n)}:true}}`,
      'invalid_parameter',
    ],
    [
      'response_format',
      (n) =>
        `{"model":"m1","messages":[{"role":"user","content":"hi"}],"response_format":{"type":${JSON.stringify(n)}}}`,
      'invalid_parameter',
    ],
    [
      'role value',
      (n) => `{"model":"m1","messages":[{"role":${JSON.stringify(n)},"content":"hi"}]}`,
      'invalid_messages',
    ],
    [
      'content part type',
      (n) => `{"model":"m1","messages":[{"role":"user","content":[{"type":${JSON.stringify(n)}}]}]}`,
      'invalid_messages',
    ],
    [
      'model value',
      (n) => `{"model":${JSON.stringify(n)},"messages":[{"role":"user","content":"hi"}]}`,
      'model_not_found',
    ],
    [
      'tool schema (free-form JSON Schema)',
      (n) =>
        `{"model":"m1","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{${JSON.stringify(n)}:{"type":"string"}}}}}]}`,
      undefined,
    ],
  ];

  for (const [level, make, expected] of LEVELS) {
    it(`${level}: ${expected ? `refused with ${expected}` : 'forwarded as plain data'} for all ${NAMES.length} names`, async () => {
      for (const name of NAMES) {
        s.sim.reset();
        const r = await call(s.url, '/v1/chat/completions', { key, raw: make(name) });
        if (expected) {
          assert.equal(r.json.error?.code, expected, `${level} ${name}: ${r.status} ${r.text.slice(0, 200)}`);
          assert.equal(s.sim.stats.requests, 0, `${level} ${name} reached the engine`);
        } else {
          assert.equal(r.status, 200, `${level} ${name}: ${r.text.slice(0, 200)}`);
        }
      }
      // nothing was polluted
      assert.equal(({} as Record<string, unknown>).x, undefined);
      assert.equal(Object.prototype.toString.call([]), '[object Array]');
    });
  }
});

// ---- item 7: output counted as it streams, cut at the effective cap --------------------------------------

describe('item 7: an engine that ignores max_tokens cannot overspend or overserve', () => {
  for (const kind of ['memory', 'redis'] as const) {
    describe(`${kind} store`, () => {
      const key = newKey();
      const CAP = 50;
      const BUDGET = 5100;
      const TENANT = `team-cap-${kind}/cap-${kind}`;
      let s: Stack;
      before(async () => {
        s = await startStack(
          (url) =>
            config(
              [model('m1', url)],
              [
                tenant({
                  name: `cap-${kind}`,
                  models: ['m1'],
                  keys: [{ name: 'k', key }],
                  limits: {
                    maxOutputTokens: CAP,
                    maxN: 4,
                    budgets: [{ unit: 'tokens', limit: BUDGET, windowSeconds: 86400 }],
                  },
                }),
              ],
            ),
          {
            sim: { latencyMs: 0, interTokenMs: 1, outputTokens: 2000, ignoreMaxTokens: true },
            ...(kind === 'redis' ? { redisUrl: redis.url } : {}),
          },
        );
      });
      after(() => s.close());

      const spent = (): Promise<number> => s.gw.gateway.store.spent(TENANT, 'tokens', 86400);

      it('stream: cut at max_tokens with finish_reason "length", the upstream closed, charged at most the reservation', async () => {
        const before = await spent();
        const r = await call(s.url, '/v1/chat/completions', {
          key,
          body: chat('m1', { stream: true, stream_options: { include_usage: true } }),
        });
        const events = sseEvents(r.text);
        const content = events
          .map((e) => (e.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '')
          .join('');
        assert.ok(countText(content) <= outputAllowance(CAP), `served ${countText(content)} tokens`);
        assert.ok(
          events.some((e) => (e.choices as { finish_reason?: string }[] | undefined)?.[0]?.finish_reason === 'length'),
        );
        assert.ok(r.text.trimEnd().endsWith('data: [DONE]'));
        const usage = events.find((e) => e.usage)?.usage as { completion_tokens: number } | undefined;
        assert.ok(usage && usage.completion_tokens <= CAP, JSON.stringify(usage));
        await until(() => s.sim.stats.inFlight === 0);
        assert.ok(s.sim.stats.tokensSent < 2000, `the engine was not closed (${s.sim.stats.tokensSent} tokens sent)`);
        await until(async () => (await s.gw.gateway.store.inflight(TENANT)) === 0);
        await until(async () => (await spent()) > before);
        const charged = (await spent()) - before;
        assert.ok(charged <= 10 + CAP + 5, `charged ${charged} for a reservation of ~${10 + CAP}`);
      });

      it('stream with n=2: every choice capped', async () => {
        const r = await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { stream: true, n: 2 }) });
        const byChoice = ['', ''];
        for (const e of sseEvents(r.text))
          for (const c of (e.choices as { index: number; delta?: { content?: string } }[] | undefined) ?? [])
            byChoice[c.index] += c.delta?.content ?? '';
        for (const t of byChoice)
          assert.ok(countText(t) <= outputAllowance(CAP) && countText(t) > 0, `choice served ${countText(t)} tokens`);
      });

      it('non-streamed: truncated to max_tokens, finish_reason "length", usage and charge within the reservation', async () => {
        const before = await spent();
        const r = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
        assert.equal(r.status, 200);
        const choice = (r.json.choices as { message: { content: string }; finish_reason: string }[])[0]!;
        assert.ok(
          countText(choice.message.content) <= outputAllowance(CAP),
          `served ${countText(choice.message.content)} tokens`,
        );
        assert.equal(choice.finish_reason, 'length');
        assert.ok((r.json.usage as { completion_tokens: number }).completion_tokens <= CAP);
        await until(async () => (await spent()) > before);
        assert.ok((await spent()) - before <= 10 + CAP + 5, `charged ${(await spent()) - before}`);
      });

      it('100 requests never spend more than the budget (the attack run reached 10,020 of 5,100)', async () => {
        s.sim.options = { ...s.sim.options, interTokenMs: 0 };
        for (let i = 0; i < 100; i++)
          await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { stream: i % 2 === 0 }) });
        await until(async () => (await s.gw.gateway.store.inflight(TENANT)) === 0);
        await new Promise((r) => setTimeout(r, 100));
        assert.ok((await spent()) <= BUDGET, `spent ${await spent()} of ${BUDGET}`);
      });
    });
  }
});

// ---- item 8: refusals that a retry cannot fix are not retried --------------------------------------------

describe('item 8: refusals clients do not retry, with what was needed and what is left', () => {
  const key = newKey();
  const shortKey = newKey();
  const blockKey = newKey();
  let s: Stack;
  let blocker: Stack;
  before(async () => {
    s = await startStack(
      (url) =>
        config(
          [model('m1', url)],
          [
            tenant({
              name: 'bud',
              models: ['m1'],
              keys: [{ name: 'k', key }],
              limits: { maxOutputTokens: 400, budgets: [{ unit: 'tokens', limit: 500, windowSeconds: 86400 }] },
            }),
            tenant({
              name: 'short',
              models: ['m1'],
              keys: [{ name: 'k', key: shortKey }],
              limits: { maxOutputTokens: 400, budgets: [{ unit: 'tokens', limit: 500, windowSeconds: 60 }] },
            }),
          ],
        ),
      { sim: { latencyMs: 0, outputTokens: 300 }, redisUrl: redis.url },
    );
    const block: OutputTransformFactory = {
      name: 'block-all',
      create: () => ({
        push: () => '',
        flush: () => '',
        verdict: () => ({ code: 'output_blocked', message: 'blocked by policy', reason: 'test' }),
      }),
    };
    blocker = await startStack(
      (url) =>
        config([model('m1', url)], [tenant({ name: 'blk', models: ['m1'], keys: [{ name: 'k', key: blockKey }] })]),
      { sim: { latencyMs: 0 }, app: { transforms: [block] } },
    );
  });
  after(async () => {
    await s.close();
    await blocker.close();
  });

  it('output blocked by a guardrail: 400 output_blocked with x-should-retry: false (never 5xx/429)', async () => {
    const r = await call(blocker.url, '/v1/chat/completions', { key: blockKey, body: chat('m1') });
    assert.equal(r.status, 400);
    assert.equal(r.json.error?.code, 'output_blocked');
    assert.equal(r.headers.get('x-should-retry'), 'false');
    assert.equal(r.headers.get('retry-after'), null);
    assert.equal(blocker.sim.stats.requests, 1);
  });

  it('budget with a day-long window: 429 insufficient_quota, x-should-retry: false, no Retry-After, reset time in headers, needed and left in the message', async () => {
    const first = await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { max_tokens: 400 }) });
    assert.equal(first.status, 200);
    await until(async () => (await s.gw.gateway.store.spent('team-bud/bud', 'tokens', 86400)) < 400);
    const r = await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { max_tokens: 400 }) });
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.error?.code, 'insufficient_quota');
    assert.equal(r.headers.get('retry-after'), null);
    assert.equal(r.headers.get('x-should-retry'), 'false');
    const reset = Date.parse(r.headers.get('x-tollgate-budget-reset') ?? '');
    assert.ok(
      reset > Date.now() && reset <= Date.now() + 86_400_000 + 1000,
      `reset ${r.headers.get('x-tollgate-budget-reset')}`,
    );
    assert.match(r.json.error?.message ?? '', /needs an estimated \d+ tokens; \d+ of 500 tokens are left/);
    const left = Number(/; (\d+) of 500/.exec(r.json.error?.message ?? '')?.[1]);
    assert.ok(left > 100, `left ${left}: most of the budget is left, this request just did not fit`);
    assert.equal(r.headers.get('x-tollgate-budget-remaining'), String(left));
    // the official SDK: OpenAI's exhausted-quota answer lands in RateLimitError and is not retried
    // (x-should-retry: false is read before the SDK's retry-on-429 rule): one request with maxRetries 2
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent++;
      return fetch(input, init);
    };
    const sdk = new OpenAI({ apiKey: key, baseURL: `${s.url}/v1`, maxRetries: 2, fetch: counting });
    await assert.rejects(
      sdk.chat.completions.create({ model: 'm1', max_tokens: 400, messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) =>
        e instanceof OpenAI.RateLimitError &&
        e.code === 'insufficient_quota' &&
        e.type === 'insufficient_quota' &&
        e.headers.get('x-tollgate-budget-reset') !== null,
    );
    assert.equal(sent, 1, 'the SDK did not retry');
    // a request that fits what is left is served
    const small = await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { max_tokens: 20 }) });
    assert.equal(small.status, 200);
  });

  it('budget with a 60-second window: 429 budget_window_full with a short Retry-After', async () => {
    const first = await call(s.url, '/v1/chat/completions', { key: shortKey, body: chat('m1', { max_tokens: 400 }) });
    assert.equal(first.status, 200);
    await until(async () => (await s.gw.gateway.store.spent('team-short/short', 'tokens', 60)) < 400);
    const r = await call(s.url, '/v1/chat/completions', { key: shortKey, body: chat('m1', { max_tokens: 400 }) });
    if (r.status === 200) return; // the minute turned between the two requests: nothing to assert
    assert.equal(r.status, 429);
    assert.equal(r.json.error?.code, 'budget_window_full');
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra >= 1 && ra <= 60, `Retry-After ${ra}`);
    assert.equal(r.headers.get('x-should-retry'), 'true');
  });
});
