import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { changeHops, formatHops } from './operator-propagation.ts';

test('changeHops: the first index seen between patch and enforcement splits each change', () => {
  const cases: {
    name: string;
    changes: { begin: number; enforced: number }[];
    index: number[];
    want: [number, number | undefined, number | undefined][];
  }[] = [
    {
      name: 'one index in between',
      changes: [{ begin: 100, enforced: 600 }],
      index: [50, 400],
      want: [[500, 300, 200]],
    },
    {
      name: 'two indexes in between: the first',
      changes: [{ begin: 0, enforced: 1000 }],
      index: [200, 700],
      want: [[1000, 200, 800]],
    },
    {
      name: 'none in between',
      changes: [{ begin: 0, enforced: 100 }],
      index: [150],
      want: [[100, undefined, undefined]],
    },
    {
      name: 'an index before the patch belongs to the change before',
      changes: [
        { begin: 0, enforced: 300 },
        { begin: 400, enforced: 900 },
      ],
      index: [250, 500],
      want: [
        [300, 250, 50],
        [500, 100, 400],
      ],
    },
  ];
  for (const c of cases)
    assert.deepEqual(
      changeHops(c.changes, c.index).map((h) => [h.total, h.operator, h.gateway]),
      c.want,
      c.name,
    );
});

test('formatHops: quantiles per hop and the slowest changes', () => {
  const text = formatHops(
    changeHops(
      [
        { begin: 0, enforced: 500 },
        { begin: 1000, enforced: 4000 },
        { begin: 5000, enforced: 5100 },
      ],
      [300, 3500],
    ),
    2,
  );
  assert.match(text, /over 3 changes \(s; 1 without an index seen in between\)/);
  assert.match(text, /\| patch -> index published \(operator\) \| 0\.300 \| 2\.500 \| 2\.500 \|/);
  assert.match(text, /\| index published -> enforced \(gateway\) \| 0\.200 \| 0\.500 \| 0\.500 \|/);
  assert.match(text, /slowest: #1 3\.000 \(operator 2\.500, gateway 0\.500\); #0 0\.500/);
  assert.match(formatHops([]), /\| total \| - \| - \| - \|/);
});
