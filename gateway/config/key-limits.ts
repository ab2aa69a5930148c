// Limits of individual keys (issue #13), kept apart from the keys themselves: a snapshot's tenants carry no
// key entries (the keys live once, as RtKey, in Snapshot.keys), and only the few keys with limits of their
// own are indexed here, per tenant, when the snapshot is built. With 50,000 keys this drops 50,000 config
// key objects and the per-tenant key arrays from the retained heap.
import type { CfgKey, CfgScopeLimits, CfgTenant } from '../../api/gateway-config.ts';

const NONE: ReadonlyMap<string, CfgScopeLimits> = new Map();
const indexed = new WeakMap<CfgTenant, ReadonlyMap<string, CfgScopeLimits>>();

/** Index the limits of a tenant's keys (only keys with limits are kept). */
export function indexKeyLimits(t: CfgTenant, keys: readonly CfgKey[]): void {
  let m: Map<string, CfgScopeLimits> | undefined;
  for (const k of keys) if (k.limits) (m ??= new Map()).set(k.id, k.limits);
  indexed.set(t, m ?? NONE);
}

/** The limits of key `id` of tenant `t` (a tenant not indexed by a snapshot: looked up in its `keys`). */
export function keyLimits(t: CfgTenant, id: string | undefined): CfgScopeLimits | undefined {
  if (id === undefined) return undefined;
  const m = indexed.get(t);
  if (m) return m.get(id);
  for (const k of t.keys) if (k.id === id) return k.limits;
  return undefined;
}
