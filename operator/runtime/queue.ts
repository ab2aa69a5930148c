// A keyed work queue with client-go semantics: a key is queued at most once (dedupe); a key being
// processed is never handed to a second worker (if it is added meanwhile it is marked dirty and
// re-queued when the first finishes); failures back off exponentially per key; requeue-after.
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

  /** `priority`: keys that go to the front of the queue (aggregates such as the gateway config must not wait behind 10,000 tenants). */
  constructor(opts: { backoff?: BackoffOptions; metrics?: QueueMetrics; priority?: (key: string) => boolean } = {}) {
    this.backoff = opts.backoff ?? { baseMs: 200, maxMs: 60_000 };
    this.metrics = opts.metrics;
    this.priority = opts.priority ?? (() => false);
  }

  get length(): number {
    return this.queue.length;
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
    this.metrics?.depth(this.queue.length);
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
    while (!this.stopped && this.queue.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.stopped) return undefined;
    const key = this.queue.shift() as string;
    this.queued.delete(key);
    this.processing.add(key);
    this.metrics?.depth(this.queue.length);
    return key;
  }

  private done(key: string): void {
    this.processing.delete(key);
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
