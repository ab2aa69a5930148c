// How the gateway config travels through the API: an index Secret naming content-addressed shard
// Secrets, each below the 1 MiB object limit. Gateways read the index, then the shards it names, and
// verify the hash before swapping; shards of older configs are deleted once nothing points to them.
import type { V1Secret } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { canonicalJson, type GatewayConfig } from '../../api/gateway-config.ts';
import { MANAGED_BY } from './labels.ts';

export const CONFIG_INDEX_NAME = 'tollgate-gateway-config';
export const CONFIG_INDEX_KEY = 'index.json';
export const CONFIG_SHARD_KEY = 'shard';
export const LABEL_CONFIG_PART = 'tollgate.dev/gateway-config';
/** Leaves room under the API server's 1 MiB limit for metadata. */
export const DEFAULT_SHARD_BYTES = 768 * 1024;

export interface ConfigIndex {
  schemaVersion: string;
  hash: string;
  shards: { name: string; sha256: string; bytes: number }[];
}

export function shardName(hash: string, i: number): string {
  return `${CONFIG_INDEX_NAME}-${hash.replace(/^sha256:/, '').slice(0, 16)}-${i}`;
}

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

export function configSecrets(config: GatewayConfig, namespace: string, maxShardBytes = DEFAULT_SHARD_BYTES): V1Secret[] {
  const text = canonicalJson(config);
  const parts = splitUtf8(text, maxShardBytes);
  const labels = { ...MANAGED_BY, 'app.kubernetes.io/name': 'tollgate', 'app.kubernetes.io/component': 'gateway-config' };
  const shards: V1Secret[] = parts.map((part, i) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: shardName(config.hash, i), namespace, labels: { ...labels, [LABEL_CONFIG_PART]: 'shard' }, annotations: { 'tollgate.dev/config-hash': config.hash } },
    stringData: { [CONFIG_SHARD_KEY]: part },
  }));
  const index: ConfigIndex = {
    schemaVersion: config.schemaVersion,
    hash: config.hash,
    shards: parts.map((part, i) => ({ name: shardName(config.hash, i), sha256: createHash('sha256').update(part).digest('hex'), bytes: Buffer.byteLength(part) })),
  };
  const indexSecret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: CONFIG_INDEX_NAME, namespace, labels: { ...labels, [LABEL_CONFIG_PART]: 'index' }, annotations: { 'tollgate.dev/config-hash': config.hash } },
    stringData: { [CONFIG_INDEX_KEY]: `${JSON.stringify(index, null, 2)}\n` },
  };
  return [indexSecret, ...shards];
}

/** Reassemble shards (in index order) and check each against the index. */
export function assembleConfigText(index: ConfigIndex, shardTexts: ReadonlyMap<string, string>): string {
  let text = '';
  for (const s of index.shards) {
    const part = shardTexts.get(s.name);
    if (part === undefined) throw new Error(`gateway config shard ${s.name} is missing`);
    const sha = createHash('sha256').update(part).digest('hex');
    if (sha !== s.sha256) throw new Error(`gateway config shard ${s.name} does not match its checksum`);
    text += part;
  }
  return text;
}
