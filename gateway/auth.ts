// Stacked auth: each layer asks one question and fails with its own code.
//   1 who are you        missing_api_key / invalid_api_key / revoked_api_key / expired_api_key (401)
//   2 account allowed    tenant_suspended (403)
//   3 model entitlement  model_not_found (404) / model_not_entitled (403) / model_capability (400)
//   4 key scope          scope_not_allowed (403)
//   5 time and place     outside_access_window / ip_not_allowed (403)
// Keys are looked up by their sha256 (never by prefix, never compared as text) and the stored hash is
// compared in constant time. Nothing derived from the presented key is ever logged or echoed.
import { timingSafeEqual } from 'node:crypto';
import { BYO_KEY_MAX_LENGTH, hashKey, isAcceptableKey } from '../api/keys.ts';
import type { Scope } from '../api/v1alpha1/model.ts';
import { inWindow, normaliseIp, type RtKey, type RtModel, type Snapshot } from './config/snapshot.ts';
import { GatewayError } from './errors.ts';

const BEARER = /^bearer[ \t]+/i;

/** Layer 1: identity. `authorization` is the raw header value. */
export function authenticate(
  snap: Snapshot,
  authorization: string | string[] | undefined,
  nowMs: number,
  revoked?: RevocationLookup,
): RtKey {
  if (authorization === undefined || authorization === '') throw new GatewayError('missing_api_key');
  if (Array.isArray(authorization)) throw new GatewayError('invalid_api_key');
  // Bound the work before anything else: a Tollgate key has a fixed length, a BYO key at most BYO_KEY_MAX_LENGTH.
  if (authorization.length > BYO_KEY_MAX_LENGTH + 32 || !BEARER.test(authorization))
    throw new GatewayError('invalid_api_key');
  const presented = authorization.replace(BEARER, '').trim();
  // `tgk_` keys: shape and checksum; BYO keys (any format, from a referenced Secret): length and visible ASCII
  if (!isAcceptableKey(presented)) throw new GatewayError('invalid_api_key');
  const digest = hashKey(presented);
  const key = snap.keys.get(digest);
  if (!key || !timingSafeEqual(Buffer.from(digest, 'hex'), Buffer.from(key.sha256, 'hex')))
    throw new GatewayError('invalid_api_key');
  // revoked in the config (operator: spec, or a sticky revocation) or in the shared revocation set, which is
  // keyed by the key material's hash (a rotated key is clean); entries keyed by key id are the old format
  if (key.revoked || isRevoked(revoked, key)) throw new GatewayError('revoked_api_key');
  if (key.expiresAtMs !== undefined && nowMs >= key.expiresAtMs) throw new GatewayError('expired_api_key');
  return key;
}

/** What auth asks the revocation set: by material hash first (issue #13), then the legacy key-id entries. */
export interface RevocationLookup {
  has(keyIdOrHash: string): boolean;
  /** Optional: also learns which material a key id has (so a revocation by key id lands on the material). */
  check?(key: { readonly id: string; readonly sha256: string }): boolean;
}

function isRevoked(revoked: RevocationLookup | undefined, key: RtKey): boolean {
  if (!revoked) return false;
  return revoked.check ? revoked.check(key) : revoked.has(key.sha256) || revoked.has(key.id);
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
  if (endpoint !== 'models.list' && !m.capabilities.has(endpoint))
    throw new GatewayError('model_capability', `The model does not serve ${endpoint}.`, { param: 'model' });
  return m;
}

/** Layer 4: the key's scopes. */
export function checkScope(key: RtKey, endpoint: Scope): void {
  if (!key.scopes.has(endpoint))
    throw new GatewayError('scope_not_allowed', `This API key is not allowed to call ${endpoint}.`);
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

// The revocation cache lives in gateway/store/revocations.ts (issue #15: revocations survive a store reset).
export { RevocationCache } from './store/revocations.ts';
