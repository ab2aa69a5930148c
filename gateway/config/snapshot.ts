// A validated gateway config turned into the lookup structures the hot path needs. A Snapshot is
// immutable: a request takes the current one at its start and keeps it to the end, so a hot reload never
// changes the rules under an in-flight request.
import { displayUrl } from '../scrub.ts';
import { BlockList, isIP } from 'node:net';
import type { ConfigSink } from '../../api/config-verify.ts';
import {
  GATEWAY_CONFIG_SCHEMA_VERSION,
  type CfgBudgetLine,
  type CfgModel,
  type CfgTenant,
  type GatewayConfig,
} from '../../api/gateway-config.ts';
import type { AccessWindow } from '../../api/v1alpha1/policy.ts';
import type { Scope } from '../../api/v1alpha1/model.ts';

export interface RtKey {
  readonly id: string;
  /** Lowercase hex sha256 (also the lookup key). */
  readonly sha256: string;
  readonly scopes: ReadonlySet<Scope>;
  readonly expiresAtMs: number | undefined;
  readonly revoked: boolean;
  readonly tenant: RtTenant;
}

export interface RtTenant {
  readonly cfg: CfgTenant;
  readonly models: ReadonlySet<string>;
  readonly budgetsByUnit: { readonly tokens: readonly CfgBudgetLine[]; readonly gpuSeconds: readonly CfgBudgetLine[] };
  /** Any control that needs the shared store (budgets, rpm, tpm, concurrency). */
  readonly needsStore: boolean;
  readonly windowLists: readonly (readonly CompiledWindow[])[];
  readonly ipLists: readonly BlockList[];
}

export interface RtModel {
  readonly cfg: CfgModel;
  /** `http://host:port` */
  readonly origin: string;
  /** Path prefix without trailing slash, e.g. `/v1`. */
  readonly basePath: string;
  readonly capabilities: ReadonlySet<string>;
}

/**
 * What the hot path looks things up in: the config's text, parsed tree and validated copy are never kept.
 * `config` is assembled from the same tenant and model objects the lookup structures point to (no copy),
 * with the sub-objects equal tenants share interned.
 */
export interface Snapshot {
  readonly config: GatewayConfig;
  readonly hash: string;
  readonly loadedAt: Date;
  readonly keys: ReadonlyMap<string, RtKey>;
  readonly models: ReadonlyMap<string, RtModel>;
  readonly tenantCount: number;
}

export interface SnapshotOptions {
  /** served name -> base URL, overriding the config (for `--upstream` and the demo). */
  upstreamOverrides?: ReadonlyMap<string, string> | undefined;
}

/**
 * Shares one instance among equal values. Thousands of tenants usually carry identical limits,
 * guardrails, model lists and key scopes (they come from a handful of policies): interning them keeps the
 * retained heap — and so GC work on the hot path — proportional to the distinct values, not to tenants.
 */
class Interner {
  readonly #seen = new Map<string, unknown>();
  /**
   * The instances that first made each entry, by identity: tenants a load took from the verifier's memo carry
   * the previous snapshot's shared sub-objects, and are interned without a JSON.stringify each. Only those
   * instances are recorded (one per distinct value), never the thousands of equal copies that are dropped.
   */
  readonly #byRef = new Map<string, Map<unknown, unknown>>();
  get<T>(kind: string, value: T): T {
    return this.derived(kind, value, (v) => v);
  }
  derived<T, R>(kind: string, key: T, make: (v: T) => R): R {
    const isRef = key !== null && typeof key === 'object';
    if (isRef) {
      const known = this.#byRef.get(kind)?.get(key);
      if (known !== undefined) return known as R;
    }
    const k = `${kind}:${JSON.stringify(key)}`;
    let v = this.#seen.get(k);
    if (v === undefined) {
      this.#seen.set(k, (v = make(key)));
      if (isRef) {
        let refs = this.#byRef.get(kind);
        if (!refs) this.#byRef.set(kind, (refs = new Map()));
        refs.set(key, v);
      }
    }
    return v as R;
  }
}

/**
 * Builds a Snapshot from verified pieces as they arrive (api/config-verify.ts hands it the models and one
 * tenant at a time): the whole config never exists as one object. A builder whose config then fails
 * verification is dropped.
 */
export class SnapshotBuilder implements ConfigSink {
  readonly #opts: SnapshotOptions;
  readonly #intern = new Interner();
  readonly #keys = new Map<string, RtKey>();
  readonly #models = new Map<string, RtModel>();
  #modelList: readonly CfgModel[] = [];
  readonly #tenantList: CfgTenant[] = [];

  constructor(opts: SnapshotOptions = {}) {
    this.#opts = opts;
  }

  models(models: readonly CfgModel[]): void {
    this.#modelList = models;
    for (const m of models) {
      const base = this.#opts.upstreamOverrides?.get(m.servedName) ?? m.upstream;
      const { origin, basePath } = splitUpstream(base, m.servedName);
      this.#models.set(m.servedName, { cfg: m, origin, basePath, capabilities: new Set(m.capabilities) });
    }
  }

  /** A verified tenant: this builder's own copy (sub-objects are shared in place). */
  tenant(t: CfgTenant): void {
    const intern = this.#intern;
    t.limits = intern.get('limits', t.limits);
    t.guardrails = intern.get('guardrails', t.guardrails);
    t.models = intern.get('models', t.models);
    t.accessWindows = intern.get('windows', t.accessWindows);
    t.ipAllowlists = intern.get('ips', t.ipAllowlists);
    if (t.anomaly) t.anomaly = intern.get('anomaly', t.anomaly);
    if (t.modelLimits) t.modelLimits = intern.get('modelLimits', t.modelLimits);
    t.tier = intern.get('tier', t.tier);
    const l = t.limits;
    const tenant: RtTenant = {
      cfg: t,
      models: intern.derived('modelSet', t.models, (m) => new Set(m)),
      budgetsByUnit: intern.derived('budgets', l.budgets, (b) => ({
        tokens: b.filter((x) => x.unit === 'tokens'),
        gpuSeconds: b.filter((x) => x.unit === 'gpuSeconds'),
      })),
      needsStore:
        l.budgets.length > 0 ||
        l.requestsPerMinute !== undefined ||
        l.tokensPerMinute !== undefined ||
        l.concurrency !== undefined,
      windowLists: intern.derived('windowLists', t.accessWindows, (w) => w.map((list) => list.map(compileWindow))),
      ipLists: intern.derived('ipLists', t.ipAllowlists, (ips) => ips.map(compileCidrs)),
    };
    for (const k of t.keys) {
      const expiresAtMs = k.expiresAt === undefined ? undefined : Date.parse(k.expiresAt);
      if (expiresAtMs !== undefined && Number.isNaN(expiresAtMs))
        throw new Error(`key ${k.id}: expiresAt is not a valid time`);
      k.scopes = intern.get('scopes', k.scopes);
      if (k.limits) k.limits = intern.get('keyLimits', k.limits);
      this.#keys.set(k.sha256, {
        id: k.id,
        sha256: k.sha256,
        scopes: intern.derived('scopeSet', k.scopes, (sc) => new Set(sc)),
        expiresAtMs,
        revoked: k.revoked,
        tenant,
      });
    }
    this.#tenantList.push(t);
  }

  finish(hash: string): Snapshot {
    const config: GatewayConfig = {
      schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
      models: [...this.#modelList],
      tenants: this.#tenantList,
      hash,
    };
    return {
      config,
      hash,
      loadedAt: new Date(),
      keys: this.#keys,
      models: this.#models,
      tenantCount: this.#tenantList.length,
    };
  }
}

/** A snapshot of a config already verified and held whole (tests, tools); its objects are shared in place. */
export function buildSnapshot(config: GatewayConfig, opts: SnapshotOptions = {}): Snapshot {
  const b = new SnapshotBuilder(opts);
  b.models(config.models);
  for (const t of config.tenants) b.tenant(t);
  return b.finish(config.hash);
}

export function splitUpstream(base: string, name: string): { origin: string; basePath: string } {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    // shown without userinfo: an unparseable URL may still carry user:password@ (issue #10, item 4)
    throw new Error(`model ${name}: upstream ${JSON.stringify(displayUrl(base))} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`model ${name}: upstream must be http(s)`);
  if (u.username || u.password || u.search || u.hash)
    throw new Error(
      `model ${name}: upstream ${JSON.stringify(displayUrl(`${u.protocol}//${u.host}${u.pathname}`))} must not carry credentials, a query or a fragment`,
    );
  return { origin: u.origin, basePath: u.pathname.replace(/\/+$/, '') };
}

// ---- access windows ---------------------------------------------------------------------------------
const DAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export interface CompiledWindow {
  readonly days: ReadonlySet<number>;
  readonly start: number;
  readonly end: number;
  readonly timeZone: string;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function compileWindow(w: AccessWindow): CompiledWindow {
  // Validate the zone now: a bad zone fails the reload, not a request.
  localTime(Date.now(), w.timeZone);
  return {
    days: new Set(w.days.map((d) => DAY_INDEX[d] ?? -1)),
    start: minutes(w.start),
    end: minutes(w.end),
    timeZone: w.timeZone,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Weekday (Mon=0) and minute of day at `ms` in `timeZone`. */
export function localTime(ms: number, timeZone: string): { day: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  let day = -1;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(ms)) {
    if (p.type === 'weekday') day = DAY_INDEX[p.value] ?? -1;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** A window whose end is before its start runs past midnight; its days name the day it starts on. */
export function inWindow(w: CompiledWindow, ms: number): boolean {
  const { day, minute } = localTime(ms, w.timeZone);
  if (w.start < w.end) return w.days.has(day) && minute >= w.start && minute < w.end;
  if (minute >= w.start) return w.days.has(day);
  return minute < w.end && w.days.has((day + 6) % 7);
}

// ---- IP allowlists -----------------------------------------------------------------------------------
function compileCidrs(cidrs: readonly string[]): BlockList {
  const bl = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/');
    const family = addr === undefined ? 0 : isIP(addr);
    if (!addr || family === 0 || bits === undefined) throw new Error(`invalid CIDR ${JSON.stringify(c)}`);
    bl.addSubnet(addr, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  }
  return bl;
}

export function normaliseIp(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped?.[1] ?? address;
  const family = isIP(a);
  if (family === 0) return undefined;
  return { address: a, family: family === 4 ? 'ipv4' : 'ipv6' };
}
