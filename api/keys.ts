// Tenant API keys: `tgk_` + 40 random base62 characters + 6 base62 characters of CRC32 checksum.
// The prefix and checksum let secret scanners spot a leaked key without calling anyone; only the
// sha256 of a key ever leaves the tenant's Secret.
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'tgk_';
const BODY_LEN = 40;
const CHECK_LEN = 6;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const KEY_LENGTH = KEY_PREFIX.length + BODY_LEN + CHECK_LEN;
/** For detectors and scanners. */
export const KEY_PATTERN_SOURCE = String.raw`\btgk_[0-9A-Za-z]{46}\b`;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(text: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) c = (CRC_TABLE[(c ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function base62(n: number, width: number): string {
  let out = '';
  let v = n;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

/** A new key from the OS CSPRNG (rejection sampling keeps base62 unbiased). */
export function generateKey(): string {
  let body = '';
  while (body.length < BODY_LEN) {
    for (const b of randomBytes(64)) {
      if (b < 248 && body.length < BODY_LEN) body += ALPHABET[b % 62];
    }
  }
  return `${KEY_PREFIX}${body}${base62(crc32(body), CHECK_LEN)}`;
}

/** Cheap, constant-shape structural check: prefix, length, alphabet and checksum. */
export function isWellFormedKey(key: string): boolean {
  if (key.length !== KEY_LENGTH || !key.startsWith(KEY_PREFIX)) return false;
  for (let i = KEY_PREFIX.length; i < key.length; i++) if (!ALPHABET.includes(key[i] as string)) return false;
  const body = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + BODY_LEN);
  return base62(crc32(body), CHECK_LEN) === key.slice(KEY_PREFIX.length + BODY_LEN);
}

/**
 * Bring-your-own keys (from a referenced Secret: Vault through External Secrets, another issuer) may have any
 * format: only their sha256 is used. Bounds: 32-4096 visible ASCII characters (no whitespace, no control or
 * non-ASCII characters: they could not travel in an Authorization header intact anyway).
 */
export const BYO_KEY_MIN_LENGTH = 32;
export const BYO_KEY_MAX_LENGTH = 4096;

/**
 * Whether a presented credential is worth hashing and looking up: a Tollgate key with a valid checksum, or a
 * BYO-shaped token within the bounds. Linear in the (bounded) length; no regex backtracking.
 */
export function isAcceptableKey(key: string): boolean {
  if (key.length === KEY_LENGTH && key.startsWith(KEY_PREFIX)) return isWellFormedKey(key); // a typo'd tgk_ key fails here, cheaply
  if (key.length < BYO_KEY_MIN_LENGTH || key.length > BYO_KEY_MAX_LENGTH) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** First 16 hex characters of the sha256: safe to show in status and logs. */
export function fingerprint(keyOrHash: string): string {
  const hex = /^[a-f0-9]{64}$/.test(keyOrHash) ? keyOrHash : hashKey(keyOrHash);
  return hex.slice(0, 16);
}
