// Floors for the realistic look-alikes (both halves) and for PII recall on presidio's texts: the decisions of
// issue 11 (exfiltration channels, PII exclusions) must keep ordinary technical text as it is without losing
// the personal data the detectors found before. Figures: guardrails/README.md.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookalikeSets, measureLookalikes, PII_TYPES, piiRecall } from './lookalikes-eval.ts';

describe('realistic look-alikes through the strict output pipeline', () => {
  it('has at least 150 items, split in two halves (and the round-2 classes)', () => {
    assert.ok(lookalikeSets.tune.length >= 75 && lookalikeSets.holdout.length >= 75);
    assert.ok(lookalikeSets.tune.length + lookalikeSets.holdout.length >= 150);
  });

  for (const [name, max] of [
    ['tune', 0.06],
    ['holdout', 0.06],
    ['round2', 0.05],
  ] as const) {
    it(`${name}: at most ${max * 100}% touched, streamed = whole`, () => {
      const f = measureLookalikes(lookalikeSets[name]);
      assert.ok(f.touched / f.items <= max, `${f.touched}/${f.items} touched`);
      assert.equal(f.streamDiffers, 0);
    });
  }

  it('PII recall on presidio texts does not drop (15 of the 27 spans of covered types before issue 11)', () => {
    const r = piiRecall();
    const caught = PII_TYPES.reduce((a, t) => a + (r[t]?.caught ?? 0), 0);
    assert.ok(caught >= 15, `${caught} caught`);
    assert.equal(r['EMAIL_ADDRESS']?.caught, r['EMAIL_ADDRESS']?.spans);
    assert.equal(r['IP_ADDRESS']?.caught, r['IP_ADDRESS']?.spans);
  });
});
