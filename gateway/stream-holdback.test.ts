// SDK finding 04: text the output guardrails hold back (a secret's prefix is not released before the rest of it
// is seen) went out as chunks with `delta.content: ""` (29 of 40 in the newcomer's stream), read as tokens by
// clients that count or append per chunk. Now a chunk that carries nothing is not sent; a hold longer than the
// keep-alive interval gets an SSE comment instead, which both SDKs skip. Over real HTTP (fetch and the official
// Node SDK) and through inject(), against a hostile upstream that streams one word per chunk.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { CfgGuardrails } from '../api/gateway-config.ts';
import type { RunningGateway } from './server.ts';
import { newKey } from './test/fixtures.ts';
import { CAPTURED, installLeakScan } from './test/harness.ts';
import { chunk, sseBody, type HostileUpstream } from './test/hostile-upstream.ts';
import { closeHostileGateway, guardedTenant, startHostileGateway } from './test/hostile-gateway.ts';
import { KEEP_ALIVE, keepAliveDue } from './upstream/relay-stream.ts';

installLeakScan();

const key = newKey();
const UPSTREAM_KEY = 'up-9Hq2Lm7Xc4Vb1Nz8Kd3Ry6Tw0Pf5Gs';
const TOKEN = 'ghp_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt';
const KEEP_ALIVE_MS = 60;
const guardrails: CfgGuardrails = {
  redaction: { detectors: ['secrets'], customPatterns: [] },
  promptInjection: { mode: 'off', threshold: 0.7 },
  exfiltration: { mode: 'off', allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: false },
};
const WORDS = Array.from({ length: 40 }, (_, i) => ` word${i}`);

let up: HostileUpstream;
let gw: RunningGateway;

before(async () => {
  ({ up, gw } = await startHostileGateway([guardedTenant('h', key, guardrails)], UPSTREAM_KEY, {
    timeouts: { keepAliveMs: KEEP_ALIVE_MS },
  }));
});
after(() => closeHostileGateway(gw, up));

/** A chat stream: the role, one word per chunk, the finish. */
const chatWords = (): string =>
  sseBody([
    chunk({ role: 'assistant', content: '' }),
    ...WORDS.map((w) => chunk({ content: w })),
    chunk({}, { finish_reason: 'stop' }),
  ]);

const completionChunk = (text: string, finish: string | null = null): Record<string, unknown> => ({
  id: 'cmpl-h',
  object: 'text_completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
});

async function post(path: string, body: Record<string, unknown>): Promise<string> {
  const r = await fetch(`${gw.url}/v1/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream: true, ...body }),
  });
  assert.equal(r.status, 200);
  const raw = await r.text();
  CAPTURED.push(raw);
  return raw;
}

/** The JSON payloads of `data:` events (not [DONE]). */
const payloads = (raw: string): Record<string, unknown>[] =>
  raw
    .split('\n\n')
    .flatMap((ev) => ev.split('\n').filter((l) => l.startsWith('data: ')))
    .map((l) => l.slice(6))
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, unknown>);

interface Choice {
  delta?: { role?: string; content?: string; tool_calls?: unknown[] };
  text?: string;
  finish_reason?: string | null;
}
const choices = (p: Record<string, unknown>): Choice[] => (p.choices as Choice[] | undefined) ?? [];

/** Chunks that carry nothing for the client: no role, text, tool call or finish. */
function empty(raw: string): number {
  return payloads(raw).filter((p) =>
    choices(p).every(
      (c) =>
        !c.delta?.role &&
        !c.delta?.content &&
        !(c.delta?.tool_calls ?? []).length &&
        !c.text &&
        (c.finish_reason === null || c.finish_reason === undefined),
    ),
  ).length;
}

describe('held-back stream text: no empty chunks', () => {
  it('chat: every chunk carries something; the text and the role arrive whole', async () => {
    up.handler = () => ({ body: chatWords() });
    const raw = await post('chat/completions', { messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(empty(raw), 0, 'chunks that carry nothing');
    const all = payloads(raw).flatMap(choices);
    assert.equal(all[0]?.delta?.role, 'assistant');
    assert.equal(all.map((c) => c.delta?.content ?? '').join(''), WORDS.join(''));
    assert.equal(all.at(-1)?.finish_reason, 'stop');
  });

  it('chat through the Node SDK: no chunk with empty content besides the role and finish chunks', async () => {
    up.handler = () => ({ body: chatWords() });
    const sdk = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const stream = await sdk.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    let emptyChunks = 0;
    for await (const c of stream) {
      const ch = c.choices[0];
      if (ch?.delta.content) text += ch.delta.content;
      else if (!ch?.delta.role && !ch?.finish_reason) emptyChunks++;
    }
    assert.equal(text, WORDS.join(''));
    assert.equal(emptyChunks, 0);
  });

  it('chat through inject(): the same', async () => {
    up.handler = () => ({ body: chatWords() });
    const r = await gw.gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(empty(r.body), 0);
    assert.equal(
      payloads(r.body)
        .flatMap(choices)
        .map((c) => c.delta?.content ?? '')
        .join(''),
      WORDS.join(''),
    );
  });

  it('a redacted secret: released in one chunk, no empty chunks while it was held', async () => {
    const pieces = ['Key: ', ...TOKEN.match(/.{1,3}/g)!, ' done'];
    up.handler = () => ({
      body: sseBody([...pieces.map((p) => chunk({ content: p })), chunk({}, { finish_reason: 'stop' })]),
    });
    const raw = await post('chat/completions', { messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(empty(raw), 0);
    const text = payloads(raw)
      .flatMap(choices)
      .map((c) => c.delta?.content ?? '')
      .join('');
    assert.ok(!text.includes(TOKEN.slice(4, 14)), text);
    assert.match(text, /^Key: \[REDACTED:[a-z-]+\] done$/);
  });

  it('streamed tool-call arguments: no entry whose arguments were all held', async () => {
    const args = ['{"q"', ': "', 'a b', ' c"}'];
    up.handler = () => ({
      body: sseBody([
        chunk({
          role: 'assistant',
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
        }),
        ...args.map((a) => chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
        chunk({}, { finish_reason: 'tool_calls' }),
      ]),
    });
    const raw = await post('chat/completions', {
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    assert.equal(empty(raw), 0);
    const calls = payloads(raw)
      .flatMap(choices)
      .flatMap(
        (c) => (c.delta?.tool_calls ?? []) as { id?: string; function?: { name?: string; arguments?: string } }[],
      );
    for (const tc of calls) assert.ok(tc.id || tc.function?.name || tc.function?.arguments, JSON.stringify(tc));
    assert.equal(calls.map((c) => c.function?.arguments ?? '').join(''), args.join(''));
  });

  it('legacy completions: every chunk carries text or the finish', async () => {
    up.handler = () => ({
      body: sseBody([...WORDS.map((w) => completionChunk(w)), completionChunk('', 'stop')]),
    });
    const raw = await post('completions', { prompt: 'hi' });
    assert.equal(empty(raw), 0);
    assert.equal(
      payloads(raw)
        .flatMap(choices)
        .map((c) => c.text ?? '')
        .join(''),
      WORDS.join(''),
    );
  });

  it('/v1/responses: no empty response.output_text.delta events', async () => {
    up.handler = () => ({ body: chatWords() });
    const raw = await post('responses', { input: 'hi' });
    const deltas = payloads(raw).filter((p) => p.type === 'response.output_text.delta');
    assert.ok(deltas.length > 0);
    for (const d of deltas) assert.notEqual(d.delta, '', 'an empty delta event');
    assert.equal(deltas.map((d) => d.delta).join(''), WORDS.join(''));
  });
});

describe('a long hold keeps the stream alive', () => {
  it('keepAliveDue', () => {
    const rows: [number, number, number, boolean][] = [
      [0, 59, 60, false],
      [0, 60, 60, true],
      [100, 1000, 60, true],
      [0, 1_000_000, 0, false], // 0 turns it off
    ];
    for (const [last, now, every, want] of rows) assert.equal(keepAliveDue(last, now, every), want);
  });

  it('a secret arriving slowly: SSE comments while it is held, which the SDK skips', async () => {
    // 'ghp_' then three characters per chunk every 30 ms: the whole token is held until it is complete
    const pieces = ['ghp_', ...TOKEN.slice(4).match(/.{1,3}/g)!];
    up.handler = () => ({
      body: [
        ...pieces.map((p) => sseBody([chunk({ content: p })], false)),
        sseBody([chunk({}, { finish_reason: 'stop' })]),
      ],
      pieceDelayMs: 30,
    });
    const raw = await post('chat/completions', { messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(raw.includes(KEEP_ALIVE), 'a keep-alive comment during the hold');
    assert.equal(empty(raw), 0);
    up.handler = () => ({
      body: [
        ...pieces.map((p) => sseBody([chunk({ content: p })], false)),
        sseBody([chunk({}, { finish_reason: 'stop' })]),
      ],
      pieceDelayMs: 30,
    });
    const sdk = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    let text = '';
    for await (const c of await sdk.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    }))
      text += c.choices[0]?.delta.content ?? '';
    assert.match(text, /^\[REDACTED:[a-z-]+\]$/);
  });
});
