// Event types and log levels (pure): what is abnormal enough to alert on.

/** Ready reasons that are normal progress, not a problem: a rollout underway. */
const PROGRESS_REASONS = new Set(['Progressing']);

/**
 * The Event type of a Ready transition: Normal when Ready or still progressing (Kubernetes' Deployment controller
 * records a rollout as Normal too), Warning for everything that needs someone (Unschedulable, TierNotGranted, ...).
 */
export function readyEventType(ready: { status: string; reason: string }): 'Normal' | 'Warning' {
  return ready.status === 'True' || PROGRESS_REASONS.has(ready.reason) ? 'Normal' : 'Warning';
}

/** A failed reconcile is retried with backoff: warn while it may be transient, error once it keeps failing. */
export const FAILURES_BEFORE_ERROR = 5;

export function reconcileFailureLevel(failures: number): 'warn' | 'error' {
  return failures >= FAILURES_BEFORE_ERROR ? 'error' : 'warn';
}
