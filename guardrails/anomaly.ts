// Per-key anomaly scoring (OWASP LLM10; the API-world "bot protection"): is this key behaving unlike itself?
// Pure functions over a key's observed stats, plus a small store interface (the gateway's store implements it;
// an in-memory one is here for tests and single replicas).
//
// Components, each in [0, 1], reaching 1 exactly at the policy's own limit:
//  - burst: requests this minute against the key's own baseline (EWMA of requests per minute, idle minutes
//    included), on a log scale: ratio 1 → 0, ratio burstFactor → 1. Needs `warmupMinutes` of history.
//  - capHit: share of recent responses that stopped at the output cap (finish_reason "length"), squared against
//    capHitRatio (half the ratio → 0.25). Needs a few responses.
//  - network: the key's traffic comes from a client network (/24, /64) it had not used before (for the first
//    `noveltyMinutes`): 0.5, never enough alone at the default threshold, but it adds up with anything else.
//  - failedAuth: refusals of this key (expired, revoked, scope, IP, window) this minute / failedAuthPerMinute.
// Combined as a noisy-OR: score = 1 - Π(1 - component). At or above the threshold the policy's action applies.
import { isIP } from 'node:net';
import type { Anomaly } from '../api/v1alpha1/policy.ts';

export interface KeyStats {
  /** Epoch minute of `count`. */
  minute: number;
  /** Requests in that minute. */
  count: number;
  /** EWMA of requests per minute over completed minutes. */
  baseline: number;
  /** Completed minutes folded into the baseline (capped). */
  minutes: number;
  /** Decayed counts of responses and of those that hit the output cap. */
  responses: number;
  capHits: number;
  /** Client networks seen, most recently used last (bounded): first minute seen, and whether the key was established then. */
  networks: { net: string; first: number; novel: boolean }[];
  /** The network of the last request. */
  lastNetwork: string | undefined;
  failedMinute: number;
  failed: number;
}

export interface AnomalyTuning {
  /** EWMA weight of a completed minute in the baseline. */
  alpha: number;
  /** Decay of the response counters per response (≈ 1/window). */
  beta: number;
  warmupMinutes: number;
  minResponses: number;
  maxNetworks: number;
  /** The baseline never counts as less than this many requests per minute. */
  baselineFloor: number;
  networkWeight: number;
  /** How long traffic from a newly seen network counts as novel. */
  noveltyMinutes: number;
}

export const DEFAULT_TUNING: AnomalyTuning = {
  alpha: 0.05,
  beta: 0.05,
  warmupMinutes: 10,
  minResponses: 5,
  maxNetworks: 16,
  baselineFloor: 1,
  networkWeight: 0.5,
  noveltyMinutes: 10,
};

export function emptyStats(now: number): KeyStats {
  return {
    minute: epochMinute(now),
    count: 0,
    baseline: 0,
    minutes: 0,
    responses: 0,
    capHits: 0,
    networks: [],
    lastNetwork: undefined,
    failedMinute: epochMinute(now),
    failed: 0,
  };
}

const epochMinute = (ms: number) => Math.floor(ms / 60_000);

/** The client network of an address: IPv4 /24, IPv6 /64 (IPv4-mapped IPv6 counts as IPv4). */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const addr = mapped ? (mapped[1] as string) : ip;
  const kind = isIP(addr);
  if (kind === 4) return `${addr.split('.').slice(0, 3).join('.')}.0/24`;
  if (kind === 6) {
    const [head = '', tail = ''] = addr.toLowerCase().split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === '' ? [] : tail.split(':');
    const groups = addr.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    return `${groups
      .slice(0, 4)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}::/64`;
  }
  return 'unknown';
}

function rollMinute(s: KeyStats, minute: number, t: AnomalyTuning): KeyStats {
  if (minute <= s.minute) return s;
  const gap = Math.min(minute - s.minute, 10_000);
  let baseline = s.minutes === 0 ? s.count : t.alpha * s.count + (1 - t.alpha) * s.baseline;
  baseline *= (1 - t.alpha) ** (gap - 1); // idle minutes
  return { ...s, minute, count: 0, baseline, minutes: Math.min(s.minutes + gap, 1_000_000) };
}

export function recordRequest(
  prev: KeyStats | undefined,
  ev: { at: number; clientIp?: string | undefined },
  t: AnomalyTuning = DEFAULT_TUNING,
): KeyStats {
  let s = rollMinute(prev ?? emptyStats(ev.at), epochMinute(ev.at), t);
  s = { ...s, count: s.count + 1 };
  if (ev.clientIp !== undefined) {
    const net = networkOf(ev.clientIp);
    const known = s.networks.find((n) => n.net === net);
    const entry = known ?? { net, first: s.minute, novel: s.networks.length > 0 && s.minutes >= t.warmupMinutes };
    s = { ...s, networks: [...s.networks.filter((n) => n.net !== net), entry].slice(-t.maxNetworks), lastNetwork: net };
  }
  return s;
}

export function recordResponse(
  prev: KeyStats | undefined,
  ev: { at: number; hitCap: boolean },
  t: AnomalyTuning = DEFAULT_TUNING,
): KeyStats {
  const s = prev ?? emptyStats(ev.at);
  return { ...s, responses: s.responses * (1 - t.beta) + 1, capHits: s.capHits * (1 - t.beta) + (ev.hitCap ? 1 : 0) };
}

export function recordAuthFailure(
  prev: KeyStats | undefined,
  ev: { at: number },
  _t: AnomalyTuning = DEFAULT_TUNING,
): KeyStats {
  const s = prev ?? emptyStats(ev.at);
  const m = epochMinute(ev.at);
  return m === s.failedMinute ? { ...s, failed: s.failed + 1 } : { ...s, failedMinute: m, failed: 1 };
}

export interface AnomalyComponents {
  burst: number;
  capHit: number;
  network: number;
  failedAuth: number;
}

export type AnomalyAction = 'none' | 'flag' | 'revoke';

export interface AnomalyScore {
  score: number;
  components: AnomalyComponents;
  action: AnomalyAction;
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 1);

export function scoreStats(s: KeyStats, cfg: Anomaly, now: number, t: AnomalyTuning = DEFAULT_TUNING): AnomalyScore {
  const minute = epochMinute(now);
  const count = minute === s.minute ? s.count : 0;
  let burst = 0;
  if (s.minutes >= t.warmupMinutes && count > 0) {
    const ratio = count / Math.max(s.baseline, t.baselineFloor);
    burst = ratio <= 1 ? 0 : clamp01(Math.log(ratio) / Math.log(Math.max(cfg.burstFactor, 1.0001)));
  }
  const share = s.responses >= t.minResponses ? s.capHits / s.responses : 0;
  const capHit = cfg.capHitRatio <= 0 ? (share > 0 ? 1 : 0) : clamp01(share / cfg.capHitRatio) ** 2;
  const last = s.networks.find((n) => n.net === s.lastNetwork);
  const network = last?.novel && minute - last.first < t.noveltyMinutes ? t.networkWeight : 0;
  const failedAuth = s.failedMinute === minute ? clamp01(s.failed / cfg.failedAuthPerMinute) : 0;
  const components = { burst, capHit, network, failedAuth };
  const score = Math.round((1 - (1 - burst) * (1 - capHit) * (1 - network) * (1 - failedAuth)) * 1000) / 1000;
  const action: AnomalyAction = cfg.enabled && score >= cfg.threshold ? cfg.action : 'none';
  return { score, components, action };
}

// ---------------------------------------------------------------------------------------------------------
// state

export interface Revocation {
  keyId: string;
  tenant: string;
  /** RFC 3339. */
  at: string;
  reason: 'anomaly';
  score: number;
  components: AnomalyComponents;
}

/**
 * What the gateway's store provides. `update` is a read-modify-write of one key's stats (the Redis store can do
 * it with WATCH/MULTI or keep stats per replica: every component is a ratio against the key's own history, so
 * it holds when each replica sees a share of the traffic — except failedAuth, whose limit is then per replica).
 * Revocations must be shared by all replicas and survive restarts.
 */
export interface AnomalyStore {
  update(keyId: string, fn: (prev: KeyStats | undefined) => KeyStats): Promise<KeyStats>;
  get(keyId: string): Promise<KeyStats | undefined>;
  /** Records a revocation; false when the key was already revoked (the first one stays). */
  revoke(r: Revocation): Promise<boolean>;
  revocation(keyId: string): Promise<Revocation | undefined>;
  revocations(): Promise<Revocation[]>;
}

export class MemoryAnomalyStore implements AnomalyStore {
  readonly #stats = new Map<string, KeyStats>();
  readonly #revoked = new Map<string, Revocation>();
  readonly #maxKeys: number;

  constructor(maxKeys = 100_000) {
    this.#maxKeys = maxKeys;
  }

  async update(keyId: string, fn: (prev: KeyStats | undefined) => KeyStats): Promise<KeyStats> {
    const next = fn(this.#stats.get(keyId));
    this.#stats.delete(keyId);
    if (this.#stats.size >= this.#maxKeys) this.#stats.delete(this.#stats.keys().next().value as string);
    this.#stats.set(keyId, next);
    return next;
  }

  async get(keyId: string): Promise<KeyStats | undefined> {
    return this.#stats.get(keyId);
  }

  async revoke(r: Revocation): Promise<boolean> {
    if (this.#revoked.has(r.keyId)) return false;
    this.#revoked.set(r.keyId, r);
    return true;
  }

  async revocation(keyId: string): Promise<Revocation | undefined> {
    return this.#revoked.get(keyId);
  }

  async revocations(): Promise<Revocation[]> {
    return [...this.#revoked.values()];
  }
}

export interface AnomalyOutcome extends AnomalyScore {
  /** Set when this event revoked the key (first time only). */
  revoked?: Revocation;
}

/** Ties events, scoring and the store together; one per gateway process. */
export class AnomalyDetector {
  readonly #store: AnomalyStore;
  readonly #tuning: AnomalyTuning;

  constructor(store: AnomalyStore, tuning: Partial<AnomalyTuning> = {}) {
    this.#store = store;
    this.#tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  /** After auth succeeded, before the upstream call. */
  async onRequest(
    key: { id: string; tenant: string },
    cfg: Anomaly | undefined,
    ev: { at: number; clientIp?: string },
  ): Promise<AnomalyOutcome | undefined> {
    if (!cfg?.enabled) return undefined;
    const s = await this.#store.update(key.id, (p) => recordRequest(p, ev, this.#tuning));
    return this.#act(key, cfg, s, ev.at);
  }

  /** When the response is settled; hitCap: finish_reason "length" at the policy's output cap. */
  async onResponse(
    key: { id: string; tenant: string },
    cfg: Anomaly | undefined,
    ev: { at: number; hitCap: boolean },
  ): Promise<AnomalyOutcome | undefined> {
    if (!cfg?.enabled) return undefined;
    const s = await this.#store.update(key.id, (p) => recordResponse(p, ev, this.#tuning));
    return this.#act(key, cfg, s, ev.at);
  }

  /** A known key was refused (expired, revoked, scope, IP allowlist, access window). */
  async onAuthFailure(
    key: { id: string; tenant: string },
    cfg: Anomaly | undefined,
    ev: { at: number },
  ): Promise<AnomalyOutcome | undefined> {
    if (!cfg?.enabled) return undefined;
    const s = await this.#store.update(key.id, (p) => recordAuthFailure(p, ev, this.#tuning));
    return this.#act(key, cfg, s, ev.at);
  }

  isRevoked(keyId: string): Promise<Revocation | undefined> {
    return this.#store.revocation(keyId);
  }

  async #act(key: { id: string; tenant: string }, cfg: Anomaly, s: KeyStats, now: number): Promise<AnomalyOutcome> {
    const sc = scoreStats(s, cfg, now, this.#tuning);
    if (sc.action !== 'revoke') return sc;
    const r: Revocation = {
      keyId: key.id,
      tenant: key.tenant,
      at: new Date(now).toISOString(),
      reason: 'anomaly',
      score: sc.score,
      components: sc.components,
    };
    return (await this.#store.revoke(r)) ? { ...sc, revoked: r } : sc;
  }
}
