// Admission counts a request with its model's encoding (LLMModel spec.tokenizer, carried in the gateway
// config): the same prompt fits a tenant's input limit on an o200k_base model and not on a cl100k_base one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodingFor } from './encodings.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';
import { countText } from './tokens.ts';

installLeakScan();

const LIMIT = 200;
// Hindi: ~13 tokens per repeat in cl100k_base, ~5 in o200k_base
const PROMPT = 'नमस्ते दुनिया '.repeat(20);
const key = newKey();
let s: Stack;
before(async () => {
  s = await startStack((url) =>
    config(
      [
        model('m-default', url),
        model('m-cl100k', url, { tokenizer: 'cl100k_base' }),
        model('m-o200k', url, { tokenizer: 'o200k_base' }),
      ],
      [
        tenant({
          name: 't',
          models: ['m-default', 'm-cl100k', 'm-o200k'],
          keys: [{ name: 'k', key }],
          limits: { maxInputTokens: LIMIT },
        }),
      ],
    ),
  );
});
after(() => s.close());

describe("admission counts with the model's encoding", () => {
  it('the sample sits between the limit in one encoding and the other', () => {
    assert.ok(countText(encodingFor('o200k_base'), PROMPT) + 7 < LIMIT);
    assert.ok(countText(encodingFor('cl100k_base'), PROMPT) > LIMIT);
  });

  const cases: [string, number, string | undefined][] = [
    ['m-o200k', 200, undefined],
    ['m-cl100k', 400, 'input_too_long'],
    ['m-default', 400, 'input_too_long'], // no tokenizer in the config: cl100k_base
  ];
  for (const [m, status, code] of cases) {
    it(`${m}: ${status}${code ? ` ${code}` : ''}`, async () => {
      const res = await call(s.url, '/v1/chat/completions', {
        key,
        body: chat(m, { messages: [{ role: 'user', content: PROMPT }] }),
      });
      assert.equal(res.status, status, res.text.slice(0, 300));
      assert.equal(res.json.error?.code, code);
    });
  }
});
