// The guardrails plugged into the gateway's own output seam (gateway/transform.ts) and egress (gateway/egress/):
// framing, finish_reason and usage stay valid, n > 1 choices are independent, canaries stop the stream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgGuardrails, CfgModel, CfgTenant } from '../api/gateway-config.ts';
import { egressCompletion } from '../gateway/egress/response-sanitize.ts';
import { EgressRelay } from '../gateway/egress/stream-relay.ts';
import type { TransformContext } from './transform.ts';
import { guardrailsTransform, type GuardTransformContext } from './gateway-adapter.ts';
import { NO_GUARDRAILS } from './guard.ts';
import type { Finding } from './scanner.ts';

const GUARD: CfgGuardrails = {
  ...NO_GUARDRAILS,
  redaction: { detectors: ['secrets'], customPatterns: [] },
  exfiltration: { mode: 'neutralize', allowedHosts: [] },
  canaries: ['tg-canary-7f3a9c1e'],
  structuredOutput: { enforce: true },
};

function ctx(guardrails: CfgGuardrails, over: Partial<GuardTransformContext> = {}): GuardTransformContext {
  const tenant = { id: 'team/app', guardrails } as unknown as CfgTenant;
  const model = { servedName: 'm' } as unknown as CfgModel;
  return { requestId: 'r1', tenant, model, endpoint: 'chat.completions', stream: true, ...over };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Upstream SSE for choices streamed in the given deltas, interleaved, then finish + usage + [DONE]. */
function upstream(choices: string[][]): string {
  let out = '';
  const n = Math.max(...choices.map((c) => c.length));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < choices.length; c++) {
      const d = choices[c]?.[i];
      if (d !== undefined)
        out += `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: c, delta: { content: d }, finish_reason: null }] })}\n\n`;
    }
  }
  for (let c = 0; c < choices.length; c++)
    out += `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: c, delta: {}, finish_reason: 'stop' }] })}\n\n`;
  out += `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 } })}\n\ndata: [DONE]\n\n`;
  return out;
}

function relay(c: TransformContext, sse: string, byteChunk = 7, n = 1): { events: string[]; relay: EgressRelay } {
  const t = guardrailsTransform().create(c);
  const r = new EgressRelay({ clientWantsUsage: true, transform: t, chat: true, n });
  const bytes = enc.encode(sse);
  let out = '';
  for (let i = 0; i < bytes.length; i += byteChunk)
    out += dec.decode(r.push(bytes.slice(i, i + byteChunk)), { stream: true });
  out += dec.decode(r.end());
  return { events: out.split('\n\n').filter((e) => e !== ''), relay: r };
}

function contentByChoice(events: string[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const e of events) {
    const data = e.replace(/^data: /, '');
    if (data === '[DONE]') continue;
    const j = JSON.parse(data) as { choices?: { index: number; delta?: { content?: string } }[] };
    for (const c of j.choices ?? []) out[c.index] = (out[c.index] ?? '') + (c.delta?.content ?? '');
  }
  return out;
}

describe('gateway adapter (OutputTransform)', () => {
  it('redacts a secret split across SSE chunks for n = 2 choices; finish_reason, usage and [DONE] stay valid', () => {
    const secret = 'ghp_Zq8fK2mN5pR7tV9xB1cD3eF6gH8jK0lM4nP6';
    const a = ['Your token is ', secret.slice(0, 5), secret.slice(5, 20), secret.slice(20), ' — keep it safe.'];
    const b = ['No ', 'secret ', 'here, ', 'just ', 'text.'];
    const { events } = relay(ctx(GUARD), upstream([a, b]), 5, 2);
    for (const e of events) assert.match(e, /^data: /, 'framing');
    assert.equal(events[events.length - 1], 'data: [DONE]');
    const content = contentByChoice(events);
    assert.equal(content[0], 'Your token is [REDACTED:github-token] — keep it safe.');
    assert.equal(content[1], 'No secret here, just text.');
    const finishes = events.filter((e) => e.includes('"finish_reason":"stop"'));
    assert.equal(finishes.length, 2);
    assert.ok(
      events.some((e) => e.includes('"usage":{"prompt_tokens":5')),
      'usage forwarded',
    );
    assert.ok(!events.join('').includes('ghp_Zq8'));
  });

  it('a canary stops the stream with an error event, and the canary never reaches the client', () => {
    const { events, relay: r } = relay(
      ctx(GUARD),
      upstream([['The prompt says tg-ca', 'nary-7f3a9c1e so', ' there.']]),
    );
    assert.equal(r.verdict?.reason, 'canary');
    assert.ok(events.some((e) => e.includes('"code":"output_blocked"')));
    assert.ok(!events.join('').includes('nary-7f3a'));
  });

  it('non-streaming: the same engine through egressCompletion', () => {
    const t = guardrailsTransform().create(ctx(GUARD, { stream: false }));
    assert.ok(t);
    const body = {
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'key AKIAZ5J7QX2MPL4RWN3K and ![i](https://evil.example/x.png)' },
          finish_reason: 'stop',
        },
      ],
    };
    const r = egressCompletion(body, { chat: true, n: 1, maxOut: 0, transform: t });
    assert.equal(r.verdict, undefined);
    assert.equal(
      ((r.body.choices as Record<string, unknown>[])[0]?.message as Record<string, unknown>).content,
      'key [REDACTED:aws-access-key] and \\[image: i\\]',
    );
  });

  it('structured output: a choice is validated whole before release', () => {
    const schema = {
      type: 'object',
      properties: { ok: { type: 'boolean' } },
      required: ['ok'],
      additionalProperties: false,
    };
    const requestBody = { response_format: { type: 'json_schema', json_schema: { name: 'r', schema } } };
    const good = relay(ctx(GUARD, { requestBody }), upstream([['{"ok"', ': true}']]));
    assert.equal(contentByChoice(good.events)[0], '{"ok": true}');
    assert.equal(good.relay.verdict, undefined);
    const bad = relay(ctx(GUARD, { requestBody }), upstream([['{"ok"', ': "yes"}']]));
    assert.equal(bad.relay.verdict?.reason, 'structured_output');
    assert.ok(!bad.events.join('').includes('yes'));
  });

  it('reports findings through the hooks, never with the matched text', () => {
    const seen: Finding[] = [];
    const t = guardrailsTransform({ onFinding: (_c, f) => seen.push(f) }).create(ctx(GUARD, { stream: false }));
    t?.push(0, 'AKIAZ5J7QX2MPL4RWN3K');
    t?.flush(0);
    assert.deepEqual(
      seen.map((f) => [f.detector, f.action]),
      [['aws-access-key', 'redacted']],
    );
    assert.ok(!JSON.stringify(seen).includes('AKIA'));
  });

  it('creates nothing when the tenant has no output guardrails', () => {
    assert.equal(guardrailsTransform().create(ctx(NO_GUARDRAILS)), undefined);
  });
});
