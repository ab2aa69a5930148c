// The image ships only what the CLI runs: the Dockerfile's COPY lines filtered by .dockerignore (Docker's rules:
// patterns in order, `!` re-includes, the last match wins, a directory pattern covers everything below it).
// Every shipped module's relative imports must be shipped too, and no test, test helper or fixture may ship.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, matchesGlob, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function ignorePatterns(): { pattern: string; include: boolean }[] {
  return readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ include: l.startsWith('!'), pattern: l.replace(/^!/, '').replace(/\/$/, '') }));
}

/** Docker's .dockerignore decision for one path relative to the context root. */
export function inContext(path: string, patterns = ignorePatterns()): boolean {
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let included = true;
  for (const { pattern, include } of patterns) {
    if (prefixes.some((p) => matchesGlob(p, pattern))) included = include;
  }
  return included;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? (name === 'node_modules' ? [] : walk(p)) : [relative(root, p)];
  });
}

function shipped(): string[] {
  const sources = readFileSync(join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => /^COPY --chown=\S+ (?!--from)/.test(l))
    .flatMap((l) =>
      l
        .replace(/^COPY --chown=\S+ /, '')
        .split(/\s+/)
        .slice(0, -1),
    );
  const patterns = ignorePatterns();
  return sources
    .flatMap((s) => (statSync(join(root, s)).isDirectory() ? walk(join(root, s)) : [s]))
    .filter((p) => inContext(p, patterns));
}

test('.dockerignore follows Docker rules: later patterns win, directories cover their contents', () => {
  const patterns = [
    { pattern: '**', include: false },
    { pattern: 'gateway', include: true },
    { pattern: '**/*.test.ts', include: false },
    { pattern: 'gateway/test', include: false },
  ];
  assert.equal(inContext('gateway/app.ts', patterns), true);
  assert.equal(inContext('gateway/app.test.ts', patterns), false);
  assert.equal(inContext('gateway/test/harness.ts', patterns), false);
  assert.equal(inContext('e2e/kube.ts', patterns), false);
});

test('the image ships no tests, test helpers or fixtures, and the LICENSE', () => {
  const files = shipped();
  assert.ok(files.includes('bin/tollgate.ts') && files.includes('LICENSE'), 'the entry point and LICENSE ship');
  const testOnly = files.filter((f) => /\.test\.ts$|(^|\/)test\/|(^|\/)testdata\.ts$|(^|\/)invalid\//.test(f));
  assert.deepEqual(testOnly, []);
});

test('every module the image ships imports only modules the image ships', () => {
  const files = new Set(shipped());
  const missing: string[] = [];
  for (const f of files) {
    if (!f.endsWith('.ts')) continue;
    const src = readFileSync(join(root, f), 'utf8');
    for (const m of src.matchAll(/(?:(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(root, resolve(root, dirname(f), m[1]!));
      if (!files.has(target)) missing.push(`${f} -> ${target}`);
    }
  }
  assert.deepEqual(missing, []);
});
