// Concurrency of the judge models (a policy's input or output judge: a classifier every tenant of the policy
// shares). Per judge model and gateway replica, at most `perModel` calls are in flight, and one tenant holds at
// most `perTenant` of them:
// - a tenant at its share waits for one of its own calls to end, up to the judge's timeout, and is then refused
//   as if the judge had answered "injection" (fail closed, whatever the policy's failMode): a tenant flooding the
//   judge must not be able to turn its own calls into unjudged ones under `failMode: open`;
// - a model at its cap answers at once with the policy's failMode (the judge is unavailable to this request,
//   as on a timeout) instead of queueing behind other tenants or piling more load onto a slow classifier.
// Requests already hold their reservation here (rpm, budget, concurrency), so the waits are bounded per tenant.
import type { Judge, JudgeResult } from '../../guardrails/judge.ts';

export interface JudgeLimits {
  readonly perModel: number;
  readonly perTenant: number;
}

/** Default in-flight judge calls per judge model per replica; a tenant's share is a quarter of it. */
export const DEFAULT_JUDGE_CONCURRENCY = 64;

export function judgeLimits(perModel = DEFAULT_JUDGE_CONCURRENCY): JudgeLimits {
  return { perModel, perTenant: Math.max(1, Math.ceil(perModel / 4)) };
}

export type SlotDecision = 'take' | 'wait' | 'model_full';

/** Whether a call may start now (pure): the tenant's share first, then the model's cap. */
export function decideSlot(modelInFlight: number, tenantInFlight: number, l: JudgeLimits): SlotDecision {
  if (tenantInFlight >= l.perTenant) return 'wait';
  if (modelInFlight >= l.perModel) return 'model_full';
  return 'take';
}

interface Waiter {
  wake(): void;
}

export class JudgeSlots {
  readonly limits: JudgeLimits;
  readonly #model = new Map<string, number>();
  readonly #tenant = new Map<string, number>();
  readonly #waiters = new Map<string, Waiter[]>();
  /** Called with the outcome of every refused call ('tenant_share' | 'model_full'). */
  readonly #onBusy: ((reason: 'tenant_share' | 'model_full') => void) | undefined;

  constructor(limits: JudgeLimits = judgeLimits(), onBusy?: (reason: 'tenant_share' | 'model_full') => void) {
    this.limits = limits;
    this.#onBusy = onBusy;
  }

  inFlight(model: string, tenant?: string): number {
    return tenant === undefined ? (this.#model.get(model) ?? 0) : (this.#tenant.get(tenantKey(model, tenant)) ?? 0);
  }

  /** `judge` behind the slots of `model` for `tenant`; `failScore` is the policy's failMode as a score. */
  wrap(judge: Judge, model: string, tenant: string, failScore: number, timeoutMs: number): Judge {
    return async (input) => {
      const got = await this.#acquire(model, tenant, timeoutMs);
      if (got !== 'take') {
        this.#onBusy?.(got === 'wait' ? 'tenant_share' : 'model_full');
        return busy(got === 'wait' ? 1 : failScore, got);
      }
      try {
        return await judge(input);
      } finally {
        this.#release(model, tenant);
      }
    };
  }

  async #acquire(model: string, tenant: string, timeoutMs: number): Promise<SlotDecision> {
    const key = tenantKey(model, tenant);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = decideSlot(this.#model.get(model) ?? 0, this.#tenant.get(key) ?? 0, this.limits);
      if (d === 'take') {
        this.#model.set(model, (this.#model.get(model) ?? 0) + 1);
        this.#tenant.set(key, (this.#tenant.get(key) ?? 0) + 1);
        return d;
      }
      const left = deadline - Date.now();
      if (d === 'model_full' || left <= 0) return d;
      if (!(await this.#wait(key, left))) return 'wait';
    }
  }

  /** Resolves true when one of the tenant's calls ended, false at the timeout. */
  #wait(key: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const queue = this.#waiters.get(key) ?? [];
      this.#waiters.set(key, queue);
      const w: Waiter = {
        wake: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const i = queue.indexOf(w);
        if (i >= 0) queue.splice(i, 1);
        if (queue.length === 0 && this.#waiters.get(key) === queue) this.#waiters.delete(key);
        resolve(false);
      }, ms);
      queue.push(w);
    });
  }

  #release(model: string, tenant: string): void {
    const key = tenantKey(model, tenant);
    decrement(this.#model, model);
    decrement(this.#tenant, key);
    const queue = this.#waiters.get(key);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.#waiters.delete(key);
    next?.wake();
  }
}

function tenantKey(model: string, tenant: string): string {
  return `${model}\u0000${tenant}`;
}

function decrement(m: Map<string, number>, k: string): void {
  const n = (m.get(k) ?? 0) - 1;
  if (n > 0) m.set(k, n);
  else m.delete(k);
}

function busy(score: number, why: SlotDecision): JudgeResult {
  return {
    score,
    ok: false,
    error:
      why === 'wait'
        ? "judge busy: this tenant's calls hold its share of the judge (refused, whatever the fail mode)"
        : 'judge busy: at its concurrency limit on this replica (the fail mode applies)',
    latencyMs: 0,
  };
}
