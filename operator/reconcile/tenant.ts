// LLMTenant: keys issued into a Secret in its namespace, a NetworkPolicy to the gateway, status.
import { leaseRevokedKeys, type PublishedRevocation } from '../../api/delivery.ts';
import type { LLMTenantStatus } from '../../api/v1alpha1/index.ts';
import { LLMTenant } from '../../api/v1alpha1/index.ts';
import type { TenantOutcome } from '../compiler/index.ts';
import { generateKey } from '../../api/keys.ts';
import { keySecretName } from '../compiler/keys.ts';
import { tenantKeySecret } from '../compiler/secrets.ts';
import { tenantNetworkPolicy } from '../compiler/tenant.ts';
import { planKeySecret } from '../keys-plan.ts';
import { decideKeySecretWrite } from '../key-secret-scope.ts';
import { conditionWarning } from '../event-levels.ts';
import { R } from '../../kube/resources.ts';
import { STATUS_DIGEST, digestsOf } from '../transforms.ts';
import type { KObject } from '../../kube/object.ts';
import { tenantStatus } from '../status/tenant.ts';
import type { ReconcileResult } from '../runtime/queue.ts';
import { ensure, readyTransition, recordEvent, writeStatus, type ReconcileContext } from './context.ts';
import { planRevokedKeys } from '../status/revocations.ts';
import { planEnforcedStatus } from '../status/enforcement.ts';

export async function reconcileTenant(
  ctx: ReconcileContext,
  namespace: string,
  name: string,
): Promise<ReconcileResult | void> {
  const obj = ctx.world.tenants.get(`${namespace}/${name}`);
  if (!obj || obj.metadata.deletionTimestamp) {
    ctx.world.enforcement.forget(`${namespace}/${name}`);
    return; // key Secret goes with it; the NetworkPolicy is swept by the config reconciler
  }
  const parsed = LLMTenant.safeParse(
    (({ status: _s, [STATUS_DIGEST]: _d, ...rest }) => rest)(obj as typeof obj & { status?: unknown }),
  );
  if (!parsed.success) return;
  const tenant = parsed.data;
  const now = ctx.now();

  // 1. Keys: issue, rotate, drop, in the tenant's own namespace (only where its Secrets are watched).
  const keys = await syncKeySecret(ctx, tenant, namespace, name, now);

  // 2. Let the tenant's namespace reach the gateway (one NetworkPolicy per namespace: the first tenant there
  //    writes it), while the status is written (3.).
  const outcome = ctx.world.tenantOutcome(namespace, name, now);
  if (!outcome) return;
  // New tenants of one namespace are reconciled side by side: an identical apply in flight is made once
  // (inflight.ts), and what the API server answers is cached at once, so the next one finds it up to date.
  const np = tenantNetworkPolicy(namespace, ctx.world.options);
  const npKey = `${ctx.gatewayNamespace}/${np.metadata.name}`;
  const [, statusWait] = await Promise.all([
    ctx.world.inflightApplies.once(npKey, JSON.stringify(np), () =>
      ensure(ctx, np, ctx.world.networkPolicies.get(npKey), ctx.world.networkPolicies),
    ),
    writeTenantStatus(ctx, obj, tenant, outcome, now, keys.notWatched),
  ]);
  const after = Math.min(keys.requeueAfterMs ?? Infinity, statusWait ?? Infinity);
  return Number.isFinite(after) ? { requeueAfterMs: after } : undefined;
}

function isReady(status: { conditions?: { type: string; status: string }[] } | undefined): boolean {
  return status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

type KeySecretData = { data: Record<string, string>; annotations: Record<string, string> };

/** The key Secret as the API server has it (decoded), or undefined. */
async function liveKeySecret(
  ctx: ReconcileContext,
  namespace: string,
  name: string,
): Promise<KeySecretData | undefined> {
  const live = await ctx.client.get<KObject & { data?: Record<string, string> }>(R.Secret, namespace, name);
  if (!live) return undefined;
  return {
    data: Object.fromEntries(
      Object.entries(live.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    ),
    annotations: live.metadata.annotations ?? {},
  };
}

/**
 * Issue, rotate and drop the tenant's keys. Outside the watched namespaces nothing is read or written (the
 * status says why); inside, a change is planned on the live Secret, so an existing key is never replaced unseen.
 */
async function syncKeySecret(
  ctx: ReconcileContext,
  tenant: LLMTenant,
  namespace: string,
  name: string,
  now: Date,
): Promise<{ requeueAfterMs?: number; notWatched?: { reason: string; message: string } }> {
  const secretName = keySecretName(tenant);
  const cached = ctx.world.managedSecrets.get(`${namespace}/${secretName}`);
  // The cache holds digests, not keys: plan on them (a key's digest stands in for its value), and read the
  // Secret itself only when that plan changes it (to carry existing keys over: rotation, or a cache behind).
  const digests = digestsOf(cached) ?? {};
  const fromCache = cached
    ? {
        data: Object.fromEntries(Object.entries(digests).map(([k, d]) => [k, `sha256:${d.sha256}`])),
        annotations: cached.metadata.annotations ?? {},
      }
    : undefined;
  let plan = planKeySecret(tenant, fromCache, now, generateKey);
  const decision = decideKeySecretWrite({
    namespace,
    secretNamespaces: ctx.world.secretNamespaces,
    gatewayNamespace: ctx.gatewayNamespace,
    changed: plan.changed,
  });
  if ('notWatched' in decision) {
    ctx.log('tenant keys cannot be issued: its namespace is not watched', {
      level: 'warn',
      tenant: `${namespace}/${name}`,
      flag: '--secret-namespaces',
    });
    return { notWatched: decision.notWatched };
  }
  if (decision.write === 'none')
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
  // Plan on the live Secret: it carries over keys the cache does not show (a watch behind, no managed-by label).
  const live = await liveKeySecret(ctx, namespace, secretName);
  plan = planKeySecret(tenant, live, now, generateKey);
  // An existing Secret the cache does not show is applied as it is (labels, owner), so the cache sees it next.
  const written =
    plan.changed || (live !== undefined && cached === undefined)
      ? await ctx.client.apply<KObject>(
          R.Secret,
          tenantKeySecret(tenant, plan.next.data, plan.next.annotations) as KObject,
        )
      : undefined;
  if (written) {
    ctx.log('tenant keys updated', {
      tenant: `${namespace}/${name}`,
      issued: plan.issued,
      rotated: plan.rotated,
      dropped: plan.dropped,
    });
    // What the API server stored goes into the cache now (as digests), so this reconcile goes on with it instead
    // of waiting for the watch: a plan made on a cache that missed it would issue the keys again. Should an older
    // event of this Secret still arrive, the next plan differs from the cache and reads the live Secret first.
    // Cached as its own write ('self'): it does not queue this tenant again (operator/routing.ts).
    ctx.world.managedSecrets.ingest('MODIFIED', written, 'self');
  }
  return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
}

async function writeTenantStatus(
  ctx: ReconcileContext,
  obj: KObject,
  tenant: LLMTenant,
  outcome: TenantOutcome,
  now: Date,
  keysUnavailable?: { reason: string; message: string },
): Promise<number | undefined> {
  const namespace = obj.metadata.namespace ?? 'default';
  const name = obj.metadata.name;

  // 3. Status, including keys the gateway revoked (anomaly detection, `tollgate keys revoke`), kept sticky in
  //    status.revokedKeys (issue #13/#15: compiled into the gateway config, so they survive a Redis wipe).
  const before = (obj as { status?: LLMTenantStatus }).status;
  const published = gatewayPublished(ctx, now);
  const rk = planRevokedKeys(
    `${namespace}/${name}`,
    before?.revokedKeys,
    published,
    obj.metadata.annotations,
    outcome.keys,
    now,
  );
  const revokedByGateway = gatewayRevocations(ctx, now);
  const build = (notEnforced?: string) =>
    tenantStatus(outcome, before, ctx.gatewayUrl, now, revokedByGateway, rk.next, keysUnavailable, notEnforced);
  let status = build();
  // 4. Ready only once the gateway replicas accept every usable key (status/enforcement.ts).
  const id = `${namespace}/${name}`;
  const ledger = ctx.world.enforcement;
  if (isReady(status)) {
    const usable = (status.keys ?? []).flatMap((k) =>
      (k.state === 'Active' || k.state === 'Grace') && k.fingerprint ? [k.fingerprint] : [],
    );
    // Ready already reported for this spec: its keys must be served. Becoming Ready (new, a lifted suspension, a
    // changed spec): the gateway must hold the tenant's entry as it is now.
    const steady = isReady(before) && before?.observedGeneration === obj.metadata.generation;
    const version = steady ? undefined : ctx.world.pieceVersion(id);
    const e = ledger.check(id, usable, version);
    const plan =
      e.state === 'enforced'
        ? ({ kind: 'as-built' } as const)
        : planEnforcedStatus(e, {
            steady,
            wasReady: isReady(before),
            hadStatus: before !== undefined,
            waitingSince: ledger.wait(id, usable, now.getTime(), version),
            now: now.getTime(),
          });
    // No timer per tenant (10,000 of them would each reconcile again after the wait, enforced or not): the
    // replicas reconciler wakes up at the first deadline and queues the tenants still waiting then.
    if (plan.kind === 'wait') {
      ctx.enqueue?.('replicas', plan.requeueAfterMs);
      return undefined;
    }
    if (plan.kind === 'not-enforced') status = build(plan.message);
    else ledger.settle(id);
  } else ledger.settle(id);
  if (await writeStatus(ctx, obj, status)) {
    await readyTransition(ctx, obj, before, status);
    const notWatched = keysUnavailable
      ? conditionWarning(before?.conditions, status.conditions, 'KeysIssued', keysUnavailable.reason)
      : undefined;
    if (notWatched) await recordEvent(ctx, obj, 'Warning', notWatched.reason, notWatched.message);
    // the documented hook for the key owner (spec.contact) and Alertmanager: Event reason KeyRevoked /
    // KeyRevocationLifted, and tollgate_operator_key_revocations_total{event}
    const contact = tenant.spec.contact ? ` Contact: ${tenant.spec.contact}.` : '';
    for (const r of rk.added) {
      ctx.metrics.keyRevocations?.inc({
        event: 'revoked',
        by: r.by === 'gateway' || r.by === 'annotation' ? r.by : 'other',
      });
      await recordEvent(
        ctx,
        obj,
        'Warning',
        'KeyRevoked',
        `Key ${r.key ?? '(unknown)'} (material ${r.fingerprint}) revoked by ${r.by}: ${r.reason}, at ${r.at}. Calls with it fail with revoked_api_key; issue a new key by raising spec.keys[].rotation.${contact}`,
      );
    }
    for (const r of rk.lifted) {
      ctx.metrics.keyRevocations?.inc({ event: 'lifted', by: 'annotation' });
      await recordEvent(
        ctx,
        obj,
        'Normal',
        'KeyRevocationLifted',
        `The revocation of key ${r.key ?? '(unknown)'} (material ${r.fingerprint}) is lifted.${contact}`,
      );
    }
  }
  return undefined;
}

/** Keys the gateway replicas revoked on their own (anomaly detection), from their live Leases. */
export function gatewayRevocations(ctx: ReconcileContext, now: Date): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of gatewayPublished(ctx, now)) out.set(r.id, `revoked by the gateway (${r.reason}) at ${r.at}`);
  return out;
}

/** Every revocation the live gateway replicas publish (material sha256, or a key id before #13). */
export function gatewayPublished(ctx: ReconcileContext, now: Date): { id: string; reason: string; at: string }[] {
  const out: { id: string; reason: string; at: string }[] = [];
  for (const l of ctx.world.gatewayLeases.list() as (KObject & {
    spec?: { renewTime?: string; leaseDurationSeconds?: number };
  })[]) {
    const renewed = Date.parse(l.spec?.renewTime ?? '');
    if (!Number.isFinite(renewed) || renewed + (l.spec?.leaseDurationSeconds ?? 30) * 1000 < now.getTime()) continue;
    out.push(...revokedOn(l));
  }
  return out;
}

export function revokedOn(lease: KObject): PublishedRevocation[] {
  return leaseRevokedKeys(lease.metadata.annotations);
}
