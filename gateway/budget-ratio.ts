// tollgate_budget_used_ratio{tenant,unit,window}: spend / limit of the budget windows in force, for the
// TollgateBudgetNearExhaustion alert. Cardinality is bounded by construction: only tenants that reserved
// recently are looked at (an LRU of at most `maxTracked`), only lines at or above `threshold` are
// exported, and at most `maxSeries` of them (the fullest first). Tenant ids come from the config, never
// from a request. Spend is read from the store at scrape time (the store is the truth shared by replicas).
import { Gauge, type Registry } from 'prom-client';
import type { BudgetUnit, ReserveRequest, ReserveResult, Store } from './store/types.ts';

export interface BudgetRatioOptions {
  /** Export lines at or above this ratio (default 0.5). */
  threshold?: number;
  /** At most this many series (default 100). */
  maxSeries?: number;
  /** Tenants remembered (most recent reservations; default 1000). */
  maxTracked?: number;
}

interface Line {
  unit: BudgetUnit;
  windowSeconds: number;
  limit: number;
}

export function windowLabel(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export interface RatioSample {
  tenant: string;
  unit: BudgetUnit;
  window: string;
  ratio: number;
}

/** Pure: which samples to export (threshold, then the fullest `maxSeries`). */
export function selectRatios(samples: readonly RatioSample[], threshold: number, maxSeries: number): RatioSample[] {
  return samples
    .filter((s) => Number.isFinite(s.ratio) && s.ratio >= threshold)
    .sort((a, b) => b.ratio - a.ratio || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0))
    .slice(0, maxSeries);
}

/** The store, unchanged, but remembering which tenants reserved against which budget lines. */
export function trackBudgetRatios(store: Store, registry: Registry, opts: BudgetRatioOptions = {}): Store {
  const threshold = opts.threshold ?? 0.5;
  const maxSeries = opts.maxSeries ?? 100;
  const maxTracked = opts.maxTracked ?? 1000;
  const tracked = new Map<string, Line[]>();
  new Gauge({
    name: 'tollgate_budget_used_ratio',
    labelNames: ['tenant', 'unit', 'window'],
    help: `Budget spent / limit in the current window, by tenant, unit and window; only lines at or above ${threshold}, at most ${maxSeries} (the fullest), of tenants that reserved recently.`,
    registers: [registry],
    async collect() {
      this.reset();
      const samples: RatioSample[] = [];
      for (const [tenant, lines] of tracked) {
        for (const l of lines) {
          let spent: number;
          try {
            spent = await store.spent(tenant, l.unit, l.windowSeconds);
          } catch {
            continue;
          } // store down: no sample
          samples.push({
            tenant,
            unit: l.unit,
            window: windowLabel(l.windowSeconds),
            ratio: l.limit > 0 ? spent / l.limit : spent > 0 ? 1 : 0,
          });
        }
      }
      for (const s of selectRatios(samples, threshold, maxSeries))
        this.set({ tenant: s.tenant, unit: s.unit, window: s.window }, s.ratio);
    },
  });
  const note = (req: ReserveRequest) => {
    if (req.budgets.length === 0) return;
    tracked.delete(req.tenant);
    tracked.set(
      req.tenant,
      req.budgets.map((b) => ({ unit: b.unit, windowSeconds: b.windowSeconds, limit: b.limit })),
    );
    if (tracked.size > maxTracked) tracked.delete(tracked.keys().next().value as string);
  };
  // Built once, not per property access (the hot path reads store methods on every request).
  const reserve = async (req: ReserveRequest): Promise<ReserveResult> => {
    const r = await store.reserve(req);
    note(req);
    return r;
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'reserve') return reserve;
      // the store itself as receiver: its getters read private fields (#…), which a Proxy receiver cannot
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      let f = bound.get(prop);
      if (f === undefined || (f as { orig?: unknown }).orig !== v) {
        const b = (v as (...a: unknown[]) => unknown).bind(target);
        f = Object.assign(b, { orig: v });
        bound.set(prop, f);
      }
      return f;
    },
  });
}
