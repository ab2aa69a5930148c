import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutputTransform } from '../transform.ts';
import { SIDE_CHANNEL_BASE } from '../transform.ts';
import { OutputPipe } from './output-pipe.ts';
import {
  contentText,
  egressCompletion,
  egressEmbeddings,
  finishReason,
  numbersOnly,
  USAGE_SHAPE,
} from './response-sanitize.ts';
import { EgressRelay } from './stream-relay.ts';
import { outputAllowance } from '../upstream/output-bound.ts';

/** Upper-cases every text it sees and records the channel indices. */
function upper(): OutputTransform & { channels: Set<number> } {
  const channels = new Set<number>();
  return {
    channels,
    push: (i, t) => {
      channels.add(i);
      return t.toUpperCase();
    },
    flush: () => '',
    verdict: () => undefined,
  };
}

describe('response allowlist helpers', () => {
  it('finish_reason: known values kept, others become stop', () => {
    assert.deepEqual(
      ['stop', 'length', 'tool_calls', 'content_filter', 'function_call', 'abort', null, 3].map(finishReason),
      ['stop', 'length', 'tool_calls', 'content_filter', 'function_call', 'stop', null, undefined],
    );
  });
  it('numbers only, at the known usage keys', () => {
    assert.deepEqual(
      numbersOnly(
        JSON.parse(
          '{"prompt_tokens":1,"note":"x","completion_tokens_details":{"reasoning_tokens":2,"s":"y","deep":{"a":1}},"Bad":3,"__proto__":{"a":1}}',
        ),
        USAGE_SHAPE,
      ),
      { prompt_tokens: 1, completion_tokens_details: { reasoning_tokens: 2 } },
    );
  });
  it('content parts: text joined, refusal apart, other parts ignored', () => {
    assert.deepEqual(
      contentText([
        { type: 'text', text: 'a' },
        { type: 'image_url', image_url: { url: 'x' } },
        { type: 'output_text', text: 'b' },
        { type: 'refusal', refusal: 'no' },
        null,
      ]),
      { text: 'ab', refusal: 'no' },
    );
    assert.deepEqual(contentText('s'), { text: 's', refusal: undefined });
  });
});

describe('egressCompletion', () => {
  it('rebuilds a chat completion from the allowlist; every text field through the transform', () => {
    const t = upper();
    const src = {
      id: 'id1',
      object: 'chat.completion',
      created: 5,
      model: 'm',
      extra: 'x',
      system_fingerprint: 'fp',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'c',
            reasoning_content: 'r',
            refusal: 'f',
            tool_calls: [{ id: 'i', type: 'function', function: { name: 'n', arguments: 'a' }, x: 1 }],
            debug: 'd',
          },
          finish_reason: 'eos',
          stop_reason: 'STOP',
          extra: 1,
        },
        { index: 7, message: { content: 'dropped: index >= n' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      timings: { predicted_ms: 1.5, s: 'x' },
    };
    const r = egressCompletion(src, { chat: true, n: 2, maxOut: 0, transform: t });
    assert.deepEqual(r.body, {
      id: 'ID1',
      object: 'chat.completion',
      created: 5,
      model: 'M',
      system_fingerprint: 'FP',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            reasoning_content: 'R',
            content: 'C',
            refusal: 'F',
            tool_calls: [{ id: 'I', type: 'function', function: { name: 'N', arguments: 'A' } }],
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      timings: { predicted_ms: 1.5 },
    });
    assert.ok(t.channels.has(0), 'content is channel 0');
    assert.ok(
      [...t.channels].some((c) => c >= SIDE_CHANNEL_BASE),
      'other fields on side channels',
    );
  });

  it('legacy completions: text and logprobs tokens scanned, alternative keys rebuilt safely', () => {
    const src = JSON.parse(
      '{"choices":[{"index":0,"text":"ab","finish_reason":"length","logprobs":{"tokens":["a","b"],"token_logprobs":[-1,"x"],"top_logprobs":[{"__proto__":-1,"q":-2},null],"text_offset":[0,1]}}]}',
    ) as Record<string, unknown>;
    const bToB: OutputTransform = {
      push: (_i, t) => t.replaceAll('b', 'B'),
      flush: () => '',
      verdict: () => undefined,
    };
    const r = egressCompletion(src, { chat: false, n: 1, maxOut: 0, transform: bToB });
    const c = (r.body.choices as Record<string, unknown>[])[0]!;
    assert.equal(c.text, 'aB');
    const lp = c.logprobs as { tokens: string[]; token_logprobs: unknown[]; top_logprobs: Record<string, number>[] };
    // 'a' served as is (its alternatives pass the scan), 'b' replaced: one entry for the replacement
    assert.deepEqual(lp.tokens, ['a', 'B']);
    assert.deepEqual(lp.token_logprobs, [-1, null]);
    assert.ok(
      Object.hasOwn(lp.top_logprobs[0]!, '__proto__') && Object.getPrototypeOf(lp.top_logprobs[0]) === Object.prototype,
    );
    assert.deepEqual(Object.entries(lp.top_logprobs[0]!), [
      ['__proto__', -1],
      ['q', -2],
    ]);
    assert.equal(lp.top_logprobs[1], null);
  });

  it('the cap covers reasoning, content and tool arguments of a choice together; usage says what was served', () => {
    const src = {
      choices: [
        {
          index: 0,
          message: {
            // 100 + 30 tokens against outputAllowance(7) = 120: the content is cut
            reasoning_content: 'alpha '.repeat(100),
            content: 'six seven eight '.repeat(10),
            tool_calls: [{ function: { name: 'f', arguments: 'nine ten' } }],
          },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 99, total_tokens: 103 },
    };
    const r = egressCompletion(src, { chat: true, n: 1, maxOut: 7, transform: undefined });
    const c = (r.body.choices as { message: Record<string, unknown>; finish_reason: string }[])[0]!;
    assert.equal(outputAllowance(7), 120);
    assert.equal(c.message.reasoning_content, 'alpha '.repeat(100));
    const content = c.message.content as string;
    const full = 'six seven eight '.repeat(10);
    assert.ok(content.length > 0 && content.length < full.length && full.startsWith(content), content);
    assert.equal(c.finish_reason, 'length');
    assert.equal(r.countedOut, 7);
    assert.deepEqual(r.body.usage, { prompt_tokens: 4, completion_tokens: 7, total_tokens: 11 });
    assert.equal((c.message.tool_calls as { function: { arguments: string } }[])[0]!.function.arguments, '');
  });

  it('embeddings: vectors of numbers or base64, nothing else', () => {
    const r = egressEmbeddings(
      {
        object: 'list',
        model: 'e',
        data: [
          { object: 'embedding', index: 0, embedding: [0.1, 2] },
          { index: 1, embedding: 'AAAA' },
          { index: 2, embedding: [1, 'x'] },
          { index: 3, embedding: 'not base64!' },
        ],
        usage: { prompt_tokens: 2, total_tokens: 2 },
        extra: 'x',
      },
      undefined,
    );
    assert.deepEqual(r.body, {
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, 2] },
        { object: 'embedding', index: 1, embedding: 'AAAA' },
      ],
      model: 'e',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
  });
});

describe('OutputPipe', () => {
  it("a choice's main field is its own index; finish flushes every channel in order", () => {
    const held = new Map<number, string>();
    const t: OutputTransform = {
      push: (i, s) => {
        held.set(i, (held.get(i) ?? '') + s);
        return '';
      },
      flush: (i) => {
        const h = held.get(i) ?? '';
        held.delete(i);
        return h;
      },
      verdict: () => undefined,
    };
    const p = new OutputPipe({ transform: t, main: 'content' });
    assert.equal(p.text(2, 'reasoning', 'r1'), '');
    assert.equal(p.text(2, 'content', 'c1'), '');
    assert.ok(held.has(2));
    assert.deepEqual(p.finish(2), [
      ['reasoning', 'r1'],
      ['content', 'c1'],
    ]);
    assert.deepEqual(p.openChoices(), []);
    assert.equal(p.generated[2], 'r1c1');
  });
});

describe('EgressRelay', () => {
  const enc = new TextEncoder();
  const run = (relay: EgressRelay, parts: string[]): string =>
    parts.map((p) => Buffer.from(relay.push(enc.encode(p))).toString()).join('') + Buffer.from(relay.end()).toString();

  it('re-serializes each event; drops comments, other events and fields; ends on unparseable data', () => {
    const relay = new EgressRelay({ clientWantsUsage: false, transform: undefined, chat: true });
    const out = run(relay, [
      ': c\n',
      'id: 1\nevent: trace\ndata: t\n\n',
      'data: {"choices":[{"index":0,"delta":{"content":"hi","x":1},"finish_reason":null}],"y":2}\r\r',
      'data: {bad\n\n',
      'data: {"choices":[{"delta":{"content":"late"}}]}\n\n',
    ]);
    assert.equal(
      out,
      'data: {"id":"","object":"chat.completion.chunk","created":0,"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n' +
        'data: {"error":{"message":"The model server failed.","type":"api_error","param":null,"code":"upstream_error"}}\n\ndata: [DONE]\n\n',
    );
    assert.deepEqual(relay.stats, { comment: 1, field: 1, event: 1, unparseable: 1, afterDone: 0, afterFinish: 0 });
    assert.equal(relay.upstreamError, '{bad');
  });

  it('drops the usage-only chunk the client did not ask for, and nothing after [DONE] is relayed', () => {
    const relay = new EgressRelay({ clientWantsUsage: false, transform: undefined, chat: false });
    const out = run(relay, [
      'data: {"choices":[{"index":0,"text":"a","finish_reason":"stop"}]}\n\n',
      'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\n',
      'data: [DONE]\n\n',
      'data: {"choices":[{"text":"after"}]}\n\n',
    ]);
    assert.ok(!out.includes('usage') && !out.includes('after'), out);
    assert.deepEqual(relay.usage, { prompt_tokens: 1, completion_tokens: 1 });
    assert.equal(relay.stats.afterDone, 1);
  });

  it('a choice ends at its finish_reason: later entries for its index are dropped and counted', () => {
    const relay = new EgressRelay({ clientWantsUsage: false, transform: upper(), chat: true });
    const out = run(relay, [
      'data: {"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}\n\n',
      'data: {"choices":[{"index":0,"delta":{"content":"late"},"finish_reason":null}]}\n\n',
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
      'data: [DONE]\n\n',
    ]);
    assert.ok(!/late/i.test(out), out);
    assert.equal((out.match(/finish_reason":"stop"/g) ?? []).length, 1);
    assert.equal(relay.stats.afterFinish, 2);
  });

  it('streamed tool-call id and name pieces are released once, whole, with the first arguments', () => {
    const relay = new EgressRelay({ clientWantsUsage: false, transform: upper(), chat: true });
    const tc = (c: Record<string, unknown>): string =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...c }] } }] })}\n\n`;
    const out = run(relay, [
      tc({ id: 'ca', type: 'function', function: { name: 'ge', arguments: '' } }),
      tc({ id: 'll', function: { name: 't' } }),
      tc({ function: { arguments: '{}' } }),
      tc({ id: 'x', function: { name: 'late', arguments: ']' } }),
      'data: [DONE]\n\n',
    ]);
    const calls = out
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .flatMap((e) => (JSON.parse(e.slice(6)) as { choices: { delta: { tool_calls?: unknown[] } }[] }).choices)
      .flatMap((c) => c.delta.tool_calls ?? []);
    assert.deepEqual(calls, [
      { index: 0, id: 'CALL', type: 'function', function: { name: 'GET', arguments: '{}' } },
      { index: 0, function: { arguments: ']' } },
    ]);
  });

  it('a streamed function name over its bound ends the stream with upstream_error (no upstream text logged)', () => {
    const relay = new EgressRelay({ clientWantsUsage: false, transform: undefined, chat: true });
    const piece = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'n'.repeat(50) } }] } }] })}\n\n`;
    const out = run(relay, [piece, piece, piece, 'data: [DONE]\n\n']);
    assert.match(out, /"code":"upstream_error"/);
    assert.doesNotMatch(out, /nnnn/);
    assert.equal(relay.upstreamError, 'a streamed tool.0 name longer than 128 characters');
  });
});
