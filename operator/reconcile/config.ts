// The gateway config: compiled from everything, written as content-addressed Secrets in the gateway
// namespace (shards first, then the index), old shards swept; upstream credentials mirrored for the
// gateway; NetworkPolicies of deleted tenants swept; gateway replicas' config hashes surfaced.
import { canonicalJson } from '../../api/gateway-config.ts';
import { CONFIG_INDEX_NAME, LABEL_CONFIG_PART, configSecrets } from '../compiler/delivery.ts';
import { LABEL_TENANT, LABEL_TENANT_NS, MANAGED_BY, labelValue } from '../compiler/labels.ts';
import { credentialKey, upstreamSecretName } from '../compiler/model.ts';
import { secretValue } from '../compiler/keys.ts';
import type { KObject } from '../kube/object.ts';
import { R } from '../kube/resources.ts';
import type { V1Secret } from '@kubernetes/client-node';
import { jsonEqual } from '../status/conditions.ts';
import type { ReconcileResult } from '../runtime/queue.ts';
import { ensure, type ReconcileContext } from './context.ts';

export const ANN_CONFIG_HASH = 'tollgate.dev/config-hash';
export const ANN_PREVIOUS_HASH = 'tollgate.dev/previous-config-hash';
export const ANN_REPLICAS = 'tollgate.dev/gateway-replicas';
export const UPSTREAM_CREDENTIALS_SECRET = 'tollgate-upstream-credentials';

/** Publications closer together than this are coalesced into one (a burst of changes is one config). */
export const MIN_PUBLISH_INTERVAL_MS = 300;

export async function reconcileConfig(ctx: ReconcileContext): Promise<ReconcileResult | void> {
  const ns = ctx.gatewayNamespace;
  const { result } = ctx.world.compiled(ctx.now());
  const cfg = result.gatewayConfig;
  ctx.metrics.configBytes.set(Buffer.byteLength(canonicalJson(cfg)));
  const secrets = configSecrets(cfg, ns);
  ctx.metrics.configShards.set(secrets.length - 1);
  const [index, ...shards] = secrets;
  if (!index) return;
  const cachedIndex = ctx.world.managedSecrets.get(`${ns}/${CONFIG_INDEX_NAME}`);
  const currentHash = cachedIndex?.metadata.annotations?.[ANN_CONFIG_HASH];

  // 1. Upstream credentials the gateway presents to each engine (mirrored from the model namespaces).
  const creds: Record<string, string> = {};
  for (const m of result.models) {
    if (!m.serving || !m.supportsApiKey) continue;
    const ref = upstreamSecretName(m.model);
    const s = [...ctx.world.managedSecrets.list(), ...ctx.world.byoSecrets.list()].find((x) => x.metadata.namespace === m.model.metadata.namespace && x.metadata.name === ref.name);
    const v = secretValue(s as V1Secret | undefined, ref.key);
    if (v) creds[credentialKey(m.model)] = Buffer.from(v).toString('base64');
  }
  const credSecret = {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: UPSTREAM_CREDENTIALS_SECRET, namespace: ns, labels: { ...MANAGED_BY, 'app.kubernetes.io/name': 'tollgate', 'app.kubernetes.io/component': 'upstream-credentials' } },
    data: creds,
  };
  const cachedCreds = ctx.world.managedSecrets.get(`${ns}/${UPSTREAM_CREDENTIALS_SECRET}`) as (KObject & { data?: Record<string, string> }) | undefined;
  if (!cachedCreds || !jsonEqual(cachedCreds.data ?? {}, creds)) await ctx.client.apply(R.Secret, credSecret);

  // 2. Which gateway replicas enforce the latest hash (each replica renews a Lease carrying its hash).
  const summary = replicaSummary(ctx, cfg.hash);

  // 3. Shards, then the index that names them: a gateway never sees an index without its shards.
  if (currentHash !== cfg.hash) {
    const wait = ctx.world.lastConfigPublishAt + MIN_PUBLISH_INTERVAL_MS - ctx.now().getTime();
    if (wait > 0) return { requeueAfterMs: wait };
  }
  const previousHash = currentHash !== cfg.hash ? currentHash : cachedIndex?.metadata.annotations?.[ANN_PREVIOUS_HASH];
  if (currentHash !== cfg.hash) {
    for (const s of shards) {
      if (!ctx.world.managedSecrets.get(`${ns}/${s.metadata?.name}`)) await ctx.client.apply(R.Secret, asData(s));
    }
  }
  const desiredIndex = asData({
    ...index,
    metadata: { ...index.metadata, annotations: { ...(index.metadata?.annotations ?? {}), ...(previousHash ? { [ANN_PREVIOUS_HASH]: previousHash } : {}), [ANN_REPLICAS]: summary } },
  });
  if (await ensure(ctx, desiredIndex, cachedIndex) && currentHash !== cfg.hash) {
    ctx.world.lastConfigPublishAt = ctx.now().getTime();
    ctx.log('gateway config published', { hash: cfg.hash, previous: currentHash, shards: shards.length, tenants: cfg.tenants.length, models: cfg.models.length });
  }

  // 4. Sweep shards of configs older than the previous one (gateways may still be reading that).
  const keep = new Set([cfg.hash, currentHash !== cfg.hash ? currentHash : cachedIndex?.metadata.annotations?.[ANN_PREVIOUS_HASH]].filter((x): x is string => !!x));
  for (const s of ctx.world.managedSecrets.list()) {
    if (s.metadata.namespace !== ns || s.metadata.labels?.[LABEL_CONFIG_PART] !== 'shard') continue;
    if (!keep.has(s.metadata.annotations?.[ANN_CONFIG_HASH] ?? '')) await ctx.client.delete(R.Secret, ns, s.metadata.name);
  }

  // 5. NetworkPolicies of tenants that no longer exist (cross-namespace: no owner reference possible).
  const tenants = new Set(ctx.world.tenants.list().map((t) => `${t.metadata.namespace}/${labelValue(t.metadata.name)}`));
  for (const np of ctx.world.networkPolicies.list()) {
    const tns = np.metadata.labels?.[LABEL_TENANT_NS];
    if (np.metadata.namespace !== ns || !tns) continue;
    if (!tenants.has(`${tns}/${np.metadata.labels?.[LABEL_TENANT] ?? ''}`)) await ctx.client.delete(R.NetworkPolicy, ns, np.metadata.name);
  }
}

function replicaSummary(ctx: ReconcileContext, hash: string): string {
  const now = ctx.now().getTime();
  let current = 0;
  let stale = 0;
  for (const l of ctx.world.gatewayLeases.list() as (KObject & { spec?: { renewTime?: string; leaseDurationSeconds?: number } })[]) {
    const renewed = Date.parse(l.spec?.renewTime ?? '');
    if (!Number.isFinite(renewed) || renewed + (l.spec?.leaseDurationSeconds ?? 30) * 1000 < now) continue;
    if (l.metadata.annotations?.[ANN_CONFIG_HASH] === hash) current++; else stale++;
  }
  ctx.metrics.gatewayReplicas.set({ state: 'current' }, current);
  ctx.metrics.gatewayReplicas.set({ state: 'stale' }, stale);
  return `${current}/${current + stale} replicas on ${hash.slice(7, 19)}`;
}

/** The operator applies `data` (base64): `stringData` is write-only and would never compare equal. */
function asData(s: V1Secret): KObject {
  const { stringData, ...rest } = s;
  const data = { ...(rest.data ?? {}) };
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(v).toString('base64');
  return { ...rest, data } as unknown as KObject;
}
