import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CARRY_RETRY_FLOOR, CarryRetry } from './carry-retry.ts';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';

/** Characters read again when a carry grows `step` at a time to `total`, every read leaving all of it carried. */
function reread(total: number, step: number): { chars: number; reads: number } {
  const r = new CarryRetry();
  let carry = 0;
  let chars = 0;
  let reads = 0;
  for (let n = 0; n < total; n += step) {
    if (!r.due(carry + step)) {
      carry += step;
      continue;
    }
    carry += step;
    chars += carry;
    reads++;
    r.left(carry);
  }
  return { chars, reads };
}

describe('a carried construct is read again once it has doubled', () => {
  it('reads a short carry with every delta, a long one when it has doubled', () => {
    const r = new CarryRetry();
    assert.equal(r.due(1), true);
    r.left(CARRY_RETRY_FLOOR - 1);
    assert.equal(r.due(CARRY_RETRY_FLOOR), true, 'short: read again with the next delta');
    r.left(100);
    assert.equal(r.due(199), false);
    assert.equal(r.due(200), true);
    r.left(0); // decided: nothing carried
    assert.equal(r.due(4), true);
  });

  for (const [total, step] of [
    [64 * 1024, 4],
    [64 * 1024, 16],
    [256 * 1024, 1],
  ] as const)
    it(`a ${total / 1024} KiB carry in ${step}-character deltas is read about twice over, not once per delta`, () => {
      const { chars, reads } = reread(total, step);
      // below the floor every delta reads (at most FLOOR characters each), above it the reads double
      assert.ok(chars <= 2 * total + CARRY_RETRY_FLOOR * CARRY_RETRY_FLOOR, `${chars} characters read`);
      assert.ok(reads <= CARRY_RETRY_FLOOR / step + Math.log2(total) + 2, `${reads} reads`);
    });

  it('a stream of constructs three JSON escape levels down: the same text as the whole scan, at every delta size', () => {
    const guard = compileGuard({ ...STRICT_GUARDRAILS, canaries: ['c4n4ry-Hq2Wz8Lm5Tx1'] });
    const esc = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const esc3 = (s: string) => esc(esc(esc(s)));
    // `<?` opens a construct read up to its bound (~55 KB raw at this depth); secrets before, inside and after
    const gh = 'ghp_Zq8xT4mN2bV6cR1yL9wK3jH7gF5dS0aP2eU4';
    const text = `{"a":"${esc3(`${gh} ${'a<?b '.repeat(60)}c4n4ry-Hq2Wz8Lm5Tx1 ${'a<?b '.repeat(40)} ${gh}`)}"}`;
    const whole = guard.scanOutput(text, 'json').text;
    assert.ok(!whole.includes(gh) && !whole.includes(esc3(gh)), 'the token is redacted');
    for (const d of [1, 4, 16, 100, 4096]) {
      const s = guard.streamOutput('json');
      let out = '';
      for (let i = 0; i < text.length; i += d) out += s.push(text.slice(i, i + d)).text;
      out += s.end().text;
      assert.equal(out, whole, `${d}-character deltas`);
    }
  });
});
