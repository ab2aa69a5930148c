// Redis store (ioredis): many gateway replicas share budgets, rate windows and concurrency slots.
// Each reservation is ONE EVALSHA of a Lua script that checks every control and applies them all only if
// all admit — atomic across replicas. Time comes from Redis (TIME), so replicas with skewed clocks agree
// on window boundaries. Every key of a tenant carries the hash tag `{tenant}`, so one script touches one
// slot (Redis Cluster safe).
//
// Failure behaviour: commands time out after `commandTimeoutMs` and are not queued while disconnected;
// reserve() then throws StoreUnavailableError and the pipeline decides (budgets fail closed). A failed
// settle is retried with backoff; if it never lands, the reservation stays charged in full (overcharge,
// never overspend) and the concurrency lease expires by itself.
import { createHash } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { StoreUnavailableError, type Actual, type BudgetUnit, type Reservation, type ReserveRequest, type ReserveResult, type Store, type StoredRevocation } from './types.ts';

const GRACE_SECONDS = 3600;

// KEYS[1]: key prefix incl. hash tag, e.g. "tg:{ns/tenant}:"
// ARGV: id, nBudgets, (unit, windowSeconds, limit, amount) x nBudgets, rpm, tpmLimit, tpmAmount, ccLimit, leaseMs
// ("-1" = control absent). Returns {"ok", nowMs, ws1..wsN, minute} or {reason, retryAfter, budgetIndex}.
const RESERVE = `
local p = KEYS[1]
local id = ARGV[1]
local nb = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1])
local nowMs = now * 1000 + math.floor(tonumber(t[2]) / 1000)
local eps = 1e-9
local wss = {}
local i = 3
for b = 1, nb do
  local unit, win, limit, amount = ARGV[i], tonumber(ARGV[i+1]), tonumber(ARGV[i+2]), tonumber(ARGV[i+3])
  local ws = now - (now % win)
  wss[b] = ws
  local used = tonumber(redis.call('GET', p .. 'b:' .. unit .. ':' .. win .. ':' .. ws) or '0')
  if used + amount > limit + eps then return {'budget', tostring(math.max(1, ws + win - now)), tostring(b - 1)} end
  i = i + 4
end
local rpm, tpmLimit, tpmAmount, cc, lease = tonumber(ARGV[i]), tonumber(ARGV[i+1]), tonumber(ARGV[i+2]), tonumber(ARGV[i+3]), tonumber(ARGV[i+4])
local minute = now - (now % 60)
local retryMinute = tostring(math.max(1, minute + 60 - now))
if rpm >= 0 then
  local used = tonumber(redis.call('GET', p .. 'rpm:' .. minute) or '0')
  if used + 1 > rpm then return {'rpm', retryMinute, '-1'} end
end
if tpmLimit >= 0 then
  local used = tonumber(redis.call('GET', p .. 'tpm:' .. minute) or '0')
  if used + tpmAmount > tpmLimit + eps then return {'tpm', retryMinute, '-1'} end
end
if cc >= 0 then
  redis.call('ZREMRANGEBYSCORE', p .. 'cc', '-inf', nowMs)
  if redis.call('ZCARD', p .. 'cc') >= cc then return {'concurrency', '1', '-1'} end
end
i = 3
for b = 1, nb do
  local unit, win, amount = ARGV[i], tonumber(ARGV[i+1]), ARGV[i+3]
  local k = p .. 'b:' .. unit .. ':' .. win .. ':' .. wss[b]
  redis.call('INCRBYFLOAT', k, amount)
  redis.call('EXPIRE', k, wss[b] + win - now + ${GRACE_SECONDS})
  i = i + 4
end
if rpm >= 0 then
  redis.call('INCR', p .. 'rpm:' .. minute)
  redis.call('EXPIRE', p .. 'rpm:' .. minute, 120)
end
if tpmLimit >= 0 then
  redis.call('INCRBYFLOAT', p .. 'tpm:' .. minute, ARGV[i+2])
  redis.call('EXPIRE', p .. 'tpm:' .. minute, 120)
end
if cc >= 0 then
  redis.call('ZADD', p .. 'cc', nowMs + lease, id)
  redis.call('PEXPIRE', p .. 'cc', lease + 60000)
end
local out = {'ok', tostring(nowMs), tostring(minute)}
for b = 1, nb do out[#out + 1] = tostring(wss[b]) end
return out
`;

// Idempotent (a retried settle whose first attempt did land must not apply twice).
// KEYS[1]: prefix. ARGV: id, nBudgets, (unit, windowSeconds, windowStart, delta) x n, tpmMinute|-1, tpmDelta, releaseSlot(0/1)
const SETTLE = `
local p = KEYS[1]
if redis.call('SET', p .. 's:' .. ARGV[1], '1', 'NX', 'EX', ${GRACE_SECONDS}) == false then return 0 end
local nb = tonumber(ARGV[2])
local i = 3
for b = 1, nb do
  local k = p .. 'b:' .. ARGV[i] .. ':' .. ARGV[i+1] .. ':' .. ARGV[i+2]
  if redis.call('EXISTS', k) == 1 then
    local v = tonumber(redis.call('INCRBYFLOAT', k, ARGV[i+3]))
    if v < 0 then redis.call('SET', k, '0', 'KEEPTTL') end
  end
  i = i + 4
end
if ARGV[i] ~= '-1' then
  local k = p .. 'tpm:' .. ARGV[i]
  if redis.call('EXISTS', k) == 1 then
    local v = tonumber(redis.call('INCRBYFLOAT', k, ARGV[i+1]))
    if v < 0 then redis.call('SET', k, '0', 'KEEPTTL') end
  end
end
if ARGV[i+2] == '1' then redis.call('ZREM', p .. 'cc', ARGV[1]) end
return 1
`;

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
const RESERVE_SHA = sha1(RESERVE);
const SETTLE_SHA = sha1(SETTLE);

export interface RedisStoreOptions {
  /** redis://, rediss://, redis+cluster://h1:p1,h2:p2 or redis+sentinel://h1:p1,h2:p2/<master> */
  url: string;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  keyPrefix?: string;
  /** Called when a settle could not be written after all retries. */
  onSettleFailure?: (res: Reservation, err: unknown) => void;
  settleRetryDelaysMs?: readonly number[];
}

type Client = Redis | Cluster;

export function connectRedis(url: string, extra: RedisOptions): Client {
  const m = /^redis\+(cluster|sentinel):\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (!m) return new Redis(url, extra);
  const nodes = m[2]!.split(',').map((hp) => {
    const [host, port] = hp.split(':');
    return { host: host ?? '127.0.0.1', port: Number(port ?? (m[1] === 'sentinel' ? 26379 : 6379)) };
  });
  if (m[1] === 'cluster') return new Cluster(nodes, { redisOptions: extra, enableOfflineQueue: extra.enableOfflineQueue ?? false });
  return new Redis({ ...extra, sentinels: nodes, name: m[3] || 'mymaster' });
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly client: Client;
  readonly #prefix: string;
  readonly #opts: RedisStoreOptions;
  readonly #settled = new WeakSet<Reservation>();
  readonly #pendingTimers = new Set<NodeJS.Timeout>();

  constructor(opts: RedisStoreOptions) {
    this.#opts = opts;
    this.#prefix = opts.keyPrefix ?? 'tg:';
    this.client = connectRedis(opts.url, {
      commandTimeout: opts.commandTimeoutMs ?? 500,
      connectTimeout: opts.connectTimeoutMs ?? 2000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
    });
    this.client.on('error', () => undefined); // surfaced through command failures and ping()
  }

  /** Connect and load the scripts; throws when Redis is not reachable. */
  async connect(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect();
    await this.#waitReady(this.#opts.connectTimeoutMs ?? 2000);
    await this.client.script('LOAD', RESERVE);
    await this.client.script('LOAD', SETTLE);
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

  #key(tenant: string): string {
    // The tenant id is `<namespace>/<name>` (DNS labels): no braces, so the hash tag is exactly the tenant.
    return `${this.#prefix}{${tenant}}:`;
  }

  async #eval(sha: string, script: string, key: string, args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(sha, 1, key, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT')) return this.client.eval(script, 1, key, ...args);
      throw e;
    }
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const args: (string | number)[] = [req.id, req.budgets.length];
    for (const b of req.budgets) args.push(b.unit, b.windowSeconds, b.limit, b.amount);
    args.push(req.rpm ?? -1, req.tpm?.limit ?? -1, req.tpm?.amount ?? 0, req.concurrency?.limit ?? -1, req.concurrency?.leaseMs ?? 0);
    let reply: unknown;
    try {
      reply = await this.#eval(RESERVE_SHA, RESERVE, this.#key(req.tenant), args);
    } catch (e) {
      throw new StoreUnavailableError(`redis reserve failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new StoreUnavailableError('redis reserve: unexpected reply');
    const r = reply as string[];
    if (r[0] !== 'ok') {
      const reason = r[0] as 'budget' | 'rpm' | 'tpm' | 'concurrency';
      const idx = Number(r[2]);
      return { ok: false, reason, retryAfterSeconds: Number(r[1]), ...(idx >= 0 ? { budgetIndex: idx } : {}) };
    }
    const minute = Number(r[2]);
    const reservation: Reservation = {
      id: req.id,
      tenant: req.tenant,
      budgets: req.budgets.map((b, i) => ({ unit: b.unit, windowSeconds: b.windowSeconds, windowStart: Number(r[3 + i]), amount: b.amount })),
      tpm: req.tpm === undefined ? undefined : { windowStart: minute, amount: req.tpm.amount },
      concurrency: req.concurrency !== undefined,
      store: this,
    };
    return { ok: true, reservation };
  }

  async settle(res: Reservation, actual: Actual): Promise<void> {
    if (this.#settled.has(res)) return;
    this.#settled.add(res);
    const args: (string | number)[] = [res.id, res.budgets.length];
    for (const b of res.budgets) args.push(b.unit, b.windowSeconds, b.windowStart, actual.cost - b.amount);
    args.push(res.tpm?.windowStart ?? -1, res.tpm ? actual.tokens - res.tpm.amount : 0, res.concurrency ? 1 : 0);
    const key = this.#key(res.tenant);
    const delays = this.#opts.settleRetryDelaysMs ?? [200, 1000, 5000];
    let attempt = 0;
    for (;;) {
      try {
        await this.#eval(SETTLE_SHA, SETTLE, key, args);
        return;
      } catch (e) {
        const delay = delays[attempt++];
        if (delay === undefined) {
          this.#opts.onSettleFailure?.(res, e);
          return;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            this.#pendingTimers.delete(t);
            resolve();
          }, delay);
          this.#pendingTimers.add(t);
        });
      }
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    for (const t of this.#pendingTimers) clearTimeout(t);
    this.client.disconnect();
  }

  async spent(tenant: string, unit: BudgetUnit, windowSeconds: number): Promise<number> {
    const [sec] = (await this.client.time()) as [string | number, string | number];
    const now = Number(sec);
    const ws = now - (now % windowSeconds);
    return Number((await this.client.get(`${this.#key(tenant)}b:${unit}:${windowSeconds}:${ws}`)) ?? 0);
  }

  async inflight(tenant: string): Promise<number> {
    const [sec, usec] = (await this.client.time()) as [string | number, string | number];
    const nowMs = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    return this.client.zcount(`${this.#key(tenant)}cc`, `(${nowMs}`, '+inf');
  }

  // Revocations: one hash `<prefix>revoked` (key id -> JSON {reason, at}), outside any tenant's slot. HSETNX keeps
  // the first record. Persisted like any Redis data, so it outlives gateway restarts.
  async revoke(keyId: string, reason: string): Promise<boolean> {
    const value = JSON.stringify({ reason, at: new Date().toISOString() } satisfies StoredRevocation);
    try {
      return (await this.client.hsetnx(`${this.#prefix}revoked`, keyId, value)) === 1;
    } catch (e) {
      throw new StoreUnavailableError(`redis revoke failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  async revocations(): Promise<Map<string, StoredRevocation>> {
    let all: Record<string, string>;
    try {
      all = await this.client.hgetall(`${this.#prefix}revoked`);
    } catch (e) {
      throw new StoreUnavailableError(`redis revocations failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
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
}
