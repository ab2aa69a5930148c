// LLMTenant status (pure).
import type { LLMTenantStatus, RevokedKey } from '../../api/v1alpha1/index.ts';
import { fingerprint } from '../../api/keys.ts';
import type { TenantOutcome } from '../compiler/index.ts';
import type { TierGrant } from '../compiler/policy.ts';
import { setConditions, type ConditionInput } from './conditions.ts';

export function tenantStatus(
  outcome: TenantOutcome,
  previous: LLMTenantStatus | undefined,
  endpoint: string,
  now: Date,
  revokedByGateway: ReadonlyMap<string, string> = new Map(),
  revokedKeys?: readonly RevokedKey[],
  /** Why the operator cannot issue or read this tenant's keys at all (e.g. NamespaceNotWatched). */
  keysUnavailable?: { reason: string; message: string },
  /** Why the gateway does not accept every usable key yet (status/enforcement.ts): Ready waits for it. */
  keysNotEnforced?: string,
): LLMTenantStatus {
  const t = outcome.tenant;
  // gateway revocations are keyed by material (sha256; matched by fingerprint) or, before #13, by key id
  const byFp = new Map<string, string>();
  for (const [id, why] of revokedByGateway) if (/^[a-f0-9]{64}$/.test(id)) byFp.set(fingerprint(id), why);
  const sticky = new Map(
    (revokedKeys ?? []).map((r) => [r.fingerprint, `revoked by ${r.by} (${r.reason}) at ${r.at}`]),
  );
  const keys = outcome.keys.map((k) => {
    const id = `${outcome.id}/${k.name}`;
    const why =
      (k.fingerprint ? (sticky.get(k.fingerprint) ?? byFp.get(k.fingerprint)) : undefined) ?? revokedByGateway.get(id);
    return why && (k.state === 'Active' || k.state === 'Grace') ? { ...k, state: 'Revoked' as const, reason: why } : k;
  });
  const active = keys.filter((k) => k.state === 'Active' || k.state === 'Grace').length;
  const pending = keys.filter((k) => k.state === 'Pending').length;
  const conds: ConditionInput[] = [];
  const unavailable = keysUnavailable && keys.length > 0 ? keysUnavailable : undefined;
  conds.push(
    unavailable
      ? { type: 'KeysIssued', status: 'False', ...unavailable }
      : pending > 0
        ? { type: 'KeysIssued', status: 'False', reason: 'Pending', message: `${pending} key(s) not issued yet` }
        : { type: 'KeysIssued', status: 'True', reason: 'Issued', message: `${active} usable key(s)` },
  );
  const suspension = suspensionCondition(outcome);
  conds.push(suspension);
  conds.push(tierCondition(outcome.grant));
  let ready: ConditionInput;
  if (suspension.status === 'True')
    ready = { type: 'Ready', status: 'False', reason: 'Suspended', message: suspension.message };
  else if (outcome.blocked)
    ready = { type: 'Ready', status: 'False', reason: outcome.blocked.reason, message: outcome.blocked.message };
  else if (unavailable) ready = { type: 'Ready', status: 'False', ...unavailable };
  else if (active === 0)
    ready = {
      type: 'Ready',
      status: 'False',
      reason: 'NoUsableKeys',
      message: keys.length === 0 ? 'spec.keys is empty' : 'no key is active',
    };
  else if (keysNotEnforced !== undefined)
    ready = { type: 'Ready', status: 'False', reason: 'KeysNotEnforced', message: keysNotEnforced };
  else
    ready = {
      type: 'Ready',
      status: 'True',
      reason: 'Granted',
      message: `${outcome.grantedModels.length} model(s) granted`,
    };
  conds.unshift(ready);
  return {
    observedGeneration: t.metadata.generation,
    conditions: setConditions(previous?.conditions, conds, t.metadata.generation, now),
    ...(outcome.grant.granted !== undefined ? { tier: outcome.grant.granted } : {}),
    tierGrant: {
      requested: outcome.grant.requested,
      ...(outcome.grant.granted !== undefined ? { granted: outcome.grant.granted } : {}),
      ...(outcome.grant.policy !== undefined ? { policy: outcome.grant.policy } : {}),
      message: outcome.grant.message,
    },
    ...(outcome.suspendedBy.length > 0 ? { suspendedBy: outcome.suspendedBy } : {}),
    grantedModels: outcome.grantedModels,
    grantedModelCount: outcome.grantedModels.length,
    deniedModels: outcome.deniedModels,
    policies: outcome.policies,
    effective: {
      ...(outcome.effective.budget.length > 0 ? { budgets: budgetLines(outcome.effective.budget) } : {}),
      rateLimits: outcome.effective.rateLimits,
      limits: {
        ...outcome.effective.limits,
        maxOutputTokens: outcome.config.limits.maxOutputTokens,
        maxN: outcome.config.limits.maxN,
      },
    },
    keys,
    ...(revokedKeys && revokedKeys.length > 0 ? { revokedKeys: [...revokedKeys] } : {}),
    endpoint,
  };
}

/**
 * Suspended: a platform suspension (LLMPolicy suspend, which the tenant team cannot edit) comes first; the
 * tenant's own spec.suspended is a self-suspension that pauses access and can never lift the platform's.
 */
export function suspensionCondition(outcome: Pick<TenantOutcome, 'tenant' | 'suspendedBy'>): ConditionInput {
  const by = outcome.suspendedBy;
  if (by.length > 0) {
    const why = by.map((s) => `LLMPolicy ${s.policy}: ${s.reason}`).join('; ');
    return {
      type: 'Suspended',
      status: 'True',
      reason: 'SuspendedByPolicy',
      message: `suspended by the platform (${why}); every request is refused${outcome.tenant.spec.suspended ? '; also self-suspended (spec.suspended)' : ''}`,
    };
  }
  if (outcome.tenant.spec.suspended)
    return {
      type: 'Suspended',
      status: 'True',
      reason: 'SuspendedBySelf',
      message: 'self-suspended (spec.suspended is true); every request is refused',
    };
  return { type: 'Suspended', status: 'False', reason: 'Active', message: 'not suspended' };
}

/** TierNotGranted: True when the tier in force is not the one requested (or none is granted). */
export function tierCondition(grant: TierGrant): ConditionInput {
  if (grant.granted === grant.requested)
    return { type: 'TierNotGranted', status: 'False', reason: 'Granted', message: grant.message };
  return {
    type: 'TierNotGranted',
    status: 'True',
    reason:
      grant.granted === undefined ? (grant.reason === 'Conflict' ? 'Conflict' : 'NotGranted') : 'OtherTierGranted',
    message: grant.message,
  };
}

/**
 * Every line, as enforced: lines of different windows are not comparable (10 per minute and 100,000 per
 * day both apply, and either may refuse a request), so none is singled out as "the" budget.
 */
export function budgetLines(
  lines: TenantOutcome['effective']['budget'],
): NonNullable<NonNullable<LLMTenantStatus['effective']>['budgets']> {
  return [...lines]
    .sort((a, b) => (a.unit === b.unit ? a.windowSeconds - b.windowSeconds : a.unit < b.unit ? -1 : 1))
    .map((l) => ({
      unit: l.unit,
      limit: l.limit,
      window: windowText(l.windowSeconds),
      windowSeconds: l.windowSeconds,
    }));
}

export function windowText(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
