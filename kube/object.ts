// What the operator knows of any object it reads: raw JSON, with typed metadata.
export interface ObjectMetaLite {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetaLite;
  [field: string]: unknown;
}

export function keyOf(o: { metadata: { namespace?: string | undefined; name: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export function isKObject(v: unknown): v is KObject {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  const m = o['metadata'] as Record<string, unknown> | undefined;
  return (
    typeof o['kind'] === 'string' &&
    typeof o['apiVersion'] === 'string' &&
    m !== undefined &&
    typeof m['name'] === 'string'
  );
}

/** Kubernetes MicroTime (RFC 3339 with microseconds), as Leases and Events want it. */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}
