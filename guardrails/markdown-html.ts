// Raw HTML in model output, judged the way a browser tokenizes it (HTML5 tokenizer states for tags, attributes,
// comments and bogus comments), default-deny for elements: a start tag passes only when its element is on a short
// list of formatting elements (or is any other element with no attribute at all), and its attributes can neither
// fetch, navigate nor run: no event handler (`on…`), no URL attribute except `<a href>` (a link: judged as one) and
// `<img src/srcset>` / `<source src/srcset>` (fetched: judged as such), a `style` without anything that loads (url(), image-set(), @import,
// escapes), names of plain attribute syntax; every URL entity-decoded first. A tag, comment or declaration not closed inside the raw HTML it
// belongs to fails (it would swallow what follows in the browser). Elements that switch the tokenizer into raw
// text (script, style, textarea, title, iframe, noscript, xmp, plaintext …) and foreign content (svg, math) are
// never allowed, so after neutralising, every raw HTML piece leaves the browser in the data state: the pieces can
// be judged one by one.
import { decodeHTMLAttribute } from 'entities/decode';
import type { UrlUse } from './exfiltration.ts';

/** Judges one (entity-decoded) URL for its use: true when it may stay. */
export type UrlOk = (url: string, use: UrlUse) => boolean;

/** A construct in raw HTML that must not reach a browser: [start, end) in the raw HTML, `<` at start. */
export interface HtmlProblem {
  start: number;
  end: number;
}

const SAFE_TAGS = new Set([
  'a',
  'abbr',
  'address',
  'article',
  'aside',
  'b',
  'bdi',
  'bdo',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'font',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'main',
  'mark',
  'nav',
  'ol',
  'p',
  'pre',
  'picture',
  'q',
  'rp',
  'rt',
  'ruby',
  's',
  'section',
  'samp',
  'small',
  'source',
  'span',
  'strike',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'tt',
  'u',
  'ul',
  'var',
  'wbr',
]);
/**
 * Attributes that carry a URL on some element (HTML, SVG, legacy): never allowed on a formatting element, except those
 * of URL_ATTRS, which are judged.
 */
const URL_ATTR_NAMES = new Set([
  'action',
  'archive',
  'attributionsrc',
  'background',
  'cite',
  'codebase',
  'data',
  'dynsrc',
  'formaction',
  'href',
  'icon',
  'imagesrcset',
  'longdesc',
  'lowsrc',
  'manifest',
  'ping',
  'poster',
  'src',
  'srcdoc',
  'srcset',
  'usemap',
  'xlink:href',
]);
/** An attribute of plain syntax that neither fetches, navigates nor runs (event handlers and URL attributes aside). */
function plainAttr(name: string, value: string): boolean {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || name.startsWith('on') || URL_ATTR_NAMES.has(name)) return false;
  if (name === 'referrerpolicy' || name === 'http-equiv') return false; // would send the page's address, or act as meta
  if (name !== 'style') return true;
  // CSS that loads nothing: no url()/image-set()/image()/@import/expression()/var(), no escape or comment to hide one
  return !/url|image|import|expression|behavior|binding|var\s*\(|src|[\\@]|\/\*/i.test(decodeHTMLAttribute(value));
}
/**
 * Elements that change how the browser reads what follows (raw text, foreign content, templates, frames) or run
 * something even with no attribute: never allowed. Any other element with no attribute at all passes (e.g. the
 * `<Integer>` of `List<Integer>`): an unknown element with no attribute loads nothing.
 */
const NEVER = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'plaintext',
  'svg',
  'math',
  'template',
  'frameset',
  'frame',
  'object',
  'embed',
  'applet',
  'select',
  'base',
  'link',
  'meta',
  'portal',
  'listing',
]);
/** Attributes carrying a URL that are judged, per element, with how the URL is used. */
const URL_ATTRS: Record<string, Readonly<Record<string, UrlUse>>> = {
  a: { href: 'link' },
  img: { src: 'fetch', srcset: 'fetch' },
  // <picture><source media="(prefers-color-scheme: dark)" srcset=…> (README themes): fetched like an <img>
  source: { src: 'fetch', srcset: 'fetch' },
};

const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);

interface Tag {
  start: number;
  name: string;
  end: boolean;
  attrs: [string, string][];
  closed: boolean;
  next: number;
}

/** Parse a tag whose name starts at `i` (after `<` or `</`). */
function parseTag(s: string, start: number, i: number, end: boolean): Tag {
  const n = s.length;
  let j = i;
  while (j < n && !isWs(s[j]) && s[j] !== '/' && s[j] !== '>') j++;
  const name = s.slice(i, j).toLowerCase();
  const attrs: [string, string][] = [];
  for (;;) {
    while (j < n && (isWs(s[j]) || s[j] === '/')) j++;
    if (j >= n) return { start, name, end, attrs, closed: false, next: n };
    if (s[j] === '>') return { start, name, end, attrs, closed: true, next: j + 1 };
    // attribute name: the first character may be anything but whitespace, '/' and '>' ('=' included)
    const a = j++;
    while (j < n && !isWs(s[j]) && s[j] !== '/' && s[j] !== '>' && s[j] !== '=') j++;
    const attrName = s.slice(a, j).toLowerCase();
    let k = j;
    while (k < n && isWs(s[k])) k++;
    if (s[k] !== '=') {
      attrs.push([attrName, '']);
      j = k;
      continue;
    }
    k++;
    while (k < n && isWs(s[k])) k++;
    if (k >= n) return { start, name, end, attrs, closed: false, next: n };
    const q = s[k];
    if (q === '"' || q === "'") {
      const close = s.indexOf(q, k + 1);
      if (close < 0) return { start, name, end, attrs, closed: false, next: n };
      attrs.push([attrName, s.slice(k + 1, close)]);
      j = close + 1;
    } else {
      let e = k;
      while (e < n && !isWs(s[e]) && s[e] !== '>') e++;
      attrs.push([attrName, s.slice(k, e)]);
      j = e;
    }
  }
}

/** Every construct of raw HTML `s` that fails the policy. `urlOk` judges one (entity-decoded) URL. */
export function htmlProblems(s: string, urlOk: UrlOk): HtmlProblem[] {
  const out: HtmlProblem[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const j = s.indexOf('<', i);
    if (j < 0) break;
    const c = s[j + 1];
    if (isAlpha(c)) {
      const t = parseTag(s, j, j + 1, false);
      if (!t.closed || !startTagOk(t, urlOk)) out.push({ start: j, end: t.next });
      i = t.next;
    } else if (c === '/') {
      if (isAlpha(s[j + 2])) {
        const t = parseTag(s, j, j + 2, true);
        if (!t.closed) out.push({ start: j, end: t.next });
        i = t.next;
      } else if (s[j + 2] === '>') i = j + 3;
      else i = bogus(s, j, j + 2, out);
    } else if (c === '!') {
      if (s.startsWith('--', j + 2)) {
        if (s[j + 4] === '>') {
          i = j + 5;
          continue;
        }
        if (s.startsWith('->', j + 4)) {
          i = j + 6;
          continue;
        }
        const e1 = s.indexOf('-->', j + 4);
        const e2 = s.indexOf('--!>', j + 4);
        const e = e1 < 0 ? e2 : e2 < 0 ? e1 : Math.min(e1, e2);
        if (e < 0) {
          out.push({ start: j, end: n });
          break;
        }
        i = e + (e === e1 ? 3 : 4);
      } else i = bogus(s, j, j + 2, out);
    } else if (c === '?') i = bogus(s, j, j + 2, out);
    else i = j + 1;
  }
  return out;
}

/** A bogus comment (or DOCTYPE / CDATA in HTML content): up to the next `>`. */
function bogus(s: string, start: number, from: number, out: HtmlProblem[]): number {
  const e = s.indexOf('>', from);
  if (e < 0) {
    out.push({ start, end: s.length });
    return s.length;
  }
  return e + 1;
}

function startTagOk(t: Tag, urlOk: UrlOk): boolean {
  if (NEVER.has(t.name)) return false;
  if (!SAFE_TAGS.has(t.name)) return t.attrs.length === 0 && /^[a-z][a-z0-9-]*$/.test(t.name);
  const urlAttrs = URL_ATTRS[t.name];
  for (const [name, raw] of t.attrs) {
    const use = urlAttrs && Object.hasOwn(urlAttrs, name) ? urlAttrs[name] : undefined;
    if (use) {
      const value = decodeHTMLAttribute(raw);
      if (name === 'srcset' ? !srcsetOk(value, urlOk) : !urlOk(value, use)) return false;
    } else if (!plainAttr(name, raw)) return false;
  }
  return true;
}

/** Every candidate URL of a srcset (split on whitespace and commas: over-splitting only adds checks). Fetched. */
function srcsetOk(value: string, urlOk: UrlOk): boolean {
  for (const part of value.split(/[\s,]+/)) {
    if (part === '' || /^\d+(?:\.\d+)?[wx]$/i.test(part)) continue;
    if (!urlOk(part, 'fetch')) return false;
  }
  return true;
}
