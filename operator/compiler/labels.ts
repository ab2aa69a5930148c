// Labels, names and owner references shared by every compiled object.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION } from '../../api/meta.ts';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'tollgate' } as const;
export const LABEL_MODEL = 'tollgate.dev/model';
export const LABEL_TENANT_NS = 'tollgate.dev/tenant-namespace';
export const LABEL_TENANT = 'tollgate.dev/tenant';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';

export interface Owned {
  kind: 'LLMModel' | 'LLMTenant' | 'LLMPolicy';
  metadata: { name: string; uid?: string | undefined };
}

/** Controller owner reference; omitted offline (no uid yet), the operator always has one. */
export function ownerRefs(owner: Owned): V1OwnerReference[] | undefined {
  if (!owner.metadata.uid) return undefined;
  return [
    {
      apiVersion: API_VERSION,
      kind: owner.kind,
      name: owner.metadata.name,
      uid: owner.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

/** Kubernetes object names: lowercase, at most 63 characters for label-valued names. */
export function childName(base: string, suffix: string, max = 63): string {
  const full = `${base}-${suffix}`;
  if (full.length <= max) return full;
  return `${base.slice(0, max - suffix.length - 1)}-${suffix}`.replace(/-+/g, '-');
}

/**
 * No `app.kubernetes.io/instance`: Argo CD's default label tracking reads it as "belongs to the Argo
 * application of that name" and would show (or prune) operator-made objects as its own.
 */
export function modelLabels(name: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'tollgate-model',
    [LABEL_COMPONENT]: 'inference',
    [LABEL_MODEL]: labelValue(name),
    ...MANAGED_BY,
  };
}

export function podSelector(name: string): Record<string, string> {
  return { [LABEL_MODEL]: labelValue(name), [LABEL_COMPONENT]: 'inference' };
}

/** Label values are limited to 63 characters; longer names keep a hash suffix so they stay unique. */
export function labelValue(s: string): string {
  if (s.length <= 63) return s;
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) >>> 0;
  return `${s.slice(0, 54).replace(/[-_.]+$/, '')}-${h.toString(16).padStart(8, '0')}`;
}
