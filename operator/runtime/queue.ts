// A keyed work queue with client-go semantics: a key is queued at most once (dedupe); a key being
// processed is never handed to a second worker (if it is added meanwhile it is marked dirty and
// re-queued when the first finishes); failures back off exponentially per key; requeue-after; and, like
// controller-runtime's MaxConcurrentReconciles per controller, a cap on the workers one kind of key may hold at once
// (slow model reconciles must not take every worker while thousands of new tenants wait).
import { backoffDelay, type BackoffOptions } from '../../kube/backoff.ts';

/** Longest delay a key is parked for (re-checked after it). */
export const MAX_DELAY_MS = 60 * 60_000;

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface QueueMetrics {
  depth(n: number): void;
  reconciled(key: string, outcome: 'success' | 'error', seconds: number): void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: (() => void)[] = [];
  private stopped = false;
  private readonly backoff: BackoffOptions;
  private readonly metrics: QueueMetrics | undefined;
  private readonly priority: (key: string) => boolean;
  private readonly groupOf: (key: string) => string;
  private readonly maxInFlight: ReadonlyMap<string, number>;
  /** workers each capped group holds now */
  private readonly groupInFlight = new Map<string, number>();
  /** keys of a group at its cap, taken off the queue in order; one goes back to the front when a slot frees */
  private readonly parked = new Map<string, string[]>();
  private parkedCount = 0;

  /**
   * `priority`: keys that go to the front of the queue (aggregates such as the gateway config must not wait behind
   * 10,000 tenants). `maxInFlight`: per group (`groupOf(key)`, by default the key's first path segment) the most
   * workers its keys may hold at once; groups not named are bounded only by the number of workers.
   */
  constructor(
    opts: {
      backoff?: BackoffOptions;
      metrics?: QueueMetrics;
      priority?: (key: string) => boolean;
      groupOf?: (key: string) => string;
      maxInFlight?: Readonly<Record<string, number>>;
    } = {},
  ) {
    this.backoff = opts.backoff ?? { baseMs: 200, maxMs: 60_000 };
    this.metrics = opts.metrics;
    this.priority = opts.priority ?? (() => false);
    this.groupOf = opts.groupOf ?? ((key) => key.split('/', 1)[0] ?? key);
    this.maxInFlight = new Map(Object.entries(opts.maxInFlight ?? {}));
    for (const [g, n] of this.maxInFlight)
      if (!Number.isInteger(n) || n < 1) throw new Error(`WorkQueue: maxInFlight.${g} must be a positive integer`);
  }

  /** Keys waiting (parked ones included). */
  get length(): number {
    return this.queue.length + this.parkedCount;
  }
  get inFlight(): number {
    return this.processing.size;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    if (this.priority(key)) this.queue.unshift(key);
    else this.queue.push(key);
    this.metrics?.depth(this.length);
    this.waiters.shift()?.();
  }

  /** Add after a delay; an earlier pending timer for the key wins over a later one. */
  addAfter(key: string, requestedMs: number): void {
    if (this.stopped) return;
    // Far-future wake-ups (a key expiring in months) are capped: the periodic resync covers them, and
    // setTimeout overflows above 2^31-1 ms into an immediate, looping timer.
    const ms = Math.min(requestedMs, MAX_DELAY_MS);
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const existing = this.timers.get(key) as (NodeJS.Timeout & { _due?: number }) | undefined;
    const due = Date.now() + ms;
    if (existing && (existing._due ?? 0) <= due) return;
    if (existing) clearTimeout(existing);
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms) as NodeJS.Timeout & { _due?: number };
    t._due = due;
    t.unref();
    this.timers.set(key, t);
  }

  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = backoffDelay(n, this.backoff);
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  private async next(): Promise<string | undefined> {
    for (;;) {
      while (!this.stopped && this.queue.length === 0) await new Promise<void>((r) => this.waiters.push(r));
      if (this.stopped) return undefined;
      const key = this.queue.shift() as string;
      const group = this.groupOf(key);
      const max = this.maxInFlight.get(group);
      if (max !== undefined) {
        const n = this.groupInFlight.get(group) ?? 0;
        if (n >= max) {
          // its group is at its cap: set aside, in order, until one of the group's keys is done
          const p = this.parked.get(group);
          if (p) p.push(key);
          else this.parked.set(group, [key]);
          this.parkedCount++;
          continue;
        }
        this.groupInFlight.set(group, n + 1);
      }
      this.queued.delete(key);
      this.processing.add(key);
      this.metrics?.depth(this.length);
      return key;
    }
  }

  private done(key: string): void {
    this.processing.delete(key);
    const group = this.groupOf(key);
    if (this.maxInFlight.has(group)) {
      this.groupInFlight.set(group, (this.groupInFlight.get(group) ?? 1) - 1);
      const p = this.parked.get(group);
      const back = p?.shift();
      if (back !== undefined) {
        if (p?.length === 0) this.parked.delete(group);
        this.parkedCount--;
        // it waited longest of what is queued now (but behind priority keys): to the front
        let at = 0;
        while (at < this.queue.length && this.priority(this.queue[at] as string)) at++;
        this.queue.splice(at, 0, back);
        this.waiters.shift()?.();
      }
    }
    if (this.dirty.delete(key)) this.add(key);
  }

  /** Run `workers` loops until stop(); resolves when they have all finished their current item. */
  async run(reconcile: Reconcile, workers: number, onError?: (key: string, err: unknown) => void): Promise<void> {
    const loop = async () => {
      for (;;) {
        const key = await this.next();
        if (key === undefined) return;
        const start = performance.now();
        try {
          const result = await reconcile(key);
          this.forget(key);
          this.metrics?.reconciled(key, 'success', (performance.now() - start) / 1000);
          if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
        } catch (err) {
          this.metrics?.reconciled(key, 'error', (performance.now() - start) / 1000);
          onError?.(key, err);
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, loop));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
  }
}
