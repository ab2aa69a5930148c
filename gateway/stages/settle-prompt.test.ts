// Settlement against an engine that misreports its input (red team 2026-12-03, N2): usage.prompt_tokens was charged
// as reported, so an engine reporting 1e9 emptied the tenant's daily budget in one request, and one reporting 1
// under-billed a long prompt. Now the engine's figure is charged within the band the input sent allows
// (plan/charge.ts promptBand), with the audit field, the metric and a numbers-only warning.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from '../server.ts';
import { newKey, tenant } from '../test/fixtures.ts';
import { CAPTURED } from '../test/harness.ts';
import { closeHostileGateway, startHostileGateway } from '../test/hostile-gateway.ts';
import type { HostileUpstream } from '../test/hostile-upstream.ts';

const key = newKey();
const TENANT = 'team-acct/acct';
const BUDGET = 100_000;
let up: HostileUpstream;
let gw: RunningGateway;
before(async () => {
  ({ up, gw } = await startHostileGateway(
    [
      tenant({
        name: 'acct',
        models: ['m'],
        keys: [{ name: 'k', key }],
        limits: { maxOutputTokens: 100, budgets: [{ unit: 'tokens', limit: BUDGET, windowSeconds: 86400 }] },
      }),
    ],
    'upstream-credential-n2',
  ));
});
after(() => closeHostileGateway(gw, up));

// words the engine's answer holds: never in the gateway's warning
const ANSWER = 'Jane_Roe_answer_text';
const frame = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;

function answer(stream: boolean, prompt: number): { body: string } {
  const usage = { prompt_tokens: prompt, completion_tokens: 3, total_tokens: prompt + 3 };
  const base = { id: 'x', created: 1, model: 'm' };
  if (!stream)
    return {
      body: JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }],
        usage,
      }),
    };
  const chunk = (delta: Record<string, unknown>, finish: string | null): unknown => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return {
    body:
      frame(chunk({ content: ANSWER }, null)) +
      frame(chunk({}, 'stop')) +
      frame({ ...base, object: 'chat.completion.chunk', choices: [], usage }) +
      'data: [DONE]\n\n',
  };
}

interface Settled {
  audit: Record<string, number>;
  warning: Record<string, unknown> | undefined;
}

async function run(stream: boolean, content: string, prompt: number): Promise<Settled> {
  up.handler = () => answer(stream, prompt);
  const at = CAPTURED.length;
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }], stream, max_tokens: 10 }),
  });
  const raw = await r.text();
  assert.equal(r.status, 200, raw);
  for (let i = 0; i < 50 && !CAPTURED.slice(at).some((l) => l.includes('"audit"')); i++)
    await new Promise((res) => setTimeout(res, 10));
  const lines = CAPTURED.slice(at);
  const line = lines.find((l) => l.includes('"audit"'));
  assert.ok(line);
  const warn = lines.find((l) => l.includes("engine's prompt_tokens implausible"));
  for (const l of lines) assert.ok(!l.includes(ANSWER), `the engine's text reached the log: ${l}`);
  return {
    audit: (JSON.parse(line) as { audit: Record<string, number> }).audit,
    warning: warn === undefined ? undefined : (JSON.parse(warn) as Record<string, unknown>),
  };
}

async function implausible(side: 'high' | 'low'): Promise<number> {
  const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
  const m = new RegExp(`^tollgate_settle_prompt_implausible_total\\{model="m",side="${side}"\\} (\\d+)`, 'm').exec(
    text,
  );
  return m ? Number(m[1]) : 0;
}

const spent = (): Promise<number> => gw.gateway.store.spent(TENANT, 'tokens', 86400);
async function settled(atLeast: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const s = await spent();
    if (s >= atLeast) return s;
    await new Promise((res) => setTimeout(res, 10));
  }
  return spent();
}

// 'hi': 2 bytes + 2, 7 framing × 4, 1,024 template allowance
const HI_HIGH = 2 + 2 + 28 + 1024;
// 400 words, 801 tokens in cl100k_base: low bound 801 / 8
const WORDS = Array.from({ length: 400 }, (_, i) => `word${i} `).join('');
const WORDS_LOW = Math.floor(801 / 8);

describe("settlement: the engine's prompt_tokens checked against the input sent", () => {
  for (const stream of [true, false]) {
    const how = stream ? 'streamed' : 'whole';
    it(`${how}: prompt_tokens 1e9 for 'hi' is charged the high bound; the day's budget is not emptied`, async () => {
      const before = await implausible('high');
      const spentBefore = await spent();
      const { audit, warning } = await run(stream, 'hi', 1e9);
      assert.equal(audit.tokensIn, HI_HIGH);
      assert.equal(audit.engineTokensIn, 1e9);
      assert.equal(await implausible('high'), before + 1);
      const after = await settled(spentBefore + HI_HIGH);
      assert.ok(after - spentBefore <= HI_HIGH + 3, `charged ${after - spentBefore}`);
      assert.ok(after < BUDGET, `spent ${after} of ${BUDGET}`);
      assert.ok(warning);
      assert.deepEqual(
        Object.keys(warning)
          .filter((k) => !['level', 'time', 'pid', 'hostname', 'svc', 'msg'].includes(k))
          .sort(),
        ['engineTokensIn', 'model', 'reqId', 'side', 'tokensIn'],
      );
      assert.equal(warning.side, 'high');
    });
    it(`${how}: prompt_tokens 1 for 400 words is charged the low bound`, async () => {
      const before = await implausible('low');
      const { audit, warning } = await run(stream, WORDS, 1);
      assert.equal(audit.tokensIn, WORDS_LOW);
      assert.equal(audit.engineTokensIn, 1);
      assert.equal(await implausible('low'), before + 1);
      assert.equal(warning?.side, 'low');
    });
    it(`${how}: a plausible report is charged as reported, no flag`, async () => {
      const high = await implausible('high');
      const low = await implausible('low');
      const { audit, warning } = await run(stream, WORDS, 820);
      assert.equal(audit.tokensIn, 820);
      assert.equal(audit.engineTokensIn, undefined);
      assert.equal(warning, undefined);
      assert.deepEqual([await implausible('high'), await implausible('low')], [high, low]);
    });
  }
});
