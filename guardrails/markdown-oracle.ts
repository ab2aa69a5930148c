// The test oracle for the exfiltration stage: render markdown the way clients do (plain markdown-it, not the
// instrumented parser, under each client configuration), parse the HTML with a spec-compliant HTML5 parser
// (parse5) and list every element that would fetch, link to or run something outside the allowlist. Independent
// of the stage's own URL policy code: URLs are resolved against a page origin with the WHATWG URL parser.
// The decision it encodes (guardrails/README.md): anything fetched outside the allowlist is a violation; a link
// (`<a href>`) outside the allowlist is one when it can carry data — its own, deliberately simpler and more lenient
// reading than the stage's (`carriesData`), so the stage may rewrite more than the oracle asks, never less.
import MarkdownItCtor from 'markdown-it';
import { parse } from 'parse5';
import { CONFIGS, type ParserConfig } from './markdown-parse.ts';

const PAGE = 'https://chat.tollgate.test/c/1';

export interface Violation {
  config: string;
  element: string;
  attribute: string;
  value: string;
}

/** Elements that load or run something whatever their attributes. */
const ACTIVE = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'link',
  'meta',
  'base',
  'form',
  'style',
  'svg',
  'math',
  'portal',
  'template',
  'audio',
  'video',
  'track',
  'input',
  'button',
]);
const URL_ATTRS = new Set([
  'src',
  'srcset',
  'href',
  'poster',
  'data',
  'action',
  'formaction',
  'background',
  'xlink:href',
  'ping',
  'lowsrc',
  'dynsrc',
  'longdesc',
  'cite',
  'manifest',
  'codebase',
  'archive',
  'icon',
  'imagesrcset',
]);

/**
 * A URL the page would load or link to, outside the page's own origin and the allowlist. An inline raster image
 * (`data:image/png…`) used as an image source loads nothing from anywhere.
 */
export function remoteOutside(value: string, allowedHosts: readonly string[], fetched = false): boolean {
  let u: URL;
  try {
    u = new URL(value, PAGE);
  } catch {
    return false; // the browser does not load what does not parse
  }
  if (u.protocol === 'mailto:' || u.protocol === 'tel:') return false;
  if (fetched && /^data:image\/(?:gif|png|jpeg|webp);/i.test(u.href)) return false; // decoded in place, no request
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return true; // javascript:, data:, vbscript:, file:, ftp: …
  const host = u.hostname.toLowerCase();
  if (host === new URL(PAGE).hostname) return false;
  return !allowedHosts.some((a) => (a.startsWith('*.') ? host.endsWith(a.slice(1)) : host === a.toLowerCase()));
}

/**
 * A link target that can carry data (the oracle's reading): a scheme other than http(s)/mailto/tel, userinfo, a
 * query and fragment over 64 characters (an anchor or a digest alone is read like the path), a redaction marker, a
 * run of 24+ letters and digits with a digit or of 32+ hex digits in host, path, query or fragment, or a path over
 * 256 characters.
 */
export function carriesData(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value, PAGE);
  } catch {
    return false;
  }
  if (u.protocol === 'mailto:' || u.protocol === 'tel:') return false;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return true;
  if (u.username || u.password) return true;
  // a fragment alone that is an anchor (a slug) or an artifact's digest is read like the path; otherwise query and
  // fragment carry data beyond navigation's length (the stage's bound is lower: 40 characters)
  const anchor = u.search === '' && /^#(?:(?:sha\d+|md5)=)?[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/.test(u.hash);
  if (!anchor && u.search.length + u.hash.length > 64) return true;
  const where = `${u.hostname}${u.pathname}${anchor ? '' : `${u.search}${u.hash}`}`;
  if (/redacted/i.test(where) || u.pathname.length > 256) return true;
  if (/[0-9a-f]{32}/i.test(where)) return true;
  return (where.match(/[A-Za-z0-9]{24,}/g) ?? []).some((run) => /\d/.test(run));
}

interface P5Node {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: P5Node[];
  content?: P5Node;
}

function walk(node: P5Node, visit: (n: P5Node) => void): void {
  visit(node);
  for (const c of node.childNodes ?? []) walk(c, visit);
  if (node.content) walk(node.content, visit);
}

const renderers = new Map<string, ReturnType<typeof MarkdownItCtor>>();
const keyOf = (c: ParserConfig) => `html=${c.html},linkify=${c.linkify}`;

export function render(markdown: string, c: ParserConfig): string {
  let md = renderers.get(keyOf(c));
  if (!md) {
    md = MarkdownItCtor({ html: c.html, linkify: c.linkify });
    renderers.set(keyOf(c), md);
  }
  return md.render(markdown);
}

/** Every element in the rendered HTML of `markdown` that reaches outside the allowlist, under every config. */
export function violations(
  markdown: string,
  allowedHosts: readonly string[],
  configs: readonly ParserConfig[] = CONFIGS,
): Violation[] {
  const out: Violation[] = [];
  for (const c of configs) {
    const doc = parse(render(markdown, c)) as unknown as P5Node;
    walk(doc, (n) => {
      const tag = n.tagName;
      if (!tag) return;
      if (ACTIVE.has(tag)) out.push({ config: keyOf(c), element: tag, attribute: '', value: '' });
      for (const a of n.attrs ?? []) {
        const name = a.name.toLowerCase();
        if (name.startsWith('on') || (name === 'style' && /url\s*\(|expression|@import/i.test(a.value))) {
          out.push({ config: keyOf(c), element: tag, attribute: name, value: a.value });
        } else if (URL_ATTRS.has(name)) {
          const urls = name.endsWith('srcset')
            ? a.value.split(',').map((p) => p.trim().split(/\s+/)[0] ?? '')
            : [a.value];
          const link = tag === 'a' && name === 'href';
          const fetched = (tag === 'img' || tag === 'source') && (name === 'src' || name === 'srcset');
          for (const u of urls)
            if (u !== '' && remoteOutside(u, allowedHosts, fetched) && (!link || carriesData(u)))
              out.push({ config: keyOf(c), element: tag, attribute: name, value: u.slice(0, 80) });
        }
      }
    });
  }
  return out;
}
