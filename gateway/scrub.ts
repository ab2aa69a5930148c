// Pure helpers that decide what untrusted text may reach a log line, an audit record or a client
// (issue #10, items 2-4). Each is linear in its input and table-tested in scrub.test.ts.
import { createHmac, randomBytes } from 'node:crypto';
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

/** What the operator log keeps of an upstream's text (an error body, an SSE error event). */
export interface UpstreamTextRecord {
  /** UTF-8 length of the text. */
  readonly bytes: number;
  /** HMAC-SHA-256 of the text under a per-process random key, 12 hex: equal texts, equal hashes (in one process). */
  readonly hash: string;
  /** The error's `type` / `error_type` when a known engine error word (KNOWN_ERROR_WORDS), else `other`. */
  readonly errorType?: string;
  /** The error's `code` when an integer or a known engine error word, else `other`. */
  readonly errorCode?: string | number;
  /** A known engine failure recognized in the text, as one of the gateway's own words (ERROR_HINTS). */
  readonly errorHint?: string;
  /** The text itself: only with a masker (tenants whose logging mode is `redactedPrompts`), scrubbed, masked, cut. */
  readonly text?: string;
}

const HASH_KEY = randomBytes(32);
/** Common engine failures, recognized in an error's text (first match wins); each regex is linear (no nesting). */
const ERROR_HINTS: readonly [string, RegExp][] = [
  ['context_length', /context length|context window|maximum context|too many (?:input )?tokens|prompt is too long/i],
  ['max_tokens', /max_tokens|max_completion_tokens|maximum tokens/i],
  ['model_not_found', /model[^\n]{0,80}(?:not found|does not exist|not exist|unknown)|no such model/i],
  ['out_of_memory', /out of memory|\bOOM\b|CUDA error/i],
  ['overloaded', /overloaded|queue (?:is )?full|too many requests|rate limit/i],
  ['auth', /unauthori[sz]ed|invalid api key|authentication|forbidden/i],
  ['timeout', /timed? ?out\b|deadline exceeded/i],
  ['template', /chat template|jinja|template/i],
  ['schema', /validation error|schema|invalid json|json_schema|grammar/i],
];
/**
 * Error types and codes engines and OpenAI-compatible servers send (OpenAI, vLLM, llama.cpp, Ollama, TGI,
 * LiteLLM-style class names). Only these are logged by name: any other string is the upstream's choice of words
 * (red team 2026-12-02 N5: `"type": "Jane_Roe_HIV_positive"` reached the log) and is logged as `other`.
 */
const KNOWN_ERROR_WORDS: ReadonlySet<string> = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'api_error',
  'server_error',
  'overloaded_error',
  'timeout_error',
  'context_length_exceeded',
  'model_not_found',
  'invalid_api_key',
  'insufficient_quota',
  'rate_limit_exceeded',
  'unsupported_parameter',
  'invalid_value',
  'BadRequestError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
  'UnprocessableEntityError',
  'RateLimitError',
  'InternalServerError',
  'ServiceUnavailableError',
  'APIError',
  'APITimeoutError',
  'ContextWindowExceededError',
  'ValidationError',
  'ValueError',
  'TypeError',
  'RuntimeError',
  'NotImplementedError',
  'OutOfMemoryError',
  'not_supported_error',
  'unavailable_error',
  'exceed_context_size_error',
  'invalid_key',
  // TGI's error_type
  'validation',
  'generation',
  'overloaded',
  'incomplete_generation',
]);

function enumLike(v: unknown): string | number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && v <= 99_999 ? v : undefined;
  if (typeof v !== 'string' || v === '') return undefined;
  return KNOWN_ERROR_WORDS.has(v) ? v : 'other';
}

function errorFields(text: string): { errorType?: string; errorCode?: string | number } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return {};
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const top = v as Record<string, unknown>;
  const err = top.error;
  const inner = err !== null && typeof err === 'object' && !Array.isArray(err) ? (err as Record<string, unknown>) : {};
  const out: { errorType?: string; errorCode?: string | number } = {};
  const type = enumLike(inner.type) ?? enumLike(top.type) ?? enumLike(top.error_type);
  if (typeof type === 'string') out.errorType = type;
  const code = enumLike(inner.code) ?? enumLike(top.code);
  if (code !== undefined) out.errorCode = code;
  return out;
}

/**
 * An upstream's text (an error body, an error dressed as 200, an SSE error event) for the operator log. Engines
 * quote the request back in their errors (pydantic `input_value=…`, template and schema errors), so the text may
 * hold the client's prompt: by default only its length, a keyed hash, the error's type and code when known words and a
 * hint naming a common engine failure recognized in it (ERROR_HINTS: the gateway's words, never the text's) are
 * kept. With `mask` (the tenant's logging mode is `redactedPrompts`: the prompt masker) the text is kept too,
 * scrubbed of credentials (`scrubUpstreamText`), masked and cut to `maxChars`. Linear in the text.
 */
export function upstreamTextForLog(
  text: string,
  secrets: SecretSet | undefined,
  mask?: ((text: string) => string) | undefined,
  maxChars = 1000,
): UpstreamTextRecord {
  const rec: { -readonly [K in keyof UpstreamTextRecord]: UpstreamTextRecord[K] } = {
    bytes: Buffer.byteLength(text, 'utf8'),
    hash: createHmac('sha256', HASH_KEY).update(text).digest('hex').slice(0, 12),
    ...errorFields(text),
  };
  const hint = ERROR_HINTS.find(([, re]) => re.test(text));
  if (hint) rec.errorHint = hint[0];
  if (mask) {
    const masked = mask(scrubUpstreamText(text, secrets, maxChars));
    rec.text = masked.length > maxChars ? `${masked.slice(0, maxChars)}…` : masked;
  }
  return rec;
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
