// The store stage: ONE atomic reservation (budgets + rpm + tpm + concurrency) before the upstream is
// called. Budgets always fail closed; rpm/tpm/concurrency may fall back to a per-replica store. A refusal
// becomes its catalog error (a budget refusal says what the request needed and what is left).
import { budgetRefusal, GatewayError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import {
  refusedBudgetLine,
  StoreStateLostError,
  StoreUnavailableError,
  type Reservation,
  type ReserveRequest,
  type ReserveResult,
  type Store,
} from '../store/types.ts';

export interface ReserveDeps {
  readonly store: Store;
  /** Per-replica limiter for rpm/tpm/concurrency when the shared store is down and mode is `local`. */
  readonly fallbackStore: Store | undefined;
  readonly metrics: Metrics;
}

async function tryReserve(deps: ReserveDeps, req: ReserveRequest): Promise<ReserveResult> {
  try {
    return await deps.store.reserve(req);
  } catch (e) {
    if (!(e instanceof StoreUnavailableError)) throw e;
    // issue #15: the store lost its state -> budget-limited tenants fail closed until restored/acknowledged
    if (e instanceof StoreStateLostError)
      throw new GatewayError('store_state_lost', undefined, { retryAfterSeconds: 30 });
    deps.metrics.storeErrors.inc({ op: 'reserve' });
    // Budgets always fail closed. Rate limits and concurrency may degrade to per-replica checks.
    if (req.budgets.length > 0 || !deps.fallbackStore)
      throw new GatewayError('store_unavailable', undefined, { retryAfterSeconds: 1 });
    deps.metrics.storeFallbacks.inc({ control: 'rate' });
    return deps.fallbackStore.reserve(req);
  }
}

export async function reserve(deps: ReserveDeps, req: ReserveRequest, nowMs: number): Promise<Reservation> {
  const result = await tryReserve(deps, req);
  if (result.ok) return result.reservation;
  const retryAfterSeconds = result.retryAfterSeconds;
  switch (result.reason) {
    case 'budget': {
      const line = refusedBudgetLine(req, result);
      if (!line) throw new GatewayError('insufficient_quota');
      // What is left, for the message (one more read, on refusals only; not part of the decision).
      const spent = await deps.store
        .spent(req.tenant, line.unit, line.windowSeconds, result.scope)
        .catch(() => undefined);
      throw budgetRefusal({
        needed: line.amount,
        unit: line.unit,
        limit: line.limit,
        windowSeconds: line.windowSeconds,
        spent,
        resetSeconds: retryAfterSeconds,
        nowMs,
      });
    }
    case 'rpm':
      throw new GatewayError('rate_limit_requests', undefined, { retryAfterSeconds });
    case 'tpm':
      throw new GatewayError('rate_limit_tokens', undefined, { retryAfterSeconds });
    case 'concurrency':
      throw new GatewayError('concurrency_limit', undefined, { retryAfterSeconds });
  }
}
