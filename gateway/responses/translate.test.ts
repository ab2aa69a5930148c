// Table tests of the /v1/responses translations, checked against what the official `openai` SDK parses: its
// non-streamed `responses.create`, its streamed `responses.stream` (which validates item identities, indexes
// and completeness) and its public `accumulateResponse`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response as SdkResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { GatewayError } from '../errors.ts';
import { validateRequest } from '../request.ts';
import {
  responseFromCompletion,
  responseIds,
  ResponsesStream,
  translateRequest,
  type ResponseEcho,
} from './translate.ts';

const REQ_ID = '0f8c2a56-1d2e-4f00-9abc-0123456789ab';
const ids = responseIds(REQ_ID, 1_700_000_000_000);

// ---- request -------------------------------------------------------------------------------------------------

type ReqRow = [
  name: string,
  body: Record<string, unknown>,
  expect: Record<string, unknown> | { code: string; param?: string },
];
const REQ_ROWS: ReqRow[] = [
  ['input string', { model: 'm', input: 'hi' }, { model: 'm', messages: [{ role: 'user', content: 'hi' }] }],
  [
    'instructions become the system message; max_output_tokens -> max_tokens',
    { model: 'm', instructions: 'be brief', input: 'hi', max_output_tokens: 20, temperature: 0.2, top_p: 0.9 },
    {
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      max_tokens: 20,
      temperature: 0.2,
      top_p: 0.9,
    },
  ],
  [
    'stream asks for the usage chunk',
    { model: 'm', input: 'hi', stream: true },
    { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
  ],
  [
    'input items: parts, images, earlier output, function call and its output',
    {
      model: 'm',
      input: [
        { role: 'developer', content: 'rules' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'data:image/png;base64,AA', detail: 'low' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_1',
          status: 'completed',
          content: [{ type: 'output_text', text: 'calling', annotations: [] }],
        },
        { type: 'function_call', call_id: 'call_1', name: 'get', arguments: '{"a":1}' },
        { type: 'function_call_output', call_id: 'call_1', output: '42' },
      ],
    },
    {
      model: 'm',
      messages: [
        { role: 'developer', content: 'rules' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AA', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: 'calling',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
      ],
    },
  ],
  [
    'function tools, tool_choice, json_schema format',
    {
      model: 'm',
      input: 'x',
      tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      user: 'u',
      metadata: { k: 'v' },
      store: false,
    },
    {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [
        { type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      user: 'u',
    },
  ],
  [
    'explicit nulls are "not set"',
    { model: 'm', input: 'x', previous_response_id: null, temperature: null, reasoning: null, tools: null },
    { model: 'm', messages: [{ role: 'user', content: 'x' }] },
  ],
  [
    'built-in tool: unsupported, never dropped',
    { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'web_search' }] },
    { code: 'unsupported_parameter', param: 'tools[1]' },
  ],
  [
    'previous_response_id: unsupported (nothing is stored)',
    { model: 'm', input: 'x', previous_response_id: 'resp_1' },
    { code: 'unsupported_parameter', param: 'previous_response_id' },
  ],
  [
    'background: unsupported',
    { model: 'm', input: 'x', background: true },
    { code: 'unsupported_parameter', param: 'background' },
  ],
  [
    'reasoning item in input: unsupported',
    { model: 'm', input: [{ type: 'reasoning', id: 'r', summary: [] }] },
    { code: 'unsupported_parameter', param: 'input[0]' },
  ],
  [
    'input_file part: unsupported',
    { model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
    { code: 'unsupported_parameter', param: 'input[0]' },
  ],
  [
    'image by file_id: unsupported',
    { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f', detail: 'auto' }] }] },
    { code: 'unsupported_parameter', param: 'input[0]' },
  ],
  [
    'forcing a built-in tool: unsupported',
    { model: 'm', input: 'x', tool_choice: { type: 'web_search_preview' } },
    { code: 'unsupported_parameter', param: 'tool_choice' },
  ],
  [
    'truncation auto: unsupported',
    { model: 'm', input: 'x', truncation: 'auto' },
    { code: 'unsupported_parameter', param: 'truncation' },
  ],
  [
    'text format of another type',
    { model: 'm', input: 'x', text: { format: { type: 'grammar' } } },
    { code: 'unsupported_parameter', param: 'text.format' },
  ],
  [
    'banned parameter',
    { model: 'm', input: 'x', base_url: 'http://169.254.169.254/' },
    { code: 'banned_parameter', param: 'base_url' },
  ],
  ['a chat parameter is unknown here', { model: 'm', input: 'x', messages: [] }, { code: 'unknown_parameter' }],
  ['missing model', { input: 'x' }, { code: 'missing_model', param: 'model' }],
  ['missing input', { model: 'm' }, { code: 'invalid_parameter', param: 'input' }],
  ['empty input array', { model: 'm', input: [] }, { code: 'invalid_parameter', param: 'input' }],
  [
    'malformed item',
    { model: 'm', input: ['x', { role: 'user', content: 'ok' }] },
    { code: 'invalid_parameter', param: 'input[0]' },
  ],
  [
    'unknown role',
    {
      model: 'm',
      input: [
        { role: 'user', content: 'ok' },
        { role: 'tool', content: 'x' },
      ],
    },
    { code: 'invalid_parameter', param: 'input[1]' },
  ],
  [
    'image on an assistant turn',
    { model: 'm', input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'data:,' }] }] },
    { code: 'invalid_parameter', param: 'input[0]' },
  ],
  [
    'max_output_tokens below 1',
    { model: 'm', input: 'x', max_output_tokens: 0 },
    { code: 'invalid_parameter', param: 'max_output_tokens' },
  ],
  [
    'stream_options without stream',
    { model: 'm', input: 'x', stream_options: { include_obfuscation: false } },
    { code: 'invalid_parameter', param: 'stream_options' },
  ],
];

describe('translateRequest: Responses request -> chat request', () => {
  for (const [name, body, expect] of REQ_ROWS) {
    it(name, () => {
      if ('code' in expect && typeof expect.code === 'string' && !('model' in expect)) {
        assert.throws(
          () => translateRequest(structuredClone(body)),
          (e: unknown) => {
            assert.ok(e instanceof GatewayError, String(e));
            assert.equal(e.code, expect.code, e.message);
            if (expect.param !== undefined) assert.equal(e.param, expect.param);
            assert.doesNotMatch(e.message, /169\.254|web_search|grammar|input_file/, 'no client text in the message');
            return true;
          },
        );
        return;
      }
      const t = translateRequest(structuredClone(body));
      assert.deepEqual(t.chat, expect);
      // the translation is a chat request the pipeline accepts as it is
      assert.doesNotThrow(() => validateRequest('chat.completions', structuredClone(t.chat)));
    });
  }

  it('echoes the settings the Responses object reports', () => {
    const t = translateRequest({
      model: 'm',
      input: 'x',
      instructions: 'i',
      max_output_tokens: 5,
      metadata: { a: 'b' },
      tools: [{ type: 'function', name: 'f' }],
    });
    assert.deepEqual(t.echo, {
      model: 'm',
      instructions: 'i',
      max_output_tokens: 5,
      temperature: null,
      top_p: null,
      tools: [{ type: 'function', name: 'f', description: null, parameters: null, strict: null }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      text: { format: { type: 'text' } },
      metadata: { a: 'b' },
    });
  });

  it('a tool JSON schema reaches the engine as sent (own keys, __proto__ included)', () => {
    const body = JSON.parse(
      '{"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":{"type":"object","properties":{"__proto__":{"type":"string"}}}}]}',
    );
    const t = translateRequest(body);
    assert.equal(
      JSON.stringify(t.chat.tools),
      '[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"__proto__":{"type":"string"}}}}}]',
    );
  });
});

// ---- non-streamed response --------------------------------------------------------------------------------------

const echo: ResponseEcho = translateRequest({ model: 'm1', input: 'x', max_output_tokens: 50 }).echo;
const completion = (
  message: Record<string, unknown>,
  finish: string,
  usage: Record<string, unknown> | null = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm1',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  ...(usage ? { usage } : {}),
});

/** An SDK client whose transport answers with `body` (JSON or SSE). */
function sdkAnswering(body: string, contentType: string): OpenAI {
  return new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': contentType } }),
  });
}

describe('responseFromCompletion: chat completion -> Responses object', () => {
  type Row = [
    name: string,
    chat: Record<string, unknown>,
    status: string,
    outputText: string,
    check?: (r: SdkResponse) => void,
  ];
  const rows: Row[] = [
    [
      'text',
      completion({ content: 'hello there' }, 'stop'),
      'completed',
      'hello there',
      (r) => {
        assert.deepEqual(r.usage, {
          input_tokens: 7,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 3,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 10,
        });
        assert.equal(r.incomplete_details, null);
        assert.equal(r.max_output_tokens, 50);
      },
    ],
    [
      'cut at the cap: incomplete, reason max_output_tokens',
      completion({ content: 'hel' }, 'length'),
      'incomplete',
      'hel',
      (r) => {
        assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });
        assert.equal(r.output[0]?.type === 'message' && r.output[0].status, 'incomplete');
      },
    ],
    [
      'tool calls: function_call items',
      completion(
        {
          content: null,
          tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'get', arguments: '{"q":1}' } }],
        },
        'tool_calls',
      ),
      'completed',
      '',
      (r) => {
        assert.equal(r.output.length, 1);
        const fc = r.output[0];
        assert.ok(fc?.type === 'function_call');
        assert.deepEqual([fc.call_id, fc.name, fc.arguments, fc.status], ['call_a', 'get', '{"q":1}', 'completed']);
      },
    ],
    [
      'text and a tool call',
      completion(
        {
          content: 'let me check',
          tool_calls: [{ id: 'call_b', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        'tool_calls',
      ),
      'completed',
      'let me check',
      (r) => {
        assert.deepEqual(
          r.output.map((o) => o.type),
          ['message', 'function_call'],
        );
      },
    ],
    [
      'refusal',
      completion({ content: null, refusal: 'I cannot' }, 'stop'),
      'completed',
      '',
      (r) => {
        const m = r.output[0];
        assert.ok(m?.type === 'message');
        assert.deepEqual(m.content, [{ type: 'refusal', refusal: 'I cannot' }]);
      },
    ],
    [
      'empty answer is one empty message; no usage -> null',
      completion({ content: '' }, 'stop', null),
      'completed',
      '',
      (r) => {
        assert.equal(r.output.length, 1);
        assert.equal(r.usage, null);
      },
    ],
  ];
  for (const [name, chat, status, text, check] of rows) {
    it(name, async () => {
      const obj = responseFromCompletion(chat, ids, echo);
      assert.equal(obj.id, 'resp_0f8c2a561d2e4f009abc0123456789ab');
      assert.equal(obj.status, status);
      const r = await sdkAnswering(JSON.stringify(obj), 'application/json').responses.create({
        model: 'm1',
        input: 'x',
      });
      assert.equal(r.output_text, text, 'the SDK derives output_text from the output items');
      assert.equal(r.object, 'response');
      check?.(r);
    });
  }
});

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

  it('SSE comments pass (keep-alives); ids are unique per item', () => {
    const out = translateStream(
      `: ping\n\n${sse([
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
    assert.ok(out.includes(': ping\n\n'));
    const done = parseEvents(out).at(-1);
    assert.ok(done && done.type === 'response.completed');
    const itemIds = done.response.output.map((o) => o.id);
    assert.equal(new Set(itemIds).size, 3);
  });
});
