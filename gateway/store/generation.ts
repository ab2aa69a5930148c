// Store generation: how a gateway replica tells that the shared store (Redis) lost its state.
//
// The store holds one generation record, `<prefix>gen` (a hash: id, state ok|lost, since, reason, acked,
// previous), created by the first replica that connects to an empty store. Every replica remembers the id it
// adopted and re-reads the record every second. Every tenant's key space also holds a marker (`{tenant}:g`)
// written with the tenant's first reservation and checked by every reservation script (the non-Cluster
// scripts also check the generation record itself, atomically). A record that vanished, a record of another
// generation nobody acknowledged, or a tenant marker that vanished while this replica knows the tenant used
// the store: the state was lost. Budget-limited tenants then fail closed (`store_state_lost`) until either
// the record comes back with the same id (the data was restored) or an operator acknowledges the reset
// (`tollgate store ack-reset`, which writes a new id with `acked`).
//
// This file is the pure decision; gateway/store/redis.ts does the I/O.

export type GenState = 'ok' | 'lost';

/** The record as stored in Redis. */
export interface GenRecord {
  readonly id: string;
  readonly state: GenState;
  /** RFC 3339: created / lost / acknowledged at. */
  readonly since: string;
  readonly reason?: string | undefined;
  /** Written by the operator's acknowledgement (`tollgate store ack-reset`). */
  readonly acked?: boolean | undefined;
  /** The generation the acknowledgement replaced. */
  readonly previous?: string | undefined;
}

/** What this replica believes. */
export type LocalGen =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'ok'; readonly id: string }
  | { readonly kind: 'lost'; readonly id: string; readonly since: string; readonly reason: string };

export interface GenDecision {
  readonly next: LocalGen;
  /** What to write to the store: create a fresh generation (only if still absent) or mark it lost. */
  readonly write?:
    | { readonly op: 'create'; readonly record: GenRecord }
    | { readonly op: 'markLost'; readonly record: GenRecord }
    | undefined;
  /** The local state changed from ok to lost (count it, log it once). */
  readonly detected?: string | undefined;
  /** Lost -> ok (restored or acknowledged): forget which tenants were seen. */
  readonly recovered?: 'restored' | 'acknowledged' | undefined;
  /** A new generation was adopted: the per-tenant "seen" memory belongs to the old one. */
  readonly resetSeen: boolean;
}

function lost(id: string, now: string, reason: string): GenDecision {
  const record: GenRecord = { id, state: 'lost', since: now, reason };
  return {
    next: { kind: 'lost', id, since: now, reason },
    write: { op: 'markLost', record },
    detected: reason,
    resetSeen: false,
  };
}

/**
 * Decide from the local belief and the record just read (undefined: absent). `now` is RFC 3339 and `newId`
 * a fresh random id (used only when a generation has to be created).
 */
export function decideGeneration(
  local: LocalGen,
  remote: GenRecord | undefined,
  now: string,
  newId: string,
): GenDecision {
  switch (local.kind) {
    case 'unknown': {
      // A replica that just started adopts whatever the store says; an empty store gets a fresh generation.
      if (remote === undefined) {
        const record: GenRecord = { id: newId, state: 'ok', since: now, reason: 'created' };
        return { next: { kind: 'ok', id: newId }, write: { op: 'create', record }, resetSeen: true };
      }
      if (remote.state === 'lost')
        return {
          next: { kind: 'lost', id: remote.id, since: remote.since, reason: remote.reason ?? 'lost' },
          resetSeen: true,
        };
      return { next: { kind: 'ok', id: remote.id }, resetSeen: true };
    }
    case 'ok': {
      if (remote === undefined)
        return lost(local.id, now, 'generation record missing (store restarted empty or flushed)');
      if (remote.state === 'lost') {
        // another replica detected it first: adopt, nothing to write
        return {
          next: { kind: 'lost', id: remote.id, since: remote.since, reason: remote.reason ?? 'lost' },
          detected: remote.reason ?? 'lost',
          resetSeen: false,
        };
      }
      if (remote.id === local.id) return { next: local, resetSeen: false };
      // A different generation: an operator's acknowledgement is adopted; anything else (a replica that started
      // against the emptied store and created one) means the state this replica knew is gone.
      if (remote.acked) return { next: { kind: 'ok', id: remote.id }, resetSeen: true };
      return lost(remote.id, now, 'generation changed without an acknowledgement (store restarted empty)');
    }
    case 'lost': {
      if (remote === undefined) {
        // still (or again) empty: keep the loss visible to replicas that start now
        return {
          next: local,
          write: { op: 'markLost', record: { id: local.id, state: 'lost', since: local.since, reason: local.reason } },
          resetSeen: false,
        };
      }
      if (remote.state === 'lost')
        return {
          next: { kind: 'lost', id: remote.id, since: remote.since, reason: remote.reason ?? local.reason },
          resetSeen: false,
        };
      if (remote.id === local.id)
        return { next: { kind: 'ok', id: remote.id }, recovered: 'restored', resetSeen: false };
      if (remote.acked) return { next: { kind: 'ok', id: remote.id }, recovered: 'acknowledged', resetSeen: true };
      return {
        next: local,
        write: { op: 'markLost', record: { id: remote.id, state: 'lost', since: local.since, reason: local.reason } },
        resetSeen: false,
      };
    }
  }
}

/** A tenant marker vanished while this replica knows the tenant had reserved in this generation. */
export function decideMarkerLost(local: LocalGen, now: string, tenantCount = 1): GenDecision {
  if (local.kind === 'lost') return { next: local, resetSeen: false };
  const id = local.kind === 'ok' ? local.id : 'unknown';
  return lost(
    id,
    now,
    `tenant state missing from the store (${tenantCount} tenant marker${tenantCount === 1 ? '' : 's'})`,
  );
}

/** The record written by `tollgate store ack-reset`. */
export function ackRecord(current: GenRecord | undefined, now: string, newId: string): GenRecord {
  return {
    id: newId,
    state: 'ok',
    since: now,
    reason: 'reset acknowledged by an operator',
    acked: true,
    ...(current ? { previous: current.id } : {}),
  };
}

export function encodeGenRecord(r: GenRecord): string[] {
  const out = ['id', r.id, 'state', r.state, 'since', r.since];
  if (r.reason !== undefined) out.push('reason', r.reason);
  if (r.acked) out.push('acked', '1');
  if (r.previous !== undefined) out.push('previous', r.previous);
  return out;
}

/** Parses HGETALL output; anything malformed counts as absent only when it has no id. */
export function decodeGenRecord(h: Record<string, string> | null | undefined): GenRecord | undefined {
  if (!h || typeof h.id !== 'string' || h.id === '') return undefined;
  return {
    id: h.id,
    state: h.state === 'ok' ? 'ok' : 'lost',
    since: typeof h.since === 'string' ? h.since : '',
    ...(typeof h.reason === 'string' ? { reason: h.reason } : {}),
    ...(h.acked === '1' ? { acked: true } : {}),
    ...(typeof h.previous === 'string' ? { previous: h.previous } : {}),
  };
}
