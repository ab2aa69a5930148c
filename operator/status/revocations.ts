// Sticky key revocations (issues #13 and #15): what the LLMTenant status keeps of revoked key material, so a
// revocation survives the shared store (Redis) losing its data while every gateway replica restarts.
//
// Inputs, all pure here:
// - the previous status.revokedKeys (the durable record: the API server's etcd);
// - revocations the gateway replicas publish on their Leases (anomaly detection, `tollgate keys revoke`),
//   keyed by the material's sha256 (or, before #13, by key id);
// - annotations on the LLMTenant: `tollgate.dev/revoke.<fingerprint>: <reason>` asks to revoke that material,
//   `tollgate.dev/unrevoke.<fingerprint>: <RFC 3339 time>` lifts every record of it made before that time.
// The compiler marks every key whose material is in the result `revoked: true` in the gateway config.
import type { KeyStatus, LLMTenant, RevokedKey } from '../../api/v1alpha1/index.ts';
import { fingerprint } from '../../api/keys.ts';
import { digestedStatusTransform } from '../transforms.ts';
import type { Transform } from '../../kube/transforms.ts';

export const ANN_REVOKE = 'tollgate.dev/revoke.';
export const ANN_UNREVOKE = 'tollgate.dev/unrevoke.';
export const MAX_REVOKED_KEYS = 256;
const FP = /^[a-f0-9]{16}$/;
const SHA = /^[a-f0-9]{64}$/;

export interface AnnotationRequests {
  /** fingerprint -> reason */
  readonly revoke: Map<string, string>;
  /** fingerprint -> lift time (ms) */
  readonly unrevoke: Map<string, number>;
}

export function annotationRequests(ann: Readonly<Record<string, string>> | undefined): AnnotationRequests {
  const revoke = new Map<string, string>();
  const unrevoke = new Map<string, number>();
  for (const [k, v] of Object.entries(ann ?? {})) {
    if (k.startsWith(ANN_REVOKE)) {
      const fp = k.slice(ANN_REVOKE.length);
      if (FP.test(fp)) revoke.set(fp, clip(v) || 'revoked by annotation');
    } else if (k.startsWith(ANN_UNREVOKE)) {
      const fp = k.slice(ANN_UNREVOKE.length);
      const t = Date.parse(v);
      if (FP.test(fp) && Number.isFinite(t)) unrevoke.set(fp, t);
    }
  }
  return { revoke, unrevoke };
}

/** A revocation a gateway replica publishes (Lease annotation `tollgate.dev/revoked-keys`). */
export interface PublishedRevocation {
  readonly id: string;
  readonly reason: string;
  readonly at: string;
}

export interface RevokedKeysPlan {
  readonly next: RevokedKey[];
  readonly added: RevokedKey[];
  readonly lifted: RevokedKey[];
}

const lifts = (req: AnnotationRequests, r: { fingerprint: string; at: string }): boolean => {
  const t = req.unrevoke.get(r.fingerprint);
  const at = Date.parse(r.at);
  return t !== undefined && (!Number.isFinite(at) || t >= at);
};

/**
 * Pure: the next sticky list. `keys` are the tenant's keys as compiled (name + fingerprint of the current and
 * rotated-out material): published revocations of other tenants' material are ignored.
 */
export function planRevokedKeys(
  tenantId: string,
  previous: readonly RevokedKey[] | undefined,
  published: readonly PublishedRevocation[],
  ann: Readonly<Record<string, string>> | undefined,
  keys: readonly Pick<KeyStatus, 'name' | 'fingerprint'>[],
  now: Date,
): RevokedKeysPlan {
  const req = annotationRequests(ann);
  const byFp = new Map<string, string>();
  for (const k of keys) if (k.fingerprint) byFp.set(k.fingerprint, k.name);
  const next = new Map<string, RevokedKey>();
  const lifted: RevokedKey[] = [];
  for (const r of previous ?? []) {
    if (lifts(req, r)) lifted.push(r);
    else next.set(r.fingerprint, r);
  }
  const added: RevokedKey[] = [];
  const add = (r: RevokedKey): void => {
    if (next.has(r.fingerprint) || lifts(req, r)) return;
    next.set(r.fingerprint, r);
    added.push(r);
  };
  for (const p of published) {
    let fp: string | undefined;
    if (SHA.test(p.id)) fp = fingerprint(p.id);
    else if (p.id.startsWith(`${tenantId}/`)) fp = keys.find((k) => `${tenantId}/${k.name}` === p.id)?.fingerprint; // pre-#13: by key id
    if (fp === undefined || !byFp.has(fp)) continue;
    add({
      fingerprint: fp,
      key: baseName(byFp.get(fp)!),
      reason: clip(p.reason) || 'revoked',
      at: p.at,
      by: 'gateway',
    });
  }
  for (const [fp, reason] of req.revoke) {
    // an annotation asks for a revocation: its time is when the operator first saw it
    add({
      fingerprint: fp,
      ...(byFp.has(fp) ? { key: baseName(byFp.get(fp)!) } : {}),
      reason,
      at: now.toISOString(),
      by: 'annotation',
    });
  }
  const all = [...next.values()].sort((a, b) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : a.fingerprint < b.fingerprint ? -1 : 1,
  );
  return { next: all.slice(Math.max(0, all.length - MAX_REVOKED_KEYS)), added, lifted };
}

/** What the compiler enforces: the sticky record plus pending annotation requests, less lifts. Fingerprint -> record. */
export function revokedMaterial(
  tenant: Pick<LLMTenant, 'metadata'> & { status?: { revokedKeys?: readonly RevokedKey[] | undefined } | undefined },
): Map<string, { reason: string; at: string; by: string }> {
  const req = annotationRequests(tenant.metadata.annotations);
  const out = new Map<string, { reason: string; at: string; by: string }>();
  for (const r of tenant.status?.revokedKeys ?? [])
    if (!lifts(req, r)) out.set(r.fingerprint, { reason: r.reason, at: r.at, by: r.by });
  for (const [fp, reason] of req.revoke)
    if (!out.has(fp) && !req.unrevoke.has(fp)) out.set(fp, { reason, at: '', by: 'annotation' });
  return out;
}

/** The LLMTenant informer keeps conditions, a digest, and the sticky revocations of the status (small, bounded). */
export const tenantInformerTransform: Transform = (o) => {
  const out = digestedStatusTransform(o);
  const rk = (o['status'] as { revokedKeys?: unknown } | undefined)?.revokedKeys;
  if (Array.isArray(rk) && rk.length > 0 && out['status'])
    out['status'] = { ...(out['status'] as object), revokedKeys: rk };
  return out;
};

/** Part of a tenant's compile signature: what of the object feeds sticky revocations. */
export function revocationSignature(o: {
  metadata: { annotations?: Record<string, string> | undefined };
  status?: unknown;
}): string {
  const ann = Object.entries(o.metadata.annotations ?? {})
    .filter(([k]) => k.startsWith(ANN_REVOKE) || k.startsWith(ANN_UNREVOKE))
    .sort();
  const rk = (o.status as { revokedKeys?: { fingerprint: string; at: string }[] } | undefined)?.revokedKeys ?? [];
  return ann.length === 0 && rk.length === 0 ? '' : JSON.stringify([ann, rk.map((r) => `${r.fingerprint}@${r.at}`)]);
}

const baseName = (n: string): string => (n.endsWith('.previous') ? n.slice(0, -'.previous'.length) : n);
const clip = (s: string): string =>
  s
    .replace(/[\u0000-\u001f]/g, ' ')
    .trim()
    .slice(0, 200);
