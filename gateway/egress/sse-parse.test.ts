import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseEventTooLargeError, SseParser, type SseEvent } from './sse-parse.ts';

function parse(chunks: readonly string[]): { events: SseEvent[]; parser: SseParser } {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const c of chunks) events.push(...parser.feed(c));
  const last = parser.end();
  if (last) events.push(last);
  return { events, parser };
}

/** Every split of `text` into two chunks, and one chunk per character. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], Array.from(text)];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('SseParser (WHATWG event stream)', () => {
  const table: { name: string; input: string; events: SseEvent[]; comment?: number; field?: number }[] = [
    {
      name: 'LF',
      input: 'data: {"a":1}\n\ndata: [DONE]\n\n',
      events: [
        { type: 'message', data: '{"a":1}' },
        { type: 'message', data: '[DONE]' },
      ],
    },
    {
      name: 'CRLF',
      input: 'data: x\r\n\r\ndata: y\r\n\r\n',
      events: [
        { type: 'message', data: 'x' },
        { type: 'message', data: 'y' },
      ],
    },
    {
      name: 'CR only',
      input: 'data: x\r\rdata: y\r\r',
      events: [
        { type: 'message', data: 'x' },
        { type: 'message', data: 'y' },
      ],
    },
    {
      name: 'mixed endings',
      input: 'data: a\rdata: b\n\r\ndata: c\r\n\n',
      events: [
        { type: 'message', data: 'a\nb' },
        { type: 'message', data: 'c' },
      ],
    },
    {
      name: 'multi-line data joined with LF',
      input: 'data: {"c":"key ghp_1\ndata: 23"}\n\n',
      events: [{ type: 'message', data: '{"c":"key ghp_1\n23"}' }],
    },
    {
      name: 'no space after colon; only one space removed',
      input: 'data:x\ndata:  y\n\n',
      events: [{ type: 'message', data: 'x\n y' }],
    },
    {
      name: 'comment lines dropped',
      input: ': debug ghp_secret\ndata: x\n\n: trailing\n\n',
      events: [{ type: 'message', data: 'x' }],
      comment: 2,
    },
    {
      name: 'event type kept for the caller',
      input: 'event: trace\ndata: t\n\nevent: error\ndata: e\n\n',
      events: [
        { type: 'trace', data: 't' },
        { type: 'error', data: 'e' },
      ],
    },
    {
      name: 'id, retry and unknown fields dropped',
      input: 'id: 7\nretry: 10\nfoo: bar\ndata: x\n\n',
      events: [{ type: 'message', data: 'x' }],
      field: 3,
    },
    {
      name: 'event without data is not dispatched',
      input: 'event: ping\n\ndata: x\n\n',
      events: [{ type: 'message', data: 'x' }],
    },
    { name: 'empty data line dispatches an empty event', input: 'data\n\n', events: [{ type: 'message', data: '' }] },
    { name: 'BOM at the start ignored', input: '\ufeffdata: x\n\n', events: [{ type: 'message', data: 'x' }] },
    {
      name: 'trailing event without its blank line',
      input: 'data: x\n\ndata: [DONE]',
      events: [
        { type: 'message', data: 'x' },
        { type: 'message', data: '[DONE]' },
      ],
    },
    { name: 'empty event type is message', input: 'event:\ndata: x\n\n', events: [{ type: 'message', data: 'x' }] },
  ];
  for (const t of table) {
    it(t.name, () => {
      for (const chunks of splits(t.input)) {
        const { events, parser } = parse(chunks);
        assert.deepEqual(events, t.events, `split ${JSON.stringify(chunks)}`);
        assert.equal(parser.dropped.comment, t.comment ?? 0);
        assert.equal(parser.dropped.field, t.field ?? 0);
      }
    });
  }

  it('bounds the event being assembled', () => {
    const p = new SseParser(100);
    assert.throws(() => p.feed(`data: ${'x'.repeat(200)}`), SseEventTooLargeError);
    const q = new SseParser(100);
    assert.throws(() => {
      for (let i = 0; i < 50; i++) q.feed('data: xxxx\n');
    }, SseEventTooLargeError);
  });
});
