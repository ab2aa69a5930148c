// What an informer keeps of each object, the generic part (the operator's reductions of Secrets, Nodes,
// Pods and statuses are in operator/transforms.ts; the gateway's in gateway/config/cluster.ts):
// managedFields and client-side-apply annotations are never kept. Pure functions.
import type { KObject, ObjectMetaLite } from './object.ts';

export type Transform = (o: KObject) => KObject;

/** Annotations nobody in the operator reads, which can be as large as the object itself. */
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/** The metadata fields reconciliation reads (no managedFields, finalizers, generateName, selfLink...). */
export function liteMeta(m: ObjectMetaLite): ObjectMetaLite {
  const out: ObjectMetaLite = { name: m.name };
  if (m.namespace !== undefined) out.namespace = m.namespace;
  if (m.uid !== undefined) out.uid = m.uid;
  if (m.resourceVersion !== undefined) out.resourceVersion = m.resourceVersion;
  if (m.generation !== undefined) out.generation = m.generation;
  if (m.creationTimestamp !== undefined) out.creationTimestamp = m.creationTimestamp;
  if (m.deletionTimestamp !== undefined) out.deletionTimestamp = m.deletionTimestamp;
  if (m.labels !== undefined) out.labels = m.labels;
  if (m.annotations !== undefined) {
    let ann = m.annotations;
    if (DROPPED_ANNOTATIONS.some((a) => Object.hasOwn(ann, a))) {
      ann = { ...ann };
      for (const a of DROPPED_ANNOTATIONS) delete ann[a];
    }
    if (Object.keys(ann).length > 0) out.annotations = ann;
  }
  if (m.ownerReferences !== undefined) out.ownerReferences = m.ownerReferences;
  return out;
}

/** Everything but managedFields (the default of an informer that does not say what it reads). */
export const withoutManagedFields: Transform = (o) => {
  if (!('managedFields' in o.metadata)) return o;
  const { managedFields: _mf, ...metadata } = o.metadata as ObjectMetaLite & { managedFields?: unknown };
  return { ...o, metadata };
};

/** metadata, spec and status (custom resources, Deployments, Services, NetworkPolicies, Leases). */
export const objectTransform: Transform = (o) => {
  const out: KObject = { apiVersion: o.apiVersion, kind: o.kind, metadata: liteMeta(o.metadata) };
  if (o['spec'] !== undefined) out['spec'] = o['spec'];
  if (o['status'] !== undefined) out['status'] = o['status'];
  return out;
};

/** Metadata only (Namespaces: the compiler reads their labels). */
export const metadataTransform: Transform = (o) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: liteMeta(o.metadata),
});

/** Equal but for resourceVersion: an update that changed nothing the operator keeps (node heartbeats). */
export function sameContent(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}
