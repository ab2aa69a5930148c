import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { carries } from './carries.ts';

describe('carries: a stream entry worth sending', () => {
  const rows: [string, unknown, boolean][] = [
    ['held chat text', { index: 0, delta: { content: '' }, finish_reason: null }, false],
    ['held text and a null refusal', { index: 0, delta: { content: '', refusal: null }, finish_reason: null }, false],
    ['empty delta', { index: 0, delta: {}, finish_reason: null }, false],
    ['held completions text', { index: 1, text: '', finish_reason: null }, false],
    ['held logprobs', { index: 0, delta: { content: '' }, logprobs: { content: [] }, finish_reason: null }, false],
    ['logprobs null', { index: 0, delta: { content: '' }, logprobs: null, finish_reason: null }, false],
    [
      'held legacy logprobs',
      { index: 0, text: '', logprobs: { tokens: [], token_logprobs: [], text_offset: [], top_logprobs: null } },
      false,
    ],
    [
      'held tool-call arguments',
      { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '' } }] }, finish_reason: null },
      false,
    ],
    ['text', { index: 0, delta: { content: 'a' }, finish_reason: null }, true],
    ['a space', { index: 0, delta: { content: ' ' }, finish_reason: null }, true],
    ['role on the first chunk', { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }, true],
    ['finish_reason', { index: 0, delta: { content: '' }, finish_reason: 'stop' }, true],
    ['completions finish', { index: 0, text: '', finish_reason: 'length' }, true],
    [
      'logprobs entry',
      { index: 0, delta: { content: '' }, logprobs: { content: [{ token: '', logprob: -1, bytes: [] }] } },
      true,
    ],
    ['refusal', { index: 0, delta: { refusal: 'no' }, finish_reason: null }, true],
    ['reasoning', { index: 0, delta: { reasoning_content: 'hm' }, finish_reason: null }, true],
    ['tool-call name', { index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'f' } }] } }, true],
    ['tool-call id', { index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1' }] } }, true],
    ['tool-call arguments', { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{' } }] } }, true],
    ['usage', { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }, true],
    ['audio', { index: 0, delta: { audio: { transcript: 'x' } } }, true],
  ];
  for (const [name, v, want] of rows) it(name, () => assert.equal(carries(v), want));
});
