// Every CRD field carries a description: `kubectl explain` is the field reference the README promises.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allCrds, type JSONSchemaProps } from './crd.ts';

/** Paths (kind.spec.a.b[].c) of every node under `node` without a non-empty description. Pure. */
export function undescribed(node: JSONSchemaProps, path: string): string[] {
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

// Status fields still without a description (shrink this list; never grow it).
const STATUS_EXCEPTIONS: readonly string[] = [
  'LLMModel.status.availableReplicas',
  'LLMModel.status.conditions[].lastTransitionTime',
  'LLMModel.status.conditions[].message',
  'LLMModel.status.conditions[].observedGeneration',
  'LLMModel.status.conditions[].reason',
  'LLMModel.status.conditions[].status',
  'LLMModel.status.conditions[].type',
  'LLMModel.status.observedGeneration',
  'LLMModel.status.readyReplicas',
  'LLMModel.status.replicas',
  'LLMModel.status.servedName',
  'LLMPolicy.status.conditions[].lastTransitionTime',
  'LLMPolicy.status.conditions[].message',
  'LLMPolicy.status.conditions[].observedGeneration',
  'LLMPolicy.status.conditions[].reason',
  'LLMPolicy.status.conditions[].status',
  'LLMPolicy.status.conditions[].type',
  'LLMPolicy.status.lastGood.generation',
  'LLMPolicy.status.observedGeneration',
  'LLMPolicy.status.selectedTenantCount',
  'LLMTenant.status.conditions[].lastTransitionTime',
  'LLMTenant.status.conditions[].message',
  'LLMTenant.status.conditions[].observedGeneration',
  'LLMTenant.status.conditions[].reason',
  'LLMTenant.status.conditions[].status',
  'LLMTenant.status.conditions[].type',
  'LLMTenant.status.deniedModels',
  'LLMTenant.status.deniedModels[].name',
  'LLMTenant.status.deniedModels[].reason',
  'LLMTenant.status.effective',
  'LLMTenant.status.effective.budgets[].limit',
  'LLMTenant.status.effective.budgets[].unit',
  'LLMTenant.status.effective.budgets[].windowSeconds',
  'LLMTenant.status.grantedModels',
  'LLMTenant.status.keys',
  'LLMTenant.status.keys[].expiresAt',
  'LLMTenant.status.keys[].name',
  'LLMTenant.status.keys[].reason',
  'LLMTenant.status.keys[].rotation',
  'LLMTenant.status.keys[].secretName',
  'LLMTenant.status.keys[].state',
  'LLMTenant.status.observedGeneration',
  'LLMTenant.status.revokedKeys[].reason',
  'LLMTenant.status.suspendedBy[].policy',
  'LLMTenant.status.suspendedBy[].reason',
  'LLMTenant.status.tierGrant.requested',
];

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
    it(`${kind}: every status field has a description, but for the listed exceptions`, () => {
      const missing = undescribed(rootOf(kind, 'status'), `${kind}.status`);
      assert.deepEqual(
        missing.filter((p) => !STATUS_EXCEPTIONS.includes(p)),
        [],
      );
    });
  }
});
