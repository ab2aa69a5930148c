// Tenant keys: where their material lives, and what state each is in (pure; `now` is an input).
import type { V1Secret } from '@kubernetes/client-node';
import type { CfgKey } from '../../api/gateway-config.ts';
import { fingerprint, hashKey } from '../../api/keys.ts';
import type { KeyStatus, LLMTenant } from '../../api/v1alpha1/index.ts';
import { windowSeconds } from './policy.ts';

export const ANN_ROTATION = 'tollgate.dev/rotation.';
export const ANN_ROTATED_AT = 'tollgate.dev/rotated-at.';
export const PREVIOUS_SUFFIX = '.previous';
/** BYO keys (from a referenced Secret) must carry at least this many characters of entropy-bearing text. */
export const MIN_BYO_KEY_LENGTH = 32;

export function keySecretName(tenant: LLMTenant): string {
  return tenant.spec.keySecretName ?? `${tenant.metadata.name}-tollgate-keys`;
}

export type SecretIndex = ReadonlyMap<string, V1Secret>;

export function secretIndex(secrets: readonly V1Secret[]): SecretIndex {
  return new Map(secrets.map((s) => [`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`, s]));
}

export function secretValue(secret: V1Secret | undefined, key: string): string | undefined {
  if (!secret) return undefined;
  const b64 = secret.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8').trim();
  const plain = secret.stringData?.[key];
  return plain?.trim();
}

export interface KeyOutcome {
  config: CfgKey[];
  status: KeyStatus[];
}

export function tenantKeys(tenant: LLMTenant, secrets: SecretIndex, now: Date): KeyOutcome {
  const ns = tenant.metadata.namespace ?? 'default';
  const issuedName = keySecretName(tenant);
  const issued = secrets.get(`${ns}/${issuedName}`);
  const ann = issued?.metadata?.annotations ?? {};
  const config: CfgKey[] = [];
  const status: KeyStatus[] = [];
  const idBase = `${ns}/${tenant.metadata.name}`;
  for (const k of tenant.spec.keys) {
    const secretName = k.secretRef?.name ?? issuedName;
    const material = k.secretRef ? secretValue(secrets.get(`${ns}/${k.secretRef.name}`), k.secretRef.key) : secretValue(issued, k.name);
    if (material === undefined || material === '') {
      status.push({ name: k.name, state: 'Pending', reason: k.secretRef ? `waiting for Secret ${k.secretRef.name} key ${k.secretRef.key}` : 'not issued yet', secretName });
      continue;
    }
    if (material.length < MIN_BYO_KEY_LENGTH) {
      status.push({ name: k.name, state: 'Invalid', reason: `key is shorter than ${MIN_BYO_KEY_LENGTH} characters`, secretName });
      continue;
    }
    const sha = hashKey(material);
    const expired = k.expiresAt !== undefined && Date.parse(k.expiresAt) <= now.getTime();
    const state = k.revoked ? 'Revoked' : expired ? 'Expired' : 'Active';
    const reason = k.revoked ? 'revoked in spec' : expired ? `expired at ${k.expiresAt}` : undefined;
    const rotation = k.secretRef ? undefined : Number(ann[`${ANN_ROTATION}${k.name}`] ?? 0);
    status.push({
      name: k.name, fingerprint: fingerprint(sha), state, secretName,
      ...(reason ? { reason } : {}), ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}), ...(rotation !== undefined ? { rotation } : {}),
    });
    config.push({ id: `${idBase}/${k.name}`, sha256: sha, scopes: [...k.scopes].sort(), revoked: k.revoked, ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}) });

    // The rotated-out key stays valid for the grace period after the rotation time.
    const previous = k.secretRef ? undefined : secretValue(issued, `${k.name}${PREVIOUS_SUFFIX}`);
    const rotatedAt = ann[`${ANN_ROTATED_AT}${k.name}`];
    if (previous && rotatedAt && previous.length >= MIN_BYO_KEY_LENGTH && !k.revoked) {
      const graceEnd = new Date(Date.parse(rotatedAt) + windowSeconds(tenant.spec.rotationGracePeriod) * 1000);
      const end = k.expiresAt && Date.parse(k.expiresAt) < graceEnd.getTime() ? k.expiresAt : graceEnd.toISOString();
      const prevSha = hashKey(previous);
      const over = Date.parse(end) <= now.getTime();
      status.push({ name: `${k.name}${PREVIOUS_SUFFIX}`, fingerprint: fingerprint(prevSha), state: over ? 'Expired' : 'Grace', expiresAt: end, secretName, reason: `rotated out at ${rotatedAt}` });
      if (prevSha !== sha) config.push({ id: `${idBase}/${k.name}${PREVIOUS_SUFFIX}`, sha256: prevSha, scopes: [...k.scopes].sort(), revoked: false, expiresAt: end });
    }
  }
  return { config, status };
}
