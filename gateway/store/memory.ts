// In-memory store: the embedded default for a single replica. Same semantics as the Redis store (fixed
// windows aligned to the epoch, leases for concurrency); a synchronous check-then-apply inside one
// JavaScript turn is atomic by construction.
import { EPSILON, windowStart, type Actual, type BudgetUnit, type Reservation, type ReserveRequest, type ReserveResult, type Store, type StoredRevocation, type StoreHealth } from './types.ts';

/** Window counters are kept this long after their window ended, so late settlements still land. */
const GRACE_SECONDS = 3600;

interface Counter {
  used: number;
  expiresAt: number; // seconds
}

export interface MemoryStoreOptions {
  /** Clock in milliseconds (tests). */
  now?: () => number;
  sweepIntervalMs?: number;
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly #counters = new Map<string, Counter>();
  readonly #slots = new Map<string, Map<string, number>>();
  readonly #settled = new WeakSet<Reservation>();
  readonly #revoked = new Map<string, StoredRevocation>();
  readonly #lifted = new Set<string>();
  readonly #now: () => number;
  readonly #sweep: NodeJS.Timeout;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#sweep = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 30_000);
    this.#sweep.unref();
  }

  #get(key: string): number {
    return this.#counters.get(key)?.used ?? 0;
  }

  #add(key: string, delta: number, expiresAt: number): void {
    const c = this.#counters.get(key);
    if (c) {
      c.used += delta;
      if (expiresAt > c.expiresAt) c.expiresAt = expiresAt;
    } else this.#counters.set(key, { used: delta, expiresAt });
  }

  #liveSlots(tenant: string, nowMs: number): Map<string, number> | undefined {
    const slots = this.#slots.get(tenant);
    if (!slots) return undefined;
    for (const [id, exp] of slots) if (exp <= nowMs) slots.delete(id);
    if (slots.size === 0) {
      this.#slots.delete(tenant);
      return undefined;
    }
    return slots;
  }

  reserve(req: ReserveRequest): Promise<ReserveResult> {
    return Promise.resolve(this.reserveSync(req));
  }

  reserveSync(req: ReserveRequest): ReserveResult {
    const nowMs = this.#now();
    const now = Math.floor(nowMs / 1000);
    const t = req.tenant;
    // phase 1: every control must admit
    const budgetWs: number[] = [];
    for (let i = 0; i < req.budgets.length; i++) {
      const b = req.budgets[i]!;
      const ws = windowStart(now, b.windowSeconds);
      budgetWs.push(ws);
      if (this.#get(budgetKey(t, b.unit, b.windowSeconds, ws)) + b.amount > b.limit + EPSILON) {
        return { ok: false, reason: 'budget', retryAfterSeconds: Math.max(1, ws + b.windowSeconds - now), budgetIndex: i };
      }
    }
    const minute = windowStart(now, 60);
    if (req.rpm !== undefined && this.#get(`${t}|rpm|${minute}`) + 1 > req.rpm) {
      return { ok: false, reason: 'rpm', retryAfterSeconds: Math.max(1, minute + 60 - now) };
    }
    if (req.tpm !== undefined && this.#get(`${t}|tpm|${minute}`) + req.tpm.amount > req.tpm.limit + EPSILON) {
      return { ok: false, reason: 'tpm', retryAfterSeconds: Math.max(1, minute + 60 - now) };
    }
    if (req.concurrency !== undefined && (this.#liveSlots(t, nowMs)?.size ?? 0) >= req.concurrency.limit) {
      return { ok: false, reason: 'concurrency', retryAfterSeconds: 1 };
    }
    // phase 2: apply them all
    const budgets = req.budgets.map((b, i) => {
      const ws = budgetWs[i]!;
      this.#add(budgetKey(t, b.unit, b.windowSeconds, ws), b.amount, ws + b.windowSeconds + GRACE_SECONDS);
      return { unit: b.unit, windowSeconds: b.windowSeconds, windowStart: ws, amount: b.amount };
    });
    if (req.rpm !== undefined) this.#add(`${t}|rpm|${minute}`, 1, minute + 120);
    if (req.tpm !== undefined) this.#add(`${t}|tpm|${minute}`, req.tpm.amount, minute + 120);
    if (req.concurrency !== undefined) {
      let slots = this.#slots.get(t);
      if (!slots) this.#slots.set(t, (slots = new Map()));
      slots.set(req.id, nowMs + req.concurrency.leaseMs);
    }
    const reservation: Reservation = {
      id: req.id,
      tenant: t,
      budgets,
      tpm: req.tpm === undefined ? undefined : { windowStart: minute, amount: req.tpm.amount },
      concurrency: req.concurrency !== undefined,
      store: this,
    };
    return { ok: true, reservation };
  }

  settle(res: Reservation, actual: Actual): Promise<void> {
    this.settleSync(res, actual);
    return Promise.resolve();
  }

  settleSync(res: Reservation, actual: Actual): void {
    if (this.#settled.has(res)) return;
    this.#settled.add(res);
    for (const b of res.budgets) {
      const c = this.#counters.get(budgetKey(res.tenant, b.unit, b.windowSeconds, b.windowStart));
      if (c) c.used = Math.max(0, c.used + actual.cost - b.amount);
    }
    if (res.tpm) {
      const c = this.#counters.get(`${res.tenant}|tpm|${res.tpm.windowStart}`);
      if (c) c.used = Math.max(0, c.used + actual.tokens - res.tpm.amount);
    }
    if (res.concurrency) {
      const slots = this.#slots.get(res.tenant);
      slots?.delete(res.id);
      if (slots?.size === 0) this.#slots.delete(res.tenant);
    }
  }

  sweep(): void {
    const now = Math.floor(this.#now() / 1000);
    for (const [k, c] of this.#counters) if (c.expiresAt <= now) this.#counters.delete(k);
    for (const t of [...this.#slots.keys()]) this.#liveSlots(t, this.#now());
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    clearInterval(this.#sweep);
    return Promise.resolve();
  }

  spent(tenant: string, unit: BudgetUnit, windowSeconds: number): Promise<number> {
    const now = Math.floor(this.#now() / 1000);
    return Promise.resolve(this.#get(budgetKey(tenant, unit, windowSeconds, windowStart(now, windowSeconds))));
  }

  inflight(tenant: string): Promise<number> {
    return Promise.resolve(this.#liveSlots(tenant, this.#now())?.size ?? 0);
  }

  async revoke(keyId: string, reason: string): Promise<boolean> {
    if (this.#revoked.has(keyId)) return false;
    this.#lifted.delete(keyId);
    this.#revoked.set(keyId, { reason, at: new Date(this.#now()).toISOString() });
    return true;
  }

  async revocations(): Promise<Map<string, StoredRevocation>> {
    return new Map(this.#revoked);
  }

  async unrevoke(keyId: string): Promise<boolean> {
    this.#lifted.add(keyId);
    return this.#revoked.delete(keyId);
  }

  async liftedRevocations(): Promise<Set<string>> {
    return new Set(this.#lifted);
  }

  health(): StoreHealth {
    return { state: 'ok' };
  }
}

function budgetKey(tenant: string, unit: BudgetUnit, windowSeconds: number, ws: number): string {
  return `${tenant}|b|${unit}|${windowSeconds}|${ws}`;
}
