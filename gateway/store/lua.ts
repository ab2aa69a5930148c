// The Lua scripts of the Redis store. Each one touches the keys of ONE tenant (prefix `tg:{ns/name}:`, one
// Cluster slot) and, outside Cluster, the store's generation record and the global per-model caps it is asked
// to check (prefix `tg:{m:<model>}:`; in Cluster those are their own reservation: see redis.ts). Time comes
// from Redis (TIME).
//
// Tenant keys (suffixes of KEYS[1]):
//   g                         generation marker: written with the tenant's first reservation, TTL >= every window
//   b:<unit>:<win>:<start>    budget spend in a window          rpm:<minute> / tpm:<minute>   rate windows
//   cc                        concurrency slots (sorted set: reservation id -> lease end, ms)
//   k:<key>:…  m:<model>:…    the same counters for one key of the tenant / the tenant's use of one model
//   r:<id>                    the reservation record (what was applied), until settled or released
//   x:<id>                    a release tombstone: a reservation released before it ran never applies
import { createHash } from 'node:crypto';

export const GRACE_SECONDS = 3600;

// KEYS[1]: tenant prefix. KEYS[2] (optional): generation record. KEYS[3..] (optional, outside Cluster): the
// prefixes of global per-model caps (their own slot).
// ARGV: id, genId ('' = not checked), mustExist (1: this replica knows the tenant's marker exists), markerTtl (s),
//       recordTtlMs, nLevels, then per level (the tenant's own first, then key / tenant-model / model scopes):
//       keyIndex (the KEYS entry its prefix extends), sub (e.g. '' | 'k:<key>:' | 'm:<model>:'), nBudgets,
//       (unit, windowSeconds, limit, amount) x n, rpm, tpmLimit, tpmAmount, ccLimit, leaseMs ("-1" = control absent).
// Every control of every level is checked before anything is applied: all-or-nothing, most restrictive wins.
// Reply: {'ok', nowMs, minute, ws (every budget line of every level, in order)...}
//      | {reason, retryAfter, budgetIndex (within its level), levelIndex (0: the tenant's own)} | {'lost', what} | {'released'}
export const RESERVE = `
local p = KEYS[1]
local id = ARGV[1]
if redis.call('EXISTS', p .. 'x:' .. id) == 1 then return {'released'} end
if KEYS[2] and ARGV[2] ~= '' then
  local g = redis.call('HMGET', KEYS[2], 'id', 'state')
  if g[1] ~= ARGV[2] or g[2] ~= 'ok' then return {'lost', 'generation'} end
end
local gk = p .. 'g'
if ARGV[3] == '1' and redis.call('EXISTS', gk) == 0 then return {'lost', 'marker'} end
local markerTtl = tonumber(ARGV[4])
local recordTtl = tonumber(ARGV[5])
local nl = tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1])
local nowMs = now * 1000 + math.floor(tonumber(t[2]) / 1000)
local eps = 1e-9
local minute = now - (now % 60)
local retryMinute = tostring(math.max(1, minute + 60 - now))
local levels = {}
local i = 7
for l = 1, nl do
  local ki = tonumber(ARGV[i])
  local lv = { ki = ki, sub = ARGV[i+1], lp = KEYS[ki] .. ARGV[i+1], budgets = {} }
  local nb = tonumber(ARGV[i+2])
  i = i + 3
  for b = 1, nb do
    lv.budgets[b] = { unit = ARGV[i], win = tonumber(ARGV[i+1]), limit = tonumber(ARGV[i+2]), amount = ARGV[i+3] }
    i = i + 4
  end
  lv.rpm, lv.tpmLimit, lv.tpmAmount, lv.cc, lv.lease = tonumber(ARGV[i]), tonumber(ARGV[i+1]), ARGV[i+2], tonumber(ARGV[i+3]), tonumber(ARGV[i+4])
  i = i + 5
  levels[l] = lv
end
for l = 1, nl do
  local lv = levels[l]
  local li = tostring(l - 1)
  for b = 1, #lv.budgets do
    local x = lv.budgets[b]
    local ws = now - (now % x.win)
    x.ws = ws
    local used = tonumber(redis.call('GET', lv.lp .. 'b:' .. x.unit .. ':' .. x.win .. ':' .. ws) or '0')
    if used + tonumber(x.amount) > x.limit + eps then return {'budget', tostring(math.max(1, ws + x.win - now)), tostring(b - 1), li} end
  end
  if lv.rpm >= 0 then
    local used = tonumber(redis.call('GET', lv.lp .. 'rpm:' .. minute) or '0')
    if used + 1 > lv.rpm then return {'rpm', retryMinute, '-1', li} end
  end
  if lv.tpmLimit >= 0 then
    local used = tonumber(redis.call('GET', lv.lp .. 'tpm:' .. minute) or '0')
    if used + tonumber(lv.tpmAmount) > lv.tpmLimit + eps then return {'tpm', retryMinute, '-1', li} end
  end
  if lv.cc >= 0 then
    redis.call('ZREMRANGEBYSCORE', lv.lp .. 'cc', '-inf', nowMs)
    if redis.call('ZCARD', lv.lp .. 'cc') >= lv.cc then return {'concurrency', '1', '-1', li} end
  end
end
-- record entries: {kind, key, amount} relative to KEYS[1], or {kind, key, amount, 1} with an absolute key
local rec = {}
local function note(lv, kind, k, amount)
  if lv.ki == 1 then rec[#rec + 1] = {kind, lv.sub .. k, amount} else rec[#rec + 1] = {kind, lv.lp .. k, amount, 1} end
end
local out = {'ok', tostring(nowMs), tostring(minute)}
for l = 1, nl do
  local lv = levels[l]
  for b = 1, #lv.budgets do
    local x = lv.budgets[b]
    local k = 'b:' .. x.unit .. ':' .. x.win .. ':' .. x.ws
    redis.call('INCRBYFLOAT', lv.lp .. k, x.amount)
    redis.call('EXPIRE', lv.lp .. k, x.ws + x.win - now + ${GRACE_SECONDS})
    note(lv, 'b', k, x.amount)
    out[#out + 1] = tostring(x.ws)
  end
  if lv.rpm >= 0 then
    redis.call('INCR', lv.lp .. 'rpm:' .. minute)
    redis.call('EXPIRE', lv.lp .. 'rpm:' .. minute, 120)
    note(lv, 'r', 'rpm:' .. minute, '1')
  end
  if lv.tpmLimit >= 0 then
    redis.call('INCRBYFLOAT', lv.lp .. 'tpm:' .. minute, lv.tpmAmount)
    redis.call('EXPIRE', lv.lp .. 'tpm:' .. minute, 120)
    note(lv, 't', 'tpm:' .. minute, lv.tpmAmount)
  end
  if lv.cc >= 0 then
    redis.call('ZADD', lv.lp .. 'cc', nowMs + lv.lease, id)
    redis.call('PEXPIRE', lv.lp .. 'cc', lv.lease + 60000)
    note(lv, 'c', 'cc', '0')
  end
end
redis.call('SET', p .. 'r:' .. id, cjson.encode(rec), 'PX', recordTtl)
if redis.call('TTL', gk) < markerTtl then redis.call('SET', gk, '1', 'EX', markerTtl) end
return out
`;

// Applies a reservation record with per-kind deltas and deletes it: settle and release share it.
// mode 'settle': budget lines get cost - reserved, tpm gets tokens - reserved, rpm unchanged.
// mode 'release': everything reserved is taken back (budget, tpm, rpm), and a tombstone stops a reservation
// that has not run yet (a reply that never arrived) from ever applying.
const APPLY_RECORD = `
local function clampAdd(k, delta)
  if redis.call('EXISTS', k) == 1 then
    local v = tonumber(redis.call('INCRBYFLOAT', k, delta))
    if v < 0 then redis.call('SET', k, '0', 'KEEPTTL') end
  end
end
local function apply(p, id, mode, cost, tokens)
  local rk = p .. 'r:' .. id
  redis.call('ZREM', p .. 'cc', id)
  local raw = redis.call('GET', rk)
  if not raw then return 0 end
  redis.call('DEL', rk)
  for _, line in ipairs(cjson.decode(raw)) do
    local kind, amount = line[1], tonumber(line[3])
    local k = line[4] and line[2] or (p .. line[2])
    if kind == 'b' then
      if mode == 'settle' then clampAdd(k, cost - amount) else clampAdd(k, -amount) end
    elseif kind == 't' then
      if mode == 'settle' then clampAdd(k, tokens - amount) else clampAdd(k, -amount) end
    elseif kind == 'r' then
      if mode == 'release' then clampAdd(k, -1) end
    elseif kind == 'c' then
      redis.call('ZREM', k, id)
    end
  end
  return 1
end
`;

// KEYS[1]: prefix. ARGV: id, cost, tokens. Idempotent: the record is deleted by the first settle.
export const SETTLE = `${APPLY_RECORD}
return apply(KEYS[1], ARGV[1], 'settle', tonumber(ARGV[2]), tonumber(ARGV[3]))
`;

// KEYS[1]: prefix. ARGV: id, tombstoneTtlMs. Idempotent; order-independent with the reservation it releases.
export const RELEASE = `${APPLY_RECORD}
redis.call('SET', KEYS[1] .. 'x:' .. ARGV[1], '1', 'PX', tonumber(ARGV[2]))
return apply(KEYS[1], ARGV[1], 'release', 0, 0)
`;

// Heartbeat: KEYS: the slot sets (`...cc`) to renew in (one Cluster slot). ARGV: leaseMs, id1..idN. Extends
// the leases of slots still held (never re-adds one that expired or was released). Returns how many were renewed.
export const RENEW = `
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local n = 0
for _, k in ipairs(KEYS) do
  local m = 0
  for i = 2, #ARGV do
    local s = redis.call('ZSCORE', k, ARGV[i])
    if s and tonumber(s) > nowMs then
      redis.call('ZADD', k, 'XX', nowMs + lease, ARGV[i])
      m = m + 1
    end
  end
  if m > 0 then redis.call('PEXPIRE', k, lease + 60000) end
  n = n + m
end
return n
`;

// Generation record: create when absent, return it. KEYS[1]: record key. ARGV: field/value pairs.
export const GEN_CREATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return redis.call('HGETALL', KEYS[1])
`;

// Generation record: replace it (markLost, ack). KEYS[1]: record key. ARGV: field/value pairs.
export const GEN_REPLACE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV))
return redis.call('HGETALL', KEYS[1])
`;

export interface Script {
  readonly src: string;
  readonly sha: string;
}

const script = (src: string): Script => ({ src, sha: createHash('sha1').update(src).digest('hex') });

export const SCRIPTS = {
  reserve: script(RESERVE),
  settle: script(SETTLE),
  release: script(RELEASE),
  renew: script(RENEW),
  genCreate: script(GEN_CREATE),
  genReplace: script(GEN_REPLACE),
} as const;
