import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { allCrds, crdFileName, toStructural, type JSONSchemaProps } from './crd.ts';
import { KINDS } from './v1alpha1/index.ts';
import { toYaml } from '../cli/output.ts';

function walk(node: JSONSchemaProps, path: string, visit: (n: JSONSchemaProps, p: string) => void): void {
  visit(node, path);
  const props = node['properties'] as Record<string, JSONSchemaProps> | undefined;
  for (const [k, v] of Object.entries(props ?? {})) walk(v, `${path}.${k}`, visit);
  if (node['items']) walk(node['items'] as JSONSchemaProps, `${path}[]`, visit);
  if (node['additionalProperties'] && typeof node['additionalProperties'] === 'object')
    walk(node['additionalProperties'] as JSONSchemaProps, `${path}{}`, visit);
}

const schemaOf = (kind: string) => {
  const crd = allCrds().find((c) => c.spec['names'] && (c.spec['names'] as { kind: string }).kind === kind);
  assert.ok(crd, kind);
  const versions = crd.spec['versions'] as { schema: { openAPIV3Schema: JSONSchemaProps } }[];
  return versions[0]!.schema.openAPIV3Schema;
};

describe('CRD generation', () => {
  it('generates one structural CRD per kind with status subresource, printer columns and short names', () => {
    const crds = allCrds();
    assert.deepEqual(crds.map((c) => c.metadata.name).sort(), [
      'llmmodels.tollgate.dev',
      'llmpolicies.tollgate.dev',
      'llmtenants.tollgate.dev',
    ]);
    for (const crd of crds) {
      const v = (crd.spec['versions'] as Record<string, unknown>[])[0]!;
      assert.deepEqual(v['subresources'], { status: {} });
      assert.ok((v['additionalPrinterColumns'] as unknown[]).length >= 2);
      assert.ok((crd.spec['names'] as { shortNames: string[] }).shortNames.length >= 1);
      walk((v['schema'] as { openAPIV3Schema: JSONSchemaProps }).openAPIV3Schema, crd.metadata.name, (n, p) => {
        assert.ok(n['type'] !== undefined || n['x-kubernetes-preserve-unknown-fields'] === true, `${p} has no type`);
        assert.notEqual(n['additionalProperties'], false, `${p} has additionalProperties: false`);
        for (const banned of ['anyOf', 'oneOf', 'allOf', '$schema'])
          assert.equal(n[banned], undefined, `${p} has ${banned}`);
      });
    }
    assert.equal(crds.find((c) => c.metadata.name === 'llmpolicies.tollgate.dev')!.spec['scope'], 'Cluster');
  });

  it('carries the CEL rules admission needs', () => {
    const model = schemaOf('LLMModel');
    const spec = (model['properties'] as Record<string, JSONSchemaProps>)['spec']!;
    const rules = (spec['x-kubernetes-validations'] as { rule: string; message: string }[]).map((r) => r.message);
    const imageRules = (spec['properties'] as Record<string, JSONSchemaProps>)['image']!['x-kubernetes-validations'];
    assert.match(JSON.stringify(imageRules), /pinned by digest/);
    assert.ok(rules.some((m) => m.includes('maxOutputTokens must not exceed contextLength')));
    const hf = (
      (spec['properties'] as Record<string, JSONSchemaProps>)['model']!['properties'] as Record<string, JSONSchemaProps>
    )['huggingface']!;
    assert.match(
      JSON.stringify((hf['properties'] as Record<string, JSONSchemaProps>)['revision']!['x-kubernetes-validations']),
      /40-character commit SHA/,
    );
    // Every CEL rule is bounded: strings it reads carry maxLength, lists maxItems (cost estimation).
    const image = (spec['properties'] as Record<string, JSONSchemaProps>)['image']!;
    assert.equal(typeof image['maxLength'], 'number');
  });

  it('rejects schemas that are not structural', () => {
    assert.throws(() => toStructural({ anyOf: [{ type: 'string' }, { type: 'integer' }] }), /anyOf is not allowed/);
    assert.throws(() => toStructural({ properties: { a: { type: 'string' } } }), /needs a type/);
    const out = toStructural(z.toJSONSchema(z.strictObject({ a: z.int().min(0) }), { target: 'openapi-3.0' }));
    assert.deepEqual(out, { type: 'object', properties: { a: { type: 'integer', minimum: 0 } }, required: ['a'] });
  });

  it('crds/ on disk is exactly what the schemas generate', () => {
    for (const crd of allCrds()) {
      const onDisk = readFileSync(join(import.meta.dirname, '..', 'crds', crdFileName(crd)), 'utf8');
      assert.ok(onDisk.endsWith(toYaml(crd)), `crds/${crdFileName(crd)} is stale: run npm run gen:crds`);
      assert.deepEqual(parse(onDisk), JSON.parse(JSON.stringify(crd)));
    }
  });

  it('quotes YAML 1.1 booleans so kubectl reads enum values as strings', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'crds', 'tollgate.dev_llmpolicies.yaml'), 'utf8');
    assert.match(text, /default: "off"/);
    assert.doesNotMatch(text, /:\s+off\s*$/m);
  });

  it('has a kind registry entry for every kind', () => {
    assert.deepEqual(
      KINDS.map((k) => k.kind),
      ['LLMModel', 'LLMTenant', 'LLMPolicy'],
    );
  });
});
