// Gateway replica bookkeeping, apart from the config publisher: which replicas enforce the published
// hash (a metric and an annotation on the index Secret, written only when the summary changes), and
// collection of the Leases of replicas that are gone (every pod name leaves one behind otherwise).
import { ANN_REPLICAS, CONFIG_INDEX_NAME, configHashOf, leaseExpiresAt } from '../../api/delivery.ts';
import type { KObject } from '../../kube/object.ts';
import { R, pathFor } from '../../kube/resources.ts';
import type { ReconcileResult } from '../runtime/queue.ts';
import type { ReconcileContext } from './context.ts';
/** A replica Lease not renewed for this long after it expired belongs to a pod that is gone. */
export const LEASE_GC_AFTER_MS = 5 * 60_000;

export interface ReplicaView {
  name: string;
  /** ms since epoch when the Lease expires (NaN: never renewed). */
  expiresAt: number;
  hash: string;
}

export interface ReplicaPlan {
  current: number;
  stale: number;
  summary: string;
  /** Leases to delete (expired more than LEASE_GC_AFTER_MS ago). */
  collect: string[];
  /** When something changes by the clock alone (a Lease expires or becomes collectable), ms from now. */
  nextInMs?: number;
}

/** Pure: what the replicas' Leases say, at `now`. */
export function planReplicas(
  leases: readonly ReplicaView[],
  hash: string | undefined,
  now: number,
  gcAfterMs = LEASE_GC_AFTER_MS,
): ReplicaPlan {
  let current = 0;
  let stale = 0;
  const collect: string[] = [];
  let next = Infinity;
  for (const l of leases) {
    if (!Number.isFinite(l.expiresAt) || l.expiresAt + gcAfterMs <= now) {
      collect.push(l.name);
      continue;
    }
    if (l.expiresAt <= now) {
      next = Math.min(next, l.expiresAt + gcAfterMs - now);
      continue;
    }
    next = Math.min(next, l.expiresAt - now);
    if (hash !== undefined && l.hash === hash) current++;
    else stale++;
  }
  const summary = `${current}/${current + stale} replicas on ${(hash ?? '').slice(7, 19)}`;
  return {
    current,
    stale,
    summary,
    collect: collect.sort(),
    ...(Number.isFinite(next) ? { nextInMs: Math.ceil(next) + 100 } : {}),
  };
}

/** The hash each live replica (Lease not expired) enforces. */
export function liveHashes(leases: readonly ReplicaView[], now: number): string[] {
  return leases.filter((l) => Number.isFinite(l.expiresAt) && l.expiresAt > now).map((l) => l.hash);
}

/** A replica's Lease as the contract (api/delivery.ts) reads it: a malformed one never counts as current. */
export function replicaView(l: KObject): ReplicaView {
  return { name: l.metadata.name, expiresAt: leaseExpiresAt(l['spec']), hash: configHashOf(l.metadata.annotations) };
}

export async function reconcileReplicas(ctx: ReconcileContext): Promise<ReconcileResult | void> {
  const ns = ctx.gatewayNamespace;
  const index = ctx.world.managedSecrets.get(`${ns}/${CONFIG_INDEX_NAME}`);
  const hash = configHashOf(index?.metadata.annotations) || undefined;
  const now = ctx.now().getTime();
  const views = [...ctx.world.gatewayLeases.values()].map(replicaView);
  const plan = planReplicas(views, hash, now);
  // tenants whose Ready waits for the gateway to load their keys (status/enforcement.ts)
  const ledger = ctx.world.enforcement;
  for (const id of ledger.observeReplicas(liveHashes(views, now))) ctx.enqueue?.(`tenant/${id}`);
  // tenants that waited ENFORCEMENT_WAIT_MS in vain: their status now says why
  for (const id of ledger.overdue(now)) ctx.enqueue?.(`tenant/${id}`);
  const deadline = ledger.nextDeadline();
  ctx.metrics.gatewayReplicas.set({ state: 'current' }, plan.current);
  ctx.metrics.gatewayReplicas.set({ state: 'stale' }, plan.stale);
  for (const name of plan.collect) {
    if (await ctx.client.delete(R.Lease, ns, name))
      ctx.log('collected the Lease of a gone gateway replica', { lease: name });
  }
  if (index && index.metadata.annotations?.[ANN_REPLICAS] !== plan.summary) {
    // A merge patch of one annotation: the publisher's server-side apply does not own it, so neither removes the other's.
    await ctx.client.request('PATCH', pathFor(R.Secret, ns, CONFIG_INDEX_NAME), {
      query: { fieldManager: 'tollgate-operator-replicas' },
      body: { metadata: { annotations: { [ANN_REPLICAS]: plan.summary } } },
      contentType: 'application/merge-patch+json',
      verb: 'patch',
      resource: 'secrets',
    });
  }
  const next = Math.min(plan.nextInMs ?? Infinity, deadline - now);
  return Number.isFinite(next) ? { requeueAfterMs: Math.max(1, Math.ceil(next)) } : undefined;
}
