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
