// The published config's text, assembled from cached chunks (delivery.ts cuts it the same way, from scratch:
// `configParts`). While a 10k-tenant config churns one tenant at a time, rebuilding its ~18 MB of text for
// every publication costs more than anything else the operator does for that change; here a chunk whose
// tenants did not change (same ids, same piece versions, same position at the start or not) is reused as is,
// and only the sha256 of the whole text is computed again (native, ~50 ms for 18 MB).
import { createHash } from 'node:crypto';
import { DEFAULT_SHARD_BYTES } from '../../api/delivery.ts';
import { endsChunk, splitUtf8, tenantJson, type ConfigPieces, type TenantText } from './delivery.ts';

/** A tenant's text with what identifies it between builds. */
export interface VersionedTenant extends TenantText {
  /** Changes whenever its members change (World bumps it when it stores a different piece). */
  readonly version: number;
  /** UTF-8 bytes of `{members}` (tenantJson), known without building the text. */
  readonly bytes: number;
}

export interface AssembledConfig {
  /** sha256 of the canonical body (`hashPieces`) */
  hash: string;
  /** the parts `configParts` gives for the same pieces and hash */
  parts: string[];
}

export class ChunkCache {
  #texts = new Map<string, string>();
  /** Chunks built (not reused) since creation (tests, debugging). */
  built = 0;

  assemble(
    p: Omit<ConfigPieces, 'tenants'> & { tenants: readonly VersionedTenant[] },
    maxBytes = DEFAULT_SHARD_BYTES,
  ): AssembledConfig {
    const next = new Map<string, string>();
    const chunks: string[] = [];
    let members: VersionedTenant[] = [];
    let sig: string[] = [];
    let bytes = 0;
    const flush = () => {
      if (members.length === 0) return;
      const key = sig.join('|');
      let text = this.#texts.get(key) ?? next.get(key);
      if (text === undefined) {
        text = members.map((t, i) => (i > 0 || sig[0]!.startsWith(',') ? `,${tenantJson(t)}` : tenantJson(t))).join('');
        this.built++;
      }
      next.set(key, text);
      chunks.push(text);
      members = [];
      sig = [];
      bytes = 0;
    };
    p.tenants.forEach((t, i) => {
      const n = t.bytes + (i > 0 ? 1 : 0);
      if (bytes + n > maxBytes) flush();
      // the first tenant of the whole config has no comma before it: part of its chunk's identity
      sig.push(`${members.length === 0 && i > 0 ? ',' : ''}${t.id}@${t.version}`);
      members.push(t);
      bytes += n;
      if (endsChunk(t.id)) flush();
    });
    flush();
    this.#texts = next;
    const body = `{"models":${p.modelsJson},"schemaVersion":${JSON.stringify(p.schemaVersion)},"tenants":[`;
    const h = createHash('sha256').update(body);
    for (const c of chunks) h.update(c);
    const hash = `sha256:${h.update(']}').digest('hex')}`;
    const head = `{"hash":${JSON.stringify(hash)},"models":${p.modelsJson},"schemaVersion":${JSON.stringify(p.schemaVersion)},"tenants":[`;
    const parts = [head, ...chunks, ']}'];
    return { hash, parts: parts.flatMap((x) => (Buffer.byteLength(x) > maxBytes ? splitUtf8(x, maxBytes) : [x])) };
  }
}

/**
 * The order tenants are published in: oldest first (creationTimestamp, then uid, then id). New tenants land in
 * the last chunks, so while thousands are added (a fresh cluster, a migration) a publication rewrites the chunks
 * at the end: in name order new tenants fell into nearly every chunk, and every publication while converging
 * rewrote ~80 of 86 shards (18.5 MB at 10k tenants) — the API server's CPU and the gateway's reads. Both fields
 * are the API server's, so a restarted operator computes the same order and hash. The gateway does not depend on
 * the order.
 */
export function publishOrder(
  ids: Iterable<string>,
  meta: (id: string) => { creationTimestamp?: string; uid?: string } | undefined,
): string[] {
  const keyed = [...ids].map((id) => {
    const m = meta(id);
    return { id, at: m?.creationTimestamp ?? '', uid: m?.uid ?? '' };
  });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  keyed.sort((a, b) => cmp(a.at, b.at) || cmp(a.uid, b.uid) || cmp(a.id, b.id));
  return keyed.map((k) => k.id);
}

/** UTF-8 bytes of a tenant's `{members}` text. */
export function tenantBytes(members: readonly string[]): number {
  let n = 2 + Math.max(0, members.length - 1);
  for (const m of members) n += Buffer.byteLength(m);
  return n;
}
