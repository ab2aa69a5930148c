// Table tests of the /v1/responses request translation (responses/request.ts): Responses request -> the chat
// request the pipeline enforces, refusals with their catalog codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.ts';
import { validateRequest } from '../request.ts';
import { translateRequest } from './request.ts';

// ---- request -------------------------------------------------------------------------------------------------

/** How a request is decided: accepted, or refused with this code naming this parameter. */
function decide(f: () => unknown): string {
  try {
    f();
    return 'accepted';
  } catch (e) {
    assert.ok(e instanceof GatewayError, String(e));
    return `${e.code} ${e.param}`;
  }
}

// Each parameter both APIs have, decided on /v1/responses as chat decides it (SDK finding: service_tier and
// prompt_cache_key refused on responses while chat accepts them; store: true accepted while chat refuses it).
// [name, the Responses spelling, the chat spelling, chat's decision (checked too), the Responses param named].
const SAME_AS_CHAT: [string, Record<string, unknown>, Record<string, unknown>, string, string?][] = [
  ['service_tier auto', { service_tier: 'auto' }, { service_tier: 'auto' }, 'accepted'],
  ['service_tier default', { service_tier: 'default' }, { service_tier: 'default' }, 'accepted'],
  ['service_tier flex', { service_tier: 'flex' }, { service_tier: 'flex' }, 'invalid_parameter service_tier'],
  ['prompt_cache_key', { prompt_cache_key: 'k1' }, { prompt_cache_key: 'k1' }, 'accepted'],
  ['prompt_cache_key a number', { prompt_cache_key: 5 }, { prompt_cache_key: 5 }, 'invalid_parameter prompt_cache_key'],
  ['prompt_cache_retention', { prompt_cache_retention: '24h' }, { prompt_cache_retention: '24h' }, 'accepted'],
  [
    'prompt_cache_retention other',
    { prompt_cache_retention: 'forever' },
    { prompt_cache_retention: 'forever' },
    'invalid_parameter prompt_cache_retention',
  ],
  ['store false', { store: false }, { store: false }, 'accepted'],
  ['store true', { store: true }, { store: true }, 'invalid_parameter store'],
  ['safety_identifier', { safety_identifier: 'u-42' }, { safety_identifier: 'u-42' }, 'accepted'],
  [
    'safety_identifier too long',
    { safety_identifier: 'x'.repeat(4097) },
    { safety_identifier: 'x'.repeat(4097) },
    'invalid_parameter safety_identifier',
  ],
  ['metadata', { metadata: { team: 'search' } }, { metadata: { team: 'search' } }, 'accepted'],
  ['metadata not strings', { metadata: { team: 5 } }, { metadata: { team: 5 } }, 'invalid_parameter metadata'],
  ['verbosity', { text: { verbosity: 'low' } }, { verbosity: 'low' }, 'accepted'],
  [
    'verbosity not a level',
    { text: { verbosity: 'loud' } },
    { verbosity: 'loud' },
    'invalid_parameter verbosity',
    'invalid_parameter text',
  ],
  ['reasoning effort', { reasoning: { effort: 'low' } }, { reasoning_effort: 'low' }, 'accepted'],
  [
    'reasoning effort not an effort',
    { reasoning: { effort: 'wizard' } },
    { reasoning_effort: 'wizard' },
    'invalid_parameter reasoning_effort',
    'invalid_parameter reasoning',
  ],
  ['user', { user: 'u1' }, { user: 'u1' }, 'accepted'],
];

describe('/v1/responses decides the parameters chat has as chat does', () => {
  for (const [name, resp, chatPart, want, wantResponses] of SAME_AS_CHAT) {
    it(name, () => {
      const chat = decide(() =>
        validateRequest('chat.completions', { model: 'm', messages: [{ role: 'user', content: 'x' }], ...chatPart }),
      );
      assert.equal(chat, want, 'the chat decision');
      assert.equal(
        decide(() => translateRequest({ model: 'm', input: 'x', ...resp })),
        wantResponses ?? want,
      );
    });
  }
  it('reasoning summaries are refused by name', () => {
    assert.equal(
      decide(() => translateRequest({ model: 'm', input: 'x', reasoning: { effort: 'low', summary: 'auto' } })),
      'unsupported_parameter reasoning.summary',
    );
  });
});

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

  it('SDK finding (responses vs chat): platform hints dropped, reasoning.effort forwarded, safety_identifier not sent as user', () => {
    const t = translateRequest({
      model: 'm',
      input: 'x',
      service_tier: 'auto',
      prompt_cache_key: 'k1',
      prompt_cache_retention: '24h',
      safety_identifier: 'u-42',
      store: false,
      text: { verbosity: 'low' },
      reasoning: { effort: 'high', summary: null },
    });
    assert.deepEqual(t.chat, { model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'high' });
    assert.doesNotThrow(() => validateRequest('chat.completions', structuredClone(t.chat)));
  });

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
