// The output meter counts a delta only when it could matter (output-cap.ts): its results must be those of
// counting every delta on arrival. Checked against that eager rule, step by step, over random deltas (ASCII,
// multi-byte, emoji, whitespace runs, empty), caps from 1 to 64 and up to three choices.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodingFor, type Encoding } from '../encodings.ts';
import { countText, truncateToTokens } from '../tokens.ts';
import { OutputMeter } from './output-cap.ts';

/** The rule before the lazy meter: every delta counted when it arrives. */
class EagerMeter {
  readonly #used = new Map<number, number>();
  readonly #capped = new Set<number>();
  readonly cap: number;
  readonly encoding: Encoding;
  constructor(cap: number, encoding: Encoding) {
    this.cap = cap;
    this.encoding = encoding;
  }
  take(idx: number, text: string): { text: string; capped: boolean } {
    if (this.#capped.has(idx)) return { text: '', capped: true };
    if (text.length === 0) return { text, capped: false };
    const used = this.#used.get(idx) ?? 0;
    const room = this.cap - used;
    const k = Math.max(1, countText(this.encoding, text));
    if (k <= room) {
      this.#used.set(idx, used + k);
      if (used + k >= this.cap) this.#capped.add(idx);
      return { text, capped: used + k >= this.cap };
    }
    const t = truncateToTokens(this.encoding, text, room);
    this.#used.set(idx, this.cap);
    this.#capped.add(idx);
    return { text: t.text, capped: true };
  }
  isCapped(idx: number): boolean {
    return this.#capped.has(idx);
  }
  get total(): number {
    let t = 0;
    for (const v of this.#used.values()) t += v;
    return t;
  }
}

const PIECES = ['Hello', ' world', ',', ' ', '   ', '\n', 'ü', '你好', '🎉', 'tokenization', '12345', "'s", '', 'a'];

/** Deterministic pseudo-random numbers (no Math.random: a failure replays). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('OutputMeter (lazy) equals counting every delta on arrival', () => {
  for (const name of ['cl100k_base', 'o200k_base'] as const) {
    it(`${name}: 300 random responses, every step and the totals`, () => {
      const enc = encodingFor(name);
      const r = rng(name.length * 7919);
      for (let run = 0; run < 300; run++) {
        const cap = 1 + Math.floor(r() * 64);
        const choices = 1 + Math.floor(r() * 3);
        const lazy = new OutputMeter(cap, enc);
        const eager = new EagerMeter(cap, enc);
        const steps = Math.floor(r() * 40);
        for (let s = 0; s < steps; s++) {
          const idx = Math.floor(r() * choices);
          let delta = '';
          for (let p = Math.floor(r() * 4); p > 0; p--) delta += PIECES[Math.floor(r() * PIECES.length)]!;
          const where = `run ${run} cap ${cap} step ${s} choice ${idx} delta ${JSON.stringify(delta)}`;
          assert.deepEqual(lazy.take(idx, delta), eager.take(idx, delta), where);
          for (let c = 0; c < choices; c++) assert.equal(lazy.isCapped(c), eager.isCapped(c), where);
          if (r() < 0.2) assert.equal(lazy.total, eager.total, where);
        }
        assert.equal(lazy.total, eager.total, `run ${run}: total`);
        assert.equal(
          lazy.allCapped(choices),
          [...Array(choices).keys()].every((c) => eager.isCapped(c)),
        );
      }
    });
  }
  it('a response well below its cap is never counted', () => {
    let counted = 0;
    const enc = encodingFor('cl100k_base');
    const spy: Encoding = { ...enc, split: enc.split, count: (t) => (counted++, enc.count(t)) };
    const m = new OutputMeter(1000, spy);
    const eager = new EagerMeter(1000, enc);
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(m.take(0, 'word '), { text: 'word ', capped: false });
      eager.take(0, 'word ');
    }
    assert.equal(counted, 0);
    assert.equal(m.total, eager.total); // counted when asked
    assert.ok(counted > 0);
  });
});
