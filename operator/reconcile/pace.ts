// When the config reconciler may publish again (pure). Publications closer together than
// MIN_PUBLISH_INTERVAL_MS are coalesced into one (a burst of changes is one config); while many tenants change
// (convergence, a policy edit) a large config is published at most once per PUBLISH_MS_PER_MB ms per MB of its
// last size, since each publication then rewrites most shards and every gateway reads them all.
// Churn ends when tenants have been quiet for QUIET_MS: the last tenants of a burst (the end of a convergence) are
// then published after the minimum interval instead of a whole churn interval (18 s at 10k) later.
// The reconciler asks this before it hashes the config: during convergence it is queued after every tenant
// event, and hashing a 10k-tenant config on each of those only to learn that it must wait costs a core.

export const MIN_PUBLISH_INTERVAL_MS = 300;
export const PUBLISH_MS_PER_MB = 1000;
/** More tenant entries than this changed since the last publication: churn. */
export const CHURN_TENANTS = 20;
/** No tenant entry changed for this long: the churn is over. */
export const QUIET_MS = 1000;

export interface PaceInput {
  /** ms since epoch of the last publication by this process (0: none yet) */
  lastPublishAt: number;
  /** bytes of the config last published */
  lastBytes: number;
  /** tenant entries changed since the last publication */
  changedSincePublish: number;
  /** ms since epoch when a tenant entry last changed (0: not known) */
  lastChangeAt: number;
  now: number;
}

/** ms to wait before the next publication (0: now). */
export function publishWaitMs(p: PaceInput): number {
  const churn = p.changedSincePublish > CHURN_TENANTS;
  const interval = churn
    ? Math.max(MIN_PUBLISH_INTERVAL_MS, (p.lastBytes / 1e6) * PUBLISH_MS_PER_MB)
    : MIN_PUBLISH_INTERVAL_MS;
  let due = p.lastPublishAt + interval;
  // churn that has gone quiet: publish once it has been quiet for QUIET_MS (never before the minimum interval)
  if (churn && p.lastChangeAt > 0)
    due = Math.min(due, Math.max(p.lastPublishAt + MIN_PUBLISH_INTERVAL_MS, p.lastChangeAt + QUIET_MS));
  return Math.max(0, Math.ceil(due - p.now));
}
