// What every reconciler gets: the client, the world, options and the status/apply helpers.
import type { KubeClient } from '../../kube/client.ts';
import type { EventOrigin } from '../../kube/informer.ts';
import { microTime, type KObject } from '../../kube/object.ts';
import { resourceFor } from '../../kube/resources.ts';
import { SPEC_DIGEST, STATUS_DIGEST, statusDigest } from '../transforms.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { isSubset, jsonEqual } from '../status/conditions.ts';
import type { World } from '../world.ts';
import { readyEventType } from '../event-levels.ts';

export interface ReconcileContext {
  client: KubeClient;
  world: World;
  gatewayNamespace: string;
  gatewayUrl: string;
  identity: string;
  metrics: OperatorMetrics;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  now: () => Date;
  /**
   * Queue a key (e.g. `tenant/<ns>/<name>`) for reconciling, after `afterMs` if given (an earlier pending one
   * wins); absent in tests that reconcile by hand.
   */
  enqueue?: (key: string, afterMs?: number) => void;
}

interface Applicable {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/**
 * Apply `desired` with server-side apply unless the cached object already holds every field we own
 * (so a converged system makes no write requests). Hand edits to owned fields are reverted.
 * With `cache`, what the API server answered goes into it at once as this process's own write.
 */
export async function ensure(
  ctx: ReconcileContext,
  desired: Applicable,
  cached: KObject | undefined,
  cache?: { ingest(type: 'MODIFIED', obj: KObject, origin: EventOrigin): void },
): Promise<boolean> {
  if (cached && upToDate(desired, cached)) return false;
  const r = resourceFor(desired.apiVersion ?? '', desired.kind ?? '');
  const written = await ctx.client.apply<KObject>(r, desired as KObject);
  ctx.metrics.applies.inc({ kind: desired.kind ?? '' });
  cache?.ingest('MODIFIED', written, 'self');
  return true;
}

/** Every field we own is in the cached object (a cached spec reduced to a digest is compared by digest). */
export function upToDate(desired: Applicable, cached: KObject): boolean {
  const digest = cached[SPEC_DIGEST];
  if (typeof digest !== 'string') return isSubset(desired, cached);
  const { spec, ...rest } = desired as Applicable & { spec?: unknown };
  return isSubset(rest, cached) && statusDigest(JSON.parse(JSON.stringify(spec ?? {}))) === digest;
}

/** Write status through the status subresource, only if it changed. */
export async function writeStatus(ctx: ReconcileContext, obj: KObject, status: unknown): Promise<boolean> {
  const current = (obj as { status?: unknown }).status;
  const plain: unknown = JSON.parse(JSON.stringify(status));
  const digest = obj[STATUS_DIGEST];
  // A cached status reduced to its digest (kube/transforms.ts) is compared by digest.
  if (typeof digest === 'string' ? digest === statusDigest(plain) : jsonEqual(plain, current ?? {})) return false;
  const r = resourceFor(obj.apiVersion, obj.kind);
  await ctx.client.apply(
    r,
    {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) },
      status,
    },
    { subresource: 'status' },
  );
  ctx.metrics.statusWrites.inc({ kind: obj.kind });
  return true;
}

/** A Kubernetes Event (events.k8s.io/v1) for a condition transition. */
export async function recordEvent(
  ctx: ReconcileContext,
  obj: KObject,
  type: 'Normal' | 'Warning',
  reason: string,
  note: string,
): Promise<void> {
  const now = ctx.now();
  const ns = obj.metadata.namespace ?? 'default';
  try {
    await ctx.client.create(resourceFor('events.k8s.io/v1', 'Event'), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {
        name: `${obj.metadata.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
        namespace: ns,
      },
      eventTime: microTime(now),
      reportingController: 'tollgate.dev/operator',
      reportingInstance: ctx.identity.slice(0, 128),
      action: 'Reconcile',
      reason,
      note: note.slice(0, 1024),
      type,
      regarding: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
      },
    });
  } catch (err) {
    ctx.log('could not record event', { reason, err: err instanceof Error ? err.message : String(err) });
  }
}

/** Record an Event when the Ready condition changes status or reason (not for a first Ready=True). */
export async function readyTransition(
  ctx: ReconcileContext,
  obj: KObject,
  before: unknown,
  after: { conditions?: { type: string; status: string; reason: string; message: string }[] },
): Promise<void> {
  const prev = (
    before as { conditions?: { type: string; status: string; reason: string }[] } | undefined
  )?.conditions?.find((c) => c.type === 'Ready');
  const next = after.conditions?.find((c) => c.type === 'Ready');
  if (!next || (prev && prev.status === next.status && prev.reason === next.reason)) return;
  // Waiting for the gateway to load a tenant's keys is progress the condition shows: while 10,000 tenants
  // converge, an Event into and out of it for each would be 20,000 Events.
  if (prev?.reason === 'KeysNotEnforced' || next.reason === 'KeysNotEnforced') return;
  // An object that becomes Ready on its first reconcile is not news (10k new tenants would be 10k Events).
  if (!prev && next.status === 'True') return;
  await recordEvent(ctx, obj, readyEventType(next), next.reason, next.message);
}
