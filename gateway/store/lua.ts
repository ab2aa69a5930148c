// The Lua scripts of the Redis store. Each one touches the keys of ONE tenant (prefix `tg:{ns/name}:`, one
// Cluster slot) and, outside Cluster, the store's generation record. Time comes from Redis (TIME).
//
// Tenant keys (suffixes of KEYS[1]):
//   g                         generation marker: written with the tenant's first reservation, TTL >= every window
//   b:<unit>:<win>:<start>    budget spend in a window          rpm:<minute> / tpm:<minute>   rate windows
//   cc                        concurrency slots (sorted set: reservation id -> lease end, ms)
//   r:<id>                    the reservation record (what was applied), until settled or released
//   x:<id>                    a release tombstone: a reservation released before it ran never applies
import { createHash } from 'node:crypto';

export const GRACE_SECONDS = 3600;

// KEYS[1]: tenant prefix. KEYS[2] (optional): generation record.
// ARGV: id, genId ('' = not checked), mustExist (1: this replica knows the tenant's marker exists), markerTtl (s),
//       recordTtlMs, nBudgets, (unit, windowSeconds, limit, amount) x n, rpm, tpmLimit, tpmAmount, ccLimit, leaseMs
//       ("-1" = control absent).
// Reply: {'ok', nowMs, minute, ws1..wsN} | {reason, retryAfter, budgetIndex} | {'lost', what} | {'released'}
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
local nb = tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1])
local nowMs = now * 1000 + math.floor(tonumber(t[2]) / 1000)
local eps = 1e-9
local wss = {}
local i = 7
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
local rec = {}
i = 7
for b = 1, nb do
  local unit, win, amount = ARGV[i], tonumber(ARGV[i+1]), ARGV[i+3]
  local k = 'b:' .. unit .. ':' .. win .. ':' .. wss[b]
  redis.call('INCRBYFLOAT', p .. k, amount)
  redis.call('EXPIRE', p .. k, wss[b] + win - now + ${GRACE_SECONDS})
  rec[#rec + 1] = {'b', k, amount}
  i = i + 4
end
if rpm >= 0 then
  redis.call('INCR', p .. 'rpm:' .. minute)
  redis.call('EXPIRE', p .. 'rpm:' .. minute, 120)
  rec[#rec + 1] = {'r', 'rpm:' .. minute, '1'}
end
if tpmLimit >= 0 then
  redis.call('INCRBYFLOAT', p .. 'tpm:' .. minute, ARGV[i+2])
  redis.call('EXPIRE', p .. 'tpm:' .. minute, 120)
  rec[#rec + 1] = {'t', 'tpm:' .. minute, ARGV[i+2]}
end
if cc >= 0 then
  redis.call('ZADD', p .. 'cc', nowMs + lease, id)
  redis.call('PEXPIRE', p .. 'cc', lease + 60000)
  rec[#rec + 1] = {'c', 'cc', '0'}
end
redis.call('SET', p .. 'r:' .. id, cjson.encode(rec), 'PX', recordTtl)
if redis.call('TTL', gk) < markerTtl then redis.call('SET', gk, '1', 'EX', markerTtl) end
local out = {'ok', tostring(nowMs), tostring(minute)}
for b = 1, nb do out[#out + 1] = tostring(wss[b]) end
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
    local kind, k, amount = line[1], p .. line[2], tonumber(line[3])
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

// Heartbeat: KEYS[1]: prefix. ARGV: leaseMs, id1..idN. Extends the leases of slots still held (never re-adds
// one that expired or was released). Returns how many were renewed.
export const RENEW = `
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local k = KEYS[1] .. 'cc'
local n = 0
for i = 2, #ARGV do
  local s = redis.call('ZSCORE', k, ARGV[i])
  if s and tonumber(s) > nowMs then
    redis.call('ZADD', k, 'XX', nowMs + lease, ARGV[i])
    n = n + 1
  end
end
if n > 0 then redis.call('PEXPIRE', k, lease + 60000) end
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
