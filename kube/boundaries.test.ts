// Which top-level folder may import which: the operator and the gateway share api/ (the contract) and
// kube/ (the Kubernetes client), never each other. Every import specifier (static and dynamic) of every
// shipped .ts file is resolved and checked; tests may cross (a test of both halves together).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');

/** folder -> top-level folders it must not import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  api: ['kube', 'operator', 'gateway', 'cli', 'guardrails', 'bench', 'e2e', 'scripts'],
  kube: ['operator', 'gateway', 'cli', 'guardrails', 'bench', 'e2e', 'scripts'],
  gateway: ['operator', 'cli', 'bench', 'scripts'],
  operator: ['gateway', 'cli', 'guardrails', 'bench', 'e2e', 'scripts'],
  // pure: the gateway adapts to the guardrails (guardrails/transform.ts is the seam), never the reverse
  guardrails: ['gateway', 'operator', 'kube', 'cli', 'bench', 'e2e', 'scripts'],
};

/** Known exceptions, each with its reason (a test fails when one is no longer needed). */
const ALLOWED: Record<string, string> = {
  // The container entry point runs the `tollgate gateway` command (its flags, `-f` manifests).
  'gateway/main.ts -> cli/main.ts': 'entry point',
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Relative specifiers of static imports, re-exports and dynamic imports (string literals). */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const re = /\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (let m = re.exec(source); m; m = re.exec(source)) out.push(m[1]!);
  return out;
}

function edges(): string[] {
  const found: string[] = [];
  for (const top of Object.keys(FORBIDDEN)) {
    for (const file of tsFiles(join(ROOT, top)).filter((f) => !f.endsWith('.test.ts'))) {
      const from = relative(ROOT, file);
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        const to = relative(ROOT, resolve(dirname(file), spec));
        const target = to.split('/')[0] ?? '';
        if (FORBIDDEN[top]!.includes(target)) found.push(`${from} -> ${to}`);
      }
    }
  }
  return found.sort();
}

describe('import boundaries', () => {
  it('finds the specifiers it checks', () => {
    assert.deepEqual(
      importSpecifiers(
        `import a from './a.ts';\nimport type { B } from "../b/c.ts";\nexport { d } from '../../d.ts';\nconst e = await import('../e.ts');\nimport 'node:fs';`,
      ),
      ['./a.ts', '../b/c.ts', '../../d.ts', '../e.ts'],
    );
  });

  it('the gateway imports nothing from the operator, the operator nothing from the gateway; api/ and kube/ depend on neither', () => {
    const found = edges();
    assert.deepEqual(
      found.filter((e) => !Object.hasOwn(ALLOWED, e)),
      [],
    );
    assert.deepEqual(
      Object.keys(ALLOWED).filter((e) => !found.includes(e)),
      [],
      'an allowed exception that no longer exists: remove it',
    );
  });
});
