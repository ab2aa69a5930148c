// Table tests of the non-streamed /v1/responses answer (responses/object.ts), checked against what the
// official `openai` SDK's `responses.create` parses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Response as SdkResponse } from 'openai/resources/responses/responses';
import { echo, ids, sdkAnswering } from '../test/responses.ts';
import { responseFromCompletion } from './object.ts';

// ---- non-streamed response --------------------------------------------------------------------------------------

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
