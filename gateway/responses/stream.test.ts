// Table tests of the streamed /v1/responses answer (responses/stream.ts), checked against what the official
// `openai` SDK parses: its streamed `responses.stream` (which validates item identities, indexes and
// completeness) and its public `accumulateResponse`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response as SdkResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { echo, ids, sdkAnswering } from '../test/responses.ts';
import { ResponsesStream } from './stream.ts';

// ---- streamed response --------------------------------------------------------------------------------------------

const sse = (chunks: (Record<string, unknown> | string)[]): string =>
  chunks.map((c) => `data: ${typeof c === 'string' ? c : JSON.stringify(c)}\n\n`).join('');
const delta = (d: Record<string, unknown>, finish: string | null = null) => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm1',
  choices: [{ index: 0, delta: d, finish_reason: finish }],
});
const usageChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm1',
  choices: [],
  usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
};

/** Feed `text` in pieces of `step` bytes (events split anywhere), then end. */
function translateStream(text: string, step: number): string {
  const s = new ResponsesStream(ids, echo);
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  let out = dec.decode(s.start());
  for (let i = 0; i < bytes.length; i += step) out += dec.decode(s.push(bytes.subarray(i, i + step)));
  return out + dec.decode(s.end());
}

function parseEvents(text: string): ResponseStreamEvent[] {
  return text
    .split('\n\n')
    .filter((e) => e.trim() !== '' && !e.startsWith(':'))
    .map((e) => {
      const lines = e.split('\n');
      const name = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) as ResponseStreamEvent;
      assert.equal(name, data.type, 'the SSE event name is the event type');
      return data;
    });
}

type StreamRow = [name: string, chat: string, types: string[], final: { status: string; text: string; usage?: number }];
const STREAM_ROWS: StreamRow[] = [
  [
    'text, usage, [DONE]',
    sse([
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'Hello' }),
      delta({ content: ', world' }),
      delta({}, 'stop'),
      usageChunk,
      '[DONE]',
    ]),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ],
    { status: 'completed', text: 'Hello, world', usage: 9 },
  ],
  [
    'cut at the cap: response.incomplete',
    sse([delta({ content: 'abc' }), delta({ content: 'd' }, 'length'), usageChunk, '[DONE]']),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete',
    ],
    { status: 'incomplete', text: 'abcd', usage: 9 },
  ],
  [
    'tool call after text',
    sse([
      delta({ content: 'checking' }),
      delta({ tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'get', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      delta({}, 'tool_calls'),
      usageChunk,
      '[DONE]',
    ]),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ],
    { status: 'completed', text: 'checking', usage: 9 },
  ],
  [
    'deltas after the finish_reason are not joined to the text (red-team F2)',
    sse([
      delta({ role: 'assistant', content: 'x CANARY-' }),
      delta({}, 'stop'),
      delta({ content: '7Hq2Lw9Pz4Xv3Rt y' }),
      delta({ tool_calls: [{ index: 0, id: 'c9', type: 'function', function: { name: 'late', arguments: '{}' } }] }),
      delta({}, 'stop'),
      '[DONE]',
    ]),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ],
    { status: 'completed', text: 'x CANARY-' },
  ],
  [
    'empty answer',
    sse([delta({ role: 'assistant', content: '' }), delta({}, 'stop'), '[DONE]']),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ],
    { status: 'completed', text: '' },
  ],
  [
    'blocked by an output guardrail mid-stream: error, then response.failed',
    sse([
      delta({ content: 'safe part' }),
      {
        error: {
          message: 'The response was blocked by an output guardrail.',
          type: 'invalid_request_error',
          param: null,
          code: 'output_blocked',
        },
      },
      '[DONE]',
    ]),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'error',
      'response.failed',
    ],
    { status: 'failed', text: 'safe part' },
  ],
  [
    'stream cut without finish_reason: response.failed',
    sse([delta({ content: 'par' })]),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'error',
      'response.failed',
    ],
    { status: 'failed', text: 'par' },
  ],
];

describe('ResponsesStream: chat SSE -> Responses SSE events', () => {
  for (const [name, chat, types, final] of STREAM_ROWS) {
    it(name, async () => {
      const whole = translateStream(chat, 1 << 20);
      for (const step of [1, 7, 64])
        assert.equal(translateStream(chat, step), whole, `split every ${step} bytes: same events`);
      const events = parseEvents(whole);
      assert.deepEqual(
        events.map((e) => e.type),
        types,
      );
      assert.deepEqual(
        events.map((e) => e.sequence_number),
        events.map((_, i) => i),
        'sequence numbers 0, 1, 2, ...',
      );

      // the SDK's public accumulator builds the same response from the events
      let snap: SdkResponse | undefined;
      for (const e of events) if (e.type !== 'error') snap = accumulateResponse(e, snap);
      assert.equal(snap?.status, final.status);
      const last = events.at(-1);
      assert.ok(last && 'response' in last);
      assert.equal(last.response.id, ids.id);
      if (final.usage !== undefined) assert.equal(last.response.usage?.total_tokens, final.usage);
      const text = last.response.output
        .flatMap((o) => (o.type === 'message' ? o.content : []))
        .map((p) => (p.type === 'output_text' ? p.text : ''))
        .join('');
      assert.equal(text, final.text);

      // and the SDK's streaming helper (strict about item identity, order and completeness) accepts the stream
      const client = sdkAnswering(whole, 'text/event-stream');
      if (final.status === 'failed') {
        await assert.rejects(
          client.responses.stream({ model: 'm1', input: 'x' }).finalResponse(),
          (e: unknown) => e instanceof OpenAI.APIError && typeof e.message === 'string',
        );
      } else {
        const r = await client.responses.stream({ model: 'm1', input: 'x' }).finalResponse();
        assert.equal(r.status, final.status);
        assert.equal(r.output_text, final.text);
        const seen: string[] = [];
        for await (const e of await client.responses.create({ model: 'm1', input: 'x', stream: true }))
          seen.push(e.type);
        assert.deepEqual(seen, types);
      }
    });
  }

  it('the blocked case carries the catalog code, and nothing after the failure is sent', () => {
    const out = translateStream(
      sse([
        delta({ content: 'a' }),
        { error: { message: 'blocked', type: 'invalid_request_error', param: null, code: 'output_blocked' } },
        delta({ content: 'LEAK' }),
        '[DONE]',
      ]),
      5,
    );
    const events = parseEvents(out);
    const err = events.find((e) => e.type === 'error');
    assert.ok(err && err.type === 'error');
    assert.equal(err.code, 'output_blocked');
    assert.doesNotMatch(out, /LEAK/);
  });

  it('SSE framing as the spec reads it (the egress parser): comments and other fields dropped, CRLF; ids unique per item', () => {
    const out = translateStream(
      `: ping\n\nid: 7\r\n${sse([
        delta({ content: 'a' }),
        delta({
          tool_calls: [
            { index: 0, id: 'c1', function: { name: 'f', arguments: '{}' } },
            { index: 1, id: 'c2', function: { name: 'g', arguments: '{}' } },
          ],
        }),
        delta({}, 'tool_calls'),
        '[DONE]',
      ])}`,
      3,
    );
    assert.ok(!out.includes('ping') && !out.includes('id: 7'));
    const done = parseEvents(out).at(-1);
    assert.ok(done && done.type === 'response.completed');
    const itemIds = done.response.output.map((o) => o.id);
    assert.equal(new Set(itemIds).size, 3);
  });
});
