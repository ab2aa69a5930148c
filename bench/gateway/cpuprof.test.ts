import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { areaOf, fileLabel, summarizeProfile, type CpuProfile } from './cpuprof.ts';

const ROOT = '/repo';
const frame = (
  functionName: string,
  url: string,
  lineNumber = 0,
): { functionName: string; url: string; lineNumber: number } => ({ functionName, url, lineNumber });

describe('fileLabel / areaOf', () => {
  const cases: [string, string, string][] = [
    ['file:///repo/gateway/pipeline.ts', 'gateway/pipeline.ts', 'project gateway/'],
    ['file:///repo/api/keys.ts', 'api/keys.ts', 'project api/'],
    ['file:///repo/node_modules/fastify/lib/route.js', 'node_modules/fastify/lib/route.js', 'dep fastify'],
    [
      'file:///repo/node_modules/@fastify/ajv-compiler/index.js',
      'node_modules/@fastify/ajv-compiler/index.js',
      'dep @fastify/ajv-compiler',
    ],
    ['node:internal/deps/undici/undici', 'node:internal/deps/undici/undici', 'Node internals (node:*)'],
    ['node:http', 'node:http', 'Node internals (node:*)'],
    ['', '', 'V8 builtins / native'],
    ['file:///elsewhere/x.js', '/elsewhere/x.js', 'other'],
  ];
  for (const [url, label, area] of cases) {
    it(`${url || '(empty)'} → ${label || '(empty)'} / ${area}`, () => {
      assert.equal(fileLabel(url, ROOT), label);
      assert.equal(areaOf(frame('f', url), ROOT), area);
    });
  }
  it('GC, program and idle are areas of their own; (root) counts as program', () => {
    assert.equal(areaOf(frame('(garbage collector)', ''), ROOT), '(garbage collector)');
    assert.equal(areaOf(frame('(idle)', ''), ROOT), '(idle)');
    assert.equal(areaOf(frame('(root)', ''), ROOT), '(program)');
  });
});

describe('summarizeProfile', () => {
  // root → handler (gateway/app.ts) → parse (node_modules/fastify) ; handler → hash (api/keys.ts) ; gc
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
      { id: 2, callFrame: frame('handler', 'file:///repo/gateway/app.ts', 9), children: [3, 4] },
      { id: 3, callFrame: frame('parse', 'file:///repo/node_modules/fastify/lib/x.js') },
      { id: 4, callFrame: frame('hash', 'file:///repo/api/keys.ts', 1) },
      { id: 5, callFrame: frame('(garbage collector)', '') },
    ],
    startTime: 1000,
    endTime: 1000 + 10 * 100,
    // samples at t = 1100, 1200, …, 2000 (each stands for the 100 µs until the next; the last until endTime)
    samples: [3, 3, 4, 2, 5, 3, 4, 4, 5, 2],
    timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
  };

  it('counts only samples inside the windows, each for the time to the next sample', () => {
    const s = summarizeProfile(profile, ROOT, [[1100, 1500]]); // samples at 1100..1400: 3, 3, 4, 2
    assert.equal(s.windowed, true);
    assert.equal(s.samples, 4);
    assert.equal(s.sampledMs, 0.4);
    assert.deepEqual(
      s.byArea.map((r) => [r.name, r.ms]),
      [
        ['dep fastify', 0.2],
        ['project api/', 0.1],
        ['project gateway/', 0.1],
      ],
    );
    assert.deepEqual(
      s.selfByFunction.map((r) => r.name),
      ['parse node_modules/fastify/lib/x.js:1', 'hash api/keys.ts:2', 'handler gateway/app.ts:10'],
    );
    // inclusive: handler is on the stack of all four samples, hash of one
    assert.deepEqual(
      s.totalByProjectFunction.map((r) => [r.name, r.ms, r.share]),
      [
        ['handler gateway/app.ts:10', 0.4, 1],
        ['hash api/keys.ts:2', 0.1, 0.25],
      ],
    );
  });

  it('the whole profile when no window overlaps it (clocks not aligned)', () => {
    const s = summarizeProfile(profile, ROOT, [[5000, 6000]]);
    assert.equal(s.windowed, false);
    assert.equal(s.samples, 10);
    assert.equal(s.byArea.find((r) => r.name === '(garbage collector)')?.ms, 0.2);
    assert.equal(s.byFile.find((r) => r.name === 'node_modules/fastify/lib/x.js')?.ms, 0.3);
  });

  it('idle time is reported apart and left out of every share', () => {
    const withIdle: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
        { id: 2, callFrame: frame('(idle)', '') },
        { id: 3, callFrame: frame('hash', 'file:///repo/api/keys.ts') },
      ],
      startTime: 0,
      endTime: 400,
      samples: [2, 2, 3, 3],
      timeDeltas: [0, 100, 100, 100],
    };
    const s = summarizeProfile(withIdle, ROOT, []);
    assert.equal(s.sampledMs, 0.4);
    assert.equal(s.idleMs, 0.2);
    assert.deepEqual(
      s.byArea.map((r) => [r.name, r.share]),
      [['project api/', 1]],
    );
  });

  it('a recursive function counts once per sample in its total', () => {
    const rec: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2] },
        { id: 2, callFrame: frame('walk', 'file:///repo/guardrails/w.ts'), children: [3] },
        { id: 3, callFrame: frame('walk', 'file:///repo/guardrails/w.ts') },
      ],
      startTime: 0,
      endTime: 200,
      samples: [3, 3],
      timeDeltas: [0, 100],
    };
    const s = summarizeProfile(rec, ROOT, []);
    assert.deepEqual(
      s.totalByProjectFunction.map((r) => [r.name, r.ms]),
      [['walk guardrails/w.ts:1', 0.2]],
    );
  });
});
