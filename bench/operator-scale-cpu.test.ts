import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { cpuRows, formatCpuRows } from './operator-scale-cpu.ts';

test('cpuRows: time used in the window, largest first; new groups count from zero, vanished ones are left out', () => {
  const cases: {
    name: string;
    before: [string, number][];
    after: [string, number][];
    wall: number;
    want: [string, number, number][];
  }[] = [
    {
      name: 'deltas sorted',
      before: [
        ['etcd', 10],
        ['kube-apiserver', 20],
      ],
      after: [
        ['etcd', 15],
        ['kube-apiserver', 80],
      ],
      wall: 60,
      want: [
        ['kube-apiserver', 60, 1],
        ['etcd', 5, 5 / 60],
      ],
    },
    {
      name: 'started during the window',
      before: [],
      after: [['operator', 12]],
      wall: 24,
      want: [['operator', 12, 0.5]],
    },
    { name: 'gone before the end', before: [['gateway', 3]], after: [], wall: 10, want: [] },
    {
      name: 'a counter that went back (a pid reused) counts as zero',
      before: [['kwok', 9]],
      after: [['kwok', 2]],
      wall: 10,
      want: [['kwok', 0, 0]],
    },
    {
      name: 'ties by name; zero wall',
      before: [],
      after: [
        ['b', 1],
        ['a', 1],
      ],
      wall: 0,
      want: [
        ['a', 1, 0],
        ['b', 1, 0],
      ],
    },
  ];
  for (const c of cases) {
    const rows = cpuRows(new Map(c.before), new Map(c.after), c.wall);
    assert.deepEqual(
      rows.map((r) => [r.name, r.cpuSeconds, r.cores]),
      c.want,
      c.name,
    );
  }
});

test('formatCpuRows: a table with the total and the cores available', () => {
  const text = formatCpuRows(
    [
      { name: 'kube-apiserver', cpuSeconds: 60, cores: 1 },
      { name: 'etcd', cpuSeconds: 20, cores: 1 / 3 },
    ],
    60,
    2,
    'CPU while converging',
  );
  assert.match(text, /CPU while converging: 60\.0 s wall on 2 cores \(120 core-seconds available\)/);
  assert.match(text, /\| kube-apiserver \| 60\.0 \| 1\.00 \|/);
  assert.match(text, /\| etcd \| 20\.0 \| 0\.33 \|/);
  assert.match(text, /\| total \| 80\.0 \| 1\.33 \|/);
});
