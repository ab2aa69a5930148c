// What the tenant key Secret should hold (pure; the key generator and clock are inputs).
// Issue keys that are missing, rotate when spec.keys[].rotation goes up (the old key stays as
// `<name>.previous` for the grace period), drop previous keys whose grace ended and keys removed from spec.
import type { LLMTenant } from '../api/v1alpha1/index.ts';
import { ANN_ROTATED_AT, ANN_ROTATION, PREVIOUS_SUFFIX } from './compiler/keys.ts';
import { windowSeconds } from './compiler/policy.ts';

export interface KeySecretState {
  data: Record<string, string>; // decoded values
  annotations: Record<string, string>;
}

export interface KeySecretPlan {
  next: KeySecretState;
  changed: boolean;
  /** When something time-based happens next (grace end, expiry), in ms from now. */
  requeueAfterMs?: number;
  issued: string[];
  rotated: string[];
  dropped: string[];
}

export function planKeySecret(
  tenant: LLMTenant,
  current: KeySecretState | undefined,
  now: Date,
  newKey: () => string,
): KeySecretPlan {
  const data: Record<string, string> = { ...(current?.data ?? {}) };
  const ann: Record<string, string> = Object.fromEntries(
    Object.entries(current?.annotations ?? {}).filter(
      ([k]) => k.startsWith(ANN_ROTATION) || k.startsWith(ANN_ROTATED_AT),
    ),
  );
  const issued: string[] = [];
  const rotated: string[] = [];
  const dropped: string[] = [];
  const grace = windowSeconds(tenant.spec.rotationGracePeriod) * 1000;
  let nextEvent = Infinity;
  const owned = tenant.spec.keys.filter((k) => !k.secretRef);
  const wanted = new Set<string>();
  for (const k of owned) {
    wanted.add(k.name);
    wanted.add(`${k.name}${PREVIOUS_SUFFIX}`);
    const rotation = Number(ann[`${ANN_ROTATION}${k.name}`] ?? 0);
    if (!data[k.name]) {
      data[k.name] = newKey();
      ann[`${ANN_ROTATION}${k.name}`] = String(k.rotation);
      issued.push(k.name);
    } else if (k.rotation > rotation) {
      data[`${k.name}${PREVIOUS_SUFFIX}`] = data[k.name] as string;
      data[k.name] = newKey();
      ann[`${ANN_ROTATION}${k.name}`] = String(k.rotation);
      ann[`${ANN_ROTATED_AT}${k.name}`] = now.toISOString();
      rotated.push(k.name);
    }
    const rotatedAt = ann[`${ANN_ROTATED_AT}${k.name}`];
    if (data[`${k.name}${PREVIOUS_SUFFIX}`] !== undefined && rotatedAt) {
      const end = Date.parse(rotatedAt) + grace;
      if (end <= now.getTime() || k.revoked) {
        delete data[`${k.name}${PREVIOUS_SUFFIX}`];
        dropped.push(`${k.name}${PREVIOUS_SUFFIX}`);
      } else nextEvent = Math.min(nextEvent, end - now.getTime());
    }
    if (k.expiresAt) {
      const exp = Date.parse(k.expiresAt) - now.getTime();
      if (exp > 0) nextEvent = Math.min(nextEvent, exp);
    }
  }
  for (const name of Object.keys(data)) {
    if (!wanted.has(name)) {
      delete data[name];
      dropped.push(name);
    }
  }
  for (const a of Object.keys(ann)) {
    const keyName = a.startsWith(ANN_ROTATION) ? a.slice(ANN_ROTATION.length) : a.slice(ANN_ROTATED_AT.length);
    if (!owned.some((k) => k.name === keyName)) delete ann[a];
  }
  const next = { data, annotations: ann };
  const changed =
    current === undefined
      ? owned.length > 0
      : JSON.stringify(sorted(next.data)) !== JSON.stringify(sorted(current.data)) ||
        JSON.stringify(sorted(next.annotations)) !== JSON.stringify(sorted(ann0(current.annotations)));
  return {
    next,
    changed,
    issued,
    rotated,
    dropped,
    ...(Number.isFinite(nextEvent) ? { requeueAfterMs: Math.ceil(nextEvent) + 100 } : {}),
  };
}

function ann0(a: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(a).filter(([k]) => k.startsWith(ANN_ROTATION) || k.startsWith(ANN_ROTATED_AT)),
  );
}

function sorted(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1));
}
