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
  gateway: ['operator', 'cli', 'bench', 'e2e', 'scripts'],
  operator: ['gateway', 'cli', 'guardrails', 'bench', 'e2e', 'scripts'],
  // pure: the gateway adapts to the guardrails (guardrails/transform.ts is the seam), never the reverse
  guardrails: ['gateway', 'operator', 'kube', 'cli', 'bench', 'e2e', 'scripts'],
};

/** The rule for one import edge (paths relative to the repository root): does it cross a forbidden boundary? */
export function forbiddenEdge(from: string, to: string): boolean {
  const source = from.split('/')[0] ?? '';
  const target = to.split('/')[0] ?? '';
  return Object.hasOwn(FORBIDDEN, source) && FORBIDDEN[source]!.includes(target);
}

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
        if (forbiddenEdge(from, to)) found.push(`${from} -> ${to}`);
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

  it('forbids the edges of the table and allows the rest', () => {
    const table: [from: string, to: string, forbidden: boolean][] = [
      // the gateway image ships gateway/, api/, kube/ and guardrails/ only: no CLI, no operator
      ['gateway/main.ts', 'cli/main.ts', true],
      ['gateway/command.ts', 'cli/args.ts', true],
      ['gateway/pipeline.ts', 'operator/compiler/index.ts', true],
      ['gateway/config/cluster.ts', 'kube/client.ts', false],
      ['gateway/request.ts', 'api/openai/index.ts', false],
      ['gateway/transform.ts', 'guardrails/transform.ts', false],
      ['gateway/app.ts', 'bench/gateway/run.ts', true],
      ['gateway/server.ts', 'scripts/gen-crds.ts', true],
      ['gateway/sim/sim.ts', 'e2e/binaries.ts', true],
      // the operator never imports the gateway or the guardrails
      ['operator/compiler/index.ts', 'gateway/request.ts', true],
      ['operator/main.ts', 'guardrails/guard.ts', true],
      ['operator/reconcile/tenant.ts', 'kube/informer.ts', false],
      // the contract and the Kubernetes client depend on neither half
      ['api/gateway-config.ts', 'operator/compiler/index.ts', true],
      ['api/delivery.ts', 'kube/client.ts', true],
      ['kube/informer.ts', 'operator/main.ts', true],
      ['kube/client.ts', 'api/meta.ts', false],
      // guardrails are pure: the gateway adapts to them, never the reverse
      ['guardrails/transform.ts', 'gateway/transform.ts', true],
      ['guardrails/guard.ts', 'api/gateway-config.ts', false],
      // the CLI and the tests may use everything
      ['cli/commands/gateway.ts', 'gateway/command.ts', false],
      ['cli/load.ts', 'operator/compiler/index.ts', false],
      ['e2e/kube.ts', 'gateway/server.ts', false],
    ];
    for (const [from, to, forbidden] of table) assert.equal(forbiddenEdge(from, to), forbidden, `${from} -> ${to}`);
  });

  it('no shipped file crosses a boundary, and there are no exceptions', () => {
    // gateway/main.ts (the container entry) included: it imports gateway/command.ts, not the CLI
    assert.deepEqual(edges(), []);
  });
});
