// Every CRD field carries a description: `kubectl explain` is the field reference the README promises.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allCrds, type JSONSchemaProps } from './crd.ts';

/** Paths (kind.spec.a.b[].c) of every node under `node` without a non-empty description. Pure. */
function undescribed(node: JSONSchemaProps, path: string): string[] {
  const out: string[] = [];
  const description = node['description'];
  if (typeof description !== 'string' || description.trim() === '') out.push(path);
  const props = (node['properties'] ?? {}) as Record<string, JSONSchemaProps>;
  for (const [name, sub] of Object.entries(props)) out.push(...undescribed(sub, `${path}.${name}`));
  const items = node['items'] as JSONSchemaProps | undefined;
  // An array's items are described by the array itself unless they are objects with fields of their own.
  if (items?.['properties'] !== undefined)
    for (const [name, sub] of Object.entries(items['properties'] as Record<string, JSONSchemaProps>))
      out.push(...undescribed(sub, `${path}[].${name}`));
  return out;
}

function rootOf(kind: string, part: 'spec' | 'status'): JSONSchemaProps {
  const crd = allCrds().find((c) => (c.spec['names'] as { kind: string }).kind === kind);
  assert.ok(crd, kind);
  const versions = crd.spec['versions'] as { schema: { openAPIV3Schema: JSONSchemaProps } }[];
  const props = versions[0]!.schema.openAPIV3Schema['properties'] as Record<string, JSONSchemaProps>;
  return props[part]!;
}

describe('CRD field descriptions', () => {
  it('finds undescribed nodes, array item fields included', () => {
    const node: JSONSchemaProps = {
      description: 'root',
      type: 'object',
      properties: {
        a: { type: 'string' },
        b: { type: 'string', description: ' ' },
        c: {
          type: 'array',
          description: 'list',
          items: { type: 'object', properties: { d: { type: 'string' }, e: { type: 'string', description: 'e' } } },
        },
        f: { type: 'array', description: 'scalars', items: { type: 'string' } },
      },
    };
    assert.deepEqual(undescribed(node, 'x'), ['x.a', 'x.b', 'x.c[].d']);
  });

  for (const kind of ['LLMModel', 'LLMTenant', 'LLMPolicy']) {
    it(`${kind}: every spec field has a description`, () => {
      assert.deepEqual(undescribed(rootOf(kind, 'spec'), `${kind}.spec`), []);
    });
    it(`${kind}: every status field has a description`, () => {
      assert.deepEqual(undescribed(rootOf(kind, 'status'), `${kind}.status`), []);
    });
  }
});
