import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import {
  allowlist,
  BANNED_PARAMETERS,
  bannedMessage,
  REQUEST_SPECS,
  requestJsonSchema,
  requestSchema,
  type ApiEndpoint,
} from './index.ts';
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
    {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      metadata: { team: 'search' },
      store: false,
      service_tier: 'auto',
      reasoning_effort: 'low',
      safety_identifier: 'user-42',
      prompt_cache_key: 'k1',
      prompt_cache_retention: null,
      verbosity: 'low',
      modalities: ['text'],
      prediction: { type: 'content', content: 'Hello' },
      chat_template_kwargs: { enable_thinking: false },
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
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
    { model: 'm', input: 'x', encoding_format: 'base64', user: 'u1' },
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

  it('each spec decides every OpenAI parameter once: dropped ones are allowlisted, refused ones are not', () => {
    for (const e of ENDPOINTS) {
      const spec = REQUEST_SPECS[e];
      for (const d of spec.dropped ?? []) assert.ok(allowlist(e).has(d), `${e}: dropped ${d} is validated first`);
      for (const [name, reason] of spec.refused ?? []) {
        assert.equal(allowlist(e).has(name), false, `${e}: refused ${name} is not allowlisted`);
        assert.equal(BANNED_PARAMETERS.has(name), false, `${e}: ${name} is refused or banned, not both`);
        assert.match(reason, new RegExp(`^Parameter "${name}" is not supported: `), 'the reason names it');
      }
    }
  });

  // One row per decision: the value the SDKs send passes, the one the gateway cannot honour does not.
  const VALUES: [endpoint: ApiEndpoint, param: string, value: unknown, ok: boolean][] = [
    ['chat.completions', 'metadata', { team: 'search' }, true],
    ['chat.completions', 'metadata', { team: 5 }, false],
    ['chat.completions', 'store', false, true],
    ['chat.completions', 'store', true, false],
    ['chat.completions', 'service_tier', 'auto', true],
    ['chat.completions', 'service_tier', 'default', true],
    ['chat.completions', 'service_tier', 'priority', false],
    ['chat.completions', 'service_tier', 'flex', false],
    ['chat.completions', 'reasoning_effort', 'minimal', true],
    ['chat.completions', 'reasoning_effort', 'high', true],
    ['chat.completions', 'reasoning_effort', 'extreme', false],
    ['chat.completions', 'safety_identifier', 'user-42', true],
    ['chat.completions', 'safety_identifier', 'x'.repeat(4097), false],
    ['chat.completions', 'prompt_cache_key', 'k1', true],
    ['chat.completions', 'prompt_cache_key', 5, false],
    ['chat.completions', 'prompt_cache_retention', 'in_memory', true],
    ['chat.completions', 'prompt_cache_retention', 'forever', false],
    ['chat.completions', 'verbosity', 'medium', true],
    ['chat.completions', 'verbosity', 'loud', false],
    ['chat.completions', 'modalities', ['text'], true],
    ['chat.completions', 'modalities', ['text', 'audio'], false],
    ['chat.completions', 'modalities', ['audio'], false],
    ['chat.completions', 'modalities', [], false],
    ['chat.completions', 'prediction', { type: 'content', content: 'x' }, true],
    ['chat.completions', 'prediction', { type: 'content', content: [{ type: 'text', text: 'x' }] }, true],
    ['chat.completions', 'prediction', { type: 'content', content: [{ type: 'image_url', image_url: 'x' }] }, false],
    ['chat.completions', 'prediction', { type: 'content', content: 'x', extra: 1 }, false],
    ['chat.completions', 'chat_template_kwargs', { enable_thinking: false }, true],
    ['chat.completions', 'chat_template_kwargs', { thinking: true }, true],
    ['chat.completions', 'chat_template_kwargs', { enable_thinking: 'no' }, false],
    ['chat.completions', 'chat_template_kwargs', { chat_template: '{{ x }}' }, false],
    ['chat.completions', 'chat_template_kwargs', { add_generation_prompt: false }, false],
    ['chat.completions', 'stream_options', { include_usage: true, include_obfuscation: false }, true],
    ['chat.completions', 'stream_options', { include_obfuscation: 1 }, false],
    ['completions', 'stream_options', { include_obfuscation: true }, true],
    ['embeddings', 'encoding_format', 'float', true],
    ['embeddings', 'encoding_format', 'base64', true],
    ['embeddings', 'encoding_format', 'int8', false],
    ['embeddings', 'dimensions', 256, true],
    ['embeddings', 'dimensions', 0, false],
    ['embeddings', 'dimensions', 65_537, false],
    ['embeddings', 'user', 'u1', true],
  ];
  it('parameter values: accepted as the SDKs send them, bounded, refused otherwise', () => {
    for (const [e, param, value, ok] of VALUES) {
      const schema = allowlist(e).get(param);
      assert.ok(schema, `${e}: ${param} is allowlisted`);
      assert.equal(schema.safeParse(value).success, ok, `${e} ${param} ${JSON.stringify(value)}`);
    }
  });

  it('a banned name says why: routing and credentials, or the engine the operator configures', () => {
    assert.match(bannedMessage('base_url'), /the gateway decides where requests go/);
    for (const name of ['chat_template', 'chat_template_kwargs', 'mm_processor_kwargs', 'lora_request'])
      assert.match(bannedMessage(name), /template and settings are set per model by the operator/, name);
  });
});
