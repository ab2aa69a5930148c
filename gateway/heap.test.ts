// The gateway process's heap settings (heap.ts) do what they claim, each in a fresh node process with the
// gateway's V8 flags: with tuneHeap, a workload that promotes garbage (objects alive across scavenges, as
// requests in flight are) grows the heap far less than with a 4x growing factor; compactHeap gives the pages
// V8 pooled back to the OS without exposing `gc` to the program.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAP_GROWING_PERCENT, heapGrowingPercent, runtimeV8Flags } from './heap.ts';
import { GATEWAY_V8_FLAGS } from './reexec.ts';

const HEAP = JSON.stringify(new URL('./heap.ts', import.meta.url).pathname);

function node(flags: readonly string[], script: string): Record<string, number | string> {
  const out = execFileSync(process.execPath, [...GATEWAY_V8_FLAGS, ...flags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(out) as Record<string, number | string>;
}

// 30 MB live, then 4,000 "requests" of 2,000 objects, 128 in flight: they outlive the 4 MB semi-space and are
// promoted, then die. A full GC first, so that the old generation's limit comes from the growing factor.
const churn = (tuned: boolean): number =>
  node(
    ['--expose-gc'],
    `
import v8 from 'node:v8';
import { tuneHeap } from ${HEAP};
// V8's own factor depends on how fast its GC measured itself (1.1x to 4x): pinned at 4x, its upper end, so
// that tuneHeap has to override a flag value (a no-op tuneHeap fails this test every time)
v8.setFlagsFromString('--heap-growing-percent=300');
if (${tuned}) tuneHeap();
const live = [];
for (let i = 0; i < 300; i++) live.push(Array.from({ length: 1000 }, (_, j) => ({ i, j, s: 'x' + j })));
globalThis.gc();
const inflight = [];
let max = 0;
for (let r = 0; r < 4000; r++) {
  inflight.push(Array.from({ length: 2000 }, (_, j) => ({ r, j, t: 'y' + j })));
  if (inflight.length > 128) inflight.shift();
  if (r % 20 === 0) max = Math.max(max, v8.getHeapStatistics().total_heap_size);
}
console.log(JSON.stringify({ maxHeapMb: max / 1048576, live: live.length }));
`,
  ).maxHeapMb as number;

describe('TOLLGATE_HEAP_GROWING_PERCENT', () => {
  const cases: [string | undefined, number | 'error'][] = [
    [undefined, HEAP_GROWING_PERCENT],
    ['', HEAP_GROWING_PERCENT],
    ['0', 0],
    ['50', 50],
    ['400', 400],
    ['401', 'error'],
    ['-1', 'error'],
    ['1.5', 'error'],
    ['20 ', 'error'],
    ['1e2', 'error'],
    ['0x10', 'error'],
  ];
  for (const [v, want] of cases)
    it(`${JSON.stringify(v)} -> ${want}`, () => {
      const env = { TOLLGATE_HEAP_GROWING_PERCENT: v };
      if (want === 'error') assert.throws(() => heapGrowingPercent(env), /TOLLGATE_HEAP_GROWING_PERCENT/);
      else assert.equal(heapGrowingPercent(env), want);
    });
  it('0 sets no flag (V8 keeps its own factor); any other value sets --heap-growing-percent', () => {
    assert.deepEqual(runtimeV8Flags(0), []);
    assert.deepEqual(runtimeV8Flags(35), ['--heap-growing-percent=35']);
  });
});

describe('gateway heap settings (heap.ts)', () => {
  it('tuneHeap: promoted garbage grows the heap far less than with a 4x growing factor', () => {
    const wide = churn(false);
    const tuned = churn(true);
    assert.ok(tuned < wide * 0.6, `max heap: tuned ${tuned.toFixed(1)} MB, 4x ${wide.toFixed(1)} MB`);
  });

  it('compactHeap: returns the pages the freed garbage held, and `gc` stays unexposed', () => {
    const r = node(
      [],
      `
import { compactHeap } from ${HEAP};
let garbage = [];
for (let i = 0; i < 600; i++) garbage.push(Array.from({ length: 1000 }, (_, j) => ({ i, j, s: 'x' + j })));
garbage = undefined;
const before = process.memoryUsage().rss;
compactHeap();
console.log(JSON.stringify({ beforeMb: before / 1048576, afterMb: process.memoryUsage().rss / 1048576, gc: typeof globalThis.gc }));
`,
    );
    assert.ok(
      (r.afterMb as number) < (r.beforeMb as number) - 20,
      `RSS ${String(r.beforeMb)} -> ${String(r.afterMb)} MB`,
    );
    assert.equal(r.gc, 'undefined');
  });
});
