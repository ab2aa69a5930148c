import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { allowlist, REQUEST_SPECS, requestJsonSchema, requestSchema, type ApiEndpoint } from './index.ts';
import { logitBias } from './common.ts';
import { Metadata } from './responses.ts';

const ENDPOINTS = Object.keys(REQUEST_SPECS) as ApiEndpoint[];

// What the official SDKs send (explicit nulls included) must pass the generated route schema.
const SAMPLES: Record<ApiEndpoint, Record<string, unknown>[]> = {
  'chat.completions': [
    { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    {
      model: 'm',
      messages: [
        { role: 'system', content: 's' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: { url: 'data:,' } },
          ],
        },
      ],
      temperature: null,
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      logit_bias: { '42': -100 },
    },
    {
      model: 'm',
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c', content: 'r' },
      ],
    },
  ],
  completions: [
    { model: 'm', prompt: 'x' },
    { model: 'm', prompt: [1, 2, 3], best_of: 2, echo: null },
    { model: 'm', prompt: [[1], [2, 3]] },
  ],
  embeddings: [
    { model: 'm', input: 'x' },
    { model: 'm', input: ['a', 'b'], dimensions: 8, encoding_format: 'float' },
  ],
  responses: [
    { model: 'm', input: 'hi' },
    {
      model: 'm',
      instructions: 'be brief',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      max_output_tokens: 20,
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true } },
      metadata: { k: 'v' },
    },
    {
      model: 'm',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '42' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: null, strict: null }],
      tool_choice: { type: 'function', name: 'f' },
    },
  ],
};

describe('OpenAI request schemas (api/openai)', () => {
  it('the allowlist of each endpoint is exactly its schema fields', () => {
    for (const e of ENDPOINTS) {
      assert.deepEqual([...allowlist(e).keys()].sort(), Object.keys(REQUEST_SPECS[e].fields).sort());
      assert.deepEqual(Object.keys(requestSchema(e).shape).sort(), Object.keys(REQUEST_SPECS[e].fields).sort());
      for (const r of REQUEST_SPECS[e].required) assert.ok(allowlist(e).has(r), `${e}: required ${r} is allowlisted`);
    }
    // a Map: names on Object.prototype are not parameters
    for (const name of Object.getOwnPropertyNames(Object.prototype))
      assert.equal(allowlist('chat.completions').has(name), false, name);
  });

  it('generates a draft-07 route schema that Ajv compiles, accepting SDK requests and refusing unknown keys', () => {
    const ajv = new Ajv({ strict: false });
    for (const e of ENDPOINTS) {
      const schema = requestJsonSchema(e);
      assert.equal(schema.type, 'object');
      assert.equal(schema.additionalProperties, false);
      assert.deepEqual(schema.required, [...REQUEST_SPECS[e].required]);
      const validate = ajv.compile(schema);
      for (const body of SAMPLES[e]) {
        assert.ok(validate(body), `${e} ${JSON.stringify(body)}: ${JSON.stringify(validate.errors)}`);
        assert.ok(requestSchema(e).safeParse(body).success, `${e} zod ${JSON.stringify(body)}`);
        assert.equal(validate({ ...body, frobnicate: 1 }), false);
      }
    }
  });

  it('maps with client-chosen keys are checked over their own keys (__proto__ included)', () => {
    const table: [unknown, boolean][] = [
      [{ '1': 1, '50256': -100 }, true],
      [JSON.parse('{"__proto__": 1}'), false],
      [JSON.parse('{"1": 1, "constructor": 2}'), false],
      [{ '1': 'x' }, false],
      [[1], false],
      [Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [String(i), 0])), false],
    ];
    for (const [v, ok] of table) assert.equal(logitBias.safeParse(v).success, ok, JSON.stringify(v));
    assert.equal(
      Metadata.safeParse(JSON.parse('{"__proto__": "x"}')).success,
      true,
      '__proto__ is a key like another for metadata (a string value, under 64 chars)',
    );
    assert.equal(Metadata.safeParse(JSON.parse('{"__proto__": 5}')).success, false, 'and its value is checked');
    assert.equal(
      Metadata.safeParse(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))).success,
      false,
    );
  });
});
