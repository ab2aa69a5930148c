// Stacked auth: each layer asks one question and fails with its own code.
//   1 who are you        missing_api_key / invalid_api_key / revoked_api_key / expired_api_key (401)
//   2 account allowed    tenant_suspended (403)
//   3 model entitlement  model_not_found (404) / model_not_entitled (403) / model_capability (400)
//   4 key scope          scope_not_allowed (403)
//   5 time and place     outside_access_window / ip_not_allowed (403)
// Keys are looked up by their sha256 (never by prefix, never compared as text) and the stored hash is
// compared in constant time. Nothing derived from the presented key is ever logged or echoed.
import { timingSafeEqual } from 'node:crypto';
import { hashKey, isWellFormedKey, KEY_LENGTH } from '../api/keys.ts';
import type { Scope } from '../api/v1alpha1/model.ts';
import { inWindow, normaliseIp, type RtKey, type RtModel, type Snapshot } from './config/snapshot.ts';
import { GatewayError } from './errors.ts';
import { StoreUnavailableError, type Store, type StoredRevocation } from './store/types.ts';

const BEARER = /^bearer[ \t]+/i;

/** Layer 1: identity. `authorization` is the raw header value. */
export function authenticate(snap: Snapshot, authorization: string | string[] | undefined, nowMs: number, revoked?: { has(keyId: string): boolean }): RtKey {
  if (authorization === undefined || authorization === '') throw new GatewayError('missing_api_key');
  if (Array.isArray(authorization)) throw new GatewayError('invalid_api_key');
  // Bound the work before anything else: a well-formed key has a fixed length.
  if (authorization.length > KEY_LENGTH + 32 || !BEARER.test(authorization)) throw new GatewayError('invalid_api_key');
  const presented = authorization.replace(BEARER, '').trim();
  if (!isWellFormedKey(presented)) throw new GatewayError('invalid_api_key');
  const digest = hashKey(presented);
  const key = snap.keys.get(digest);
  if (!key || !timingSafeEqual(Buffer.from(digest, 'hex'), Buffer.from(key.sha256, 'hex'))) throw new GatewayError('invalid_api_key');
  // revoked in the config (operator) or by a gateway replica (anomaly detection, shared through the store)
  if (key.revoked || revoked?.has(key.id) === true) throw new GatewayError('revoked_api_key');
  if (key.expiresAtMs !== undefined && nowMs >= key.expiresAtMs) throw new GatewayError('expired_api_key');
  return key;
}

/** Layer 2: the account. */
export function checkAccount(key: RtKey): void {
  if (key.tenant.cfg.suspended) throw new GatewayError('tenant_suspended');
}

/** Layer 3: the tier's entitlement to the model (and that the model serves this endpoint). */
export function checkModel(snap: Snapshot, key: RtKey, model: string, endpoint: Scope): RtModel {
  const m = snap.models.get(model);
  // the name is client text: not echoed (a key pasted into `model` would come back in the response)
  if (!m) throw new GatewayError('model_not_found', undefined, { param: 'model' });
  if (!key.tenant.models.has(model)) throw new GatewayError('model_not_entitled', undefined, { param: 'model' });
  if (endpoint !== 'models.list' && !m.capabilities.has(endpoint)) throw new GatewayError('model_capability', `The model does not serve ${endpoint}.`, { param: 'model' });
  return m;
}

/** Layer 4: the key's scopes. */
export function checkScope(key: RtKey, endpoint: Scope): void {
  if (!key.scopes.has(endpoint)) throw new GatewayError('scope_not_allowed', `This API key is not allowed to call ${endpoint}.`);
}

/** Layer 5: access windows and IP allowlists (every selecting policy's list must admit). */
export function checkContext(key: RtKey, clientIp: string | undefined, nowMs: number): void {
  const t = key.tenant;
  for (const list of t.windowLists) {
    if (list.length > 0 && !list.some((w) => inWindow(w, nowMs))) throw new GatewayError('outside_access_window');
  }
  if (t.ipLists.length > 0) {
    const ip = clientIp === undefined ? undefined : normaliseIp(clientIp);
    for (const bl of t.ipLists) {
      if (!ip || !bl.check(ip.address, ip.family)) throw new GatewayError('ip_not_allowed');
    }
  }
}

/**
 * The gateway-side view of the store's revocation set: read on every request without a round trip, refreshed
 * from the store every `refreshMs` and right after this replica's own revocations. A revocation this replica
 * could not write (store down) is enforced here at once and written on every refresh until it lands.
 */
export class RevocationCache {
  readonly #store: Store;
  readonly #refreshMs: number;
  readonly #onError: (op: 'revoke' | 'revocations', err: unknown) => void;
  #known = new Map<string, StoredRevocation>();
  readonly #pending = new Map<string, StoredRevocation>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(store: Store, opts: { refreshMs?: number; onError?: (op: 'revoke' | 'revocations', err: unknown) => void } = {}) {
    this.#store = store;
    this.#refreshMs = opts.refreshMs ?? 2000;
    this.#onError = opts.onError ?? (() => undefined);
  }

  has(keyId: string): boolean {
    return this.#known.has(keyId) || this.#pending.has(keyId);
  }

  get size(): number {
    let n = this.#known.size;
    for (const k of this.#pending.keys()) if (!this.#known.has(k)) n++;
    return n;
  }

  /** Every revocation in force here (shared and pending), for publishing to the operator. */
  list(): [string, StoredRevocation][] {
    const all = new Map(this.#known);
    for (const [k, v] of this.#pending) if (!all.has(k)) all.set(k, v);
    return [...all];
  }

  /** Local revocations not yet written to the store. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Enforced locally at once; written to the store now or, when it is down, on a later refresh. */
  async revoke(keyId: string, reason: string): Promise<{ first: boolean; shared: boolean }> {
    const first = !this.has(keyId);
    if (first) this.#pending.set(keyId, { reason, at: new Date().toISOString() });
    const shared = await this.#flush();
    if (shared) await this.refresh();
    return { first, shared: !this.#pending.has(keyId) };
  }

  /** Writes pending revocations; true when none is left. */
  async #flush(): Promise<boolean> {
    for (const [keyId, r] of [...this.#pending]) {
      try {
        await this.#store.revoke(keyId, r.reason);
        this.#pending.delete(keyId);
        this.#known.set(keyId, r);
      } catch (e) {
        if (!(e instanceof StoreUnavailableError)) throw e;
        this.#onError('revoke', e);
        return false;
      }
    }
    return true;
  }

  /** Reloads the set from the store (keeping the last known set when it cannot be read). */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        await this.#flush();
        this.#known = await this.#store.revocations();
      } catch (e) {
        this.#onError('revocations', e);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  start(): void {
    if (this.#timer) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
