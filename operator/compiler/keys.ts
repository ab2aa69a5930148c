// Tenant keys: where their material lives, and what state each is in (pure; `now` is an input).
import type { V1Secret } from '@kubernetes/client-node';
import type { CfgKey, CfgScopeLimits } from '../../api/gateway-config.ts';
import { BYO_KEY_MAX_LENGTH, BYO_KEY_MIN_LENGTH, fingerprint, hashKey } from '../../api/keys.ts';
import type { Budget, KeyStatus, LLMTenant, RateLimits } from '../../api/v1alpha1/index.ts';
import { mergeBudgets, mergeRateLimits, windowSeconds } from './policy.ts';
import { revokedMaterial } from '../status/revocations.ts';

export const ANN_ROTATION = 'tollgate.dev/rotation.';
export const ANN_ROTATED_AT = 'tollgate.dev/rotated-at.';
export const PREVIOUS_SUFFIX = '.previous';
/** BYO keys (from a referenced Secret) must carry at least this many characters of entropy-bearing text. */
export const MIN_BYO_KEY_LENGTH = BYO_KEY_MIN_LENGTH;
/** ...and at most this many (the gateway bounds the Authorization header it reads by it). */
export const MAX_BYO_KEY_LENGTH = BYO_KEY_MAX_LENGTH;

/** Limits of one level (a key, a tenant on a model, a model for everyone): the smallest per control; undefined when none. */
export function scopeLimits(
  budgets: (Budget | undefined)[],
  rates: (RateLimits | undefined)[],
): CfgScopeLimits | undefined {
  const b = mergeBudgets(budgets);
  const r = mergeRateLimits(rates);
  const out: CfgScopeLimits = {
    ...(b.length > 0 ? { budgets: b } : {}),
    ...(r.requestsPerMinute !== undefined ? { requestsPerMinute: r.requestsPerMinute } : {}),
    ...(r.tokensPerMinute !== undefined ? { tokensPerMinute: r.tokensPerMinute } : {}),
    ...(r.concurrency !== undefined ? { concurrency: r.concurrency } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

export function keySecretName(tenant: LLMTenant): string {
  return tenant.spec.keySecretName ?? `${tenant.metadata.name}-tollgate-keys`;
}

/** What the operator keeps of one value of a Secret: its sha256 and length, never the value itself. */
export interface MaterialDigest {
  /** sha256 (hex) of the trimmed value. */
  readonly sha256: string;
  /** Characters of the trimmed value. */
  readonly length: number;
  /** False when the value holds whitespace, control or non-ASCII characters (the gateway refuses such a key). */
  readonly visible?: boolean;
}

/** A Secret as the compiler sees it: annotations and per-key digests (no key material). */
export interface SecretDigest {
  readonly annotations: Readonly<Record<string, string>>;
  readonly material: Readonly<Record<string, MaterialDigest>>;
}

/** Lookup by `namespace/name`. */
export interface SecretIndex {
  get(key: string): SecretDigest | undefined;
}

/** Digest every value of `data` (base64) and `stringData` (plain, offline manifests). */
export function digestValues(
  data: Readonly<Record<string, string>> | undefined,
  stringData?: Readonly<Record<string, string>>,
): Record<string, MaterialDigest> {
  const out: Record<string, MaterialDigest> = Object.create(null) as Record<string, MaterialDigest>;
  const add = (k: string, plain: string) => {
    const v = plain.trim();
    out[k] = { sha256: hashKey(v), length: v.length, ...(/^[\x21-\x7e]*$/.test(v) ? {} : { visible: false }) };
  };
  for (const [k, v] of Object.entries(stringData ?? {})) add(k, v);
  for (const [k, v] of Object.entries(data ?? {})) add(k, Buffer.from(v, 'base64').toString('utf8'));
  return out;
}

export function digestSecret(s: V1Secret): SecretDigest {
  return { annotations: s.metadata?.annotations ?? {}, material: digestValues(s.data, s.stringData) };
}

export function secretIndex(secrets: readonly V1Secret[]): SecretIndex {
  return new Map(
    secrets.map((s) => [`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`, digestSecret(s)]),
  );
}

export function materialOf(secret: SecretDigest | undefined, key: string): MaterialDigest | undefined {
  if (!secret || !Object.hasOwn(secret.material, key)) return undefined;
  return secret.material[key];
}

/** The plain value of one key of a full Secret (only where the value itself is needed: mirroring upstream credentials). */
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
  /** When a key state changes by the clock alone (expiry, end of grace), ms since epoch; Infinity: never. */
  changesAt: number;
}

function revokedText(r: { reason: string; at: string; by: string }): string {
  return `revoked by ${r.by} (${r.reason})${r.at ? ` at ${r.at}` : ''}`;
}

export function tenantKeys(tenant: LLMTenant, secrets: SecretIndex, now: Date): KeyOutcome {
  const ns = tenant.metadata.namespace ?? 'default';
  const issuedName = keySecretName(tenant);
  const issued = secrets.get(`${ns}/${issuedName}`);
  const ann = issued?.annotations ?? {};
  const config: CfgKey[] = [];
  const status: KeyStatus[] = [];
  const idBase = `${ns}/${tenant.metadata.name}`;
  let changesAt = Infinity;
  // sticky revocations of key material (status.revokedKeys, tollgate.dev/revoke.<fingerprint> annotations)
  const sticky = revokedMaterial(tenant);
  const at = (iso: string | undefined) => {
    const t = iso === undefined ? NaN : Date.parse(iso);
    if (t > now.getTime() && t < changesAt) changesAt = t;
  };
  for (const k of tenant.spec.keys) {
    const secretName = k.secretRef?.name ?? issuedName;
    const material = k.secretRef
      ? materialOf(secrets.get(`${ns}/${k.secretRef.name}`), k.secretRef.key)
      : materialOf(issued, k.name);
    if (material === undefined || material.length === 0) {
      status.push({
        name: k.name,
        state: 'Pending',
        reason: k.secretRef ? `waiting for Secret ${k.secretRef.name} key ${k.secretRef.key}` : 'not issued yet',
        secretName,
      });
      continue;
    }
    if (material.length < MIN_BYO_KEY_LENGTH || material.length > MAX_BYO_KEY_LENGTH) {
      status.push({
        name: k.name,
        state: 'Invalid',
        reason:
          material.length < MIN_BYO_KEY_LENGTH
            ? `key is shorter than ${MIN_BYO_KEY_LENGTH} characters`
            : `key is longer than ${MAX_BYO_KEY_LENGTH} characters`,
        secretName,
      });
      continue;
    }
    if (material.visible === false) {
      status.push({
        name: k.name,
        state: 'Invalid',
        reason: 'key holds whitespace, control or non-ASCII characters (the gateway accepts visible ASCII only)',
        secretName,
      });
      continue;
    }
    const limits = scopeLimits([k.budget], [k.rateLimits]);
    const sha = material.sha256;
    at(k.expiresAt);
    const expired = k.expiresAt !== undefined && Date.parse(k.expiresAt) <= now.getTime();
    const st = sticky.get(fingerprint(sha));
    const revoked = k.revoked || st !== undefined;
    const state = revoked ? 'Revoked' : expired ? 'Expired' : 'Active';
    const reason = k.revoked
      ? 'revoked in spec'
      : st
        ? revokedText(st)
        : expired
          ? `expired at ${k.expiresAt}`
          : undefined;
    const rotation = k.secretRef ? undefined : Number(ann[`${ANN_ROTATION}${k.name}`] ?? 0);
    status.push({
      name: k.name,
      fingerprint: fingerprint(sha),
      state,
      secretName,
      ...(reason ? { reason } : {}),
      ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}),
      ...(rotation !== undefined ? { rotation } : {}),
    });
    config.push({
      id: `${idBase}/${k.name}`,
      sha256: sha,
      scopes: [...k.scopes].sort(),
      revoked,
      ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}),
      ...(limits ? { limits } : {}),
    });

    // The rotated-out key stays valid for the grace period after the rotation time.
    const previous = k.secretRef ? undefined : materialOf(issued, `${k.name}${PREVIOUS_SUFFIX}`);
    const rotatedAt = ann[`${ANN_ROTATED_AT}${k.name}`];
    if (previous && rotatedAt && previous.length >= MIN_BYO_KEY_LENGTH && !k.revoked) {
      const graceEnd = new Date(Date.parse(rotatedAt) + windowSeconds(tenant.spec.rotationGracePeriod) * 1000);
      const end = k.expiresAt && Date.parse(k.expiresAt) < graceEnd.getTime() ? k.expiresAt : graceEnd.toISOString();
      const prevSha = previous.sha256;
      const over = Date.parse(end) <= now.getTime();
      at(end);
      const prevSticky = sticky.get(fingerprint(prevSha));
      status.push({
        name: `${k.name}${PREVIOUS_SUFFIX}`,
        fingerprint: fingerprint(prevSha),
        state: prevSticky ? 'Revoked' : over ? 'Expired' : 'Grace',
        expiresAt: end,
        secretName,
        reason: prevSticky ? revokedText(prevSticky) : `rotated out at ${rotatedAt}`,
      });
      if (prevSha !== sha)
        config.push({
          id: `${idBase}/${k.name}${PREVIOUS_SUFFIX}`,
          sha256: prevSha,
          scopes: [...k.scopes].sort(),
          revoked: prevSticky !== undefined,
          expiresAt: end,
          ...(limits ? { limits } : {}),
        });
    }
  }
  return { config, status, changesAt };
}
