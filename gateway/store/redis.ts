// Redis store (ioredis): many gateway replicas share budgets, rate windows and concurrency slots.
// Each reservation is ONE EVALSHA of a Lua script (gateway/store/lua.ts) that checks every control and
// applies them all only if all admit — atomic across replicas. Time comes from Redis (TIME); every key of a
// tenant carries the hash tag `{tenant}`, so one script touches one slot (Redis Cluster safe).
//
// Failure behaviour (the full matrix is in gateway/README.md):
// - Commands time out after `commandTimeoutMs` and are not queued while disconnected; reserve() then throws
//   StoreUnavailableError and the pipeline decides (budgets fail closed).
// - A reservation whose reply never arrived (timeout, connection lost) is RELEASED BY ID: a release script
//   takes back whatever it applied and leaves a tombstone, so a script still queued in a stalled Redis
//   applies nothing when it finally runs. Releases are retried until they land (or the record has expired).
// - Concurrency slots are short leases (`slotLeaseMs`, default 10 s) renewed by a heartbeat while the request
//   runs: a dead or stalled replica frees its slots within one lease.
// - Loss of state (Redis restarted empty, flushed, a Cluster node lost its data) is detected through the
//   store generation (gateway/store/generation.ts): budget-limited reservations then fail with
//   StoreStateLostError until the data is restored or an operator acknowledges the reset.
// - Settlement is idempotent per reservation id and retried with backoff; if it never lands the
//   reservation stays charged in full (overcharge, never overspend).
// - With replicas (Sentinel, Cluster) each reservation waits for one replica's acknowledgement (WAIT), so a
//   failover does not lose an admitted reservation.
import { randomUUID } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import {
  decideGeneration,
  decideMarkerLost,
  decodeGenRecord,
  encodeGenRecord,
  type GenDecision,
  type GenRecord,
  type LocalGen,
} from './generation.ts';
import { GRACE_SECONDS, SCRIPTS, type Script } from './lua.ts';
import { AckBarrier, keySlot } from './replication.ts';
import { parseTopology, scrubError, type Topology } from './topology.ts';
import {
  allBudgetLines,
  MAX_REVOCATION_AUDIT,
  safeScopeName,
  scopeSuffix,
  type RevocationAudit,
  StoreStateLostError,
  StoreUnavailableError,
  type Actual,
  type BudgetUnit,
  type RejectReason,
  type Reservation,
  type ReserveRequest,
  type ReserveResult,
  type ReserveScope,
  type ScopeRef,
  type ScopeReservation,
  type Store,
  type StoreEvent,
  type StoreHealth,
  type StoredRevocation,
} from './types.ts';

export interface RedisStoreOptions {
  /** redis://, rediss://, redis+cluster://h1:p1,h2:p2 or redis+sentinel://h1:p1,h2:p2/<master> */
  url: string;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  keyPrefix?: string;
  /** Called when a settle could not be written after all retries. */
  onSettleFailure?: (res: Reservation, err: unknown) => void;
  settleRetryDelaysMs?: readonly number[];
  /** Store events (state lost / recovered, releases, unreplicated reservations) for logs and metrics. */
  onEvent?: (e: StoreEvent) => void;
  /** Concurrency slot lease, renewed by the heartbeat every third of it (default 10 s). */
  slotLeaseMs?: number;
  /** How long a reservation record (needed to settle or release it) lives (default 15 min). */
  recordTtlMs?: number;
  /** Generation record poll period (default 1 s). */
  generationPollMs?: number;
  /** Replicas that must acknowledge a reservation (WAIT); default 1 for Sentinel and Cluster, else 0. */
  replicaAcks?: number;
  replicaAckTimeoutMs?: number;
  /** Extra TLS options (e.g. a private CA) for rediss:// and ?tls=1. */
  tls?: ConnectionOptions;
}

type Client = Redis | Cluster;

export function connectRedis(url: string, extra: RedisOptions, tlsExtra?: ConnectionOptions): Client {
  const topo = parseTopology(url);
  const tls = topo.tls ? { ...(tlsExtra ?? {}) } : undefined;
  if (topo.mode === 'single') return new Redis(url, { ...extra, ...(tls ? { tls } : {}) });
  const auth = {
    ...(topo.username ? { username: topo.username } : {}),
    ...(topo.password ? { password: topo.password } : {}),
  };
  if (topo.mode === 'cluster') {
    return new Cluster([...topo.nodes], {
      redisOptions: { ...extra, ...auth, ...(tls ? { tls } : {}) },
      enableOfflineQueue: extra.enableOfflineQueue ?? false,
      clusterRetryStrategy: (times: number) => Math.min(100 * 2 ** times, 2000),
      ...(tls
        ? { dnsLookup: (address: string, cb: (err: Error | null, address: string) => void) => cb(null, address) }
        : {}),
    });
  }
  return new Redis({
    ...extra,
    ...auth,
    sentinels: [...topo.sentinels],
    name: topo.masterName,
    ...(topo.sentinelUsername ? { sentinelUsername: topo.sentinelUsername } : {}),
    ...(topo.sentinelPassword ? { sentinelPassword: topo.sentinelPassword } : {}),
    ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
    sentinelRetryStrategy: (times: number) => Math.min(100 * 2 ** times, 1000),
  });
}

interface Held {
  /** The slot sets holding this reservation's slots, grouped by Cluster slot (prefix -> `...cc` keys). */
  readonly groups: readonly { readonly prefix: string; readonly keys: readonly string[] }[];
  /** Absolute end: the request's own lease (the pipeline's total timeout + margin). */
  readonly deadline: number;
}

interface PendingRelease {
  /** The prefix (slot) holding the reservation record: the tenant's, or a global model cap's in Cluster. */
  readonly prefix: string;
  readonly id: string;
  readonly firstAt: number;
  attempts: number;
  nextAt: number;
}

const RELEASE_DELAYS_MS = [100, 500, 1000, 2000, 5000];
const MAX_PENDING_RELEASES = 100_000;

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly client: Client;
  readonly topology: Topology;
  readonly #prefix: string;
  readonly #opts: RedisStoreOptions;
  readonly #settled = new WeakSet<Reservation>();
  readonly #pendingTimers = new Set<NodeJS.Timeout>();
  readonly #secrets: (string | undefined)[];
  readonly #slotLeaseMs: number;
  readonly #recordTtlMs: number;
  readonly #replicaAcks: number;
  /** Tenants this replica reserved for in the current generation -> until when their marker must exist. */
  readonly #seen = new Map<string, number>();
  readonly #held = new Map<string, Held>();
  readonly #releases = new Map<string, PendingRelease>();
  /** Tenants whose master had no replica acknowledging recently: WAIT skipped until then. */
  readonly #noReplicaUntil = new Map<string, number>();
  readonly #barriers = new WeakMap<Redis, AckBarrier>();
  #gen: LocalGen = { kind: 'unknown' };
  #genPolling: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];
  #closed = false;
  #lastError: string | undefined;
  #settling = 0;

  constructor(opts: RedisStoreOptions) {
    this.#opts = opts;
    this.#prefix = opts.keyPrefix ?? 'tg:';
    this.topology = parseTopology(opts.url);
    this.#secrets =
      this.topology.mode === 'single'
        ? secretsOf(opts.url)
        : [this.topology.password, ...(this.topology.mode === 'sentinel' ? [this.topology.sentinelPassword] : [])];
    this.#slotLeaseMs = opts.slotLeaseMs ?? 10_000;
    this.#recordTtlMs = opts.recordTtlMs ?? 15 * 60_000;
    this.#replicaAcks = opts.replicaAcks ?? (this.topology.mode === 'single' ? 0 : 1);
    this.client = connectRedis(
      opts.url,
      {
        commandTimeout: opts.commandTimeoutMs ?? 500,
        connectTimeout: opts.connectTimeoutMs ?? 2000,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
      },
      opts.tls,
    );
    // surfaced through command failures and ping(); the last one explains a failed connect (scrubbed)
    this.client.on('error', (e: unknown) => {
      this.#lastError = e instanceof Error ? e.message : String(e);
    });
  }

  /** A safe description of the target (never credentials). */
  get label(): string {
    return this.topology.label;
  }

  /** Connect, load the scripts and adopt the store generation; throws when Redis is not reachable. */
  async connect(): Promise<void> {
    this.#startTimers();
    try {
      if (this.client.status === 'wait') await this.client.connect();
      await this.#waitReady(this.#opts.connectTimeoutMs ?? 2000);
      await this.#pollGeneration();
    } catch (e) {
      const last = this.#lastError !== undefined ? ` (${scrubError(this.#lastError, this.#secrets)})` : '';
      throw new StoreUnavailableError(`redis connect failed: ${this.#scrub(e)}${last}`);
    }
  }

  #startTimers(): void {
    if (this.#timers.length > 0 || this.#closed) return;
    const every = (ms: number, fn: () => Promise<void>): void => {
      const t = setInterval(() => void fn().catch(() => undefined), ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#opts.generationPollMs ?? 1000, () => this.#pollGeneration());
    every(Math.max(50, Math.floor(this.#slotLeaseMs / 3)), () => this.#heartbeat());
    every(100, () => this.#drainReleases());
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new StoreUnavailableError(`redis not ready after ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = (): void => {
        cleanup();
        resolve();
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
      };
      this.client.on('ready', onReady);
    });
  }

  #scrub(e: unknown): string {
    return scrubError(e instanceof Error ? e.message : String(e), this.#secrets);
  }

  #key(tenant: string): string {
    // The tenant id is `<namespace>/<name>` (DNS labels): no braces, so the hash tag is exactly the tenant.
    return `${this.#prefix}{${tenant}}:`;
  }

  /** A global per-model cap: its own slot (`{m:<served name>}`; served names hold no braces). */
  #modelKey(model: string): string {
    return `${this.#prefix}{m:${safeScopeName(model)}}:`;
  }

  /** Where a scope's counters live (inspection). */
  #scopePrefix(tenant: string, scope: ScopeRef | undefined): string {
    if (!scope) return this.#key(tenant);
    return scope.level === 'model' ? this.#modelKey(scope.name) : this.#key(tenant) + scopeSuffix(scope);
  }

  get #genKey(): string {
    return `${this.#prefix}gen`;
  }

  /** Runs a script; NOSCRIPT (a restarted or failed-over Redis) falls back to EVAL, which caches it again. */
  async #run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT'))
        return this.client.eval(s.src, keys.length, ...keys, ...args);
      throw e;
    }
  }

  /** The connection that holds a prefix's slot (the one a WAIT must be sent on). */
  #connectionFor(prefix: string): Redis | undefined {
    if (!(this.client instanceof Cluster)) return this.client;
    const nodeKey = this.client.slots[keySlot(prefix)]?.[0];
    if (nodeKey === undefined) return undefined;
    return this.client.nodes('master').find((r) => `${r.options.host}:${r.options.port}` === nodeKey);
  }

  /** Replicas that acknowledged the writes to a prefix's slot so far (undefined: not asked). Coalesced per connection. */
  async #replicated(prefix: string): Promise<number | undefined> {
    if (this.#replicaAcks <= 0) return undefined;
    const skip = this.#noReplicaUntil.get(prefix);
    if (skip !== undefined) {
      if (skip > Date.now()) return undefined;
      this.#noReplicaUntil.delete(prefix);
    }
    const conn = this.#connectionFor(prefix);
    if (!conn) throw new Error('no connection for the tenant slot');
    let barrier = this.#barriers.get(conn);
    if (!barrier) this.#barriers.set(conn, (barrier = new AckBarrier()));
    return barrier.wait(async () => Number(await conn.wait(this.#replicaAcks, this.#opts.replicaAckTimeoutMs ?? 50)));
  }

  // ---- generation --------------------------------------------------------------------------------------

  health(): StoreHealth {
    const g = this.#gen;
    if (g.kind === 'lost') return { state: 'lost', generation: g.id, since: g.since, reason: g.reason };
    if (g.kind === 'ok') return { state: 'ok', generation: g.id };
    return { state: 'unknown' };
  }

  async #readGen(): Promise<GenRecord | undefined> {
    return decodeGenRecord(await this.client.hgetall(this.#genKey));
  }

  #pollGeneration(): Promise<void> {
    this.#genPolling ??= (async () => {
      try {
        const remote = await this.#readGen();
        await this.#applyGen(decideGeneration(this.#gen, remote, new Date().toISOString(), randomUUID()));
      } finally {
        this.#genPolling = undefined;
      }
    })();
    return this.#genPolling;
  }

  async #applyGen(d: GenDecision): Promise<void> {
    const before = this.#gen;
    if (d.write?.op === 'create') {
      // Another replica may have created it in the meantime: adopt what the store holds.
      const stored = decodeGenRecord(
        pairs(await this.#run(SCRIPTS.genCreate, [this.#genKey], encodeGenRecord(d.write.record))),
      );
      this.#gen = stored
        ? stored.state === 'ok'
          ? { kind: 'ok', id: stored.id }
          : { kind: 'lost', id: stored.id, since: stored.since, reason: stored.reason ?? 'lost' }
        : d.next;
    } else {
      if (d.write?.op === 'markLost')
        await this.#run(SCRIPTS.genReplace, [this.#genKey], encodeGenRecord(d.write.record)).catch(() => undefined);
      this.#gen = d.next;
    }
    if (d.resetSeen) this.#seen.clear();
    if (d.detected !== undefined && before.kind !== 'lost')
      this.#opts.onEvent?.({ type: 'state_lost', reason: d.detected });
    if (d.recovered) {
      this.#seen.clear();
      this.#opts.onEvent?.({ type: 'state_recovered', how: d.recovered });
    }
  }

  #seenNow(tenant: string, now: number): boolean {
    const until = this.#seen.get(tenant);
    if (until === undefined) return false;
    if (until <= now) {
      this.#seen.delete(tenant);
      return false;
    }
    return true;
  }

  // ---- reserve / settle / release ----------------------------------------------------------------------

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    if (this.#gen.kind === 'unknown') {
      try {
        await this.#pollGeneration();
      } catch (e) {
        throw new StoreUnavailableError(`redis reserve failed: ${this.#scrub(e)}`, { cause: e });
      }
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const g = this.#gen;
      if (g.kind === 'lost' && req.budgets.length > 0) throw new StoreStateLostError(g.since, g.reason);
      const r = await this.#reserveOnce(req, g.kind === 'ok');
      if (r.kind === 'done') return r.result;
      // The script found the generation record or this tenant's marker missing and applied nothing: decide
      // (lost, or an acknowledged new generation this replica has not polled yet) and try again.
      if (r.what === 'marker') await this.#applyGen(decideMarkerLost(this.#gen, new Date().toISOString()));
      else await this.#pollGeneration().catch(() => undefined);
    }
    const g = this.#gen;
    throw new StoreStateLostError(
      g.kind === 'lost' ? g.since : new Date().toISOString(),
      g.kind === 'lost' ? g.reason : 'state lost',
    );
  }

  async #reserveOnce(
    req: ReserveRequest,
    checked: boolean,
  ): Promise<{ kind: 'done'; result: ReserveResult } | { kind: 'lost'; what: string }> {
    const now = Date.now();
    const all = allBudgetLines(req);
    const maxWindow = all.reduce((m, b) => Math.max(m, b.windowSeconds), 120);
    const markerTtl = maxWindow + GRACE_SECONDS;
    const leaseOf = (c: ReserveScope['concurrency']): number =>
      c ? Math.max(1, Math.min(c.leaseMs, this.#slotLeaseMs)) : 0;
    const genId = checked && this.topology.mode !== 'cluster' && this.#gen.kind === 'ok' ? this.#gen.id : '';
    const mustExist = checked && this.#seenNow(req.tenant, now) ? 1 : 0;
    const tk = this.#key(req.tenant);
    const scopes = req.scopes ?? [];
    const local = scopes.filter((sc) => sc.level !== 'model');
    const globals = scopes.filter((sc) => sc.level === 'model');
    // Outside Cluster a global cap is one more level of the same script (one round trip, atomic). In Cluster its
    // keys are in another slot: it is reserved first in its own slot and released if the tenant's part refuses.
    const inline = this.topology.mode !== 'cluster';
    const keys = [tk, this.#genKey, ...(inline ? globals.map((g) => this.#modelKey(g.name)) : [])];
    const levels: { ki: number; sub: string; c: LevelControls; ref?: ScopeRef }[] = [
      { ki: 1, sub: '', c: req },
      ...local.map((sc) => ({ ki: 1, sub: scopeSuffix(sc), c: sc, ref: { level: sc.level, name: sc.name } })),
      ...(inline
        ? globals.map((sc, i) => ({ ki: 3 + i, sub: '', c: sc, ref: { level: sc.level, name: sc.name } }))
        : []),
    ];
    const held: { prefix: string; keys: string[] }[] = [];
    const tenantCc = levels.filter((l) => l.c.concurrency).map((l) => keys[l.ki - 1]! + l.sub + 'cc');
    if (tenantCc.length > 0) held.push({ prefix: tk, keys: tenantCc });

    // Cluster: the global caps first, each in its own slot.
    const globalWs = new Map<string, string[]>();
    const reservedGlobals: string[] = [];
    const undoGlobals = async (): Promise<void> => {
      for (const gp of reservedGlobals)
        await this.#releasePrefix(gp, req.id).catch(() => this.#queueRelease(req.id, gp));
    };
    if (!inline) {
      for (const g of globals) {
        const gp = this.#modelKey(g.name);
        const r = await this.#runReserve(
          req.id,
          gp,
          [gp],
          ['', 0, markerTtl, this.#recordTtlMs, 1, ...levelArgs(1, '', g, leaseOf(g.concurrency))],
        ).catch(async (e: unknown) => {
          await undoGlobals();
          throw e;
        });
        if (r[0] !== 'ok') {
          await undoGlobals();
          if (r[0] === 'released') throw new StoreUnavailableError('redis reserve: reservation id already released');
          return { kind: 'done', result: refusal(r, [{ level: g.level, name: g.name }]) };
        }
        reservedGlobals.push(gp);
        globalWs.set(g.name, r.slice(3));
        if (g.concurrency) held.push({ prefix: gp, keys: [gp + 'cc'] });
      }
    }

    const args: (string | number)[] = [genId, mustExist, markerTtl, this.#recordTtlMs, levels.length];
    for (const l of levels) args.push(...levelArgs(l.ki, l.sub, l.c, leaseOf(l.c.concurrency)));
    let r: string[];
    try {
      r = await this.#runReserve(req.id, tk, genId !== '' || keys.length > 2 ? keys : [tk], args);
    } catch (e) {
      await undoGlobals();
      throw e;
    }
    if (r[0] === 'lost') {
      await undoGlobals();
      return { kind: 'lost', what: r[1] ?? 'marker' };
    }
    if (r[0] === 'released') {
      await undoGlobals();
      throw new StoreUnavailableError('redis reserve: reservation id already released');
    }
    if (r[0] !== 'ok') {
      await undoGlobals();
      return { kind: 'done', result: refusal(r, [undefined, ...levels.slice(1).map((l) => l.ref)]) };
    }
    this.#seen.set(req.tenant, now + markerTtl * 1000 - 60_000);
    if (held.length > 0)
      this.#held.set(req.id, {
        groups: held,
        deadline:
          now + Math.max(...[req.concurrency, ...scopes.map((sc) => sc.concurrency)].map((c) => c?.leaseMs ?? 0)),
      });
    const minute = Number(r[2]);
    // windows in level order: tenant, local scopes, inline globals
    let wi = 3;
    const take = (c: LevelControls): ScopeReservation['budgets'] =>
      (c.budgets ?? []).map((b) => ({
        unit: b.unit,
        windowSeconds: b.windowSeconds,
        windowStart: Number(r[wi++]),
        amount: b.amount,
      }));
    const own = take(req);
    const scopeParts = new Map<ReserveScope, ScopeReservation['budgets']>();
    for (const sc of local) scopeParts.set(sc, take(sc));
    if (inline) for (const sc of globals) scopeParts.set(sc, take(sc));
    else
      for (const sc of globals) {
        const ws = globalWs.get(sc.name) ?? [];
        scopeParts.set(
          sc,
          (sc.budgets ?? []).map((b, i) => ({
            unit: b.unit,
            windowSeconds: b.windowSeconds,
            windowStart: Number(ws[i]),
            amount: b.amount,
          })),
        );
      }
    const reservation: Reservation = {
      id: req.id,
      tenant: req.tenant,
      budgets: own,
      tpm: req.tpm === undefined ? undefined : { windowStart: minute, amount: req.tpm.amount },
      concurrency: req.concurrency !== undefined,
      ...(scopes.length > 0
        ? {
            scopes: scopes.map((sc) => ({
              level: sc.level,
              name: sc.name,
              budgets: scopeParts.get(sc) ?? [],
              tpm: sc.tpm === undefined ? undefined : { windowStart: minute, amount: sc.tpm.amount },
              concurrency: sc.concurrency !== undefined,
            })),
          }
        : {}),
      store: this,
    };
    return { kind: 'done', result: { ok: true, reservation } };
  }

  /** One reservation script on one slot; on no reply, the reservation is queued for release by id. Waits for a replica. */
  async #runReserve(id: string, prefix: string, keys: string[], rest: (string | number)[]): Promise<string[]> {
    let reply: unknown;
    let acks: number | undefined;
    try {
      reply = await this.#run(SCRIPTS.reserve, keys, [id, ...rest]);
      if (Array.isArray(reply) && reply[0] === 'ok') acks = await this.#replicated(prefix);
    } catch (e) {
      // The script may still run (a stalled Redis, a reply lost with the connection): release it by id.
      this.#queueRelease(id, prefix);
      throw new StoreUnavailableError(`redis reserve failed: ${this.#scrub(e)}`, { cause: e });
    }
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') {
      this.#queueRelease(id, prefix);
      throw new StoreUnavailableError('redis reserve: unexpected reply');
    }
    if (acks !== undefined && acks < this.#replicaAcks) {
      // No replica answered in time (e.g. a promoted master has none yet): count it, and do not make every
      // request of this slot wait the full timeout meanwhile.
      this.#opts.onEvent?.({ type: 'unreplicated' });
      if (this.#noReplicaUntil.size < 100_000) this.#noReplicaUntil.set(prefix, Date.now() + 10_000);
    }
    return (reply as unknown[]).map(String);
  }

  async settle(res: Reservation, actual: Actual): Promise<void> {
    if (this.#settled.has(res)) return;
    this.#settled.add(res);
    this.#held.delete(res.id);
    this.#settling++;
    try {
      await this.#settle(res, actual);
    } finally {
      this.#settling--;
    }
  }

  /** Settlements still being written (retrying), for tests and a clean shutdown. */
  get pendingSettles(): number {
    return this.#settling;
  }

  async #settle(res: Reservation, actual: Actual): Promise<void> {
    const prefixes = [this.#key(res.tenant)];
    // Cluster: a global model cap was its own reservation in its own slot
    if (this.topology.mode === 'cluster')
      for (const sc of res.scopes ?? []) if (sc.level === 'model') prefixes.push(this.#modelKey(sc.name));
    await Promise.all(prefixes.map((p) => this.#settleIn(p, res, actual)));
  }

  async #settleIn(key: string, res: Reservation, actual: Actual): Promise<void> {
    // long enough to outlast a Sentinel or Cluster failover (~2-10 s)
    const delays = this.#opts.settleRetryDelaysMs ?? [200, 1000, 2000, 5000, 10_000];
    let attempt = 0;
    for (;;) {
      try {
        await this.#run(SCRIPTS.settle, [key], [res.id, actual.cost, actual.tokens]);
        // A settle a failover loses would leave the estimate charged: make sure a replica has it, else retry
        // (idempotent: a retry after a settle that did survive finds no record and applies nothing).
        const acks = await this.#replicated(key);
        if (acks !== undefined && acks < this.#replicaAcks) {
          this.#opts.onEvent?.({ type: 'unreplicated' });
          this.#noReplicaUntil.set(key, Date.now() + 10_000);
          throw new Error('settle not acknowledged by a replica');
        }
        return;
      } catch (e) {
        const delay = delays[attempt++];
        if (delay === undefined || this.#closed) {
          this.#opts.onSettleFailure?.(res, e);
          return;
        }
        await this.#sleep(delay);
      }
    }
  }

  /** Takes back a reservation by id (idempotent; also when it has not run yet). True when something was undone. */
  async release(tenant: string, id: string): Promise<boolean> {
    return this.#releasePrefix(this.#key(tenant), id);
  }

  async #releasePrefix(prefix: string, id: string): Promise<boolean> {
    this.#held.delete(id);
    const n = await this.#run(SCRIPTS.release, [prefix], [id, this.#recordTtlMs]);
    const acks = await this.#replicated(prefix);
    if (acks !== undefined && acks < this.#replicaAcks) {
      this.#noReplicaUntil.set(prefix, Date.now() + 10_000);
      throw new Error('release not acknowledged by a replica'); // retried by the release queue
    }
    return Number(n) === 1;
  }

  #queueRelease(id: string, prefix: string): void {
    this.#held.delete(id);
    if (this.#releases.size >= MAX_PENDING_RELEASES) {
      this.#opts.onEvent?.({ type: 'release', result: 'dropped' });
      return;
    }
    const now = Date.now();
    this.#releases.set(`${prefix}\n${id}`, {
      prefix,
      id,
      firstAt: now,
      attempts: 0,
      nextAt: now + RELEASE_DELAYS_MS[0]!,
    });
  }

  /** Pending releases (reservations whose reply never arrived), for tests and readiness detail. */
  get pendingReleases(): number {
    return this.#releases.size;
  }

  async #drainReleases(): Promise<void> {
    if (this.#releases.size === 0 || this.client.status !== 'ready') return;
    const now = Date.now();
    const due = [...this.#releases].filter(([, p]) => p.nextAt <= now).slice(0, 200);
    await Promise.all(
      due.map(async ([k, p]) => {
        try {
          const undone = await this.#releasePrefix(p.prefix, p.id);
          this.#releases.delete(k);
          this.#opts.onEvent?.({ type: 'release', result: undone ? 'undone' : 'nothing' });
        } catch {
          p.attempts++;
          if (now - p.firstAt > this.#recordTtlMs) {
            this.#releases.delete(k); // the record and its tombstone have expired: nothing left to undo safely
            this.#opts.onEvent?.({ type: 'release', result: 'dropped' });
          } else p.nextAt = now + RELEASE_DELAYS_MS[Math.min(p.attempts, RELEASE_DELAYS_MS.length - 1)]!;
        }
      }),
    );
  }

  /** Renews the leases of every slot this replica holds (one script per tenant). */
  async #heartbeat(): Promise<void> {
    if (this.#held.size === 0 || this.client.status !== 'ready') return;
    const now = Date.now();
    const bySlot = new Map<string, { keys: Set<string>; ids: string[] }>();
    for (const [id, h] of this.#held) {
      if (h.deadline <= now) {
        this.#held.delete(id);
        continue;
      }
      for (const g of h.groups) {
        let e = bySlot.get(g.prefix);
        if (!e) bySlot.set(g.prefix, (e = { keys: new Set(), ids: [] }));
        for (const k of g.keys) e.keys.add(k);
        e.ids.push(id);
      }
    }
    await Promise.all(
      [...bySlot.values()].map((e) =>
        this.#run(SCRIPTS.renew, [...e.keys], [this.#slotLeaseMs, ...e.ids]).catch(() => undefined),
      ),
    );
  }

  /** Slots this replica holds and keeps alive (tests). */
  get heldSlots(): number {
    return this.#held.size;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.#pendingTimers.delete(t);
        resolve();
      }, ms);
      this.#pendingTimers.add(t);
    });
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const t of this.#pendingTimers) clearTimeout(t);
    this.client.disconnect();
  }

  async spent(tenant: string, unit: BudgetUnit, windowSeconds: number, scope?: ScopeRef): Promise<number> {
    const p = this.#scopePrefix(tenant, scope);
    const now = Math.floor((await this.#redisNowMs(p)) / 1000);
    const ws = now - (now % windowSeconds);
    return Number((await this.client.get(`${p}b:${unit}:${windowSeconds}:${ws}`)) ?? 0);
  }

  async inflight(tenant: string, scope?: ScopeRef): Promise<number> {
    const p = this.#scopePrefix(tenant, scope);
    const nowMs = await this.#redisNowMs(p);
    return this.client.zcount(`${p}cc`, `(${nowMs}`, '+inf');
  }

  async #redisNowMs(prefix: string): Promise<number> {
    // TIME of the node that holds the prefix (Cluster: ask through a script on its slot)
    const v = await this.client.eval(
      "local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000)",
      1,
      prefix,
    );
    return Number(v);
  }

  // Revocations: one hash `<prefix>revoked` (key id -> JSON {reason, at}), outside any tenant's slot. HSETNX keeps
  // the first record. Lifting one (`tollgate keys unrevoke`) deletes it and records the lift in `<prefix>lifted`,
  // so replicas that re-seed revocations the store lost know not to put that one back.
  async revoke(
    keyId: string,
    reason: string,
    extra: { keyId?: string | undefined; by?: string | undefined } = {},
  ): Promise<boolean> {
    const value = JSON.stringify({
      reason,
      at: new Date().toISOString(),
      ...(extra.keyId ? { keyId: extra.keyId } : {}),
      ...(extra.by ? { by: extra.by } : {}),
    } satisfies StoredRevocation);
    try {
      const first = (await this.client.hsetnx(`${this.#prefix}revoked`, keyId, value)) === 1;
      if (first) {
        await this.client.hdel(`${this.#prefix}lifted`, keyId); // revoked again after a lift
        await this.#note({
          action: 'revoke',
          target: keyId,
          keyId: extra.keyId,
          reason,
          by: extra.by,
          at: new Date().toISOString(),
        });
      }
      return first;
    } catch (e) {
      throw new StoreUnavailableError(`redis revoke failed: ${this.#scrub(e)}`, { cause: e });
    }
  }

  /** Appends to the audit trail (`<prefix>revocation-audit`, a list, newest first, bounded). */
  async #note(e: RevocationAudit): Promise<void> {
    const k = `${this.#prefix}revocation-audit`;
    await this.client.lpush(k, JSON.stringify(e));
    await this.client.ltrim(k, 0, MAX_REVOCATION_AUDIT - 1);
  }

  /** The revocation audit trail, newest first. */
  async auditTrail(limit = 100): Promise<RevocationAudit[]> {
    const raw = await this.client.lrange(`${this.#prefix}revocation-audit`, 0, Math.max(0, limit - 1));
    const out: RevocationAudit[] = [];
    for (const r of raw) {
      try {
        const v = JSON.parse(r) as RevocationAudit;
        if (v && typeof v === 'object' && typeof v.target === 'string') out.push(v);
      } catch {
        // a hand-written entry
      }
    }
    return out;
  }

  async unrevoke(keyId: string, by?: string): Promise<boolean> {
    try {
      await this.client.hset(`${this.#prefix}lifted`, keyId, new Date().toISOString());
      const removed = (await this.client.hdel(`${this.#prefix}revoked`, keyId)) === 1;
      await this.#note({ action: 'unrevoke', target: keyId, by, at: new Date().toISOString() });
      return removed;
    } catch (e) {
      throw new StoreUnavailableError(`redis unrevoke failed: ${this.#scrub(e)}`, { cause: e });
    }
  }

  async liftedRevocations(): Promise<Set<string>> {
    try {
      return new Set(Object.keys(await this.client.hgetall(`${this.#prefix}lifted`)));
    } catch (e) {
      throw new StoreUnavailableError(`redis lifted revocations failed: ${this.#scrub(e)}`, { cause: e });
    }
  }

  async revocations(): Promise<Map<string, StoredRevocation>> {
    let all: Record<string, string>;
    try {
      all = await this.client.hgetall(`${this.#prefix}revoked`);
    } catch (e) {
      throw new StoreUnavailableError(`redis revocations failed: ${this.#scrub(e)}`, { cause: e });
    }
    const out = new Map<string, StoredRevocation>();
    for (const [keyId, raw] of Object.entries(all)) {
      let rec: StoredRevocation = { reason: 'unknown', at: '' };
      try {
        const v = JSON.parse(raw) as Partial<StoredRevocation> | null;
        if (v && typeof v === 'object') {
          rec = {
            reason: typeof v.reason === 'string' ? v.reason : 'unknown',
            at: typeof v.at === 'string' ? v.at : '',
            ...(typeof v.keyId === 'string' ? { keyId: v.keyId } : {}),
            ...(typeof v.by === 'string' ? { by: v.by } : {}),
          };
        }
      } catch {
        // a hand-written entry: the key is still revoked
      }
      out.set(keyId, rec);
    }
    return out;
  }

  // ---- operator actions (tollgate store ...) -----------------------------------------------------------

  async readGeneration(): Promise<GenRecord | undefined> {
    return this.#readGen();
  }

  /** Writes a fresh acknowledged generation: replicas adopt it and serve budget-limited tenants again. */
  async acknowledgeReset(record: GenRecord): Promise<void> {
    await this.#run(SCRIPTS.genReplace, [this.#genKey], encodeGenRecord(record));
  }
}

type LevelControls = Pick<ReserveScope, 'budgets' | 'rpm' | 'tpm' | 'concurrency'>;

/** One level of the reservation script's arguments (see RESERVE in lua.ts). */
function levelArgs(keyIndex: number, sub: string, c: LevelControls, lease: number): (string | number)[] {
  const out: (string | number)[] = [keyIndex, sub, c.budgets?.length ?? 0];
  for (const b of c.budgets ?? []) out.push(b.unit, b.windowSeconds, b.limit, b.amount);
  out.push(c.rpm ?? -1, c.tpm?.limit ?? -1, c.tpm?.amount ?? 0, c.concurrency?.limit ?? -1, lease);
  return out;
}

/** A refusal reply: {reason, retryAfter, budgetIndex, levelIndex}; `refs[levelIndex]` names the level (undefined: the tenant's own). */
function refusal(r: string[], refs: readonly (ScopeRef | undefined)[]): ReserveResult {
  const reason = r[0] as RejectReason;
  const idx = Number(r[2]);
  const ref = refs[Number(r[3] ?? 0)];
  return {
    ok: false,
    reason,
    retryAfterSeconds: Number(r[1]),
    ...(idx >= 0 ? { budgetIndex: idx } : {}),
    ...(ref ? { scope: ref } : {}),
  };
}

function pairs(v: unknown): Record<string, string> | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
  return out;
}

function secretsOf(url: string): (string | undefined)[] {
  try {
    const u = new URL(url);
    return [u.password ? decodeURIComponent(u.password) : undefined];
  } catch {
    return [];
  }
}
