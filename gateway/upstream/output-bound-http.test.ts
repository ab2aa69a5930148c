// Through real HTTP (gateway in front of the repo's simulator): an honest engine answering exactly max_tokens of
// its own tokens comes back unchanged, with its finish_reason and its usage, streamed and not (SDK check
// 2026-12-03 finding 01: it was cut, relabelled "length" and its usage chunk replaced); an engine ignoring
// max_tokens is still cut.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodingFor } from '../encodings.ts';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { call, chat, startStack, type Stack } from '../test/harness.ts';
import { countText } from '../tokens.ts';
import { outputAllowance } from './output-bound.ts';
import { HONEST } from '../test/honest-answers.ts';

const CL100K = encodingFor('cl100k_base');

interface Ev {
  choices?: { delta?: { content?: string }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number };
}
const events = (text: string): Ev[] =>
  text
    .split('\n\n')
    .map((e) => e.replace(/^data: /, ''))
    .filter((d) => d.startsWith('{'))
    .map((d) => JSON.parse(d) as Ev);

describe('the output bound over HTTP', () => {
  const key = newKey();
  let s: Stack;
  before(async () => {
    s = await startStack(
      (url) => config([model('m1', url)], [tenant({ name: 'bound', models: ['m1'], keys: [{ name: 'k', key }] })]),
      { sim: { latencyMs: 0, interTokenMs: 0 } },
    );
  });
  after(() => s.close());

  for (const [name, h] of Object.entries(HONEST)) {
    const whole = h.pieces.join('');
    const max = h.pieces.length;
    it(`${name} (${max} ${h.engine} tokens, ${countText(CL100K, whole)} cl100k), max_tokens=${max}, not streamed`, async () => {
      s.sim.options = { latencyMs: 0, interTokenMs: 0, tokens: h.pieces };
      const r = await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { max_tokens: max }) });
      assert.equal(r.status, 200, r.text);
      const body = r.json as unknown as {
        choices: { message: { content: string }; finish_reason: string }[];
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      assert.equal(body.choices[0]!.message.content, whole);
      assert.equal(body.choices[0]!.finish_reason, 'stop');
      assert.equal(body.usage.completion_tokens, max);
      assert.equal(s.sim.stats.lastBody?.max_tokens, max, 'the engine is sent the max_tokens');
    });
    it(`${name}, max_tokens=${max}, streamed with usage: every delta as sent, the engine's usage chunk`, async () => {
      s.sim.options = { latencyMs: 0, interTokenMs: 0, tokens: h.pieces };
      const r = await call(s.url, '/v1/chat/completions', {
        key,
        body: chat('m1', { max_tokens: max, stream: true, stream_options: { include_usage: true } }),
      });
      const ev = events(r.text);
      const deltas = ev.flatMap((e) => e.choices ?? []).map((c) => c.delta?.content ?? '');
      assert.equal(deltas.join(''), whole);
      assert.deepEqual(
        deltas.filter((d) => d !== ''),
        h.pieces.filter((d) => d !== ''),
        'token by token',
      );
      const finish = ev.flatMap((e) => e.choices ?? []).find((c) => c.finish_reason)?.finish_reason;
      assert.equal(finish, 'stop');
      const usage = ev.find((e) => e.usage)?.usage;
      // the simulator's own prompt count (characters of role and content / 4), not the gateway's estimate (10)
      assert.deepEqual(usage && [usage.prompt_tokens, usage.completion_tokens], [
        Math.ceil('userSay hello.'.length / 4),
        max,
      ]);
      assert.ok(r.text.trimEnd().endsWith('data: [DONE]'));
    });
  }

  it('an engine ignoring max_tokens is cut at allowance(max_tokens), streamed and not', async () => {
    s.sim.options = { latencyMs: 0, interTokenMs: 0, outputTokens: 2000, ignoreMaxTokens: true };
    const whole = await call(s.url, '/v1/chat/completions', { key, body: chat('m1', { max_tokens: 10 }) });
    const b = whole.json as unknown as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    assert.equal(b.choices[0]!.finish_reason, 'length');
    assert.equal(countText(CL100K, b.choices[0]!.message.content), outputAllowance(10));
    assert.equal(b.usage.completion_tokens, 10);
    const r = await call(s.url, '/v1/chat/completions', {
      key,
      body: chat('m1', { max_tokens: 10, stream: true, stream_options: { include_usage: true } }),
    });
    const ev = events(r.text);
    const text = ev
      .flatMap((e) => e.choices ?? [])
      .map((c) => c.delta?.content ?? '')
      .join('');
    assert.ok(countText(CL100K, text) <= outputAllowance(10), `${countText(CL100K, text)}`);
    assert.equal(ev.flatMap((e) => e.choices ?? []).find((c) => c.finish_reason)?.finish_reason, 'length');
    assert.equal(ev.find((e) => e.usage)?.usage?.completion_tokens, 10);
    assert.ok(r.text.trimEnd().endsWith('data: [DONE]'));
  });
});
