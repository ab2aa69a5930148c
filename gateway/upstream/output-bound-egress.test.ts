// Table tests for the output bound (output-bound.ts; issue #10 item 7, SDK check 2026-12-03 01) and the egress (whole answers and the SSE relay) enforcing it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { egressCompletion } from '../egress/response-sanitize.ts';
import type { Json } from '../json.ts';
import { EgressRelay } from '../egress/stream-relay.ts';
import { encodingFor } from '../encodings.ts';
import { countText as countWith } from '../tokens.ts';
import { outputAllowance } from './output-bound.ts';

const CL100K = encodingFor('cl100k_base');
const countText = (t: string): number => countWith(CL100K, t);

describe("the cap counts with the model's encoding", () => {
  const O200K = encodingFor('o200k_base');
  // 26 tokens in cl100k_base, 16 in o200k_base
  const zh = '你好世界，今天天气很好。我们去公园散步吧。';
  it('whole answers and streams are bounded in the encoding they are given', () => {
    // the egress cuts at outputAllowance(max_tokens) (output-bound.ts): a text within it in o200k_base, over it in cl100k_base
    const zh10 = zh.repeat(10);
    const o = countWith(O200K, zh10);
    const m = Math.ceil((o - outputAllowance(0)) / (outputAllowance(1) - outputAllowance(0)));
    assert.ok(outputAllowance(m) >= o && outputAllowance(m) < countText(zh10));
    const body = { choices: [{ index: 0, message: { content: zh10 }, finish_reason: 'stop' }] };
    const opts = { chat: true, n: 1, maxOut: m, transform: undefined };
    const whole = egressCompletion(body, { ...opts, encoding: O200K });
    assert.equal((whole.body.choices as Json[])[0]!.finish_reason, 'stop');
    assert.equal(((whole.body.choices as Json[])[0]!.message as Json).content, zh10);
    assert.equal((egressCompletion(body, opts).body.choices as Json[])[0]!.finish_reason, 'length');
    const relay = new EgressRelay({
      clientWantsUsage: false,
      transform: undefined,
      chat: true,
      maxOut: m,
      n: 1,
      encoding: O200K,
    });
    const sse = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: zh10 } }] })}\n\n`;
    const out = new TextDecoder().decode(relay.push(new TextEncoder().encode(sse)));
    assert.ok(out.includes(zh10), out);
  });
});

describe('egressCompletion with the cap', () => {
  const choice = (r: { body: Json }, i: number): Json => (r.body.choices as Json[])[i]!;
  const msg = (r: { body: Json }, i: number): Json => choice(r, i).message as Json;
  it('truncates chat and text choices over the bound, fixes finish_reason and usage (at most max_tokens a choice)', () => {
    const long = 'word '.repeat(500);
    const chat = {
      choices: [
        { index: 0, message: { role: 'assistant', content: long }, finish_reason: 'stop' },
        { index: 1, message: { content: 'short' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 1000 },
    };
    const r = egressCompletion(chat, { chat: true, n: 2, maxOut: 20, transform: undefined });
    assert.equal(r.countedOut, 21);
    assert.equal(countText(msg(r, 0).content as string), outputAllowance(20));
    assert.equal(choice(r, 0).finish_reason, 'length');
    assert.equal(choice(r, 1).finish_reason, 'stop');
    assert.equal((r.body.usage as Json).completion_tokens, 21);
    const text = { choices: [{ index: 0, text: long, finish_reason: null }] };
    const t = egressCompletion(text, { chat: false, n: 1, maxOut: 5, transform: undefined });
    assert.equal(t.countedOut, 5);
    assert.equal(choice(t, 0).finish_reason, 'length');
  });
  it('tool-call arguments share the choice budget and are cut too', () => {
    const args = JSON.stringify({ city: 'Paris', notes: 'x '.repeat(400) });
    const body = {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: args } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
    const r = egressCompletion(body, { chat: true, n: 1, maxOut: 10, transform: undefined });
    assert.equal(r.countedOut, 10);
    const calls = msg(r, 0).tool_calls as Json[];
    assert.ok(countText((calls[0]!.function as Json).arguments as string) <= outputAllowance(10));
    assert.equal(choice(r, 0).finish_reason, 'length');
  });
  it('leaves a body within the cap unchanged', () => {
    const body = {
      choices: [{ message: { content: 'Hello world' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2 },
    };
    const r = egressCompletion(body, { chat: true, n: 1, maxOut: 2, transform: undefined });
    assert.equal(r.countedOut, undefined);
    assert.equal(msg(r, 0).content, 'Hello world');
    assert.equal(choice(r, 0).finish_reason, 'stop');
    assert.equal((r.body.usage as Json).completion_tokens, 2);
  });
});

describe('EgressRelay with the cap', () => {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
  it('ends the stream at the cap with finish_reason "length", a usage chunk when asked, and [DONE]', () => {
    const relay = new EgressRelay({
      clientWantsUsage: true,
      transform: undefined,
      chat: true,
      maxOut: 3,
      n: 1,
      inputTokens: 9,
    });
    let out = '';
    // an engine ignoring max_tokens 3: cut at outputAllowance(3) = 88 tokens
    const words = Array.from({ length: 200 }, (_, i) => ` w${i}`);
    for (const w of words) {
      out += dec.decode(
        relay.push(
          enc.encode(
            ev({
              id: 'x',
              object: 'chat.completion.chunk',
              choices: [{ index: 0, delta: { content: w }, finish_reason: null }],
            }),
          ),
        ),
      );
      if (relay.capReached) break;
    }
    assert.equal(relay.capReached, true);
    assert.match(out, /"finish_reason":"length"/);
    assert.match(out, /"usage":\{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12\}/);
    assert.ok(out.endsWith('data: [DONE]\n\n'));
    assert.doesNotMatch(out, / w19\d/);
  });
  it('cuts streamed tool-call arguments at the cap', () => {
    const relay = new EgressRelay({ clientWantsUsage: false, transform: undefined, chat: true, maxOut: 4, n: 1 });
    let out = '';
    for (const a of ['{"city":', ' "Paris",', ' "notes": "', ...Array(100).fill('aaaa bbbb cccc'), ' dddd"}']) {
      out += dec.decode(
        relay.push(
          enc.encode(
            ev({
              choices: [
                { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: a } }] }, finish_reason: null },
              ],
            }),
          ),
        ),
      );
      if (relay.capReached) break;
    }
    assert.equal(relay.capReached, true);
    assert.match(out, /"finish_reason":"length"/);
    assert.doesNotMatch(out, /dddd/);
  });
  it('replaces an upstream error event by the catalog error', () => {
    const relay = new EgressRelay({ clientWantsUsage: false, transform: undefined, chat: true });
    const out = dec.decode(
      relay.push(enc.encode('event: error\ndata: secret-upstream-text\n\ndata: {"choices":[]}\n\n')),
    );
    assert.equal(relay.upstreamError, 'secret-upstream-text');
    assert.doesNotMatch(out, /secret/);
    assert.match(out, /"code":"upstream_error"/);
  });
});
