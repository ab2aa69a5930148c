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
import { decideGeneration, decideMarkerLost, decodeGenRecord, encodeGenRecord, type GenDecision, type GenRecord, type LocalGen } from './generation.ts';
import { GRACE_SECONDS, SCRIPTS, type Script } from './lua.ts';
import { AckBarrier, keySlot } from './replication.ts';
import { parseTopology, scrubError, type Topology } from './topology.ts';
import { StoreStateLostError, StoreUnavailableError, type Actual, type BudgetUnit, type Reservation, type ReserveRequest, type ReserveResult, type Store, type StoreEvent, type StoreHealth, type StoredRevocation } from './types.ts';

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
  const auth = { ...(topo.username ? { username: topo.username } : {}), ...(topo.password ? { password: topo.password } : {}) };
  if (topo.mode === 'cluster') {
    return new Cluster([...topo.nodes], {
      redisOptions: { ...extra, ...auth, ...(tls ? { tls } : {}) },
      enableOfflineQueue: extra.enableOfflineQueue ?? false,
      clusterRetryStrategy: (times: number) => Math.min(100 * 2 ** times, 2000),
      ...(tls ? { dnsLookup: (address: string, cb: (err: Error | null, address: string) => void) => cb(null, address) } : {}),
    });
  }
  return new Redis({
    ...extra, ...auth,
    sentinels: [...topo.sentinels], name: topo.masterName,
    ...(topo.sentinelUsername ? { sentinelUsername: topo.sentinelUsername } : {}),
    ...(topo.sentinelPassword ? { sentinelPassword: topo.sentinelPassword } : {}),
    ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
    sentinelRetryStrategy: (times: number) => Math.min(100 * 2 ** times, 1000),
  });
}

interface Held {
  readonly tenant: string;
  /** Absolute end: the request's own lease (the pipeline's total timeout + margin). */
  readonly deadline: number;
}

interface PendingRelease {
  readonly tenant: string;
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
    this.#secrets = this.topology.mode === 'single' ? secretsOf(opts.url) : [this.topology.password, ...(this.topology.mode === 'sentinel' ? [this.topology.sentinelPassword] : [])];
    this.#slotLeaseMs = opts.slotLeaseMs ?? 10_000;
    this.#recordTtlMs = opts.recordTtlMs ?? 15 * 60_000;
    this.#replicaAcks = opts.replicaAcks ?? (this.topology.mode === 'single' ? 0 : 1);
    this.client = connectRedis(opts.url, {
      commandTimeout: opts.commandTimeoutMs ?? 500,
      connectTimeout: opts.connectTimeoutMs ?? 2000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
    }, opts.tls);
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

  get #genKey(): string {
    return `${this.#prefix}gen`;
  }

  /** Runs a script; NOSCRIPT (a restarted or failed-over Redis) falls back to EVAL, which caches it again. */
  async #run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT')) return this.client.eval(s.src, keys.length, ...keys, ...args);
      throw e;
    }
  }

  /** The connection that holds the tenant's slot (the one a WAIT must be sent on). */
  #connectionFor(tenant: string): Redis | undefined {
    if (!(this.client instanceof Cluster)) return this.client;
    const nodeKey = this.client.slots[keySlot(this.#key(tenant))]?.[0];
    if (nodeKey === undefined) return undefined;
    return this.client.nodes('master').find((r) => `${r.options.host}:${r.options.port}` === nodeKey);
  }

  /** Replicas that acknowledged the tenant's writes so far (undefined: not asked). Coalesced per connection. */
  async #replicated(tenant: string): Promise<number | undefined> {
    if (this.#replicaAcks <= 0) return undefined;
    const skip = this.#noReplicaUntil.get(tenant);
    if (skip !== undefined) {
      if (skip > Date.now()) return undefined;
      this.#noReplicaUntil.delete(tenant);
    }
    const conn = this.#connectionFor(tenant);
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
      const stored = decodeGenRecord(pairs(await this.#run(SCRIPTS.genCreate, [this.#genKey], encodeGenRecord(d.write.record))));
      this.#gen = stored ? (stored.state === 'ok' ? { kind: 'ok', id: stored.id } : { kind: 'lost', id: stored.id, since: stored.since, reason: stored.reason ?? 'lost' }) : d.next;
    } else {
      if (d.write?.op === 'markLost') await this.#run(SCRIPTS.genReplace, [this.#genKey], encodeGenRecord(d.write.record)).catch(() => undefined);
      this.#gen = d.next;
    }
    if (d.resetSeen) this.#seen.clear();
    if (d.detected !== undefined && before.kind !== 'lost') this.#opts.onEvent?.({ type: 'state_lost', reason: d.detected });
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
    throw new StoreStateLostError(g.kind === 'lost' ? g.since : new Date().toISOString(), g.kind === 'lost' ? g.reason : 'state lost');
  }

  async #reserveOnce(req: ReserveRequest, checked: boolean): Promise<{ kind: 'done'; result: ReserveResult } | { kind: 'lost'; what: string }> {
    const now = Date.now();
    const maxWindow = req.budgets.reduce((m, b) => Math.max(m, b.windowSeconds), 120);
    const markerTtl = maxWindow + GRACE_SECONDS;
    const lease = req.concurrency ? Math.max(1, Math.min(req.concurrency.leaseMs, this.#slotLeaseMs)) : 0;
    const genId = checked && this.topology.mode !== 'cluster' && this.#gen.kind === 'ok' ? this.#gen.id : '';
    const mustExist = checked && this.#seenNow(req.tenant, now) ? 1 : 0;
    const args: (string | number)[] = [req.id, genId, mustExist, markerTtl, this.#recordTtlMs, req.budgets.length];
    for (const b of req.budgets) args.push(b.unit, b.windowSeconds, b.limit, b.amount);
    args.push(req.rpm ?? -1, req.tpm?.limit ?? -1, req.tpm?.amount ?? 0, req.concurrency?.limit ?? -1, lease);
    const keys = genId !== '' ? [this.#key(req.tenant), this.#genKey] : [this.#key(req.tenant)];
    let reply: unknown;
    let acks: number | undefined;
    try {
      reply = await this.#run(SCRIPTS.reserve, keys, args);
      if (Array.isArray(reply) && reply[0] === 'ok') acks = await this.#replicated(req.tenant);
    } catch (e) {
      // The script may still run (a stalled Redis, a reply lost with the connection): release it by id.
      this.#queueRelease(req.id, req.tenant);
      throw new StoreUnavailableError(`redis reserve failed: ${this.#scrub(e)}`, { cause: e });
    }
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') {
      this.#queueRelease(req.id, req.tenant);
      throw new StoreUnavailableError('redis reserve: unexpected reply');
    }
    const r = reply as string[];
    if (r[0] === 'lost') return { kind: 'lost', what: r[1] ?? 'marker' };
    if (r[0] === 'released') throw new StoreUnavailableError('redis reserve: reservation id already released');
    if (r[0] !== 'ok') {
      const reason = r[0] as 'budget' | 'rpm' | 'tpm' | 'concurrency';
      const idx = Number(r[2]);
      return { kind: 'done', result: { ok: false, reason, retryAfterSeconds: Number(r[1]), ...(idx >= 0 ? { budgetIndex: idx } : {}) } };
    }
    if (acks !== undefined && acks < this.#replicaAcks) {
      // No replica answered in time (e.g. a promoted master has none yet): count it, and do not make every
      // request of this tenant wait the full timeout meanwhile.
      this.#opts.onEvent?.({ type: 'unreplicated' });
      if (this.#noReplicaUntil.size < 100_000) this.#noReplicaUntil.set(req.tenant, Date.now() + 10_000);
    }
    this.#seen.set(req.tenant, now + markerTtl * 1000 - 60_000);
    if (req.concurrency) this.#held.set(req.id, { tenant: req.tenant, deadline: now + req.concurrency.leaseMs });
    const minute = Number(r[2]);
    const reservation: Reservation = {
      id: req.id,
      tenant: req.tenant,
      budgets: req.budgets.map((b, i) => ({ unit: b.unit, windowSeconds: b.windowSeconds, windowStart: Number(r[3 + i]), amount: b.amount })),
      tpm: req.tpm === undefined ? undefined : { windowStart: minute, amount: req.tpm.amount },
      concurrency: req.concurrency !== undefined,
      store: this,
    };
    return { kind: 'done', result: { ok: true, reservation } };
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
    const key = this.#key(res.tenant);
    // long enough to outlast a Sentinel or Cluster failover (~2-10 s)
    const delays = this.#opts.settleRetryDelaysMs ?? [200, 1000, 2000, 5000, 10_000];
    let attempt = 0;
    for (;;) {
      try {
        await this.#run(SCRIPTS.settle, [key], [res.id, actual.cost, actual.tokens]);
        // A settle a failover loses would leave the estimate charged: make sure a replica has it, else retry
        // (idempotent: a retry after a settle that did survive finds no record and applies nothing).
        const acks = await this.#replicated(res.tenant);
        if (acks !== undefined && acks < this.#replicaAcks) {
          this.#opts.onEvent?.({ type: 'unreplicated' });
          this.#noReplicaUntil.set(res.tenant, Date.now() + 10_000);
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
    this.#held.delete(id);
    const n = await this.#run(SCRIPTS.release, [this.#key(tenant)], [id, this.#recordTtlMs]);
    const acks = await this.#replicated(tenant);
    if (acks !== undefined && acks < this.#replicaAcks) {
      this.#noReplicaUntil.set(tenant, Date.now() + 10_000);
      throw new Error('release not acknowledged by a replica'); // retried by the release queue
    }
    return Number(n) === 1;
  }

  #queueRelease(id: string, tenant: string): void {
    this.#held.delete(id);
    if (this.#releases.size >= MAX_PENDING_RELEASES) {
      this.#opts.onEvent?.({ type: 'release', result: 'dropped' });
      return;
    }
    const now = Date.now();
    this.#releases.set(id, { tenant, firstAt: now, attempts: 0, nextAt: now + RELEASE_DELAYS_MS[0]! });
  }

  /** Pending releases (reservations whose reply never arrived), for tests and readiness detail. */
  get pendingReleases(): number {
    return this.#releases.size;
  }

  async #drainReleases(): Promise<void> {
    if (this.#releases.size === 0 || this.client.status !== 'ready') return;
    const now = Date.now();
    const due = [...this.#releases].filter(([, p]) => p.nextAt <= now).slice(0, 200);
    await Promise.all(due.map(async ([id, p]) => {
      try {
        const undone = await this.release(p.tenant, id);
        this.#releases.delete(id);
        this.#opts.onEvent?.({ type: 'release', result: undone ? 'undone' : 'nothing' });
      } catch {
        p.attempts++;
        if (now - p.firstAt > this.#recordTtlMs) {
          this.#releases.delete(id); // the record and its tombstone have expired: nothing left to undo safely
          this.#opts.onEvent?.({ type: 'release', result: 'dropped' });
        } else p.nextAt = now + RELEASE_DELAYS_MS[Math.min(p.attempts, RELEASE_DELAYS_MS.length - 1)]!;
      }
    }));
  }

  /** Renews the leases of every slot this replica holds (one script per tenant). */
  async #heartbeat(): Promise<void> {
    if (this.#held.size === 0 || this.client.status !== 'ready') return;
    const now = Date.now();
    const byTenant = new Map<string, string[]>();
    for (const [id, h] of this.#held) {
      if (h.deadline <= now) {
        this.#held.delete(id);
        continue;
      }
      const ids = byTenant.get(h.tenant);
      if (ids) ids.push(id);
      else byTenant.set(h.tenant, [id]);
    }
    await Promise.all([...byTenant].map(([tenant, ids]) => this.#run(SCRIPTS.renew, [this.#key(tenant)], [this.#slotLeaseMs, ...ids]).catch(() => undefined)));
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

  async spent(tenant: string, unit: BudgetUnit, windowSeconds: number): Promise<number> {
    const now = await this.#redisNowSeconds(tenant);
    const ws = now - (now % windowSeconds);
    return Number((await this.client.get(`${this.#key(tenant)}b:${unit}:${windowSeconds}:${ws}`)) ?? 0);
  }

  async inflight(tenant: string): Promise<number> {
    const nowMs = await this.#redisNowMs(tenant);
    return this.client.zcount(`${this.#key(tenant)}cc`, `(${nowMs}`, '+inf');
  }

  async #redisNowMs(tenant: string): Promise<number> {
    // TIME of the node that holds the tenant (Cluster: ask through a script on the tenant's slot)
    const v = await this.client.eval("local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000)", 1, this.#key(tenant));
    return Number(v);
  }

  async #redisNowSeconds(tenant: string): Promise<number> {
    return Math.floor((await this.#redisNowMs(tenant)) / 1000);
  }

  // Revocations: one hash `<prefix>revoked` (key id -> JSON {reason, at}), outside any tenant's slot. HSETNX keeps
  // the first record. Lifting one (`tollgate store unrevoke`) deletes it and records the lift in `<prefix>lifted`,
  // so replicas that re-seed revocations the store lost know not to put that one back.
  async revoke(keyId: string, reason: string): Promise<boolean> {
    const value = JSON.stringify({ reason, at: new Date().toISOString() } satisfies StoredRevocation);
    try {
      const first = (await this.client.hsetnx(`${this.#prefix}revoked`, keyId, value)) === 1;
      if (first) await this.client.hdel(`${this.#prefix}lifted`, keyId); // revoked again after a lift
      return first;
    } catch (e) {
      throw new StoreUnavailableError(`redis revoke failed: ${this.#scrub(e)}`, { cause: e });
    }
  }

  async unrevoke(keyId: string): Promise<boolean> {
    try {
      await this.client.hset(`${this.#prefix}lifted`, keyId, new Date().toISOString());
      return (await this.client.hdel(`${this.#prefix}revoked`, keyId)) === 1;
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
        if (v && typeof v === 'object') rec = { reason: typeof v.reason === 'string' ? v.reason : 'unknown', at: typeof v.at === 'string' ? v.at : '' };
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
