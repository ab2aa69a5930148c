// Table tests for the output bound (SDK check 2026-12-03 finding 01): an engine that honours max_tokens is never
// altered, whatever its tokenizer; an engine that ignores it is cut at allowance(max_tokens), counted on the whole
// text, never per delta.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodingFor } from '../encodings.ts';
import { countText } from '../tokens.ts';
import { HONEST } from '../test/honest-answers.ts';
import { OutputBound, outputAllowance, outputBoundDecision } from './output-bound.ts';

const CL100K = encodingFor('cl100k_base');
const O200K = encodingFor('o200k_base');

describe('outputAllowance and outputBoundDecision', () => {
  it('allowance = 8 × max_tokens + 64', () => {
    for (const [m, want] of [
      [0, 64],
      [1, 72],
      [15, 184],
      [4096, 32832],
    ] as const)
      assert.equal(outputAllowance(m), want);
  });
  const cases: [string, number, number, number | undefined, 'within' | 'count' | 'over'][] = [
    ['bytes within the allowance: no count needed', 15, 184, undefined, 'within'],
    ['bytes above the allowance: count', 15, 185, undefined, 'count'],
    ['counted at the allowance: within', 15, 600, 184, 'within'],
    ['counted one above: over', 15, 600, 185, 'over'],
    ['counted 7× max_tokens (Tamil on Gemma 3): within', 17, 1000, 119, 'within'],
    ['counted at exactly max_tokens (the old cut point): within', 64, 1000, 64, 'within'],
    ['counted 8× max_tokens + 65: over', 10, 10_000, 145, 'over'],
  ];
  for (const [name, m, bytes, counted, want] of cases)
    it(name, () => assert.equal(outputBoundDecision(m, bytes, counted), want));
});

/** Feed `pieces` one by one to a fresh bound; what is served and whether choice 0 was cut. */
function feed(maxTokens: number, pieces: readonly string[], enc = CL100K): { served: string; capped: boolean } {
  const b = new OutputBound(maxTokens, enc);
  let served = '';
  for (const p of pieces) served += b.take(0, p).text;
  return { served, capped: b.isCapped(0) };
}

describe('an honest engine answering exactly max_tokens of its own tokens is never altered', () => {
  for (const [name, h] of Object.entries(HONEST)) {
    const whole = h.pieces.join('');
    for (const enc of [CL100K, O200K]) {
      it(`${name} (${h.engine}, ${h.pieces.length} tokens, ${countText(enc, whole)} in ${enc.name}): streamed`, () => {
        assert.deepEqual(feed(h.pieces.length, h.pieces, enc), { served: whole, capped: false });
      });
      it(`${name} (${h.engine}) in ${enc.name}: whole`, () => {
        assert.deepEqual(feed(h.pieces.length, [whole], enc), { served: whole, capped: false });
      });
    }
  }
  it('a delta is not a token: 200 one-character deltas of a 40-token answer pass', () => {
    const text = 'word '.repeat(40);
    assert.deepEqual(feed(40, [...text]), { served: text, capped: false });
  });
});

describe('an engine ignoring max_tokens is cut at the allowance', () => {
  const long = 'lorem ipsum dolor sit amet '.repeat(400); // 2,000 cl100k tokens
  for (const [name, split] of [
    ['whole', [long]],
    ['word deltas', long.split(/(?= )/)],
    ['character deltas', [...long]],
    ['uneven deltas', long.match(/[\s\S]{1,37}/g)!],
  ] as const) {
    it(`${name}: served exactly allowance(10) = 144 tokens, then nothing`, () => {
      const r = feed(10, split);
      assert.equal(r.capped, true);
      assert.ok(long.startsWith(r.served));
      assert.equal(countText(CL100K, r.served), outputAllowance(10));
    });
  }
  it('Chinese without spaces, fed by character: cut at the allowance', () => {
    const zh = '北京是中华人民共和国的首都也是全国的政治文化和国际交往中心'.repeat(40);
    const r = feed(20, [...zh]);
    assert.equal(r.capped, true);
    assert.ok(zh.startsWith(r.served));
    const n = countText(CL100K, r.served);
    assert.ok(n <= outputAllowance(20) && n >= outputAllowance(20) - 2, `${n}`);
  });
  it('choices are bounded separately; total reports at most max_tokens a choice', () => {
    const b = new OutputBound(5, CL100K);
    b.take(0, long);
    assert.equal(b.allCapped(2), false);
    b.take(1, 'short');
    assert.equal(b.allCapped(2), false);
    b.take(1, long);
    assert.equal(b.allCapped(2), true);
    assert.equal(b.total, 10);
    assert.deepEqual(b.take(0, 'more'), { text: '', capped: true });
  });
});

describe('the whole-text count kept incrementally equals counting the whole text', () => {
  const samples = [
    ...Object.values(HONEST).map((h) => h.pieces.join('')),
    "It's what we're told: they'll say I'd've gone.   \n\n\t  indented   " + ' '.repeat(300) + 'x',
    '1234567890'.repeat(50) + ' ' + 'ab'.repeat(400) + '\r\n\r\n' + '='.repeat(200),
  ];
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (const [i, text] of samples.entries()) {
    it(`sample ${i}: random splits`, () => {
      const whole = countText(CL100K, text);
      // the largest max_tokens whose allowance the text still fits: every delta past its byte bound is counted
      const m = Math.max(0, Math.ceil((whole - 64) / 8));
      if (Buffer.byteLength(text) <= outputAllowance(m)) return; // passed on its bytes, never counted
      for (let round = 0; round < 5; round++) {
        const b = new OutputBound(m, CL100K);
        for (let p = 0; p < text.length;) {
          let q = Math.min(text.length, p + 1 + rand(40));
          if (q < text.length && /[\uD800-\uDBFF]/.test(text[q - 1]!)) q++;
          assert.equal(b.take(0, text.slice(p, q)).capped, false);
          p = q;
        }
        assert.equal(b.counted(0), whole);
      }
    });
  }
});
