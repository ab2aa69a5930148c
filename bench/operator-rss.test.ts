import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatRss, parseSmaps, rssByKind, v8Figures } from './operator-rss.ts';

const NODE = '/opt/node/bin/node';
const mapping = (path: string, rss: number, anon: number) =>
  [
    `7f0000000000-7f0000100000 r-xp 00000000 fd:01 1234 ${path}`.trimEnd(),
    'Size:               1024 kB',
    `Rss:                ${rss} kB`,
    'Pss:                  10 kB',
    `Anonymous:          ${anon} kB`,
    'VmFlags: rd ex mr mw me',
  ].join('\n');

test('parseSmaps: one entry per mapping with its Rss and Anonymous kB; paths with spaces kept', () => {
  const text = [mapping(NODE, 100, 0), mapping('', 50, 50), mapping('/tmp/a b (deleted)', 3, 1)].join('\n');
  assert.deepEqual(parseSmaps(text), [
    { path: NODE, rssKb: 100, anonKb: 0 },
    { path: '', rssKb: 50, anonKb: 50 },
    { path: '/tmp/a b (deleted)', rssKb: 3, anonKb: 1 },
  ]);
  assert.deepEqual(parseSmaps(''), []);
});

test('rssByKind: mappings summed by kind, largest first, empty kinds left out', () => {
  const cases: { name: string; maps: [string, number][]; want: [string, number][] }[] = [
    {
      name: 'binary, libraries, brk heap, anonymous, stack',
      maps: [
        [NODE, 40_000],
        [NODE, 13_000],
        ['/usr/lib/libc.so.6', 2_000],
        ['[heap]', 12_000],
        ['', 150_000],
        ['', 40_000],
        ['[stack]', 100],
        ['[vdso]', 0],
      ],
      want: [
        ['anonymous (V8 heap, malloc arenas, thread stacks)', 190_000],
        ['node binary (file-backed)', 53_000],
        ['brk heap (malloc main arena)', 12_000],
        ['other files (libraries)', 2_000],
        ['main stack', 100],
      ],
    },
    {
      name: 'a deleted binary is still the binary',
      maps: [[`${NODE} (deleted)`, 7]],
      want: [['node binary (file-backed)', 7]],
    },
    {
      name: 'named anonymous mappings',
      maps: [['[anon:v8]', 5]],
      want: [['anonymous (V8 heap, malloc arenas, thread stacks)', 5]],
    },
  ];
  for (const c of cases) {
    const text = c.maps.map(([p, kb]) => mapping(p, kb, 0)).join('\n');
    assert.deepEqual(
      rssByKind(text, NODE).map((r) => [r.name, r.kb]),
      c.want,
      c.name,
    );
  }
});

test('v8Figures and formatRss: the heap taken out of the anonymous memory', () => {
  const p = 'x_';
  const metrics = [
    `${p}nodejs_heap_size_total_bytes 104857600`,
    `${p}nodejs_heap_size_used_bytes 52428800`,
    `${p}nodejs_external_memory_bytes 1000000`,
    `${p}nodejs_heap_space_size_total_bytes{space="old"} 100000000`,
    `${p}nodejs_heap_space_size_total_bytes{space="new"} 4000000`,
    `${p}nodejs_heap_space_size_total_bytes{space="code"} 0`,
  ].join('\n');
  const v8 = v8Figures(metrics, p);
  assert.equal(v8.heapTotal, 104857600);
  assert.equal(v8.heapUsed, 52428800);
  assert.equal(v8.external, 1e6);
  assert.deepEqual(
    [...v8.spaces],
    [
      ['old', 1e8],
      ['new', 4e6],
      ['code', 0],
    ],
  );
  const rows = [
    { name: 'anonymous (V8 heap, malloc arenas, thread stacks)', kb: 150 * 1024 },
    { name: 'brk heap (malloc main arena)', kb: 10 * 1024 },
  ];
  const text = formatRss(rows, v8, 'at rest');
  assert.match(text, /at rest: RSS 160\.0 MiB/);
  assert.match(text, /V8 heap committed \(spaces in MB: old 100\.0, new 4\.0\) \| 100\.0 \|/);
  // 150 + 10 - 100 MiB
  assert.match(text, /native outside V8's heap .* \| 60\.0 \|/);
  assert.equal(v8Figures('', p).heapTotal, NaN);
});
