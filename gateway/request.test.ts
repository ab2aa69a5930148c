// validateRequest on the zod specs of api/openai: one row per rule, the catalog code and the param it names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from './errors.ts';
import { checkParameters, validateRequest, type Endpoint } from './request.ts';

const msg = [{ role: 'user', content: 'hi' }];
const chat = (extra: Record<string, unknown>): Record<string, unknown> => ({ model: 'm', messages: msg, ...extra });

type Row = [
  name: string,
  endpoint: Endpoint,
  body: Record<string, unknown>,
  code: string | undefined,
  param?: string | null,
];
const ROWS: Row[] = [
  ['minimal chat', 'chat.completions', chat({}), undefined],
  ['banned parameter is named', 'chat.completions', chat({ base_url: 'http://x' }), 'banned_parameter', 'base_url'],
  ['unknown parameter is not echoed', 'chat.completions', chat({ frobnicate: 1 }), 'unknown_parameter', null],
  [
    '__proto__ as a parameter',
    'chat.completions',
    { ...chat({}), ...JSON.parse('{"__proto__": 1}') },
    'unknown_parameter',
    null,
  ],
  ['a completions parameter on chat', 'chat.completions', chat({ best_of: 2 }), 'unknown_parameter', null],
  ['wrong type', 'chat.completions', chat({ temperature: 'hot' }), 'invalid_parameter', 'temperature'],
  ['non-integer', 'chat.completions', chat({ seed: 1.5 }), 'invalid_parameter', 'seed'],
  ['n below 1', 'chat.completions', chat({ n: 0 }), 'invalid_parameter', 'n'],
  ['max_tokens below 1', 'chat.completions', chat({ max_tokens: -5 }), 'invalid_parameter', 'max_tokens'],
  ['stop: 17 strings', 'chat.completions', chat({ stop: Array(17).fill('x') }), 'invalid_parameter', 'stop'],
  [
    'logit_bias with a word key',
    'chat.completions',
    chat({ logit_bias: { word: 1 } }),
    'invalid_parameter',
    'logit_bias',
  ],
  [
    'stream_options with another key',
    'chat.completions',
    chat({ stream: true, stream_options: { x: true } }),
    'invalid_parameter',
    'stream_options',
  ],
  [
    'stream_options without stream',
    'chat.completions',
    chat({ stream_options: { include_usage: true } }),
    'invalid_parameter',
    'stream_options',
  ],
  [
    'response_format type',
    'chat.completions',
    chat({ response_format: { type: 'yaml' } }),
    'invalid_parameter',
    'response_format',
  ],
  ['a built-in tool', 'chat.completions', chat({ tools: [{ type: 'web_search' }] }), 'invalid_parameter', 'tools[0]'],
  [
    'a tool without a name',
    'chat.completions',
    chat({ tools: [{ type: 'function', function: {} }] }),
    'invalid_parameter',
    'tools[0]',
  ],
  [
    '129 tools',
    'chat.completions',
    chat({ tools: Array(129).fill({ type: 'function', function: { name: 'f' } }) }),
    'invalid_parameter',
    'tools',
  ],
  ['missing model (before messages)', 'chat.completions', { messages: 'nope' }, 'missing_model', 'model'],
  ['model too long', 'chat.completions', chat({ model: 'x'.repeat(257) }), 'missing_model', 'model'],
  ['no messages', 'chat.completions', { model: 'm' }, 'invalid_messages', 'messages'],
  [
    '4097 messages (refused before any is looked at)',
    'chat.completions',
    chat({ messages: Array(4097).fill(null) }),
    'invalid_messages',
    'messages',
  ],
  [
    'unknown role',
    'chat.completions',
    chat({ messages: [...msg, { role: 'wizard', content: 'x' }] }),
    'invalid_messages',
    'messages[1]',
  ],
  [
    'unknown message field',
    'chat.completions',
    chat({ messages: [{ role: 'user', content: 'x', evil: 1 }] }),
    'invalid_messages',
    'messages[0]',
  ],
  [
    'unsupported part type',
    'chat.completions',
    chat({ messages: [{ role: 'user', content: [{ type: 'video' }] }] }),
    'invalid_messages',
    'messages[0]',
  ],
  [
    '257 parts',
    'chat.completions',
    chat({ messages: [{ role: 'user', content: Array(257).fill({ type: 'text', text: 'x' }) }] }),
    'invalid_messages',
    'messages[0]',
  ],
  [
    'tool message without tool_call_id',
    'chat.completions',
    chat({ messages: [{ role: 'tool', content: 'x' }] }),
    'invalid_messages',
    'messages[0]',
  ],
  [
    'assistant tool call without content',
    'chat.completions',
    chat({ messages: [{ role: 'assistant', tool_calls: [] }] }),
    undefined,
  ],
  ['prompt: mixed array', 'completions', { model: 'm', prompt: [1, 'a'] }, 'invalid_parameter', 'prompt'],
  ['prompt missing', 'completions', { model: 'm' }, 'invalid_parameter', 'prompt'],
  ['embeddings: empty input array', 'embeddings', { model: 'm', input: [] }, 'invalid_parameter', 'input'],
  ['embeddings: token id arrays', 'embeddings', { model: 'm', input: [[1, 2], [3]] }, undefined],
  // the OpenAI parameters the SDKs send (SDK check 2026-12-03, finding 02): accepted, or refused by name
  ['metadata', 'chat.completions', chat({ metadata: { team: 'search' } }), undefined],
  ['store: false', 'chat.completions', chat({ store: false }), undefined],
  ['service_tier auto', 'chat.completions', chat({ service_tier: 'auto' }), undefined],
  ['reasoning_effort', 'chat.completions', chat({ reasoning_effort: 'low' }), undefined],
  ['safety_identifier', 'chat.completions', chat({ safety_identifier: 'user-42' }), undefined],
  ['prompt_cache_key', 'chat.completions', chat({ prompt_cache_key: 'k1' }), undefined],
  ['prompt_cache_retention', 'chat.completions', chat({ prompt_cache_retention: '24h' }), undefined],
  ['verbosity', 'chat.completions', chat({ verbosity: 'low' }), undefined],
  ['modalities text', 'chat.completions', chat({ modalities: ['text'] }), undefined],
  ['prediction', 'chat.completions', chat({ prediction: { type: 'content', content: 'Hello' } }), undefined],
  [
    'prediction as text parts',
    'chat.completions',
    chat({ prediction: { type: 'content', content: [{ type: 'text', text: 'Hello' }] } }),
    undefined,
  ],
  [
    'stream_options.include_obfuscation',
    'chat.completions',
    chat({ stream: true, stream_options: { include_usage: true, include_obfuscation: false } }),
    undefined,
  ],
  [
    'chat_template_kwargs: the thinking switch',
    'chat.completions',
    chat({ chat_template_kwargs: { enable_thinking: false } }),
    undefined,
  ],
  // min_tokens above the caller's own output limit (SDK re-check 2026-12-03: accepted)
  ['min_tokens = max_tokens', 'chat.completions', chat({ min_tokens: 10, max_tokens: 10 }), undefined],
  ['min_tokens without a max', 'chat.completions', chat({ min_tokens: 10 }), undefined],
  [
    'min_tokens > max_tokens',
    'chat.completions',
    chat({ min_tokens: 11, max_tokens: 10 }),
    'invalid_parameter',
    'min_tokens',
  ],
  [
    'min_tokens > max_completion_tokens',
    'chat.completions',
    chat({ min_tokens: 20, max_completion_tokens: 10 }),
    'invalid_parameter',
    'min_tokens',
  ],
  [
    'min_tokens between the two limits: the lower one counts',
    'chat.completions',
    chat({ min_tokens: 20, max_tokens: 30, max_completion_tokens: 10 }),
    'invalid_parameter',
    'min_tokens',
  ],
  [
    'completions: min_tokens > max_tokens',
    'completions',
    { model: 'm', prompt: 'hi', min_tokens: 5, max_tokens: 4 },
    'invalid_parameter',
    'min_tokens',
  ],
  ['store: true', 'chat.completions', chat({ store: true }), 'invalid_parameter', 'store'],
  ['service_tier flex', 'chat.completions', chat({ service_tier: 'flex' }), 'invalid_parameter', 'service_tier'],
  [
    'reasoning_effort not an effort',
    'chat.completions',
    chat({ reasoning_effort: 'wizard' }),
    'invalid_parameter',
    'reasoning_effort',
  ],
  ['verbosity not a level', 'chat.completions', chat({ verbosity: 'wizard' }), 'invalid_parameter', 'verbosity'],
  [
    'modalities with audio',
    'chat.completions',
    chat({ modalities: ['text', 'audio'] }),
    'invalid_parameter',
    'modalities',
  ],
  ['audio output', 'chat.completions', chat({ audio: { voice: 'alloy' } }), 'unsupported_parameter', 'audio'],
  [
    'web_search_options',
    'chat.completions',
    chat({ web_search_options: {} }),
    'unsupported_parameter',
    'web_search_options',
  ],
  ['moderation', 'chat.completions', chat({ moderation: {} }), 'unsupported_parameter', 'moderation'],
  [
    'prompt_cache_options',
    'chat.completions',
    chat({ prompt_cache_options: { mode: 'explicit' } }),
    'unsupported_parameter',
    'prompt_cache_options',
  ],
  [
    'metadata: 17 keys',
    'chat.completions',
    chat({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }),
    'invalid_parameter',
    'metadata',
  ],
  [
    'metadata: a 513-character value',
    'chat.completions',
    chat({ metadata: { k: 'v'.repeat(513) } }),
    'invalid_parameter',
    'metadata',
  ],
  [
    'safety_identifier over 4096 characters',
    'chat.completions',
    chat({ safety_identifier: 'x'.repeat(4097) }),
    'invalid_parameter',
    'safety_identifier',
  ],
  [
    'prediction of another type',
    'chat.completions',
    chat({ prediction: { type: 'wizard', content: 'x' } }),
    'invalid_parameter',
    'prediction',
  ],
  [
    'prediction of 257 parts',
    'chat.completions',
    chat({ prediction: { type: 'content', content: Array(257).fill({ type: 'text', text: 'x' }) } }),
    'invalid_parameter',
    'prediction',
  ],
  [
    'chat_template_kwargs replacing the template',
    'chat.completions',
    chat({ chat_template_kwargs: { chat_template: '{{ wizard }}' } }),
    'invalid_parameter',
    'chat_template_kwargs',
  ],
  [
    'chat_template_kwargs switching in documents',
    'chat.completions',
    chat({ chat_template_kwargs: { documents: [{ text: 'wizard' }] } }),
    'invalid_parameter',
    'chat_template_kwargs',
  ],
  [
    'chat_template_kwargs on completions (no chat template)',
    'completions',
    { model: 'm', prompt: 'x', chat_template_kwargs: {} },
    'banned_parameter',
    'chat_template_kwargs',
  ],
  [
    'stream_options.include_obfuscation not a boolean',
    'completions',
    { model: 'm', prompt: 'x', stream: true, stream_options: { include_obfuscation: 'wizard' } },
    'invalid_parameter',
    'stream_options',
  ],
  [
    'embeddings: encoding_format base64',
    'embeddings',
    { model: 'm', input: 'x', encoding_format: 'base64' },
    undefined,
  ],
  [
    'embeddings: encoding_format not float/base64',
    'embeddings',
    { model: 'm', input: 'x', encoding_format: 'wizard' },
    'invalid_parameter',
    'encoding_format',
  ],
  [
    'embeddings: dimensions 0',
    'embeddings',
    { model: 'm', input: 'x', dimensions: 0 },
    'invalid_parameter',
    'dimensions',
  ],
  [
    'embeddings: dimensions beyond any model',
    'embeddings',
    { model: 'm', input: 'x', dimensions: 1e9 },
    'invalid_parameter',
    'dimensions',
  ],
];

/** What reaches the engine: the keys forwarded after validation (dropped ones gone, the rest as sent). */
type FwdRow = [name: string, endpoint: Endpoint, body: Record<string, unknown>, forwarded: Record<string, unknown>];
const FORWARDED: FwdRow[] = [
  [
    'OpenAI platform hints are dropped',
    'chat.completions',
    chat({
      metadata: { team: 'search' },
      store: false,
      service_tier: 'default',
      safety_identifier: 'user-42',
      prompt_cache_key: 'k1',
      prompt_cache_retention: 'in_memory',
      verbosity: 'high',
      modalities: ['text'],
      prediction: { type: 'content', content: 'Hello' },
    }),
    chat({}),
  ],
  [
    'what the engine implements is forwarded',
    'chat.completions',
    chat({ reasoning_effort: 'high', chat_template_kwargs: { enable_thinking: false }, user: 'u1' }),
    chat({ reasoning_effort: 'high', chat_template_kwargs: { enable_thinking: false }, user: 'u1' }),
  ],
  [
    'include_obfuscation is dropped from stream_options, the rest kept',
    'chat.completions',
    chat({ stream: true, stream_options: { include_usage: true, include_obfuscation: true } }),
    chat({ stream: true, stream_options: { include_usage: true } }),
  ],
  [
    'completions: include_obfuscation dropped',
    'completions',
    { model: 'm', prompt: 'x', stream: true, stream_options: { include_obfuscation: false } },
    { model: 'm', prompt: 'x', stream: true, stream_options: {} },
  ],
  [
    'embeddings: every SDK parameter forwarded',
    'embeddings',
    { model: 'm', input: 'x', encoding_format: 'base64', dimensions: 8, user: 'u1' },
    { model: 'm', input: 'x', encoding_format: 'base64', dimensions: 8, user: 'u1' },
  ],
  ['explicit nulls are "not set"', 'chat.completions', chat({ metadata: null, store: null, audio: null }), chat({})],
];

describe('validateRequest (zod specs)', () => {
  for (const [name, endpoint, body, code, param] of ROWS) {
    it(`${name} -> ${code ?? 'ok'}`, () => {
      if (code === undefined) {
        assert.doesNotThrow(() => validateRequest(endpoint, structuredClone(body)));
        return;
      }
      assert.throws(
        () => validateRequest(endpoint, structuredClone(body)),
        (e: unknown) => {
          assert.ok(e instanceof GatewayError);
          assert.equal(e.code, code);
          if (param !== undefined) assert.equal(e.param, param);
          assert.doesNotMatch(
            e.message,
            /frobnicate|wizard|video|http:\/\/x|Invalid input/,
            'the message is the gateway’s words',
          );
          return true;
        },
      );
    });
  }

  for (const [name, endpoint, body, forwarded] of FORWARDED) {
    it(`forwarded: ${name}`, () => {
      assert.deepEqual(validateRequest(endpoint, structuredClone(body)).body, forwarded);
    });
  }

  it('derives what the pipeline needs: input text, tool names, n, the requested cap, stream usage', () => {
    const p = validateRequest(
      'chat.completions',
      chat({
        messages: [
          { role: 'system', content: 's' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'input_audio', input_audio: {} },
            ],
            name: 'bob',
          },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c' }] },
        ],
        tools: [{ type: 'function', function: { name: 'f' } }],
        functions: [{ name: 'g' }],
        n: 2,
        max_completion_tokens: 9,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    assert.deepEqual(p.toolNames, ['f', 'g']);
    assert.deepEqual(p.input.texts.slice(0, 4), ['s', 'a', 'bob', '[{"id":"c"}]']);
    assert.equal(p.input.texts.length, 5, 'plus the tool definitions');
    assert.equal(p.input.overhead, 3 + 3 * 4 + 512);
    assert.equal(p.n, 2);
    assert.equal(p.requestedMaxTokens, 9);
    assert.equal(p.wantsStreamUsage, true);
    const c = validateRequest('completions', { model: 'm', prompt: [[1, 2], [3]], best_of: 3, suffix: 'end' });
    assert.deepEqual(c.input, { texts: ['end'], overhead: 3, nonText: 3 });
    assert.equal(c.n, 6, 'two prompts × best_of 3');
    assert.equal(c.batch, 2);
  });

  it('every text-bearing message field is counted as input (re-check 2026-12-03: reasoning_content, tool_call_id, function_call and refusal passed any size uncounted)', () => {
    const big = 'x '.repeat(50_000);
    const p = validateRequest(
      'chat.completions',
      chat({
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: null,
            reasoning_content: big,
            refusal: 'no',
            function_call: { name: 'f', arguments: '{"a":1}' },
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'r' },
        ],
      }),
    );
    assert.deepEqual(p.input.texts, ['q', '{"name":"f","arguments":"{\\"a\\":1}"}', 'no', big, 'r', 'call_1']);
    const refused: [string, Record<string, unknown>][] = [
      ['a tool_call_id past 256 characters', { role: 'tool', tool_call_id: 'c'.repeat(257), content: 'r' }],
      ['a tool_call_id that is not a string', { role: 'tool', tool_call_id: { a: 1 }, content: 'r' }],
      ['reasoning_content as an object', { role: 'assistant', content: 'a', reasoning_content: { t: big } }],
      ['refusal as a number', { role: 'assistant', content: 'a', refusal: 1 }],
    ];
    for (const [name, m] of refused)
      assert.throws(
        () => validateRequest('chat.completions', chat({ messages: [{ role: 'user', content: 'q' }, m] })),
        (e: unknown) => e instanceof GatewayError && e.code === 'invalid_messages',
        name,
      );
  });

  it('a completions prompt batch generates one completion per prompt × max(n, best_of) (red team F1)', () => {
    const rows: [string, unknown, Record<string, unknown>, number, number][] = [
      ['one string', 'hi', {}, 1, 1],
      ['one token-id list', [1, 2, 3], { n: 2 }, 1, 2],
      ['100 strings', Array.from({ length: 100 }, () => 'hi'), {}, 100, 100],
      ['3 strings × n 2', ['a', 'b', 'c'], { n: 2 }, 3, 6],
      ['3 strings × best_of 4 (n 2)', ['a', 'b', 'c'], { n: 2, best_of: 4 }, 3, 12],
      ['2 token-id lists', [[1], [2, 3]], {}, 2, 2],
    ];
    for (const [name, prompt, extra, batch, n] of rows) {
      const p = validateRequest('completions', { model: 'm', prompt, ...extra });
      assert.equal(p.batch, batch, name);
      assert.equal(p.n, n, name);
    }
    // embeddings: a list of inputs is one pass over all of them (their tokens summed), no sequences generated
    const e = validateRequest('embeddings', { model: 'm', input: ['a b', 'c', 'd e f'] });
    assert.equal(e.batch, 1);
    assert.deepEqual(e.input.texts, ['a b', 'c', 'd e f']);
  });

  it('checkParameters: known-but-unsupported names get their own code; nulls are "not set"', () => {
    const unsupported = new Set(['previous_response_id']);
    const body: Record<string, unknown> = { model: 'm', input: 'x', previous_response_id: 'resp_1' };
    assert.throws(
      () => checkParameters('responses', body, unsupported),
      (e: unknown) =>
        e instanceof GatewayError && e.code === 'unsupported_parameter' && e.param === 'previous_response_id',
    );
    const nulls: Record<string, unknown> = { model: 'm', input: 'x', previous_response_id: null, temperature: null };
    checkParameters('responses', nulls, unsupported);
    assert.deepEqual(nulls, { model: 'm', input: 'x' });
  });
});
