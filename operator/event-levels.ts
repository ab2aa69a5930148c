// Event types and log levels (pure): what is abnormal enough to alert on.

/** Ready reasons that are normal progress, not a problem: a rollout underway, keys the gateway is loading. */
const PROGRESS_REASONS = new Set(['Progressing', 'KeysNotEnforced']);

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

type Cond = { type: string; status: string; reason: string; message: string };

/**
 * A Warning Event for a condition that newly took `reason`, unless the Ready transition already reports that
 * reason (readyTransition records it then). For causes that Ready can hide behind another (e.g. KeysIssued
 * NamespaceNotWatched while Ready says NoPolicy).
 */
export function conditionWarning(
  before: readonly Cond[] | undefined,
  after: readonly Cond[] | undefined,
  type: string,
  reason: string,
): { reason: string; message: string } | undefined {
  const now = after?.find((c) => c.type === type);
  if (!now || now.reason !== reason) return undefined;
  if (before?.find((c) => c.type === type)?.reason === reason) return undefined;
  if (after?.find((c) => c.type === 'Ready')?.reason === reason) return undefined;
  return { reason, message: now.message };
}
