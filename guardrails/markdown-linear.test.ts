// A whole answer is parsed a bounded number of times per character, however long its blocks (recheck7 02: a text
// without a block boundary was parsed again from each forced cut on — 1 MiB of `a****` took 19 s). Counted, not
// timed: markdown-it's parse calls are wrapped for the test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { MAX_PIECE } from './markdown.ts';
import { ALLOWED } from './test/json-channel.ts';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';

type Parse = (src: string, env: unknown) => unknown;
const proto = (MarkdownIt as unknown as { prototype: { parse: Parse } }).prototype;

function parsedChars(run: () => void): number {
  let chars = 0;
  const original = proto.parse;
  proto.parse = function (this: unknown, src: string, env: unknown) {
    chars += src.length;
    return original.call(this, src, env);
  };
  try {
    run();
  } finally {
    proto.parse = original;
  }
  return chars;
}

const guard = compileGuard({
  ...STRICT_GUARDRAILS,
  redaction: { detectors: [], customPatterns: [] },
  exfiltration: { mode: 'neutralize', allowedHosts: ALLOWED },
});

describe('exfiltration stage: linear on long blocks', () => {
  for (const [name, unit] of [
    ['one long line of a****', 'a****'],
    ['one paragraph of short lines', 'word **bold** and `code` here\n'],
  ] as const) {
    it(`${name}: parsed characters grow linearly, whole and streamed give the same text`, () => {
      const perChar: number[] = [];
      for (const size of [3 * MAX_PIECE, 6 * MAX_PIECE]) {
        const text = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
        let whole = '';
        perChar.push(parsedChars(() => (whole = guard.scanOutput(text).text)) / size);
        const s = guard.streamOutput();
        let streamed = '';
        for (let i = 0; i < text.length; i += 4096) streamed += s.push(text.slice(i, i + 4096)).text;
        streamed += s.end().text;
        assert.equal(streamed, whole);
      }
      // quadratic: the ratio doubles with the size; linear: it stays (a small constant)
      assert.ok(perChar[1]! < perChar[0]! * 1.3 && perChar[1]! < 12, `parsed characters per character: ${perChar}`);
    });
  }
});
