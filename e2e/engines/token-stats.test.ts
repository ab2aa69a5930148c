// The estimate-vs-engine figures of token-error.ts: relative errors, nearest-rank p95, bias and ratio.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorStats, statsRow, type Pair } from './token-stats.ts';

describe('errorStats', () => {
  const cases: [string, Pair[], { n: number; meanAbs: number; p95Abs: number; bias: number; ratio: number }][] = [
    ['exact', [{ estimate: 10, engine: 10 }], { n: 1, meanAbs: 0, p95Abs: 0, bias: 0, ratio: 1 }],
    [
      'under-estimate by half',
      [{ estimate: 5, engine: 10 }],
      { n: 1, meanAbs: 0.5, p95Abs: 0.5, bias: -0.5, ratio: 2 },
    ],
    [
      'over and under cancel in the bias, not in the mean',
      [
        { estimate: 12, engine: 10 },
        { estimate: 8, engine: 10 },
      ],
      { n: 2, meanAbs: 0.2, p95Abs: 0.2, bias: 0, ratio: (10 / 12 + 10 / 8) / 2 },
    ],
    ['zero counts are left out', [{ estimate: 3, engine: 0 }], { n: 0, meanAbs: 0, p95Abs: 0, bias: 0, ratio: 0 }],
  ];
  for (const [name, pairs, want] of cases)
    it(name, () => {
      const got = errorStats(pairs);
      for (const k of Object.keys(want) as (keyof typeof want)[])
        assert.ok(Math.abs(got[k] - want[k]) < 1e-12, `${k}: ${got[k]} vs ${want[k]}`);
    });

  it('p95 is the nearest rank: 20 pairs, the 19th largest error', () => {
    const pairs = Array.from({ length: 20 }, (_v, i) => ({ estimate: 100 + i + 1, engine: 100 }));
    assert.ok(Math.abs(errorStats(pairs).p95Abs - 0.19) < 1e-12);
  });

  it('prints a Markdown row', () =>
    assert.equal(
      statsRow('x', errorStats([{ estimate: 5, engine: 10 }])),
      '| x | 1 | 50.0% | 50.0% | -50.0% | 2.00 |',
    ));
});
