// The gateway config: assembled from the cached per-tenant pieces, published only when its hash
// changes, as content-addressed Secrets in the gateway namespace (shards first, then the index; a
// shard that did not change is not written again), old shards swept; upstream credentials mirrored for
// the gateway; NetworkPolicies of deleted tenants swept. Gateway replica bookkeeping is not here
// (reconcile/replicas.ts): a Lease renewal never recompiles or republishes anything.
import {
  ANN_PREVIOUS_HASH,
  CONFIG_INDEX_KEY,
  CONFIG_INDEX_NAME,
  ConfigPart,
  DELIVERY_LABELS,
  LABEL_CONFIG_PART,
  UPSTREAM_CREDENTIALS_SECRET,
  configHashOf,
  parseConfigIndex,
} from '../../api/delivery.ts';
import { GATEWAY_CONFIG_SCHEMA_VERSION } from '../../api/gateway-config.ts';
import { secretsForParts } from '../compiler/delivery.ts';
import { secretValue } from '../compiler/keys.ts';
import { hashKey } from '../../api/keys.ts';
import { credentialKey, upstreamSecretName } from '../compiler/model.ts';
import { KubeError } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';
import { digestsOf } from '../transforms.ts';
import type { V1Secret } from '@kubernetes/client-node';
import type { ReconcileResult } from '../runtime/queue.ts';
import type { ReconcileContext } from './context.ts';
import { publishWaitMs } from './pace.ts';
import { tenantPoliciesToDelete } from './sweep.ts';

export { MIN_PUBLISH_INTERVAL_MS, PUBLISH_MS_PER_MB, CHURN_TENANTS } from './pace.ts';
/** Shards written in parallel. */
export const SHARD_WRITERS = 6;

export async function reconcileConfig(ctx: ReconcileContext): Promise<ReconcileResult | void> {
  const ns = ctx.gatewayNamespace;
  const now = ctx.now();

  // 1. Upstream credentials the gateway presents to each engine (mirrored from the model namespaces).
  await mirrorCredentials(ctx);

  // 2. The config: hashed from the cached pieces; nothing else happens unless the hash moved. Not before a
  //    publication would be allowed (pace.ts): hashing only to wait would cost more than everything else here.
  const wait = publishWaitMs({
    lastPublishAt: ctx.world.lastConfigPublishAt,
    lastBytes: ctx.world.lastConfigBytes,
    changedSincePublish: ctx.world.changedSincePublish,
    lastChangeAt: ctx.world.lastChangeAt,
    now: now.getTime(),
  });
  if (wait > 0) return { requeueAfterMs: wait };
  const cfg = ctx.world.gatewayConfig(now);
  const cachedIndex = ctx.world.managedSecrets.get(`${ns}/${CONFIG_INDEX_NAME}`);
  const currentHash = configHashOf(cachedIndex?.metadata.annotations) || undefined;
  // What this config holds per tenant, taken now (before any await) for the enforcement ledger.
  const ledger = ctx.world.enforcement;
  const keys = currentHash !== cfg.hash || !ledger.isLatest(cfg.hash) ? ctx.world.publishedKeys() : undefined;
  if (!ctx.world.publishedShards)
    ctx.world.publishedShards = { current: await shardsOfIndex(ctx), previous: new Set() };
  if (currentHash !== cfg.hash) {
    // the refresh may have found many more changed tenants than were known: pace again
    const again = publishWaitMs({
      lastPublishAt: ctx.world.lastConfigPublishAt,
      lastBytes: ctx.world.lastConfigBytes,
      changedSincePublish: ctx.world.changedSincePublish,
      lastChangeAt: ctx.world.lastChangeAt,
      now: now.getTime(),
    });
    if (again > 0) return { requeueAfterMs: again };
    const parts = cfg.parts();
    const [index, ...shards] = secretsForParts(parts, cfg.hash, GATEWAY_CONFIG_SCHEMA_VERSION, ns);
    if (!index) return;
    const bytes = parts.reduce((n, p) => n + Buffer.byteLength(p), 0);
    ctx.metrics.configBytes.set(bytes);
    ctx.world.lastConfigBytes = bytes;
    ctx.metrics.configShards.set(shards.length);
    // 3. Shards, then the index that names them: a gateway never sees an index without its shards.
    // (a shard swept a moment ago may still be in the cache: write it again)
    const missing = shards.filter((s) => {
      const name = s.metadata?.name ?? '';
      return !ctx.world.managedSecrets.get(`${ns}/${name}`) || ctx.world.sweptShards.delete(name);
    });
    // Several at a time: while many tenants change, most shards are new and each is up to 768 KB.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(SHARD_WRITERS, missing.length) }, async () => {
        while (next < missing.length) await writeShard(ctx, missing[next++] as V1Secret);
      }),
    );
    const written = missing.length;
    // Recorded before the index is written: a replica may load it (and say so in its Lease) before the apply
    // returns here. A publication recorded that then fails is harmless: no replica can name its hash.
    if (keys) for (const id of ledger.recordPublication(cfg.hash, keys)) ctx.enqueue?.(`tenant/${id}`);
    await ctx.client.apply(
      R.Secret,
      asData({
        ...index,
        metadata: {
          ...index.metadata,
          annotations: {
            ...(index.metadata?.annotations ?? {}),
            ...(currentHash ? { [ANN_PREVIOUS_HASH]: currentHash } : {}),
          },
        },
      }),
    );
    ctx.world.lastConfigPublishAt = ctx.now().getTime();
    ctx.world.changedSincePublish = 0;
    ctx.world.publishedShards = {
      current: new Set(shards.map((s) => s.metadata?.name ?? '')),
      previous: ctx.world.publishedShards.current,
    };
    ctx.log('gateway config published', {
      hash: cfg.hash,
      previous: currentHash,
      shards: shards.length,
      shardsWritten: written,
      bytes,
      tenants: cfg.tenants,
      models: cfg.models,
    });
  } else if (keys) {
    // found published (after a start): the replicas on it enforce what this config holds
    for (const id of ledger.recordPublication(cfg.hash, keys)) ctx.enqueue?.(`tenant/${id}`);
  }

  // 4. Sweep shards neither the current nor the previous index names (gateways may still be reading that one).
  const { current, previous } = ctx.world.publishedShards;
  for (const name of ctx.world.sweptShards)
    if (!ctx.world.managedSecrets.get(`${ns}/${name}`)) ctx.world.sweptShards.delete(name);
  // Only once this process has published: after a restart the shards of the index before the current one
  // are not known, and a converged system must not write.
  if (ctx.world.lastConfigPublishAt > 0 && current.size > 0) {
    for (const s of ctx.world.managedSecrets.values()) {
      if (s.metadata.namespace !== ns || s.metadata.labels?.[LABEL_CONFIG_PART] !== ConfigPart.enum.shard) continue;
      if (current.has(s.metadata.name) || previous.has(s.metadata.name) || ctx.world.sweptShards.has(s.metadata.name))
        continue;
      await ctx.client.delete(R.Secret, ns, s.metadata.name);
      ctx.world.sweptShards.add(s.metadata.name);
    }
  }

  // 5. Tenant NetworkPolicies of namespaces without tenants, and of the one-per-tenant layout (sweep.ts).
  for (const name of tenantPoliciesToDelete(ctx.world.networkPolicies.values(), ns, (n) => ctx.world.hasTenantsIn(n)))
    await ctx.client.delete(R.NetworkPolicy, ns, name);
}

/**
 * A shard is named by its content's hash and never changes: it is created (POST), not applied. The API server
 * reads an apply body as YAML, and a 768 KB shard cost it ~110 ms of CPU applied against ~50 ms created
 * (bench/operator-api-floor.ts); at 10k tenants the shards written while converging were ~10% of its CPU.
 * One that exists already (the cache had not seen it) is applied, so its content is the operator's again.
 */
async function writeShard(ctx: ReconcileContext, shard: V1Secret): Promise<void> {
  try {
    await ctx.client.create(R.Secret, asData(shard));
  } catch (err) {
    if (!(err instanceof KubeError && err.status === 409)) throw err;
    await ctx.client.apply(R.Secret, asData(shard));
  }
}

/** The shards the published index names (read once after a start: the cache holds digests, not the index text). */
async function shardsOfIndex(ctx: ReconcileContext): Promise<Set<string>> {
  const s = await ctx.client.get<KObject & { data?: Record<string, string> }>(
    R.Secret,
    ctx.gatewayNamespace,
    CONFIG_INDEX_NAME,
  );
  const text = s?.data?.[CONFIG_INDEX_KEY];
  if (!text) return new Set();
  try {
    return new Set(parseConfigIndex(Buffer.from(text, 'base64').toString('utf8')).shards.map((x) => x.name));
  } catch {
    return new Set();
  }
}

/** Credentials read at the same time (each a GET of a model's credential Secret). */
export const CREDENTIAL_READERS = 8;

export interface WantedCredential {
  ns: string;
  name: string;
  key: string;
  sha: string;
}

/**
 * Which mirrored credentials must be read from their source again (pure): those the mirror lacks or holds with
 * another digest. The rest are carried over from the mirror itself — one GET of it instead of one per model
 * (50 models read one after another held the publication up for seconds while a cluster converged).
 */
export function planCredentialReads(
  wanted: ReadonlyMap<string, WantedCredential>,
  have: Readonly<Record<string, { sha256: string } | undefined>>,
): { same: boolean; carry: string[]; read: string[] } {
  const carry: string[] = [];
  const read: string[] = [];
  for (const [k, w] of wanted) (Object.hasOwn(have, k) && have[k]?.sha256 === w.sha ? carry : read).push(k);
  const same = read.length === 0 && Object.keys(have).length === wanted.size;
  return { same, carry, read };
}

/**
 * The gateway's upstream credentials. Compared by digest with the cached copy; only the source Secrets whose
 * digest differs are read (GET, not cached), the others are carried over from the mirror.
 */
async function mirrorCredentials(ctx: ReconcileContext): Promise<void> {
  const ns = ctx.gatewayNamespace;
  const models = ctx.world.compiledModels().models.filter((m) => m.serving && m.supportsApiKey);
  const wanted = new Map<string, WantedCredential>();
  for (const m of models) {
    const ref = upstreamSecretName(m.model);
    const mns = m.model.metadata.namespace ?? 'default';
    const d = digestsOf(
      ctx.world.managedSecrets.get(`${mns}/${ref.name}`) ?? ctx.world.byoSecrets.get(`${mns}/${ref.name}`),
    );
    const sha = d && Object.hasOwn(d, ref.key) && (d[ref.key]?.length ?? 0) > 0 ? d[ref.key]?.sha256 : undefined;
    if (sha) wanted.set(credentialKey(m.model), { ns: mns, name: ref.name, key: ref.key, sha });
  }
  const cached = ctx.world.managedSecrets.get(`${ns}/${UPSTREAM_CREDENTIALS_SECRET}`);
  const plan = planCredentialReads(wanted, digestsOf(cached) ?? {});
  if (cached !== undefined && plan.same) return;
  const creds: Record<string, string> = {};
  const mirror =
    cached !== undefined && plan.carry.length > 0
      ? await ctx.client.get<KObject & { data?: Record<string, string> }>(R.Secret, ns, UPSTREAM_CREDENTIALS_SECRET)
      : undefined;
  const read = [...plan.read];
  for (const k of plan.carry) {
    const v = mirror?.data?.[k];
    // carried only if it still is what the source holds (the mirror may have been edited since the cache saw it)
    if (v && hashKey(Buffer.from(v, 'base64').toString('utf8').trim()) === wanted.get(k)!.sha) creds[k] = v;
    else read.push(k);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CREDENTIAL_READERS, read.length) }, async () => {
      while (next < read.length) {
        const k = read[next++]!;
        const w = wanted.get(k)!;
        const s = await ctx.client.get<KObject>(R.Secret, w.ns, w.name);
        const v = secretValue(s as unknown as V1Secret | undefined, w.key);
        if (v) creds[k] = Buffer.from(v).toString('base64');
      }
    }),
  );
  await ctx.client.apply(R.Secret, {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: UPSTREAM_CREDENTIALS_SECRET,
      namespace: ns,
      labels: { ...DELIVERY_LABELS, 'app.kubernetes.io/component': 'upstream-credentials' },
    },
    data: Object.fromEntries(
      Object.keys(creds)
        .sort()
        .map((k) => [k, creds[k]!]),
    ),
  } as KObject);
}

/** The operator applies `data` (base64): `stringData` is write-only and would never compare equal. */
export function asData(s: V1Secret): KObject {
  const { stringData, ...rest } = s;
  const data = { ...(rest.data ?? {}) };
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(v).toString('base64');
  return { ...rest, data } as unknown as KObject;
}
