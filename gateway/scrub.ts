// Pure helpers that decide what untrusted text may reach a log line, an audit record or a client
// (issue #10, items 2-4). Each is linear in its input and table-tested in scrub.test.ts.
import { isIP } from 'node:net';

/** Shortest credential fragment that is treated as the credential (every 8+ character substring). */
export const FRAGMENT = 8;
const REDACTED = '[redacted]';

/**
 * Every credential the gateway holds (upstream keys, the Redis password), as the set of its 8-character
 * windows: any text window found in the set is part of a credential. Lookup is O(1) per position, so
 * scrubbing is linear in the text whatever the number of credentials.
 */
export class SecretSet {
  readonly #windows = new Set<string>();
  /** The credentials themselves (output canaries, gateway/egress/canary.ts). */
  readonly literals: string[] = [];
  constructor(secrets: Iterable<string>) {
    for (const s of secrets) this.add(s);
  }
  add(secret: string): void {
    if (typeof secret !== 'string') return;
    this.literals.push(secret);
    for (let i = 0; i + FRAGMENT <= secret.length; i++) this.#windows.add(secret.slice(i, i + FRAGMENT));
  }
  get size(): number {
    return this.#windows.size;
  }
  /** Character ranges of `text` covered by some credential window (merged, ascending). */
  ranges(text: string): [number, number][] {
    const out: [number, number][] = [];
    if (this.#windows.size === 0) return out;
    for (let i = 0; i + FRAGMENT <= text.length; i++) {
      if (!this.#windows.has(text.slice(i, i + FRAGMENT))) continue;
      const last = out[out.length - 1];
      if (last && last[1] >= i) last[1] = i + FRAGMENT;
      else out.push([i, i + FRAGMENT]);
    }
    return out;
  }
}

// Key-shaped runs: well-known key formats and any long token-like run mixing letters and digits.
const KEY_SHAPED: readonly RegExp[] = [
  /\btgk_[0-9A-Za-z]{4,}/g,
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g,
  /\bBearer\s+\S+/gi,
  /\bAKIA[0-9A-Z]{12,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{8,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // userinfo of a URL (scheme://user:pass@host)
  /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/?#@]*@/gi,
];
// 20+ characters of a key alphabet with at least one digit and one letter
const TOKEN_RUN = /[A-Za-z0-9+/_=-]{20,}/g;
const hasLetterAndDigit = (s: string): boolean => /[A-Za-z]/.test(s) && /[0-9]/.test(s);

/**
 * Upstream text (an error body, an SSE error event, an exception message) made fit for the operator-side
 * log: every 8+ character substring of every credential in `secrets`, key-shaped runs and URL userinfo
 * replaced, control characters removed, cut to `maxChars`. Never sent to a tenant.
 */
export function scrubUpstreamText(text: string, secrets: SecretSet | undefined, maxChars = 2000): string {
  // cut first (bounded work), but scrub a little past the cut so a credential straddling it is still found
  let t = text.length > maxChars + FRAGMENT ? text.slice(0, maxChars + FRAGMENT) : text;
  if (secrets) {
    const ranges = secrets.ranges(t);
    if (ranges.length > 0) {
      let out = '';
      let at = 0;
      for (const [a, b] of ranges) {
        out += t.slice(at, a) + REDACTED;
        at = b;
      }
      t = out + t.slice(at);
    }
  }
  for (const re of KEY_SHAPED)
    t = t.replace(re, (m, scheme?: string) =>
      typeof scheme === 'string' && m.endsWith('@') ? `${scheme}${REDACTED}@` : REDACTED,
    );
  t = t.replace(TOKEN_RUN, (m) => (hasLetterAndDigit(m) ? REDACTED : m));
  t = t.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return t.length > maxChars ? `${t.slice(0, maxChars)}…` : t;
}

/**
 * A URL (or something meant to be one, possibly unparseable) without userinfo: `scheme://user:pw@host/p`
 * -> `scheme://host/p`. Anything before the last `@` of the authority goes, so a password with `@`, `/` or
 * spaces in it cannot survive. For error messages and logs.
 */
export function displayUrl(raw: string): string {
  const s = String(raw).slice(0, 2048);
  const m = /^(\s*[a-z][a-z0-9+.-]*:\/\/)/i.exec(s);
  const scheme = m ? m[1]! : '';
  const rest = s.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const cleaned = at === -1 ? rest : rest.slice(at + 1);
  return (scheme + cleaned).replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** Free text that may quote URLs (config errors): every URL-ish userinfo removed. */
export function stripUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s"'`<>]*@/gi, '$1');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The client's X-Request-Id, only when it is a UUID (the format every SDK and proxy generates); it is then
 * lower-cased. Anything else (a token-like string, a key, a key fragment — base62 keys are never UUIDs)
 * is dropped from the audit line; the gateway's own request id is always there.
 */
export function safeRequestId(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length !== 36 || !UUID.test(v)) return undefined;
  return v.toLowerCase();
}

/** A client address for the audit line: only a syntactically valid IP (X-Forwarded-For is client text). */
export function safeClientIp(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 64) return undefined;
  return isIP(v) !== 0 ? v : undefined;
}

const METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
]);
/** The HTTP method for the audit line, from a fixed set. */
export function safeMethod(v: unknown): string {
  return typeof v === 'string' && METHODS.has(v) ? v : 'OTHER';
}
