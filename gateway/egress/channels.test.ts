// The real guardrails transform (guardrails/gateway-adapter.ts) through the egress relay and pipe: side channels
// are scanned but not validated against a requested JSON schema; one-value channels never reach an output judge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgGuardrails, CfgModel, CfgTenant } from '../../api/gateway-config.ts';
import { guardrailsTransform, type GuardTransformContext } from '../../guardrails/gateway-adapter.ts';
import { NO_GUARDRAILS } from '../../guardrails/guard.ts';
import type { Judge } from '../../guardrails/judge.ts';
import { egressCompletion } from './response-sanitize.ts';
import { EgressRelay } from './stream-relay.ts';

const TOKEN = 'ghp_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt';
const GUARD: CfgGuardrails = {
  ...NO_GUARDRAILS,
  redaction: { detectors: ['secrets'], customPatterns: [] },
  structuredOutput: { enforce: true },
};
const SCHEMA = {
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'x', schema: { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] } },
  },
};

function ctx(
  guardrails: CfgGuardrails,
  stream: boolean,
  judgeFor?: GuardTransformContext['judgeFor'],
): GuardTransformContext {
  const tenant = { id: 'team/app', guardrails } as unknown as CfgTenant;
  return {
    requestId: 'r',
    tenant,
    model: { servedName: 'm' } as unknown as CfgModel,
    endpoint: 'chat.completions',
    stream,
    requestBody: SCHEMA,
    ...(judgeFor ? { judgeFor } : {}),
  };
}

describe('egress channels with the guardrails transform', () => {
  it('whole: reasoning is scanned but not schema-checked; the content is', () => {
    const t = guardrailsTransform().create(ctx(GUARD, false));
    const r = egressCompletion(
      {
        choices: [
          {
            index: 0,
            message: { reasoning_content: `thinking about ${TOKEN}`, content: '{"a":1}' },
            finish_reason: 'stop',
          },
        ],
      },
      { chat: true, n: 1, maxOut: 0, transform: t },
    );
    assert.equal(r.verdict, undefined);
    const m = (r.body.choices as { message: Record<string, string> }[])[0]!.message;
    assert.equal(m.reasoning_content, 'thinking about [REDACTED:github-token]');
    assert.equal(m.content, '{"a":1}');
    const bad = egressCompletion(
      {
        choices: [{ index: 0, message: { reasoning_content: '{"a":1}', content: 'not json' }, finish_reason: 'stop' }],
      },
      { chat: true, n: 1, maxOut: 0, transform: guardrailsTransform().create(ctx(GUARD, false)) },
    );
    assert.equal(bad.verdict?.reason, 'structured_output');
  });

  it('streamed: reasoning deltas released (redacted) before the content, which is held for the schema', () => {
    const relay = new EgressRelay({
      clientWantsUsage: false,
      transform: guardrailsTransform().create(ctx(GUARD, true)),
      chat: true,
      n: 1,
    });
    const ev = (delta: unknown, fr: string | null = null) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: fr }] })}\n\n`;
    const parts = [
      ...`reasoning ${TOKEN} done. `.match(/.{1,5}/gs)!.map((p) => ev({ reasoning_content: p })),
      ev({ content: '{"a":' }),
      ev({ content: '2}' }),
      ev({}, 'stop'),
      'data: [DONE]\n\n',
    ];
    const enc = new TextEncoder();
    let out = '';
    for (const p of parts) out += Buffer.from(relay.push(enc.encode(p))).toString();
    out += Buffer.from(relay.end()).toString();
    let reasoning = '';
    let content = '';
    for (const e of out.split('\n\n')) {
      if (!e.startsWith('data: {')) continue;
      const d = (JSON.parse(e.slice(6)) as { choices: { delta: Record<string, string> }[] }).choices[0]?.delta ?? {};
      reasoning += d.reasoning_content ?? '';
      content += d.content ?? '';
    }
    assert.equal(relay.verdict, undefined);
    assert.equal(reasoning, 'reasoning [REDACTED:github-token] done. ');
    assert.equal(content, '{"a":2}');
  });

  it('an output judge sees content and reasoning, never ids or names', async () => {
    const seen: string[] = [];
    const judge: Judge = async (q) => {
      seen.push(typeof q === 'string' ? q : q.text);
      return { ok: true, score: 0 } as Awaited<ReturnType<Judge>>;
    };
    const g: CfgGuardrails = {
      ...GUARD,
      structuredOutput: { enforce: false },
      outputCheck: {
        mode: 'block',
        threshold: 0.5,
        windowChars: 0,
        judge: { model: 'j' },
      } as unknown as CfgGuardrails['outputCheck'],
    };
    const t = guardrailsTransform().create(ctx(g, false, () => judge));
    assert.ok(t?.review);
    const r = egressCompletion(
      {
        id: 'chatcmpl-unique-id',
        model: 'model-name',
        choices: [
          {
            index: 0,
            message: {
              reasoning_content: 'why',
              content: 'answer',
              tool_calls: [{ id: 'call-id', function: { name: 'tool-name', arguments: '{}' } }],
            },
            finish_reason: 'stop',
          },
        ],
      },
      { chat: true, n: 1, maxOut: 0, transform: t },
    );
    assert.equal(r.verdict, undefined);
    await t.review(true);
    assert.deepEqual(seen.sort(), ['answer', 'why', '{}'].sort());
  });
});
