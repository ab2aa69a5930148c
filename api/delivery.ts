// The operator↔gateway delivery contract, one module for both halves: how the compiled gateway config
// travels through the API server, and what the gateway replicas report back.
//
//   index Secret   CONFIG_INDEX_NAME in the gateway namespace, key CONFIG_INDEX_KEY: a ConfigIndex
//                  naming the shard Secrets in order; annotations ANN_CONFIG_HASH (the config's hash),
//                  ANN_PREVIOUS_HASH (the one before), ANN_REPLICAS (the operator's replica summary).
//   shard Secrets  content-addressed (shardName), key CONFIG_SHARD_KEY: a piece of the config's canonical
//                  JSON text; the pieces in index order concatenate to that text (each < 1 MiB).
//   credentials    UPSTREAM_CREDENTIALS_SECRET: one entry per model credentialKey.
//   replica Lease  one per gateway replica (replicaLeaseName), label GATEWAY_REPLICA_LABEL, annotations
//                  ANN_CONFIG_HASH (the hash this replica enforces) and ANN_REVOKED_KEYS (PublishedRevocation[] JSON).
//
// Every payload that crosses the API server is parsed here, with zod, by both sides: nothing is cast.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const CONFIG_INDEX_NAME = 'tollgate-gateway-config';
export const CONFIG_INDEX_KEY = 'index.json';
export const CONFIG_SHARD_KEY = 'shard';
/** Label on the config Secrets: which part of the config a Secret carries. */
export const LABEL_CONFIG_PART = 'tollgate.dev/gateway-config';
export const ConfigPart = z.enum(['index', 'shard']);
export type ConfigPart = z.infer<typeof ConfigPart>;
export const UPSTREAM_CREDENTIALS_SECRET = 'tollgate-upstream-credentials';
/** Labels every Secret the operator publishes for the gateway carries (the gateway watches by them). */
export const DELIVERY_LABELS = {
  'app.kubernetes.io/managed-by': 'tollgate',
  'app.kubernetes.io/name': 'tollgate',
} as const;

export const ANN_CONFIG_HASH = 'tollgate.dev/config-hash';
export const ANN_PREVIOUS_HASH = 'tollgate.dev/previous-config-hash';
export const ANN_REPLICAS = 'tollgate.dev/gateway-replicas';
export const GATEWAY_REPLICA_LABEL = 'tollgate.dev/gateway-replica';
/** JSON `[{"id": keyId, "reason": …, "at": …}]`: keys a gateway replica refuses on its own (anomaly detection). */
export const ANN_REVOKED_KEYS = 'tollgate.dev/revoked-keys';
/** Bound on what one Lease carries (annotations are limited to 256 KiB in total). */
export const MAX_PUBLISHED_REVOCATIONS = 500;
export const REPLICA_LEASE_PREFIX = 'tollgate-gateway-';

/** Leaves room under the API server's 1 MiB object limit for metadata. */
export const DEFAULT_SHARD_BYTES = 768 * 1024;
/** What a gateway accepts: a shard can never be larger than an object. */
export const MAX_SHARD_BYTES = 1024 * 1024;
/** 100k tenants at ~2 KB each is ~260 shards: this bounds the work an index can ask for. */
export const MAX_SHARDS = 4096;

export const ConfigHash = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const Sha256Hex = z.string().regex(/^[a-f0-9]{64}$/);
const SHARD_NAME = new RegExp(`^${CONFIG_INDEX_NAME}-[a-f0-9]{20}$`);

export const ShardRef = z.strictObject({
  name: z.string().regex(SHARD_NAME),
  /** sha256 (hex) of the shard's UTF-8 text. */
  sha256: Sha256Hex,
  /** UTF-8 bytes of the shard's text. */
  bytes: z.int().min(0).max(MAX_SHARD_BYTES),
});
export type ShardRef = z.infer<typeof ShardRef>;

export const ConfigIndex = z.strictObject({
  schemaVersion: z.string().max(200),
  hash: ConfigHash,
  shards: z.array(ShardRef).min(1).max(MAX_SHARDS),
});
export type ConfigIndex = z.infer<typeof ConfigIndex>;

export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** The index Secret's text (untrusted): JSON, then the schema. Messages never echo the input. */
export function parseConfigIndex(text: string): ConfigIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DeliveryError('the config index Secret does not hold valid JSON');
  }
  const r = ConfigIndex.safeParse(raw);
  if (!r.success) {
    // zod names unknown keys in its message: say only that there are some.
    const issues = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.code === 'unrecognized_keys' ? 'unknown field' : i.message}`);
    throw new DeliveryError(`the config index is invalid: ${issues.join('; ')}`);
  }
  return r.data;
}

export function configIndexText(index: ConfigIndex): string {
  return `${JSON.stringify(ConfigIndex.parse(index), null, 2)}\n`;
}

export function shardDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Shard Secrets are named by their own content: a shard that did not change is not written again. */
export function shardName(text: string): string {
  return `${CONFIG_INDEX_NAME}-${shardDigest(text).slice(0, 20)}`;
}

export function shardRef(text: string): ShardRef {
  const sha256 = shardDigest(text);
  return { name: `${CONFIG_INDEX_NAME}-${sha256.slice(0, 20)}`, sha256, bytes: Buffer.byteLength(text) };
}

/** Throws unless `text` is the shard the index names. */
export function checkShard(ref: ShardRef, text: string): void {
  if (Buffer.byteLength(text) !== ref.bytes || shardDigest(text) !== ref.sha256)
    throw new DeliveryError(`gateway config shard ${ref.name} does not match its checksum`);
}

/** Reassemble shard texts (in index order), each checked against the index (tests, tools; the gateway streams them). */
export function assembleConfigText(index: ConfigIndex, shardTexts: ReadonlyMap<string, string>): string {
  let text = '';
  for (const s of index.shards) {
    const part = shardTexts.get(s.name);
    if (part === undefined) throw new DeliveryError(`gateway config shard ${s.name} is missing`);
    checkShard(s, part);
    text += part;
  }
  return text;
}

// ---- replica Leases ----------------------------------------------------------------------------------

/** One revocation (read leniently: unknown fields are dropped, malformed entries skipped). */
export const PublishedRevocation = z.object({
  id: z.string().max(512),
  reason: z.string().max(200),
  at: z.string().max(64),
});
export type PublishedRevocation = z.infer<typeof PublishedRevocation>;

export function replicaLeaseName(replica: string): string {
  return `${REPLICA_LEASE_PREFIX}${replica}`;
}

/** What a replica publishes on its Lease: the hash it enforces and (bounded, sorted) the keys it revoked. */
export function replicaLeaseAnnotations(
  hash: string | undefined,
  revoked: readonly PublishedRevocation[],
): Record<string, string> {
  const list = revoked
    .flatMap((r) => {
      const v = PublishedRevocation.safeParse(r);
      return v.success ? [v.data] : [];
    })
    .slice(0, MAX_PUBLISHED_REVOCATIONS)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { [ANN_CONFIG_HASH]: hash ?? '', [ANN_REVOKED_KEYS]: JSON.stringify(list) };
}

/** The config hash an index Secret or a replica Lease carries ('' when none or malformed). */
export function configHashOf(annotations: Readonly<Record<string, string>> | undefined): string {
  const v = annotations && Object.hasOwn(annotations, ANN_CONFIG_HASH) ? annotations[ANN_CONFIG_HASH] : undefined;
  return ConfigHash.safeParse(v).success ? (v as string) : '';
}

/** The revocations a replica's Lease carries: well-formed entries only, at most MAX_PUBLISHED_REVOCATIONS. */
export function leaseRevokedKeys(annotations: Readonly<Record<string, string>> | undefined): PublishedRevocation[] {
  const text = annotations && Object.hasOwn(annotations, ANN_REVOKED_KEYS) ? annotations[ANN_REVOKED_KEYS] : undefined;
  if (text === undefined) return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  const out: PublishedRevocation[] = [];
  for (const x of v.slice(0, MAX_PUBLISHED_REVOCATIONS)) {
    const r = PublishedRevocation.safeParse(x);
    if (r.success) out.push(r.data);
  }
  return out;
}

/** The part of a replica Lease the operator reads. */
export const ReplicaLeaseSpec = z.object({
  renewTime: z.string().optional(),
  leaseDurationSeconds: z.int().min(1).max(86_400).optional(),
});

/** When a replica's Lease expires, ms since epoch (NaN: never renewed or malformed). */
export function leaseExpiresAt(spec: unknown): number {
  const r = ReplicaLeaseSpec.safeParse(spec ?? {});
  if (!r.success) return Number.NaN;
  return Date.parse(r.data.renewTime ?? '') + (r.data.leaseDurationSeconds ?? 30) * 1000;
}
