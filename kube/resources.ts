// The API resources the operator reads and writes, and their REST paths.
import { GROUP, VERSION } from '../api/meta.ts';

export interface Resource {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const R = {
  LLMModel: { group: GROUP, version: VERSION, plural: 'llmmodels', kind: 'LLMModel', namespaced: true },
  LLMTenant: { group: GROUP, version: VERSION, plural: 'llmtenants', kind: 'LLMTenant', namespaced: true },
  LLMPolicy: { group: GROUP, version: VERSION, plural: 'llmpolicies', kind: 'LLMPolicy', namespaced: false },
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  Secret: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  Pod: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  Node: { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  NetworkPolicy: {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: true,
  },
  Lease: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  Event: { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
} as const satisfies Record<string, Resource>;

export function resourceFor(apiVersion: string, kind: string): Resource {
  const r = Object.values(R).find(
    (x) => x.kind === kind && (x.group === '' ? x.version : `${x.group}/${x.version}`) === apiVersion,
  );
  if (!r) throw new Error(`no resource known for ${apiVersion} ${kind}`);
  return r;
}

export function apiVersionOf(r: Resource): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** REST path: collection when name is undefined; all namespaces when namespace is undefined. */
export function pathFor(r: Resource, namespace?: string, name?: string, subresource?: string): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const n = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  const sub = subresource ? `/${subresource}` : '';
  return `${base}${ns}/${r.plural}${n}${sub}`;
}
