// The operator's side of the delivery contract (api/delivery.ts): the config's canonical JSON text cut
// into content-addressed shard Secrets, each below the 1 MiB object limit, and the index Secret naming
// them. Gateways read the index, then the shards it names, and verify the hash before swapping; shards
// of older configs are deleted once nothing points to them.
import type { V1Secret } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import {
  ANN_CONFIG_HASH,
  CONFIG_INDEX_KEY,
  CONFIG_INDEX_NAME,
  CONFIG_SHARD_KEY,
  DEFAULT_SHARD_BYTES,
  DELIVERY_LABELS,
  LABEL_CONFIG_PART,
  configIndexText,
  shardRef,
  type ConfigIndex,
  type ConfigPart,
} from '../../api/delivery.ts';
import { canonicalJson, type GatewayConfig } from '../../api/gateway-config.ts';

/** Split on UTF-8 byte boundaries that never cut a multi-byte character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const buf = Buffer.from(text, 'utf8');
  const parts: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(start + maxBytes, buf.length);
    while (end < buf.length && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(buf.subarray(start, end).toString('utf8'));
    start = end;
  }
  return parts.length > 0 ? parts : [''];
}

/**
 * One tenant's canonical JSON object, as its members (`"key":value`, in key order, without the braces):
 * members many tenants share (models granted, limits, guardrails...) can then be one string in memory.
 */
export interface TenantText {
  readonly id: string;
  readonly members: readonly string[];
}

/** A config as the operator assembles it: the models' canonical JSON and each tenant's text, in id order. */
export interface ConfigPieces {
  schemaVersion: string;
  modelsJson: string;
  tenants: readonly TenantText[];
}

/** The members of an object's canonical JSON (`canonicalJson(o) === '{' + members.join(',') + '}'`). */
export function canonicalMembers(
  o: Record<string, unknown>,
  intern: (member: string, key: string) => string = (m) => m,
): string[] {
  return Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => intern(`${JSON.stringify(k)}:${canonicalJson(o[k])}`, k));
}

export function tenantJson(t: TenantText): string {
  return `{${t.members.join(',')}}`;
}

/** sha256 of the canonical body, streamed piece by piece (the whole text is never built to hash it). */
export function hashPieces(p: ConfigPieces): string {
  const h = createHash('sha256');
  // Fed in batches of about 64 KB: one update per member would cost more than the hashing itself.
  let batch: string[] = [`{"models":${p.modelsJson},"schemaVersion":${JSON.stringify(p.schemaVersion)},"tenants":[`];
  let size = 0;
  p.tenants.forEach((t, i) => {
    batch.push(i > 0 ? ',{' : '{', t.members.join(','), '}');
    size += 200;
    if (size >= 65_536) {
      h.update(batch.join(''));
      batch = [];
      size = 0;
    }
  });
  batch.push(']}');
  h.update(batch.join(''));
  return `sha256:${h.digest('hex')}`;
}

/** A tenant ends a chunk when its id hashes to 0 mod this: chunk boundaries depend on ids, not on offsets. */
export const CHUNK_EVERY = 128;

export function endsChunk(id: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % CHUNK_EVERY === 0;
}

/**
 * The canonical JSON of the sealed config, cut into parts whose concatenation is that text: a head with
 * the hash and the models, chunks of whole tenants whose boundaries are chosen by tenant id (so one
 * tenant's change rewrites one chunk, not every shard after it), and the closing brackets.
 */
export function configParts(p: ConfigPieces, hash: string, maxBytes = DEFAULT_SHARD_BYTES): string[] {
  const parts: string[] = [
    `{"hash":${JSON.stringify(hash)},"models":${p.modelsJson},"schemaVersion":${JSON.stringify(p.schemaVersion)},"tenants":[`,
  ];
  let chunk: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length > 0) {
      parts.push(chunk.join(''));
      chunk = [];
      bytes = 0;
    }
  };
  p.tenants.forEach((t, i) => {
    const piece = i > 0 ? `,${tenantJson(t)}` : tenantJson(t);
    const n = Buffer.byteLength(piece);
    if (bytes + n > maxBytes) flush();
    chunk.push(piece);
    bytes += n;
    if (endsChunk(t.id)) flush();
  });
  flush();
  parts.push(']}');
  return parts.flatMap((x) => (Buffer.byteLength(x) > maxBytes ? splitUtf8(x, maxBytes) : [x]));
}

const labels = (part: ConfigPart): Record<string, string> => ({
  ...DELIVERY_LABELS,
  'app.kubernetes.io/component': 'gateway-config',
  [LABEL_CONFIG_PART]: part,
});

/** The index Secret and the shard Secrets for config text already cut into parts. */
export function secretsForParts(
  parts: readonly string[],
  hash: string,
  schemaVersion: string,
  namespace: string,
): V1Secret[] {
  const refs = parts.map(shardRef);
  const shards: V1Secret[] = parts.map((part, i) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: refs[i]!.name, namespace, labels: labels('shard') },
    stringData: { [CONFIG_SHARD_KEY]: part },
  }));
  const index: ConfigIndex = { schemaVersion, hash, shards: refs };
  const indexSecret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: CONFIG_INDEX_NAME, namespace, labels: labels('index'), annotations: { [ANN_CONFIG_HASH]: hash } },
    stringData: { [CONFIG_INDEX_KEY]: configIndexText(index) },
  };
  // One part may appear twice (e.g. two empty chunks): one Secret per name.
  const unique = new Map(shards.map((x) => [x.metadata?.name ?? '', x]));
  return [indexSecret, ...unique.values()];
}

export function piecesOf(config: GatewayConfig): ConfigPieces {
  return {
    schemaVersion: config.schemaVersion,
    modelsJson: canonicalJson(config.models),
    tenants: config.tenants.map((t) => ({
      id: t.id,
      members: canonicalMembers(t as unknown as Record<string, unknown>),
    })),
  };
}

/** Index + shards for a compiled config (`tollgate render`, tests); the operator builds the same from cached pieces. */
export function configSecrets(
  config: GatewayConfig,
  namespace: string,
  maxShardBytes = DEFAULT_SHARD_BYTES,
): V1Secret[] {
  return secretsForParts(
    configParts(piecesOf(config), config.hash, maxShardBytes),
    config.hash,
    config.schemaVersion,
    namespace,
  );
}
