// Whether the gateway enforces a tenant's keys (pure bookkeeping, no I/O): a tenant is Ready only once every
// live gateway replica has loaded a config that holds each of its usable keys — otherwise `kubectl wait
// --for=condition=Ready` followed by a call with the new key is answered 401 for as long as the publication and
// the replicas' reload take (~1 s for one tenant, up to tens of seconds while 10,000 converge).
//
// The config reconciler records every config it publishes (or finds published after a start): a sequence
// number for its hash and, per tenant whose keys changed, the key fingerprints it carries. The replicas'
// Leases name the hash each one enforces; the oldest of those, mapped to its sequence number, bounds what is
// enforced everywhere. With no live replica (the gateway not deployed yet, or run outside the cluster) there is
// nothing to wait for; a replica that has loaded no config is not counted.
//
// Until both a publication and the replicas have been seen (just after a start), and while a replica names a
// hash this process never recorded (published before a restart, or forgotten), the answer is "unknown": the
// tenant reconciler then keeps a Ready it already reported for the current spec, so a restart writes nothing,
// and a tenant becoming Ready waits.

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
  /** fingerprints (first 16 hex characters of the key's sha256), sorted, comma-joined ('' : not in the config) */
  keys: string;
  /** the tenant's entry as compiled (World's piece version: bumped when its text changes) */
  version: number;
}

/** One tenant of a published config: [id, key fingerprints, entry version]. */
export type PublishedTenant = readonly [string, string, number];

export class EnforcementLedger {
  private seq = 0;
  /** hash -> sequence number of its latest publication, oldest first */
  private readonly seqByHash = new Map<string, number>();
  /** per tenant, oldest first: the newest publication known enforced (if any) and every later one */
  private readonly published = new Map<string, Published[]>();
  /** 0: nothing known enforced */
  private enforcedSeq = 0;
  /** the hash each live replica enforces (undefined: not seen yet) */
  private replicaHashes: string[] | undefined;
  /** tenants whose status waits for enforcement: since when (ms), and what they wait for */
  private readonly waiting = new Map<
    string,
    { since: number; usable: readonly string[]; version?: number; overdue?: boolean }
  >();

  /** Whether `hash` is the config this process published (or found published) last. */
  isLatest(hash: string): boolean {
    return this.seq > 0 && this.seqByHash.get(hash) === this.seq;
  }

  /**
   * A config was published (or found published), holding `tenants`. A hash published again after others
   * (A -> B -> A: a change undone) is recorded again, with a new number. Returns the waiting tenants whose keys
   * may now be enforced (a replica's hash may have been unknown until now).
   */
  recordPublication(hash: string, tenants: Iterable<PublishedTenant>): string[] {
    if (this.isLatest(hash)) return [];
    const seq = ++this.seq;
    this.seqByHash.delete(hash);
    this.seqByHash.set(hash, seq);
    if (this.seqByHash.size > HASH_HISTORY) {
      // the oldest hash no live replica names (one a stuck replica still names stays known)
      const inUse = new Set(this.replicaHashes ?? []);
      for (const old of this.seqByHash.keys())
        if (!inUse.has(old)) {
          this.seqByHash.delete(old);
          break;
        }
    }
    const present = new Set<string>();
    for (const [id, keys, version] of tenants) {
      present.add(id);
      const list = this.published.get(id);
      const last = list?.[list.length - 1];
      if (!list) this.published.set(id, [{ seq, keys, version }]);
      else if (last!.keys !== keys || last!.version !== version) list.push({ seq, keys, version });
    }
    for (const [id, list] of this.published)
      if (!present.has(id) && list[list.length - 1]!.keys !== '') list.push({ seq, keys: '', version: -1 });
    return this.recompute();
  }

  /**
   * What the live replicas' Leases say (the hash each enforces; a replica that has loaded no config yet names
   * none and serves nothing: not counted). Returns the waiting tenants that may now be enforced.
   */
  observeReplicas(hashes: readonly string[]): string[] {
    const first = this.replicaHashes === undefined;
    this.replicaHashes = hashes.filter((h) => h !== '');
    const moved = this.recompute();
    return first ? this.nowEnforced() : moved;
  }

  private recompute(): string[] {
    if (this.replicaHashes === undefined) return [];
    // over the recorded hashes only: a replica on one this process never recorded makes check() "unknown"
    let min = Infinity;
    for (const h of this.replicaHashes) {
      const s = this.seqByHash.get(h);
      if (s !== undefined) min = Math.min(min, s);
    }
    if (min === Infinity) min = this.replicaHashes.length > 0 ? 0 : Infinity;
    const advanced = min !== this.enforcedSeq;
    this.enforcedSeq = min;
    this.prune();
    return advanced ? this.nowEnforced() : [];
  }

  /** The waiting tenants that are enforced now (or no longer known: they decide again). */
  private nowEnforced(): string[] {
    const out: string[] = [];
    for (const [id, w] of this.waiting) if (this.check(id, w.usable, w.version).state !== 'pending') out.push(id);
    return out;
  }

  /**
   * Whether every one of `usable` (key fingerprints) is enforced by every live replica; with `version`, also that
   * they all enforce exactly that entry of the tenant (a tenant becoming Ready: a lifted suspension, a new spec).
   */
  check(id: string, usable: readonly string[], version?: number): Enforcement {
    const replicas = this.replicaHashes;
    if (replicas === undefined) return { state: 'unknown' };
    if (replicas.length === 0) return { state: 'enforced' };
    // nothing recorded yet, or a replica on a config this process never recorded (published before a start, or
    // whose record was dropped): what it enforces is not known
    if (this.seq === 0 || replicas.some((h) => !this.seqByHash.has(h))) return { state: 'unknown' };
    const entry = this.enforcedEntry(id);
    const have = new Set(entry === undefined || entry.keys === '' ? [] : entry.keys.split(','));
    const missing = usable.filter((fp) => !have.has(fp)).length;
    const stale = version !== undefined && entry?.version !== version;
    if (missing === 0 && !stale) return { state: 'enforced' };
    const behind = replicas.filter((h) => (this.seqByHash.get(h) ?? 0) < this.seq).length;
    const what = missing > 0 ? `${missing} usable key(s)` : 'its current entry';
    return {
      state: 'pending',
      message: `${what} not yet enforced by the gateway: ${behind} of ${replicas.length} replica(s) on an older config`,
    };
  }

  /**
   * The tenant's status waits for `usable` (and `version`, see check()) to be enforced (first call: since `now`);
   * returns since when, in ms.
   */
  wait(id: string, usable: readonly string[], now: number, version?: number): number {
    const w = this.waiting.get(id);
    const since = w?.since ?? now;
    this.waiting.set(id, {
      since,
      usable,
      ...(version !== undefined ? { version } : {}),
      ...(w?.overdue ? { overdue: true } : {}),
    });
    return since;
  }

  /** The waiting tenants whose wait (ENFORCEMENT_WAIT_MS) ended by `now`, each returned once. */
  overdue(now: number): string[] {
    const out: string[] = [];
    for (const [id, w] of this.waiting)
      if (!w.overdue && w.since + ENFORCEMENT_WAIT_MS <= now) {
        w.overdue = true;
        out.push(id);
      }
    return out;
  }

  /** When the next waiting tenant's wait ends (ms since epoch; Infinity: none). */
  nextDeadline(): number {
    let next = Infinity;
    for (const w of this.waiting.values()) if (!w.overdue) next = Math.min(next, w.since + ENFORCEMENT_WAIT_MS);
    return next;
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

  /** Entries kept for all tenants (memory: tests). */
  get entryCount(): number {
    let n = 0;
    for (const list of this.published.values()) n += list.length;
    return n;
  }

  private enforcedEntry(id: string): Published | undefined {
    const list = this.published.get(id);
    if (!list) return undefined;
    let entry: Published | undefined;
    for (const p of list) if (p.seq <= this.enforcedSeq) entry = p;
    return entry;
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
  /** write the status as built (the keys are enforced, or nothing is known yet and Ready stands) */
  | { kind: 'as-built' }
  /** write it with Ready=False/KeysNotEnforced */
  | { kind: 'not-enforced'; message: string }
  /** write nothing yet: the tenant is reconciled again when the replicas move, or after the wait */
  | { kind: 'wait'; requeueAfterMs: number };

/**
 * How enforcement shapes a tenant's status write (pure; `waitingSince` from EnforcementLedger.wait). `steady`: the
 * status says Ready for the spec generation it reports now (nothing changed that the gateway must load first).
 * A first status, and a Ready status whose spec changed (a key rotated in), are not written until the gateway
 * has what they would report, up to ENFORCEMENT_WAIT_MS — `kubectl wait` ignores a condition whose
 * observedGeneration is behind, and Ready does not flap on every rotation.
 */
export function planEnforcedStatus(
  e: Enforcement,
  o: { steady: boolean; wasReady: boolean; hadStatus: boolean; waitingSince: number; now: number },
): EnforcedStatusPlan {
  if (e.state === 'enforced') return { kind: 'as-built' };
  // nothing known (after a start, or a replica on a config this process never recorded): a steady Ready stands
  if (e.state === 'unknown' && o.steady) return { kind: 'as-built' };
  const left = o.waitingSince + ENFORCEMENT_WAIT_MS - o.now;
  if ((!o.hadStatus || o.wasReady) && left > 0) return { kind: 'wait', requeueAfterMs: left };
  return {
    kind: 'not-enforced',
    message: e.state === 'pending' ? e.message : 'waiting for the gateway replicas to report the config they enforce',
  };
}
