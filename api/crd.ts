// Generates CustomResourceDefinitions from the zod schemas: one source of truth for types,
// offline validation and admission.
import { z } from 'zod';
import { GROUP, LIST_MAP_KEYS, LIST_TYPE, VERSION } from './meta.ts';
import { KINDS, type KindInfo } from './v1alpha1/index.ts';

export type JSONSchemaProps = { [key: string]: unknown };

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** Turn zod's OpenAPI 3.0 output into a Kubernetes structural schema. */
export function toStructural(node: unknown, path = '$'): JSONSchemaProps {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw new Error(`${path}: expected a schema object`);
  }
  const input = node as JSONSchemaProps;
  const out: JSONSchemaProps = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case '$schema':
      case 'propertyNames':
      case 'id':
        break;
      case 'additionalProperties':
        // `false` is how zod says "strict"; Kubernetes prunes or (with strict field validation) rejects
        // unknown fields by itself, and forbids additionalProperties: false.
        if (value !== false) out[key] = toStructural(value, `${path}.additionalProperties`);
        break;
      case 'properties': {
        const props: JSONSchemaProps = {};
        for (const [name, sub] of Object.entries(value as JSONSchemaProps))
          props[name] = toStructural(sub, `${path}.${name}`);
        out[key] = props;
        break;
      }
      case 'items':
        out[key] = toStructural(value, `${path}[]`);
        break;
      case 'minimum':
        if (value !== -SAFE_INT) out[key] = value;
        break;
      case 'maximum':
        if (value !== SAFE_INT) out[key] = value;
        break;
      case 'pattern':
        // zod's date-time regex is replaced by the API server's own `format: date-time` check
        if (input['format'] !== 'date-time') out[key] = value;
        break;
      case 'x-kubernetes-validations':
        if (Array.isArray(value) && value.length > 0) out[key] = value;
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
      case 'not':
        throw new Error(`${path}: ${key} is not allowed in a structural schema; model it differently`);
      default:
        out[key] = value;
    }
  }
  if (out['type'] === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new Error(`${path}: every node of a structural schema needs a type`);
  }
  const listProblem = listTypeProblem(out);
  if (listProblem) throw new Error(`${path}: ${listProblem}`);
  return out;
}

const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * Why an array node's server-side apply list type is wrong, or undefined when it is right (or the node is
 * no array). Every list must choose (mapList, setList or atomicList in api/meta.ts): an unmarked list is
 * atomic, which makes a second field manager conflict on a manifest identical to the first one's.
 */
export function listTypeProblem(node: JSONSchemaProps): string | undefined {
  if (node['type'] !== 'array') return undefined;
  const listType = node[LIST_TYPE];
  const items = (node['items'] ?? {}) as JSONSchemaProps;
  const mapKeys = node[LIST_MAP_KEYS];
  if (listType === undefined) return 'list without x-kubernetes-list-type; wrap it in mapList, setList or atomicList';
  if (listType !== 'map' && mapKeys !== undefined) return `x-kubernetes-list-map-keys on a ${String(listType)} list`;
  if (listType === 'atomic') return undefined;
  if (listType === 'set') return SCALAR_TYPES.has(String(items['type'])) ? undefined : 'a set list needs scalar items';
  if (listType !== 'map') return `unknown x-kubernetes-list-type ${String(listType)}`;
  if (items['type'] !== 'object') return 'a map list needs object items';
  if (!Array.isArray(mapKeys) || mapKeys.length === 0) return 'a map list needs x-kubernetes-list-map-keys';
  const props = (items['properties'] ?? {}) as Record<string, JSONSchemaProps>;
  const required = new Set((items['required'] as string[] | undefined) ?? []);
  for (const key of mapKeys as string[]) {
    const prop = props[key];
    if (!prop || !SCALAR_TYPES.has(String(prop['type']))) return `map key ${key} must be a scalar field of the items`;
    if (!required.has(key) && prop['default'] === undefined) return `map key ${key} must be required or defaulted`;
  }
  return undefined;
}

export function schemaOf(zodSchema: z.ZodType, path: string): JSONSchemaProps {
  return toStructural(z.toJSONSchema(zodSchema, { io: 'input', target: 'openapi-3.0' }), path);
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: JSONSchemaProps;
}

export function crdFor(info: KindInfo): CustomResourceDefinition {
  const openAPIV3Schema: JSONSchemaProps = {
    description: info.description,
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      kind: {
        type: 'string',
        description: 'Kind is a string value representing the REST resource this object represents.',
      },
      metadata: { type: 'object' },
      spec: schemaOf(info.spec, `${info.kind}.spec`),
      status: schemaOf(info.status, `${info.kind}.status`),
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${info.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'tollgate', 'app.kubernetes.io/part-of': 'tollgate' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: ['tollgate'],
      },
      scope: info.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: info.printerColumns,
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}

export function allCrds(): CustomResourceDefinition[] {
  return KINDS.map(crdFor);
}

export function crdFileName(crd: CustomResourceDefinition): string {
  return `${crd.metadata.name.split('.').slice(1).join('.')}_${crd.metadata.name.split('.')[0]}.yaml`;
}
