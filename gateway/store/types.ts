// The shared-state contract: budgets, rate windows and concurrency slots, reserved in ONE atomic step
// before the upstream is called and settled after. Both stores (memory, Redis) implement exactly this and
// pass the same contract suite (store/contract.ts).

import { createHash } from 'node:crypto';

export type BudgetUnit = 'tokens' | 'gpuSeconds';

export interface BudgetCharge {
  readonly unit: BudgetUnit;
  readonly windowSeconds: number;
  readonly limit: number;
  /** Estimated cost of this request in `unit` (reserved now, corrected at settle). */
  readonly amount: number;
}

export interface ReserveRequest {
  /** Unique per request (the request id). */
  readonly id: string;
  readonly tenant: string;
  /** Every line must admit the request. */
  readonly budgets: readonly BudgetCharge[];
  /** Requests per fixed minute. */
  readonly rpm?: number | undefined;
  /** Raw (unweighted) tokens per fixed minute. */
  readonly tpm?: { readonly limit: number; readonly amount: number } | undefined;
  /** Requests in flight; the slot is a lease that expires after leaseMs even if never released. */
  readonly concurrency?: { readonly limit: number; readonly leaseMs: number } | undefined;
  /**
   * Limits at other levels, checked and applied in the SAME atomic step as the tenant's (issue #13): per key,
   * per tenant per model (both in the tenant's slot) and a global per-model cap shared by every tenant. Each
   * level has its own counters; every one must admit (most restrictive wins). Absent: tenant level only.
   */
  readonly scopes?: readonly ReserveScope[] | undefined;
}

/** `key`: one API key of the tenant; `tenantModel`: the tenant's use of one model; `model`: every tenant's use of one model. */
export type ScopeLevel = 'key' | 'tenantModel' | 'model';

export interface ScopeRef {
  readonly level: ScopeLevel;
  /** Key name (`key`) or served model name (`tenantModel`, `model`): letters, digits and . _ : / - only. */
  readonly name: string;
}

export interface ReserveScope extends ScopeRef {
  readonly budgets?: readonly BudgetCharge[] | undefined;
  readonly rpm?: number | undefined;
  readonly tpm?: { readonly limit: number; readonly amount: number } | undefined;
  readonly concurrency?: { readonly limit: number; readonly leaseMs: number } | undefined;
}

/** The windows one level of a reservation charged (settlement corrects those same windows). */
export interface ReservedWindows {
  /** The window each budget line was charged in. */
  readonly budgets: readonly {
    readonly unit: BudgetUnit;
    readonly windowSeconds: number;
    readonly windowStart: number;
    readonly amount: number;
  }[];
  readonly tpm: { readonly windowStart: number; readonly amount: number } | undefined;
  readonly concurrency: boolean;
}

/** What a scope's part of a reservation applied (settlement corrects the same windows). */
export interface ScopeReservation extends ScopeRef, ReservedWindows {}

export type RejectReason = 'budget' | 'rpm' | 'tpm' | 'concurrency';

/** The tenant level's windows (ReservedWindows) and the other levels' parts. */
export interface Reservation extends ReservedWindows {
  readonly id: string;
  readonly tenant: string;
  /** The other levels' parts (absent: tenant level only). */
  readonly scopes?: readonly ScopeReservation[] | undefined;
  /** The store that holds it (settle goes back there, also after a fallback). */
  readonly store: Store;
}

export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation }
  | {
      readonly ok: false;
      readonly reason: RejectReason;
      /** Seconds until the blocking window ends (concurrency: 1). */
      readonly retryAfterSeconds: number;
      /** Index into the budgets of the refusing level (request.budgets, or the scope's budgets) of the line that refused (reason budget). */
      readonly budgetIndex?: number;
      /** The level that refused; absent: the tenant's own limits. */
      readonly scope?: ScopeRef;
    };

export interface Actual {
  /** Actual cost in the unit of the reserved budget lines. */
  readonly cost: number;
  /** Actual raw tokens (input + output), for tpm. */
  readonly tokens: number;
}

/**
 * A revoked key, shared by every replica, never expires. Keyed by the key material's sha256 (hex), so a
 * rotated key (new material) is clean; entries keyed by a key id are the pre-#13 format, still enforced.
 */
export interface StoredRevocation {
  /** Short machine-readable reason, e.g. `anomaly`. */
  readonly reason: string;
  /** RFC 3339, the first revocation's time (later ones do not overwrite it). */
  readonly at: string;
  /** The key id the material belonged to when revoked (display only). */
  readonly keyId?: string | undefined;
  /** Who revoked it: `gateway` (anomaly detection), `cli:<user>`, `operator`. */
  readonly by?: string | undefined;
}

/** One line of the revocation audit trail (who revoked or lifted which material, when, why). */
export interface RevocationAudit {
  readonly action: 'revoke' | 'unrevoke';
  /** sha256 of the material (or a legacy key id). */
  readonly target: string;
  readonly keyId?: string | undefined;
  readonly reason?: string | undefined;
  readonly by?: string | undefined;
  readonly at: string;
}

/** Bound on the audit trail the store keeps (newest first). */
export const MAX_REVOCATION_AUDIT = 10_000;

export interface Store {
  readonly kind: 'memory' | 'redis';
  /** Check every control and, only if all admit, apply them all: one atomic step, one round trip. */
  reserve(req: ReserveRequest): Promise<ReserveResult>;
  /** Replace the reserved estimate by the actual usage and release the concurrency slot. Idempotent per reservation. */
  settle(res: Reservation, actual: Actual): Promise<void>;
  ping(): Promise<boolean>;
  /** Adds the key (its sha256; legacy: key id) to the shared revocation set; false when it was already there (the first record stays). */
  revoke(
    keyId: string,
    reason: string,
    extra?: { keyId?: string | undefined; by?: string | undefined },
  ): Promise<boolean>;
  /** The whole revocation set (key id -> record). */
  revocations(): Promise<Map<string, StoredRevocation>>;
  /** An operator lifted a revocation: removed from the set and remembered, so replicas do not re-seed it. */
  unrevoke(keyId: string, by?: string): Promise<boolean>;
  /** Key ids whose revocation an operator lifted. */
  liftedRevocations(): Promise<Set<string>>;
  /** Whether the store still holds the state it had (Redis: the store generation; memory: always ok). */
  health(): StoreHealth;
  close(): Promise<void>;
  /** Inspection (tests, debugging, refusal messages): spend recorded in the current window of a budget line (of a scope). */
  spent(tenant: string, unit: BudgetUnit, windowSeconds: number, scope?: ScopeRef): Promise<number>;
  /** Inspection: concurrency slots held now (of a scope). */
  inflight(tenant: string, scope?: ScopeRef): Promise<number>;
}

/** The store could not answer (connection lost, timeout). Controls decide whether to fail closed. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The store lost its state (restarted empty, flushed, a Cluster node lost its data). Budget-limited tenants
 * are refused until the data is restored or an operator acknowledges the reset (`tollgate store ack-reset`).
 */
export class StoreStateLostError extends StoreUnavailableError {
  readonly since: string;
  readonly reason: string;
  constructor(since: string, reason: string) {
    super(`store state lost since ${since}: ${reason}`);
    this.name = 'StoreStateLostError';
    this.since = since;
    this.reason = reason;
  }
}

export type StoreHealth =
  | { readonly state: 'ok'; readonly generation?: string | undefined }
  | { readonly state: 'unknown' }
  | { readonly state: 'lost'; readonly generation: string; readonly since: string; readonly reason: string };

/** What a store reports for logs and metrics. */
export type StoreEvent =
  | { readonly type: 'state_lost'; readonly reason: string }
  | { readonly type: 'state_recovered'; readonly how: 'restored' | 'acknowledged' }
  /** A reservation whose reply never arrived was released by id (undone: it had applied; nothing: it never will). */
  | { readonly type: 'release'; readonly result: 'undone' | 'nothing' | 'dropped' }
  /** A reservation was not acknowledged by a replica in time (a failover now could lose it). */
  | { readonly type: 'unreplicated' };

/** Tolerance for float sums of fractional weights. */
export const EPSILON = 1e-9;

export function windowStart(nowSeconds: number, windowSeconds: number): number {
  return nowSeconds - (nowSeconds % windowSeconds);
}

const SCOPE_NAME = /^[A-Za-z0-9._:/-]{1,253}$/;

/** A scope name as it appears in a key: itself (served names and key ids always are), else a digest of it (no braces, bounded). */
export function safeScopeName(name: string): string {
  return SCOPE_NAME.test(name) ? name : `#${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

/** The sub-prefix of a scope's counters (`k:<key>:`, `m:<model>:`; the global level has its own prefix). */
export function scopeSuffix(s: ScopeRef): string {
  return s.level === 'key' ? `k:${safeScopeName(s.name)}:` : `m:${safeScopeName(s.name)}:`;
}

/** Every budget line of a request in the order the stores report windows: the tenant's, then each scope's. */
export function allBudgetLines(req: ReserveRequest): BudgetCharge[] {
  return [...req.budgets, ...(req.scopes ?? []).flatMap((s) => s.budgets ?? [])];
}

/** The budget line a refusal names (tenant or scope level). */
export function refusedBudgetLine(
  req: ReserveRequest,
  r: { readonly budgetIndex?: number | undefined; readonly scope?: ScopeRef | undefined },
): BudgetCharge | undefined {
  const idx = r.budgetIndex ?? 0;
  if (!r.scope) return req.budgets[idx];
  const s = (req.scopes ?? []).find((x) => x.level === r.scope!.level && x.name === r.scope!.name);
  return s?.budgets?.[idx];
}
