// Limit composition (issue #13): the one reservation a request makes, from the limits of every level that
// applies to it — the tenant (as before), the key it presented, the tenant's use of the model, and every
// tenant's use of the model (a global cap). Each level keeps its own counters and every level must admit the
// request, so the most restrictive wins; the store checks and applies them all in one atomic step.
//
// Pure: config in, ReserveRequest out. A level limit that can never refuse before the tenant's own (a key
// rpm at or above the tenant rpm: the key's requests are a subset of the tenant's) is left out — the same
// decisions, fewer counters. A single request larger than any level's budget or tpm is refused up front
// (400, what to lower), as for the tenant's.
import type { CfgBudgetLine, CfgKey, CfgModel, CfgScopeLimits, CfgTenant } from '../../api/gateway-config.ts';
import { GatewayError } from '../errors.ts';
import type { BudgetCharge, ReserveRequest, ReserveScope, ScopeLevel } from './types.ts';

export const PREVIOUS_KEY_SUFFIX = '.previous';

export interface ComposeInput {
  readonly id: string;
  readonly tenant: { readonly cfg: CfgTenant; readonly needsStore: boolean };
  /** The presented key's id (`ns/tenant/key[.previous]`). */
  readonly keyId: string | undefined;
  readonly model: CfgModel;
  /** Estimated cost in the model's unit. */
  readonly estimate: number;
  /** Raw input + output tokens, for tpm. */
  readonly rawTokens: number;
  /** Concurrency lease (the request's own bound). */
  readonly leaseMs: number;
}

const keyIndex = new WeakMap<CfgTenant, Map<string, CfgKey>>();

/** The key's config entry (own-property-free lookup; built once per config tenant object). */
function keyOf(t: CfgTenant, id: string | undefined): CfgKey | undefined {
  if (id === undefined) return undefined;
  let m = keyIndex.get(t);
  if (!m) keyIndex.set(t, (m = new Map(t.keys.map((k) => [k.id, k]))));
  return m.get(id);
}

/** Counters of a key are shared with its rotated-out `.previous` (a rotation does not reset the key's windows). */
export function keyScopeName(keyId: string): string {
  return keyId.endsWith(PREVIOUS_KEY_SUFFIX) ? keyId.slice(0, -PREVIOUS_KEY_SUFFIX.length) : keyId;
}

const LEVEL_TEXT: Record<ScopeLevel | 'tenant', string> = {
  tenant: 'budget',
  key: "key's budget",
  tenantModel: 'budget on this model',
  model: 'shared budget of this model',
};

function charges(
  lines: readonly CfgBudgetLine[] | undefined,
  unit: CfgModel['cost']['unit'],
  amount: number,
  level: ScopeLevel | 'tenant',
): BudgetCharge[] {
  const out: BudgetCharge[] = [];
  for (const b of lines ?? []) {
    if (b.unit !== unit) continue;
    if (amount > b.limit)
      throw new GatewayError(
        'request_exceeds_budget',
        `The estimated cost (${round(amount)} ${unit}) is above the ${LEVEL_TEXT[level]} of ${b.limit} per ${b.windowSeconds}s; lower max_tokens or n.`,
      );
    out.push({ unit, windowSeconds: b.windowSeconds, limit: b.limit, amount });
  }
  return out;
}

function checkTpm(limit: number | undefined, rawTokens: number, what: string): void {
  if (limit !== undefined && rawTokens > limit) {
    throw new GatewayError(
      'request_exceeds_tpm',
      `The estimated ${rawTokens} tokens are above the ${what}limit of ${limit} per minute; lower max_tokens or n.`,
    );
  }
}

/** A level's controls, without those the tenant's own limits make redundant (when `redundantVs` is given). */
function level(
  l: CfgScopeLimits,
  lvl: ScopeLevel,
  name: string,
  input: ComposeInput,
  tenantCharges: readonly BudgetCharge[],
  redundantVs: CfgTenant['limits'] | undefined,
): ReserveScope | undefined {
  const unit = input.model.cost.unit;
  const below = (v: number | undefined, t: number | undefined): number | undefined =>
    v === undefined ? undefined : redundantVs && t !== undefined && v >= t ? undefined : v;
  const budgets = charges(l.budgets, unit, input.estimate, lvl).filter(
    (b) => !redundantVs || !tenantCharges.some((t) => t.windowSeconds === b.windowSeconds && t.limit <= b.limit),
  );
  checkTpm(
    l.tokensPerMinute,
    input.rawTokens,
    lvl === 'key' ? "key's " : lvl === 'tenantModel' ? "model's " : "model's shared ",
  );
  const rpm = below(l.requestsPerMinute, redundantVs?.requestsPerMinute);
  const tpm = below(l.tokensPerMinute, redundantVs?.tokensPerMinute);
  const cc = below(l.concurrency, redundantVs?.concurrency);
  if (budgets.length === 0 && rpm === undefined && tpm === undefined && cc === undefined) return undefined;
  return {
    level: lvl,
    name,
    ...(budgets.length > 0 ? { budgets } : {}),
    ...(rpm !== undefined ? { rpm } : {}),
    ...(tpm !== undefined ? { tpm: { limit: tpm, amount: input.rawTokens } } : {}),
    ...(cc !== undefined ? { concurrency: { limit: cc, leaseMs: input.leaseMs } } : {}),
  };
}

/**
 * Whether a level other than the tenant's needs an exact input token count (a token budget or tpm on the key,
 * the tenant's use of the model, or the model for everyone): the byte upper bound would over-reserve and could
 * refuse up front a request that fits.
 */
export function scopesNeedExactCount(tenant: CfgTenant, keyId: string | undefined, model: CfgModel): boolean {
  const exact = (l: CfgScopeLimits | undefined): boolean =>
    l !== undefined &&
    (l.tokensPerMinute !== undefined ||
      (model.cost.unit === 'tokens' && (l.budgets ?? []).some((b) => b.unit === 'tokens')));
  return (
    exact(keyOf(tenant, keyId)?.limits) ||
    exact(tenant.modelLimits?.find((m) => m.model === model.servedName)) ||
    exact(model.globalLimits)
  );
}

/** The reservation for one request; undefined when no level limits anything (nothing to reserve). */
export function composeReservation(input: ComposeInput): ReserveRequest | undefined {
  const t = input.tenant.cfg;
  const lim = t.limits;
  const unit = input.model.cost.unit;
  const budgets = charges(lim.budgets, unit, input.estimate, 'tenant');
  checkTpm(lim.tokensPerMinute, input.rawTokens, '');
  const scopes: ReserveScope[] = [];
  const key = keyOf(t, input.keyId);
  if (key?.limits) {
    const s = level(key.limits, 'key', keyScopeName(key.id), input, budgets, lim);
    if (s) scopes.push(s);
  }
  const tm = t.modelLimits?.find((m) => m.model === input.model.servedName);
  if (tm) {
    const s = level(tm, 'tenantModel', tm.model, input, budgets, lim);
    if (s) scopes.push(s);
  }
  if (input.model.globalLimits) {
    // every tenant counts here: never redundant with one tenant's limits
    const s = level(input.model.globalLimits, 'model', input.model.servedName, input, budgets, undefined);
    if (s) scopes.push(s);
  }
  if (!input.tenant.needsStore && scopes.length === 0) return undefined;
  return {
    id: input.id,
    tenant: t.id,
    budgets,
    rpm: lim.requestsPerMinute,
    tpm: lim.tokensPerMinute === undefined ? undefined : { limit: lim.tokensPerMinute, amount: input.rawTokens },
    concurrency: lim.concurrency === undefined ? undefined : { limit: lim.concurrency, leaseMs: input.leaseMs },
    ...(scopes.length > 0 ? { scopes } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
