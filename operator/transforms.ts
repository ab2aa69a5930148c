// What the operator's informers keep of each object (applied at ingestion, to every listed page and watch
// event): only what reconciliation reads. A Secret keeps per-key sha256 digests and lengths, never its
// data; Nodes and Pods keep what the compiler and status read. The generic pieces (metadata without
// managedFields, metadata only, spec and status) are in kube/transforms.ts. Pure functions, so the cost
// per object can be measured in a unit test.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../api/gateway-config.ts';
import { digestValues, type MaterialDigest } from './compiler/keys.ts';
import type { KObject } from '../kube/object.ts';
import { liteMeta, objectTransform, type Transform } from '../kube/transforms.ts';

/** sha256 of a status's canonical JSON: what a status write compares with when the cache holds no more. */
export function statusDigest(status: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(status ?? {}))
    .digest('hex');
}

/** Where a reduced status keeps the digest of the whole status (not an API field: never written back). */
export const STATUS_DIGEST = 'tollgate.dev/status-digest';

/**
 * Custom resources whose status is large and repetitive (LLMTenant: granted models, keys, limits): the
 * cache keeps what the next reconcile reads of it (conditions, for their transition times) and a digest
 * of the whole, which is what decides whether a new status must be written.
 */
export const digestedStatusTransform: Transform = (o) => {
  const out = objectTransform(o);
  const status = o['status'] as { observedGeneration?: number; conditions?: unknown[] } | undefined;
  if (status !== undefined) {
    out['status'] = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.conditions ? { conditions: status.conditions } : {}),
    };
    out[STATUS_DIGEST] = statusDigest(status);
  }
  return out;
};

/** A Secret as cached: type and per-key digests; the data itself is dropped at ingestion. */
export type DigestedSecret = KObject & { type?: string; digests: Record<string, MaterialDigest> };

export const secretTransform: Transform = (o) => {
  const s = o as KObject & { type?: string; data?: Record<string, string>; stringData?: Record<string, string> };
  // Routing reads labels and which LLMTenant owns it; keys, their rotation annotations and resourceVersion.
  const { uid: _uid, creationTimestamp: _c, generation: _g, ...meta } = liteMeta(o.metadata);
  if (meta.ownerReferences)
    meta.ownerReferences = meta.ownerReferences.map((r) => ({
      apiVersion: r.apiVersion,
      kind: r.kind,
      name: r.name,
      uid: '',
      ...(r.controller ? { controller: true } : {}),
    }));
  const out: DigestedSecret = {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: meta,
    digests: digestValues(s.data, s.stringData),
  };
  if (s.type !== undefined) out.type = s.type;
  return out;
};

export function digestsOf(o: KObject | undefined): Record<string, MaterialDigest> | undefined {
  const d = (o as Partial<DigestedSecret> | undefined)?.digests;
  return d && typeof d === 'object' ? d : undefined;
}

/** Where a reduced object keeps the digest of its spec. */
export const SPEC_DIGEST = 'tollgate.dev/spec-digest';

/**
 * Tenant NetworkPolicies (one per tenant, all alike): metadata and a digest of the spec, which is all
 * `ensure` compares (the operator writes the whole spec; the API server adds no defaults to it).
 * Other NetworkPolicies are kept whole.
 */
export function specDigestTransform(when: (o: KObject) => boolean): Transform {
  return (o) => {
    if (!when(o)) return objectTransform(o);
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: liteMeta(o.metadata),
      [SPEC_DIGEST]: statusDigest(o['spec']),
    };
  };
}

/** Nodes: allocatable capacity is all that model status reads. */
export const nodeTransform: Transform = (o) => {
  const spec = o['spec'] as { unschedulable?: boolean } | undefined;
  const status = o['status'] as { allocatable?: Record<string, string> } | undefined;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.metadata.name,
      ...(o.metadata.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
    },
    spec: spec?.unschedulable ? { unschedulable: true } : {},
    status: { allocatable: status?.allocatable ?? {} },
  };
};

/** Pods: which node, and the scheduling conditions. */
export const podTransform: Transform = (o) => {
  const spec = o['spec'] as { nodeName?: string } | undefined;
  const status = o['status'] as { phase?: string; conditions?: unknown[] } | undefined;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: liteMeta(o.metadata),
    spec: spec?.nodeName ? { nodeName: spec.nodeName } : {},
    status: {
      ...(status?.phase ? { phase: status.phase } : {}),
      ...(status?.conditions ? { conditions: status.conditions } : {}),
    },
  };
};
