// Settlement against an engine that under-reports its output (red team 2026-12-02, F3): 400 words served with
// usage.completion_tokens 1 were charged 1 output token, streamed and whole. Now the served text is counted
// when the report is below served bytes / 8 and the larger is charged, with the audit field and the metric.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type RunningGateway } from '../server.ts';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { CAPTURED, captureLogger } from '../test/harness.ts';
import { startHostileUpstream, type HostileUpstream } from '../test/hostile-upstream.ts';

const key = newKey();
let up: HostileUpstream;
let gw: RunningGateway;
before(async () => {
  up = await startHostileUpstream();
  gw = await startGateway({
    config: {
      kind: 'static',
      value: config(
        [model('m', up.url)],
        [tenant({ name: 'acct', models: ['m'], keys: [{ name: 'k', key }], limits: { maxOutputTokens: 4096 } })],
      ),
    },
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    logger: captureLogger(),
  });
  assert.ok(gw.initial.ok);
});
after(async () => {
  await gw?.close();
  await up?.close();
});

const words = Array.from({ length: 400 }, (_, i) => `word${i} `);
const frame = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null = null): unknown => ({
  id: 'x',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usage = (completion: number): Record<string, number> => ({
  prompt_tokens: 5,
  completion_tokens: completion,
  total_tokens: 5 + completion,
});

function answer(stream: boolean, text: readonly string[], completion: number): { body: string } {
  return stream
    ? {
        body:
          text.map((w) => frame(chunk({ content: w }))).join('') +
          frame(chunk({}, 'stop')) +
          frame({
            id: 'x',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [],
            usage: usage(completion),
          }) +
          'data: [DONE]\n\n',
      }
    : {
        body: JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: text.join('') }, finish_reason: 'stop' }],
          usage: usage(completion),
        }),
      };
}

async function run(stream: boolean, text: readonly string[], completion: number): Promise<Record<string, number>> {
  up.handler = () => answer(stream, text, completion);
  const at = CAPTURED.length;
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream, max_tokens: 2000 }),
  });
  const raw = await r.text();
  assert.equal(r.status, 200, raw);
  assert.equal((raw.match(/word\d+/g) ?? []).length, text.length, 'everything served');
  for (let i = 0; i < 50 && !CAPTURED.slice(at).some((l) => l.includes('"audit"')); i++)
    await new Promise((res) => setTimeout(res, 10));
  const line = CAPTURED.slice(at).find((l) => l.includes('"audit"'));
  assert.ok(line);
  return (JSON.parse(line) as { audit: Record<string, number> }).audit;
}

async function underReported(): Promise<number> {
  const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
  const m = /^tollgate_settle_usage_underreported_total\{model="m"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('settlement: engine usage checked against what was served', () => {
  for (const stream of [true, false]) {
    const how = stream ? 'streamed' : 'whole';
    it(`${how}: 400 words served, completion_tokens 1: the served count is charged and flagged`, async () => {
      const before = await underReported();
      const a = await run(stream, words, 1);
      assert.ok((a.tokensOut ?? 0) >= 400, `tokensOut ${a.tokensOut}`);
      assert.equal(a.engineTokensOut, 1);
      assert.equal(await underReported(), before + 1);
    });
    it(`${how}: a plausible report is charged as reported, no flag`, async () => {
      const before = await underReported();
      const a = await run(stream, words.slice(0, 10), 25);
      assert.equal(a.tokensOut, 25);
      assert.equal(a.engineTokensOut, undefined);
      assert.equal(await underReported(), before);
    });
  }
});
