// The shared-state contract: budgets, rate windows and concurrency slots, reserved in ONE atomic step
// before the upstream is called and settled after. Both stores (memory, Redis) implement exactly this and
// pass the same contract suite (store/contract.ts).

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
}

export type RejectReason = 'budget' | 'rpm' | 'tpm' | 'concurrency';

export interface Reservation {
  readonly id: string;
  readonly tenant: string;
  /** The window each budget line was charged in (settlement corrects that same window). */
  readonly budgets: readonly { readonly unit: BudgetUnit; readonly windowSeconds: number; readonly windowStart: number; readonly amount: number }[];
  readonly tpm: { readonly windowStart: number; readonly amount: number } | undefined;
  readonly concurrency: boolean;
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
      /** Index into request.budgets of the line that refused (reason budget). */
      readonly budgetIndex?: number;
    };

export interface Actual {
  /** Actual cost in the unit of the reserved budget lines. */
  readonly cost: number;
  /** Actual raw tokens (input + output), for tpm. */
  readonly tokens: number;
}

/** A key revoked by the gateway itself (anomaly detection); shared by every replica, never expires. */
export interface StoredRevocation {
  /** Short machine-readable reason, e.g. `anomaly`. */
  readonly reason: string;
  /** RFC 3339, the first revocation's time (later ones do not overwrite it). */
  readonly at: string;
}

export interface Store {
  readonly kind: 'memory' | 'redis';
  /** Check every control and, only if all admit, apply them all: one atomic step, one round trip. */
  reserve(req: ReserveRequest): Promise<ReserveResult>;
  /** Replace the reserved estimate by the actual usage and release the concurrency slot. Idempotent per reservation. */
  settle(res: Reservation, actual: Actual): Promise<void>;
  ping(): Promise<boolean>;
  /** Adds the key id to the shared revocation set; false when it was already there (the first record stays). */
  revoke(keyId: string, reason: string): Promise<boolean>;
  /** The whole revocation set (key id -> record). */
  revocations(): Promise<Map<string, StoredRevocation>>;
  /** An operator lifted a revocation: removed from the set and remembered, so replicas do not re-seed it. */
  unrevoke(keyId: string): Promise<boolean>;
  /** Key ids whose revocation an operator lifted. */
  liftedRevocations(): Promise<Set<string>>;
  /** Whether the store still holds the state it had (Redis: the store generation; memory: always ok). */
  health(): StoreHealth;
  close(): Promise<void>;
  /** Inspection (tests, debugging): spend recorded in the current window of a budget line. */
  spent(tenant: string, unit: BudgetUnit, windowSeconds: number): Promise<number>;
  /** Inspection: concurrency slots held now. */
  inflight(tenant: string): Promise<number>;
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
