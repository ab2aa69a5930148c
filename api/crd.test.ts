import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { allCrds, crdFileName, listTypeProblem, toStructural, type JSONSchemaProps } from './crd.ts';
import { mapList, setList } from './meta.ts';
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

  it('gives every list a server-side apply list type: maps for named items, sets for distinct scalars', () => {
    const lists = new Map<string, string>();
    for (const kind of ['LLMModel', 'LLMTenant', 'LLMPolicy'])
      walk(schemaOf(kind), kind, (n, p) => {
        if (n['type'] !== 'array') return;
        const keys = n['x-kubernetes-list-map-keys'] as string[] | undefined;
        lists.set(p, `${String(n['x-kubernetes-list-type'])}${keys ? `(${keys.join(',')})` : ''}`);
      });
    for (const [p, t] of lists) assert.notEqual(t, 'undefined', `${p} has no list type`);
    const expected: Record<string, string> = {
      'LLMTenant.spec.keys': 'map(name)',
      'LLMTenant.spec.keys[].scopes': 'set',
      'LLMTenant.spec.models': 'set',
      'LLMPolicy.spec.tiers': 'map(name)',
      'LLMPolicy.spec.tiers[].models': 'set',
      'LLMPolicy.spec.modelLimits': 'map(model)',
      'LLMPolicy.spec.guardrails.redaction.customPatterns': 'map(name)',
      'LLMPolicy.spec.tierGrants.approve': 'set',
      'LLMPolicy.spec.accessWindows': 'atomic',
      'LLMPolicy.spec.accessWindows[].days': 'set',
      'LLMModel.spec.imagePullSecrets': 'map(name)',
      'LLMModel.spec.model.huggingface.files': 'map(path)',
      'LLMModel.spec.capabilities': 'set',
      'LLMModel.spec.engineArgs': 'atomic',
      'LLMModel.spec.scheduling.tolerations': 'atomic',
      'LLMTenant.status.keys': 'atomic',
      'LLMTenant.status.conditions': 'map(type)',
    };
    for (const [p, t] of Object.entries(expected)) assert.equal(lists.get(p), t, p);
  });

  it('judges list types (table)', () => {
    const obj = (props: JSONSchemaProps, required: string[] = []) => ({ type: 'object', properties: props, required });
    const cases: [string, JSONSchemaProps, RegExp | undefined][] = [
      ['not a list', { type: 'string' }, undefined],
      ['unmarked list', { type: 'array', items: { type: 'string' } }, /without x-kubernetes-list-type/],
      ['atomic', { type: 'array', 'x-kubernetes-list-type': 'atomic', items: obj({}) }, undefined],
      ['set of strings', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, undefined],
      ['set of objects', { type: 'array', 'x-kubernetes-list-type': 'set', items: obj({}) }, /scalar items/],
      [
        'map keyed by a required name',
        {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: obj({ name: { type: 'string' } }, ['name']),
        },
        undefined,
      ],
      [
        'map keyed by a defaulted name',
        {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: obj({ name: { type: 'string', default: 'a' } }),
        },
        undefined,
      ],
      [
        'map keyed by an optional name',
        {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: obj({ name: { type: 'string' } }),
        },
        /required or defaulted/,
      ],
      [
        'map keyed by a missing field',
        { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'], items: obj({}, []) },
        /must be a scalar field/,
      ],
      [
        'map without keys',
        { type: 'array', 'x-kubernetes-list-type': 'map', items: obj({}) },
        /needs x-kubernetes-list-map-keys/,
      ],
      [
        'keys on a set',
        {
          type: 'array',
          'x-kubernetes-list-type': 'set',
          'x-kubernetes-list-map-keys': ['a'],
          items: { type: 'string' },
        },
        /on a set list/,
      ],
    ];
    for (const [name, node, want] of cases) {
      const got = listTypeProblem(node);
      if (want) assert.match(got ?? '', want, name);
      else assert.equal(got, undefined, name);
    }
  });

  it('rejects duplicates in map and set lists offline, as the API server does', () => {
    const m = mapList(z.array(z.strictObject({ name: z.string(), v: z.int().optional() })), ['name']);
    assert.equal(m.safeParse([{ name: 'a' }, { name: 'b', v: 1 }]).success, true);
    const dup = m.safeParse([{ name: 'a' }, { name: 'b' }, { name: 'a', v: 2 }]);
    assert.equal(dup.success, false);
    assert.deepEqual(dup.error?.issues[0]?.path, [2, 'name']);
    const s = setList(z.array(z.string()));
    assert.equal(s.safeParse(['a', 'b']).success, true);
    assert.deepEqual(s.safeParse(['a', 'b', 'a']).error?.issues[0]?.path, [2]);
  });

  it('kubectl get llmt -o wide shows a model count, not a JSON array', () => {
    const tenant = KINDS.find((x) => x.kind === 'LLMTenant')!;
    const col = tenant.printerColumns.find((c) => c.name === 'Models');
    assert.deepEqual([col?.type, col?.jsonPath], ['integer', '.status.grantedModelCount']);
  });

  it('has a kind registry entry for every kind', () => {
    assert.deepEqual(
      KINDS.map((k) => k.kind),
      ['LLMModel', 'LLMTenant', 'LLMPolicy'],
    );
  });
});
