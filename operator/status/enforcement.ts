// Whether the gateway enforces a tenant's keys (pure bookkeeping, no I/O): a tenant is Ready only once every
// live gateway replica has loaded a config that holds each of its usable keys — otherwise `kubectl wait
// --for=condition=Ready` followed by a call with the new key is answered 401 for as long as the publication and
// the replicas' reload take (~1 s for one tenant, up to tens of seconds while 10,000 converge).
//
// The config reconciler records every config it publishes (or finds published after a start): a sequence
// number for its hash and, per tenant whose keys changed, the key fingerprints it carries. The replicas'
// Leases name the hash each one enforces; the oldest of those, mapped to its sequence number, bounds what is
// enforced everywhere. A replica on a hash this process never recorded enforces nothing known. With no live
// replica (the gateway not deployed yet, or run outside the cluster) there is nothing to wait for.
//
// Until both a publication and the replicas have been seen (just after a start) the answer is "unknown": the
// tenant reconciler then keeps a Ready it already reported, so a restart writes nothing.

/** Hashes remembered (a replica older than this many publications enforces nothing known). */
export const HASH_HISTORY = 256;
/**
 * A new tenant's first status waits this long for the gateway (one status write instead of two while many
 * converge: at 10,000 new tenants a publication and its load by the replicas take tens of seconds); after it,
 * the status says Ready=False/KeysNotEnforced and why.
 */
export const ENFORCEMENT_WAIT_MS = 60_000;

export type Enforcement = { state: 'enforced' } | { state: 'unknown' } | { state: 'pending'; message: string };

interface Published {
  seq: number;
  /** fingerprints (first 16 hex characters of the key's sha256), sorted, comma-joined */
  keys: string;
}

export class EnforcementLedger {
  private seq = 0;
  private readonly seqByHash = new Map<string, number>();
  /** per tenant, oldest first: the newest publication known enforced (if any) and every later one */
  private readonly published = new Map<string, Published[]>();
  /** Infinity: no live replica; 0: none of them on a recorded hash */
  private enforcedSeq = 0;
  /** the hash each live replica enforces (undefined: not seen yet) */
  private replicaHashes: string[] | undefined;
  /** tenants whose status waits for enforcement, and since when (ms) */
  private readonly waiting = new Map<string, { since: number; usable: readonly string[] }>();

  /** Whether `hash` was recorded (a publication this process made or found). */
  has(hash: string): boolean {
    return this.seqByHash.has(hash);
  }

  /**
   * A config was published (or found published): `tenants` are [id, key fingerprints] of every tenant in it.
   * Returns the waiting tenants that may now be enforced (a replica's hash may have been unknown until now).
   */
  recordPublication(hash: string, tenants: Iterable<readonly [string, string]>): string[] {
    if (this.seqByHash.has(hash)) return [];
    const seq = ++this.seq;
    this.seqByHash.set(hash, seq);
    if (this.seqByHash.size > HASH_HISTORY) this.seqByHash.delete(this.seqByHash.keys().next().value as string);
    const present = new Set<string>();
    for (const [id, keys] of tenants) {
      present.add(id);
      const list = this.published.get(id);
      if (!list) this.published.set(id, [{ seq, keys }]);
      else if (list[list.length - 1]!.keys !== keys) list.push({ seq, keys });
    }
    for (const id of this.published.keys()) if (!present.has(id)) this.published.get(id)!.push({ seq, keys: '' });
    return this.recompute();
  }

  /**
   * What the live replicas' Leases say (the hash each enforces). Returns the tenants waiting for enforcement
   * that may now be enforced (to reconcile again).
   */
  observeReplicas(hashes: readonly string[]): string[] {
    const first = this.replicaHashes === undefined;
    this.replicaHashes = [...hashes];
    const moved = this.recompute();
    return first ? this.nowEnforced() : moved;
  }

  private recompute(): string[] {
    if (this.replicaHashes === undefined) return [];
    let min = Infinity;
    for (const h of this.replicaHashes) min = Math.min(min, this.seqByHash.get(h) ?? 0);
    const advanced = min !== this.enforcedSeq;
    this.enforcedSeq = min;
    this.prune();
    return advanced ? this.nowEnforced() : [];
  }

  /** The waiting tenants whose keys are enforced now (or no longer known: they decide again). */
  private nowEnforced(): string[] {
    const out: string[] = [];
    for (const [id, w] of this.waiting) if (this.check(id, w.usable).state !== 'pending') out.push(id);
    return out;
  }

  /** Whether every one of `usable` (key fingerprints) is enforced by every live replica. */
  check(id: string, usable: readonly string[]): Enforcement {
    const replicas = this.replicaHashes;
    if (replicas === undefined) return { state: 'unknown' };
    if (replicas.length === 0) return { state: 'enforced' };
    if (this.seq === 0) return { state: 'unknown' };
    const enforced = this.enforcedKeys(id);
    const have = new Set(enforced === undefined || enforced === '' ? [] : enforced.split(','));
    const missing = usable.filter((fp) => !have.has(fp)).length;
    if (missing === 0) return { state: 'enforced' };
    const behind = replicas.filter((h) => (this.seqByHash.get(h) ?? 0) < this.seq).length;
    const live = replicas.length;
    return {
      state: 'pending',
      message: `${missing} usable key(s) not yet enforced by the gateway: ${behind} of ${live} replica(s) on an older config`,
    };
  }

  /**
   * The tenant's status waits for `usable` (key fingerprints) to be enforced (first call: since `now`); returns
   * since when, in ms.
   */
  wait(id: string, usable: readonly string[], now: number): number {
    const w = this.waiting.get(id);
    this.waiting.set(id, { since: w?.since ?? now, usable });
    return w?.since ?? now;
  }

  /** The tenant no longer waits (enforced, or gone). */
  settle(id: string): void {
    this.waiting.delete(id);
  }

  /** A tenant that is gone. */
  forget(id: string): void {
    this.waiting.delete(id);
    this.published.delete(id);
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  private enforcedKeys(id: string): string | undefined {
    const list = this.published.get(id);
    if (!list) return undefined;
    let keys: string | undefined;
    for (const p of list) if (p.seq <= this.enforcedSeq) keys = p.keys;
    return keys;
  }

  /** Drop entries older than the newest one every replica enforces (they can never be the answer again). */
  private prune(): void {
    for (const [id, list] of this.published) {
      let i = 0;
      while (i + 1 < list.length && list[i + 1]!.seq <= this.enforcedSeq) i++;
      if (i > 0) list.splice(0, i);
      if (list.length === 1 && list[0]!.keys === '' && list[0]!.seq <= this.enforcedSeq) this.published.delete(id);
    }
  }
}

export type EnforcedStatusPlan =
  /** write the status as built (the keys are enforced, or it is not Ready for another reason) */
  | { kind: 'as-built' }
  /** write it with Ready=False/KeysNotEnforced */
  | { kind: 'not-enforced'; message: string }
  /** a first status: not written yet, the tenant is reconciled again when the replicas move or after the wait */
  | { kind: 'wait'; requeueAfterMs: number };

/** How enforcement shapes a tenant's status write (pure; `waitingSince` from EnforcementLedger.wait). */
export function planEnforcedStatus(
  e: Enforcement,
  o: { wasReady: boolean; hadStatus: boolean; waitingSince: number; now: number },
): EnforcedStatusPlan {
  if (e.state === 'enforced') return { kind: 'as-built' };
  // just after a start nothing is known yet: a Ready already reported stands (a restart writes nothing)
  if (e.state === 'unknown' && o.wasReady) return { kind: 'as-built' };
  const left = o.waitingSince + ENFORCEMENT_WAIT_MS - o.now;
  if (!o.hadStatus && left > 0) return { kind: 'wait', requeueAfterMs: left };
  return {
    kind: 'not-enforced',
    message: e.state === 'pending' ? e.message : 'waiting for the gateway replicas to report the config they enforce',
  };
}
