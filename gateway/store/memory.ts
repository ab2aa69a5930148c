// In-memory store: the embedded default for a single replica. Same semantics as the Redis store (fixed
// windows aligned to the epoch, leases for concurrency); a synchronous check-then-apply inside one
// JavaScript turn is atomic by construction.
import {
  EPSILON,
  MAX_REVOCATION_AUDIT,
  scopeSuffix,
  type RevocationAudit,
  windowStart,
  type Actual,
  type ReserveScope,
  type ScopeRef,
  type BudgetUnit,
  type Reservation,
  type ReserveRequest,
  type ReserveResult,
  type Store,
  type StoredRevocation,
  type StoreHealth,
} from './types.ts';

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
  readonly #audit: RevocationAudit[] = [];
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
    const levels = levelsOf(req);
    const minute = windowStart(now, 60);
    // phase 1: every control of every level must admit
    const budgetWs: number[][] = [];
    for (const lv of levels) {
      const p = lv.prefix;
      const wss: number[] = [];
      budgetWs.push(wss);
      const scope = lv.ref ? { scope: lv.ref } : {};
      const budgets = lv.c.budgets ?? [];
      for (let i = 0; i < budgets.length; i++) {
        const b = budgets[i]!;
        const ws = windowStart(now, b.windowSeconds);
        wss.push(ws);
        if (this.#get(budgetKey(p, b.unit, b.windowSeconds, ws)) + b.amount > b.limit + EPSILON) {
          return {
            ok: false,
            reason: 'budget',
            retryAfterSeconds: Math.max(1, ws + b.windowSeconds - now),
            budgetIndex: i,
            ...scope,
          };
        }
      }
      if (lv.c.rpm !== undefined && this.#get(`${p}|rpm|${minute}`) + 1 > lv.c.rpm) {
        return { ok: false, reason: 'rpm', retryAfterSeconds: Math.max(1, minute + 60 - now), ...scope };
      }
      if (lv.c.tpm !== undefined && this.#get(`${p}|tpm|${minute}`) + lv.c.tpm.amount > lv.c.tpm.limit + EPSILON) {
        return { ok: false, reason: 'tpm', retryAfterSeconds: Math.max(1, minute + 60 - now), ...scope };
      }
      if (lv.c.concurrency !== undefined && (this.#liveSlots(p, nowMs)?.size ?? 0) >= lv.c.concurrency.limit) {
        return { ok: false, reason: 'concurrency', retryAfterSeconds: 1, ...scope };
      }
    }
    // phase 2: apply them all
    const applied = levels.map((lv, li) => {
      const p = lv.prefix;
      const budgets = (lv.c.budgets ?? []).map((b, i) => {
        const ws = budgetWs[li]![i]!;
        this.#add(budgetKey(p, b.unit, b.windowSeconds, ws), b.amount, ws + b.windowSeconds + GRACE_SECONDS);
        return { unit: b.unit, windowSeconds: b.windowSeconds, windowStart: ws, amount: b.amount };
      });
      if (lv.c.rpm !== undefined) this.#add(`${p}|rpm|${minute}`, 1, minute + 120);
      if (lv.c.tpm !== undefined) this.#add(`${p}|tpm|${minute}`, lv.c.tpm.amount, minute + 120);
      if (lv.c.concurrency !== undefined) {
        let slots = this.#slots.get(p);
        if (!slots) this.#slots.set(p, (slots = new Map()));
        slots.set(req.id, nowMs + lv.c.concurrency.leaseMs);
      }
      return {
        budgets,
        tpm: lv.c.tpm === undefined ? undefined : { windowStart: minute, amount: lv.c.tpm.amount },
        concurrency: lv.c.concurrency !== undefined,
      };
    });
    const [own, ...rest] = applied;
    const reservation: Reservation = {
      id: req.id,
      tenant: t,
      budgets: own!.budgets,
      tpm: own!.tpm,
      concurrency: own!.concurrency,
      ...(req.scopes && req.scopes.length > 0
        ? { scopes: req.scopes.map((sc, i) => ({ level: sc.level, name: sc.name, ...rest[i]! })) }
        : {}),
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
    const parts: { prefix: string; budgets: Reservation['budgets']; tpm: Reservation['tpm']; concurrency: boolean }[] =
      [
        { prefix: res.tenant, budgets: res.budgets, tpm: res.tpm, concurrency: res.concurrency },
        ...(res.scopes ?? []).map((sc) => ({
          prefix: scopePrefix(res.tenant, sc),
          budgets: sc.budgets,
          tpm: sc.tpm,
          concurrency: sc.concurrency,
        })),
      ];
    for (const part of parts) {
      for (const b of part.budgets) {
        const c = this.#counters.get(budgetKey(part.prefix, b.unit, b.windowSeconds, b.windowStart));
        if (c) c.used = Math.max(0, c.used + actual.cost - b.amount);
      }
      if (part.tpm) {
        const c = this.#counters.get(`${part.prefix}|tpm|${part.tpm.windowStart}`);
        if (c) c.used = Math.max(0, c.used + actual.tokens - part.tpm.amount);
      }
      if (part.concurrency) {
        const slots = this.#slots.get(part.prefix);
        slots?.delete(res.id);
        if (slots?.size === 0) this.#slots.delete(part.prefix);
      }
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

  spent(tenant: string, unit: BudgetUnit, windowSeconds: number, scope?: ScopeRef): Promise<number> {
    const now = Math.floor(this.#now() / 1000);
    const p = scope ? scopePrefix(tenant, scope) : tenant;
    return Promise.resolve(this.#get(budgetKey(p, unit, windowSeconds, windowStart(now, windowSeconds))));
  }

  inflight(tenant: string, scope?: ScopeRef): Promise<number> {
    return Promise.resolve(this.#liveSlots(scope ? scopePrefix(tenant, scope) : tenant, this.#now())?.size ?? 0);
  }

  async revoke(
    keyId: string,
    reason: string,
    extra: { keyId?: string | undefined; by?: string | undefined } = {},
  ): Promise<boolean> {
    if (this.#revoked.has(keyId)) return false;
    this.#lifted.delete(keyId);
    const at = new Date(this.#now()).toISOString();
    this.#revoked.set(keyId, {
      reason,
      at,
      ...(extra.keyId ? { keyId: extra.keyId } : {}),
      ...(extra.by ? { by: extra.by } : {}),
    });
    this.#note({ action: 'revoke', target: keyId, keyId: extra.keyId, reason, by: extra.by, at });
    return true;
  }

  #note(e: RevocationAudit): void {
    this.#audit.unshift(e);
    if (this.#audit.length > MAX_REVOCATION_AUDIT) this.#audit.pop();
  }

  /** The revocation audit trail, newest first. */
  async auditTrail(limit = 100): Promise<RevocationAudit[]> {
    return this.#audit.slice(0, limit);
  }

  async revocations(): Promise<Map<string, StoredRevocation>> {
    return new Map(this.#revoked);
  }

  async unrevoke(keyId: string, by?: string): Promise<boolean> {
    this.#lifted.add(keyId);
    this.#note({ action: 'unrevoke', target: keyId, by, at: new Date(this.#now()).toISOString() });
    return this.#revoked.delete(keyId);
  }

  async liftedRevocations(): Promise<Set<string>> {
    return new Set(this.#lifted);
  }

  health(): StoreHealth {
    return { state: 'ok' };
  }
}

interface Level {
  readonly prefix: string;
  readonly ref: ScopeRef | undefined;
  readonly c: Pick<ReserveScope, 'budgets' | 'rpm' | 'tpm' | 'concurrency'>;
}

function levelsOf(req: ReserveRequest): Level[] {
  return [
    { prefix: req.tenant, ref: undefined, c: req },
    ...(req.scopes ?? []).map((sc) => ({
      prefix: scopePrefix(req.tenant, sc),
      ref: { level: sc.level, name: sc.name },
      c: sc,
    })),
  ];
}

/** Counters of a scope: under the tenant (key, tenantModel) or shared by every tenant (model). Tenant ids never hold `*`. */
function scopePrefix(tenant: string, s: ScopeRef): string {
  return s.level === 'model' ? `*|${scopeSuffix(s)}` : `${tenant}|${scopeSuffix(s)}`;
}

function budgetKey(tenant: string, unit: BudgetUnit, windowSeconds: number, ws: number): string {
  return `${tenant}|b|${unit}|${windowSeconds}|${ws}`;
}
