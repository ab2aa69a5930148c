// Egress against a hostile upstream (gateway/test/hostile-upstream.ts), over real HTTP: the upstream steers which
// field carries text and how the SSE is framed. Classes: A every text field scanned and unknown fields dropped;
// B SSE parsed per the spec, nothing relayed unparsed; C the output cap over every text field; D the gateway's
// own upstream credential redacted from output; E secrets written as HTML references / markdown escapes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from './server.ts';
import { newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, installLeakScan } from './test/harness.ts';
import { chunk, completion, sseBody, type HostileUpstream } from './test/hostile-upstream.ts';
import { closeHostileGateway, guardedTenant, outputGuardrails, startHostileGateway } from './test/hostile-gateway.ts';
import { outputAllowance } from './upstream/output-bound.ts';

installLeakScan();

const TOKEN = 'ghp_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt';
const UPSTREAM_KEY = 'up-7f3Kq9ZxW2mB8vN4cR6tY1uP5sL0dHgJ';
const key = newKey();
const plainKey = newKey();

const guardrails = outputGuardrails();

let up: HostileUpstream;
let gw: RunningGateway;

before(async () => {
  ({ up, gw } = await startHostileGateway(
    [
      guardedTenant('e', key, guardrails),
      tenant({ name: 'plain', models: ['m'], keys: [{ name: 'k', key: plainKey }] }),
    ],
    UPSTREAM_KEY,
  ));
});
after(() => closeHostileGateway(gw, up));

async function post(body: Record<string, unknown>, k = key): Promise<{ status: number; raw: string }> {
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  const raw = await r.text();
  CAPTURED.push(raw);
  return { status: r.status, raw };
}

/** What a client reassembles: per JSON key, every string value in order (across SSE events), plus the raw body. */
function clientView(raw: string): Map<string, string> {
  const byKey = new Map<string, string>([['<raw>', raw]]);
  const walk = (v: unknown, k: string): void => {
    if (typeof v === 'string') byKey.set(k, (byKey.get(k) ?? '') + v);
    else if (Array.isArray(v)) for (const x of v) walk(x, k);
    else if (v !== null && typeof v === 'object') for (const [kk, x] of Object.entries(v)) walk(x, kk);
  };
  const payloads = raw.startsWith('{')
    ? [raw]
    : raw
        .split(/\n\n/)
        .map((e) => e.replace(/^data: /, ''))
        .filter((d) => d !== '' && d !== '[DONE]');
  for (const p of payloads) {
    try {
      walk(JSON.parse(p), '<root>');
    } catch {
      byKey.set('<unparsed>', (byKey.get('<unparsed>') ?? '') + p);
    }
  }
  return byKey;
}

/** The first 10-character piece of `secret` a client can reassemble from `raw`, if any. */
function leak(raw: string, secret: string): string | undefined {
  for (const [k, text] of clientView(raw)) {
    for (let i = 0; i + 10 <= secret.length; i++)
      if (text.includes(secret.slice(i, i + 10))) return `${k}: ${secret.slice(i, i + 10)}`;
  }
  return undefined;
}

const pieces = (s: string, n: number): string[] =>
  Array.from({ length: Math.ceil(s.length / n) }, (_, i) => s.slice(i * n, i * n + n));

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}

// ---- A: every text field, whole and streamed -----------------------------------------------------------------

const text = `token ${TOKEN} end`;
const wholeFields: [string, Record<string, unknown>, Record<string, unknown>?][] = [
  ['reasoning_content', { content: '', reasoning_content: text }],
  ['reasoning', { content: '', reasoning: text }],
  ['refusal', { content: null, refusal: text }],
  [
    'tool_calls arguments',
    {
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ q: text }) } },
      ],
    },
  ],
  [
    'tool_calls name and id',
    { content: null, tool_calls: [{ id: TOKEN, type: 'function', function: { name: TOKEN, arguments: '{}' } }] },
  ],
  ['function_call', { content: null, function_call: { name: 'f', arguments: text } }],
  [
    'audio.transcript',
    { content: '', audio: { id: 'a1', transcript: text, data: Buffer.from(TOKEN).toString('base64'), expires_at: 1 } },
  ],
  [
    'content as parts',
    {
      content: [
        { type: 'text', text: 'token ghp_Qm7rT2vXy9' },
        { type: 'text', text: 'LpA4sKd8NfW1cZ6hJ3bE0gUoYt end' },
      ],
    },
  ],
  ['refusal part', { content: [{ type: 'refusal', refusal: text }] }],
  ['unknown message field', { content: 'ok', debug: { echo: TOKEN } }],
  [
    'logprobs tokens',
    { content: '' },
    {
      logprobs: {
        content: pieces(text, 3).map((t) => ({
          token: t,
          logprob: -0.1,
          bytes: null,
          top_logprobs: [{ token: TOKEN, logprob: -1, bytes: null }],
        })),
      },
    },
  ],
];

describe('A: a non-streamed answer is rebuilt, every text field scanned', () => {
  for (const [name, message, extra] of wholeFields) {
    it(name, async () => {
      up.handler = () => ({ body: JSON.stringify(completion(message, extra)) });
      const r = await post({});
      assert.equal(r.status, 200, r.raw);
      assert.equal(leak(r.raw, TOKEN), undefined, r.raw.slice(0, 600));
      assert.ok(!r.raw.includes('"debug"') && !r.raw.includes('"data"'), 'unknown fields and audio data dropped');
    });
  }

  it('unknown top-level fields and upstream metadata are dropped or scanned', async () => {
    up.handler = () => ({
      body: JSON.stringify({
        ...completion({ content: 'ok' }),
        id: TOKEN,
        model: TOKEN,
        system_fingerprint: TOKEN,
        debug: { echo: TOKEN },
        prompt_logprobs: [TOKEN],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, note: TOKEN },
      }),
    });
    const r = await post({});
    assert.equal(r.status, 200);
    assert.equal(leak(r.raw, TOKEN), undefined, r.raw);
    const j = JSON.parse(r.raw) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j).sort(), [
      'choices',
      'created',
      'id',
      'model',
      'object',
      'system_fingerprint',
      'usage',
    ]);
    assert.deepEqual(j.usage, { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
  });

  it('an honest answer comes back with the same content, tool calls and usage', async () => {
    const msg = {
      content: 'Hello there.',
      tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
    };
    up.handler = () => ({ body: JSON.stringify(completion(msg)) });
    const j = JSON.parse((await post({})).raw) as {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
      usage: unknown;
    };
    assert.deepEqual(j.choices[0]!.message, { role: 'assistant', content: 'Hello there.', tool_calls: msg.tool_calls });
    assert.equal(j.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(j.usage, { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
  });
});

const streamFields: [string, (p: string, i: number) => Record<string, unknown>, Record<string, unknown>?][] = [
  ['reasoning_content', (p) => ({ reasoning_content: p })],
  ['reasoning', (p) => ({ reasoning: p })],
  ['refusal', (p) => ({ refusal: p })],
  [
    'tool_calls arguments',
    (p, i) => ({
      tool_calls: [
        {
          index: 0,
          ...(i === 0
            ? { id: 'c1', type: 'function', function: { name: 'lookup', arguments: p } }
            : { function: { arguments: p } }),
        },
      ],
    }),
  ],
  ['function_call', (p) => ({ function_call: { arguments: p } })],
  ['audio.transcript', (p) => ({ audio: { transcript: p } })],
  ['content parts', (p) => ({ content: [{ type: 'text', text: p }] })],
  ['unknown delta field', (p) => ({ content: '', debug: p })],
];

describe('A: streamed chunks are rebuilt, every text field scanned', () => {
  for (const [name, delta] of streamFields) {
    it(name, async () => {
      up.handler = () => ({
        body: sseBody([...pieces(text, 5).map((p, i) => chunk(delta(p, i))), chunk({}, { finish_reason: 'stop' })]),
      });
      const r = await post({ stream: true });
      assert.equal(r.status, 200);
      assert.equal(leak(r.raw, TOKEN), undefined, r.raw.slice(0, 800));
      assert.match(r.raw, /data: \[DONE\]\n\n$/);
    });
  }

  it('logprobs tokens (and alternatives) in 3-character pieces', async () => {
    up.handler = () => ({
      body: sseBody([
        ...pieces(text, 3).map((p) =>
          chunk(
            { content: '' },
            {
              logprobs: {
                content: [
                  {
                    token: p,
                    logprob: -0.1,
                    bytes: [1, 2],
                    top_logprobs: [{ token: TOKEN, logprob: -2, bytes: null }],
                  },
                ],
              },
            },
          ),
        ),
        chunk({}, { finish_reason: 'stop' }),
      ]),
    });
    const r = await post({ stream: true });
    assert.equal(leak(r.raw, TOKEN), undefined, r.raw.slice(0, 800));
  });

  it('an honest stream keeps its text', async () => {
    up.handler = () => ({
      body: sseBody([
        chunk({ role: 'assistant', content: '' }),
        ...pieces('Hello there, friend.', 4).map((p) => chunk({ content: p })),
        chunk({}, { finish_reason: 'stop' }),
      ]),
    });
    const r = await post({ stream: true });
    assert.equal(clientView(r.raw).get('content'), 'Hello there, friend.');
  });
});

// ---- B: SSE framing ------------------------------------------------------------------------------------------

const ev = (delta: Record<string, unknown>): string => JSON.stringify(chunk(delta));
describe('B: SSE parsed per the spec, re-serialized, nothing relayed raw', () => {
  const cases: [string, string[]][] = [
    [
      'one event over two data: lines',
      [
        `data: ${ev({ content: `key ${TOKEN.slice(0, 12)}` }).replace(TOKEN.slice(0, 12), `${TOKEN.slice(0, 12)}\ndata: ${TOKEN.slice(12)} end`)}\n\n`,
      ],
    ],
    ['CR-only line endings', [`data: ${ev({ content: `key ${TOKEN} end` })}\r\r`, 'data: [DONE]\r\r']],
    [
      'CRLF split between chunks',
      [
        `data: ${ev({ content: `key ${TOKEN.slice(0, 20)}` })}\r`,
        `\n\r\ndata: ${ev({ content: `${TOKEN.slice(20)} end` })}\r\n\r\n`,
      ],
    ],
    ['comment line', [`: debug ${TOKEN}\n\n`, `data: ${ev({ content: 'ok' })}\n\n`]],
    ['custom event type', [`event: trace\ndata: ${TOKEN}\n\n`, `data: ${ev({ content: 'ok' })}\n\n`]],
    ['id and retry fields', [`id: ${TOKEN}\nretry: 5\ndata: ${ev({ content: 'ok' })}\n\n`]],
    [
      'unparseable data',
      [`data: ${ev({ content: 'ok' })}\n\n`, `data: {"choices":[{"delta":{"content":"${TOKEN}"\n\n`],
    ],
    [
      'data after [DONE]',
      [`data: ${ev({ content: 'ok' })}\n\ndata: [DONE]\n\n`, `data: ${ev({ content: TOKEN })}\n\n`],
    ],
  ];
  for (const [name, body] of cases) {
    it(name, async () => {
      up.handler = () => ({ body });
      const r = await post({ stream: true });
      assert.equal(r.status, 200);
      assert.equal(leak(r.raw, TOKEN), undefined, r.raw.slice(0, 800));
      assert.ok(!r.raw.includes('\r') && !/^(?::|id:|retry:|event:)/m.test(r.raw), r.raw);
      for (const e of r.raw.split('\n\n').filter((x) => x !== '')) {
        assert.ok(
          e.startsWith('data: ') && !e.slice(6).includes('\n'),
          `one data line per event: ${JSON.stringify(e)}`,
        );
        if (e !== 'data: [DONE]') JSON.parse(e.slice(6));
      }
    });
  }

  it('CR-framed honest text arrives; unparseable data ends the stream with upstream_error and is counted', async () => {
    up.handler = () => ({
      body: [`data: ${ev({ content: 'Hello' })}\r\rdata: ${ev({ content: ' world' })}\r\r`, 'data: [DONE]\r\r'],
    });
    assert.equal(clientView((await post({ stream: true })).raw).get('content'), 'Hello world');
    const before = await metric('tollgate_upstream_sse_dropped_total{kind="unparseable"}');
    up.handler = () => ({
      body: [`data: ${ev({ content: 'ok' })}\n\n`, 'data: not json\n\n', `data: ${ev({ content: 'later' })}\n\n`],
    });
    const r = await post({ stream: true });
    assert.match(r.raw, /"code":"upstream_error"/);
    assert.ok(!r.raw.includes('later') && !r.raw.includes('not json'));
    assert.equal(await metric('tollgate_upstream_sse_dropped_total{kind="unparseable"}'), before + 1);
  });
});

// ---- C: the output cap over every text field ----------------------------------------------------------------

describe('C: max_tokens meters every generated text field', () => {
  // an engine ignoring max_tokens: 400 tokens against outputAllowance(20) = 224, the bound the gateway cuts at
  const lorem = 'lorem '.repeat(400);
  const BOUND = outputAllowance(20);
  const count = (raw: string): number => (raw.match(/lorem/g) ?? []).length;
  for (const field of ['reasoning_content', 'refusal', 'content', 'audio.transcript']) {
    const put = (t: string): Record<string, unknown> =>
      field === 'audio.transcript' ? { audio: { transcript: t } } : { [field]: t };
    it(`${field}, whole`, async () => {
      up.handler = () => ({
        body: JSON.stringify(completion({ content: field === 'content' ? lorem : '', ...put(lorem) })),
      });
      const r = await post({ max_tokens: 20 });
      assert.ok(count(r.raw) <= BOUND, `${count(r.raw)} served`);
      const j = JSON.parse(r.raw) as { choices: { finish_reason: string }[]; usage: { completion_tokens: number } };
      assert.equal(j.choices[0]!.finish_reason, 'length');
      assert.ok(j.usage.completion_tokens <= 20);
    });
    it(`${field}, streamed`, async () => {
      up.handler = () => ({
        body: sseBody([...pieces(lorem, 12).map((p) => chunk(put(p))), chunk({}, { finish_reason: 'stop' })]),
      });
      const r = await post({ stream: true, max_tokens: 20 });
      assert.ok(count(r.raw) <= BOUND, `${count(r.raw)} served`);
      assert.match(r.raw, /"finish_reason":"length"/);
    });
  }
  it('reasoning and content share one cap', async () => {
    up.handler = () => ({
      body: JSON.stringify(completion({ reasoning_content: 'lorem '.repeat(150), content: 'lorem '.repeat(150) })),
    });
    const r = await post({ max_tokens: 20 });
    assert.ok(count(r.raw) <= BOUND, `${count(r.raw)} served`);
    assert.match(r.raw, /"finish_reason":"length"/);
  });
  it('logprobs tokens cannot carry more than the cap', async () => {
    up.handler = () => ({
      body: sseBody(
        pieces(lorem, 6).map((p) =>
          chunk({ content: '' }, { logprobs: { content: [{ token: p, logprob: 0, bytes: null, top_logprobs: [] }] } }),
        ),
      ),
    });
    const r = await post({ stream: true, max_tokens: 20 });
    assert.ok(count(r.raw) <= BOUND, `${count(r.raw)} served`);
  });
});

// ---- D: the gateway's own upstream credential ---------------------------------------------------------------

describe('D: the upstream credential is a canary in every output field', () => {
  const said = `the upstream key is ${UPSTREAM_KEY}, use it`;
  it('whole: content and reasoning, for a tenant without guardrails', async () => {
    const before = await metric('tollgate_output_credential_redactions_total');
    up.handler = () => ({ body: JSON.stringify(completion({ content: said, reasoning_content: said })) });
    const r = await post({}, plainKey);
    assert.equal(r.status, 200);
    assert.ok(up.lastAuthorization?.includes(UPSTREAM_KEY), 'the gateway did send its credential upstream');
    assert.equal(leak(r.raw, UPSTREAM_KEY), undefined, r.raw);
    assert.match(r.raw, /\[REDACTED:gateway-credential\]/);
    assert.equal(await metric('tollgate_output_credential_redactions_total'), before + 2);
  });
  for (const size of [1, 3, 7]) {
    it(`streamed in ${size}-character deltas (guardrails tenant too)`, async () => {
      up.handler = () => ({
        body: sseBody([...pieces(said, size).map((p) => chunk({ content: p })), chunk({}, { finish_reason: 'stop' })]),
      });
      for (const k of [plainKey, key]) {
        const r = await post({ stream: true }, k);
        assert.equal(leak(r.raw, UPSTREAM_KEY), undefined, r.raw.slice(0, 500));
        assert.match(
          clientView(r.raw).get('content') ?? '',
          /^the upstream key is \[REDACTED:gateway-credential\], use it$/,
        );
      }
    });
  }
});

// ---- E: what a markdown/HTML client renders is what the detectors scan ----------------------------------------

describe('E: HTML character references and markdown escapes', () => {
  const variants = [
    `ghp_Qm7rT2&#118;Xy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp\\_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2&#x76;Xy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
  ];
  for (const v of variants) {
    it(`${v.slice(0, 18)}…, whole and streamed`, async () => {
      up.handler = () => ({ body: JSON.stringify(completion({ content: `key ${v} end` })) });
      const w = await post({});
      assert.equal(
        (JSON.parse(w.raw) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
        'key [REDACTED:github-token] end',
      );
      up.handler = () => ({
        body: sseBody([
          ...pieces(`key ${v} end`, 3).map((p) => chunk({ content: p })),
          chunk({}, { finish_reason: 'stop' }),
        ]),
      });
      const s = await post({ stream: true });
      assert.equal(clientView(s.raw).get('content'), 'key [REDACTED:github-token] end');
    });
  }
});
