import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileFromPaths, compileProblems, loadPaths } from '../cli/load.ts';
import { formatProblem, validateText } from './validate.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const INVALID = join(EXAMPLES, 'invalid');

export function invalidExamples(): { file: string; expect: string; server: string }[] {
  return readdirSync(INVALID)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(INVALID, f), 'utf8');
      const expect = /^# expect: (.+)$/m.exec(text)?.[1];
      const server = /^# server: (.+)$/m.exec(text)?.[1];
      assert.ok(expect && server, `${f} needs "# expect:" and "# server:" headers`);
      return { file: join(INVALID, f), expect, server };
    });
}

describe('validate', () => {
  it('accepts every example', () => {
    const { loaded, result } = compileFromPaths([EXAMPLES]);
    assert.deepEqual(loaded.problems.map(formatProblem), []);
    assert.ok(result);
    assert.deepEqual(compileProblems(result, loaded.sources), []);
    assert.equal(loaded.manifests.models.length, 3);
    assert.equal(loaded.manifests.tenants.length, 3);
    assert.equal(loaded.manifests.policies.length, 5);
  });

  const cases = invalidExamples();
  it('has a broad set of invalid examples', () => assert.ok(cases.length >= 15));
  for (const c of cases) {
    it(`rejects ${c.file.split('/').pop()} with the expected message`, () => {
      const { loaded, result } = compileFromPaths([c.file]);
      const lines = [
        ...loaded.problems.map(formatProblem),
        ...(result ? compileProblems(result, loaded.sources).map(formatProblem) : []),
      ];
      assert.ok(lines.length > 0, 'expected at least one problem');
      assert.ok(
        lines.some((l) => l.includes(c.expect)),
        `no line contains "${c.expect}":\n${lines.join('\n')}`,
      );
      for (const l of lines) assert.match(l, /^[^:]+\.yaml:\d+: [^:]+: .+/, 'file:document-index: field.path: message');
    });
  }

  it('names the document index in multi-document files and applies defaults', () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: tollgate.dev/v1alpha1\nkind: LLMTenant\nmetadata: {name: t}\nspec: {tier: Gold}\n`;
    const { problems, manifests } = validateText('x.yaml', text);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.document, 1);
    assert.equal(problems[0]!.path, 'spec.tier');
    assert.equal(manifests.namespaces.length, 1);
    const ok = validateText(
      'y.yaml',
      'apiVersion: tollgate.dev/v1alpha1\nkind: LLMTenant\nmetadata: {name: t}\nspec: {tier: gold}\n',
    );
    assert.deepEqual(ok.problems, []);
    const t = ok.manifests.tenants[0]!;
    assert.equal(t.metadata.namespace, 'default');
    assert.equal(t.spec.suspended, false);
    assert.deepEqual(t.spec.keys, []);
    assert.equal(t.spec.rotationGracePeriod, '24h');
  });

  it('reports duplicate objects across files, missing paths and empty input', () => {
    const dup = loadPaths([join(EXAMPLES, '20-tenants.yaml'), join(EXAMPLES, '20-tenants.yaml')]);
    assert.ok(dup.problems.some((p) => p.message.includes('is also defined at')));
    const missing = loadPaths(['/nonexistent/path']);
    assert.equal(missing.problems[0]!.message, 'no such file or folder');
  });

  it('never throws on hostile input', () => {
    for (const text of [
      '\u0000\u0001binary',
      '- a\n- b\n',
      'a: &x [*x]',
      'null',
      '"just a string"',
      'a: b: c',
      '[1,2',
      `${'['.repeat(5000)}`,
      'apiVersion: 5\nkind: []',
    ]) {
      const { problems } = validateText('h.yaml', text);
      for (const p of problems) assert.equal(typeof p.message, 'string');
    }
  });
});
