// Token counting: exact against the unbounded encoder on a corpus, linear on pathological input, bounded
// by bytes, stopping at limit + 1, and never holding the event loop for long (issue #10, item 1) — for every
// encoding a model can name (LLMModel spec.tokenizer). encodings.test.ts proves the encoder equals tiktoken.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { TOKENIZERS, type Tokenizer } from '../api/v1alpha1/tokenizer.ts';
import { encodingFor } from './encodings.ts';
import {
  countInput,
  countingUnits,
  countText,
  countUpTo,
  MAX_PIECE_CHARS,
  scanUnits,
  truncateToTokens,
  upperBound,
} from './tokens.ts';

const OPTS = { disallowedSpecial: new Set<string>() };
const UNBOUNDED: Record<Tokenizer, (t: string) => number> = {
  cl100k_base: (t) => cl100k(t, OPTS),
  o200k_base: (t) => o200k(t, OPTS),
};

// Mixed natural text, code, JSON, e-mail, PII samples and markdown (the licences are next to the corpora).
const CORPUS_FILES = [
  'README.md',
  'gateway/README.md',
  'gateway/pipeline.ts',
  'api/gateway-config.ts',
  '/work/shared/corpora/bipia/email_test.jsonl',
  '/work/shared/corpora/bipia/code_attack_test.json',
  '/work/shared/corpora/bipia/text_attack_test.json',
  '/work/shared/corpora/pii/presidio_generated_small.json',
];
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

function corpus(): string[] {
  const out: string[] = [];
  for (const f of CORPUS_FILES) {
    let t: string;
    try {
      t = readFileSync(f, 'utf8');
    } catch {
      if (f.startsWith('/work/shared')) continue; // outside the clone: the in-repo files still run
      throw new Error(`corpus file ${f} missing`);
    }
    out.push(t);
    // and paragraph by paragraph, so many small texts are compared too
    out.push(...t.split(/\n\n+/).slice(0, 400));
  }
  const extra = [
    "Hello, world! It's a test — with “quotes”, émojis 🎉🎉 and CJK 你好，世界。こんにちは。",
    'x'.repeat(MAX_PIECE_CHARS),
    ' '.repeat(MAX_PIECE_CHARS - 1) + 'a',
    'a  b   c    d\n\n\n  e\t\tf \r\n g',
    '<|endoftext|> is text here',
    "I'll we've they're it's DON'T",
    '12345678901234567890',
    '   leading and trailing   ',
    'https://example.com/path?q=1&r=2#frag user@example.com 10.0.0.1',
    '{"a":[1,2,{"b":"c"}]}',
    '\n\n\nnew\n\nlines\n',
    // o200k_base splits on case and keeps contractions on the word; its punctuation pieces swallow "/"
    "HTTPServer camelCaseWord ALLCAPS'S Don'T we'LL ΑΒΓαβγ ÉCOLE école",
    'path/to/file.ts:12:3 a//b ///\n/x',
    'e\u0301te\u0301 combining marks, Zero\u200Bwidth, non\u00a0breaking, ideographic\u3000space',
  ];
  out.push(...extra);
  return out;
}

for (const name of TOKENIZERS) {
  const enc = encodingFor(name);
  const unbounded = UNBOUNDED[name];

  describe(`${name}: exact for normal text`, () => {
    it('equals the unbounded count on every corpus text (and the sum over texts)', () => {
      const texts = corpus();
      assert.ok(texts.length > 100, `${texts.length} texts`);
      let total = 0;
      for (const t of texts) {
        const want = unbounded(t);
        assert.equal(countText(enc, t), want, `mismatch on ${JSON.stringify(t.slice(0, 80))}`);
        total += want;
      }
      assert.ok(total > 20_000, `${total} tokens compared`);
    });

    it('units split only where the encoder would (segments concatenate back to the text)', () => {
      for (const t of corpus().slice(0, 50)) assert.equal([...countingUnits(enc, t)].map((u) => u.text).join(''), t);
    });

    it('the one-unit shortcut is exact: every text of up to MAX_PIECE_CHARS characters scans to itself, whole', () => {
      // every prefix and suffix (up to the limit) of the corpus texts and of random strings over the classes
      // the pre-tokenizer distinguishes: letters, digits, whitespace runs, punctuation, contractions, CJK,
      // surrogate pairs
      const alphabet = [
        'a',
        'Z',
        'é',
        '7',
        ' ',
        '  ',
        '\n',
        '\t',
        '\r\n',
        '.',
        ',',
        '!',
        "'s",
        "'LL",
        '你',
        '🎉',
        '-',
        '_',
        '"',
      ];
      let seed = 42;
      const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const texts: string[] = [];
      for (const t of corpus().slice(0, 300)) texts.push(t.slice(0, MAX_PIECE_CHARS), t.slice(-MAX_PIECE_CHARS));
      for (let i = 0; i < 2000; i++) {
        let t = '';
        const len = rand(MAX_PIECE_CHARS + 1);
        while (t.length < len) t += alphabet[rand(alphabet.length)];
        texts.push(t.slice(0, len - (isHigh(t.charCodeAt(len - 1)) ? 1 : 0)));
      }
      let compared = 0;
      for (const t of texts) {
        if (t.length > MAX_PIECE_CHARS) continue;
        const want = t.length === 0 ? [] : [{ text: t, whole: true }];
        assert.deepEqual([...scanUnits(enc, t)], want, JSON.stringify(t));
        assert.deepEqual([...countingUnits(enc, t)], want);
        compared++;
      }
      assert.ok(compared > 2000, `${compared} texts compared`);
    });

    it('the windowed scan is exact at every window boundary (tiny windows of 256 characters)', () => {
      let compared = 0;
      for (const t of corpus()) {
        const units = [...countingUnits(enc, t, MAX_PIECE_CHARS, 300, 2 * MAX_PIECE_CHARS)];
        assert.equal(units.map((u) => u.text).join(''), t);
        if (units.some((u) => !u.whole)) continue; // a piece over MAX_PIECE_CHARS: the estimate zone
        assert.equal(
          units.reduce((n, u) => n + unbounded(u.text), 0),
          unbounded(t),
          `mismatch on ${JSON.stringify(t.slice(0, 80))}`,
        );
        compared++;
      }
      assert.ok(compared > 100, `${compared} texts compared`);
    });

    it('countUpTo returns the exact count when under the limit', async () => {
      const t = readFileSync('gateway/README.md', 'utf8');
      const r = await countUpTo(enc, { texts: [t, t], overhead: 7 }, 1_000_000);
      assert.deepEqual(r, { tokens: 2 * unbounded(t) + 7, exact: true });
    });
  });

  describe(`${name}: pathological input`, () => {
    const SHAPES: [string, (n: number) => string][] = [
      ['one letter', (n) => 'a'.repeat(n)],
      ['two letters', (n) => 'ab'.repeat(n / 2)],
      ['one CJK character', (n) => '中'.repeat(n)],
      ['punctuation', (n) => '!'.repeat(n)],
      ['spaces', (n) => ' '.repeat(n)],
      ['newlines', (n) => '\n'.repeat(n)],
      ['space-newline', (n) => ' \n'.repeat(n / 2)],
      ['emoji', (n) => '🎉'.repeat(n / 2)],
    ];
    for (const [name, make] of SHAPES) {
      it(`${name}: linear (4x the input costs < 8x the time), bounded by bytes, small counts exact`, () => {
        const cpu = (t: string): number => {
          const c0 = process.cpuUsage();
          countText(enc, t);
          const d = process.cpuUsage(c0);
          return (d.user + d.system) / 1000;
        };
        cpu(make(4000)); // warm up
        const small = Math.max(cpu(make(50_000)), 2);
        const big = cpu(make(200_000));
        assert.ok(big < small * 8 + 20, `${name}: 50k chars ${small.toFixed(1)} ms, 200k chars ${big.toFixed(1)} ms`);
        assert.ok(big < 1500, `${name}: 200k chars took ${big.toFixed(0)} ms of CPU`);
        const t = make(200_000);
        assert.ok(countText(enc, t) <= Buffer.byteLength(t), 'tokens <= bytes');
        const short = make(MAX_PIECE_CHARS);
        assert.equal(countText(enc, short), unbounded(short), 'exact up to MAX_PIECE_CHARS');
      });
    }

    it('chunked counts of over-long pieces stay close to the unbounded count', () => {
      for (const [name, make] of SHAPES) {
        const t = make(8000);
        const want = unbounded(t);
        const got = countText(enc, t);
        assert.ok(got <= Buffer.byteLength(t), name);
        assert.ok(Math.abs(got - want) <= Math.max(2, want * 0.1), `${name}: ${got} vs exact ${want}`);
      }
    });
  });

  describe(`${name}: bounded decisions`, () => {
    it('the byte bound decides without encoding when it is under the limit', async () => {
      const input = { texts: ['a'.repeat(1000)], overhead: 3 };
      assert.deepEqual(await countInput(enc, input, 5000, false), { tokens: upperBound(input), exact: false });
    });

    it('stops at limit + 1 (1 MiB of one letter against a limit of 100: under 20 ms)', async () => {
      const t0 = performance.now();
      const r = await countUpTo(enc, { texts: ['a'.repeat(1 << 20)], overhead: 0 }, 100);
      assert.ok(r.tokens > 100 && !r.exact);
      assert.ok(performance.now() - t0 < 100, `${(performance.now() - t0).toFixed(1)} ms`);
    });

    it('a full count of 1 MiB yields to the event loop: no stall longer than a slice', async () => {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const ticker = setInterval(() => undefined, 1);
      await countUpTo(enc, { texts: ['中'.repeat(350_000), 'abc '.repeat(100_000)], overhead: 0 }, Infinity);
      clearInterval(ticker);
      h.disable();
      assert.ok(h.max / 1e6 < 100, `max event-loop delay ${(h.max / 1e6).toFixed(1)} ms`);
    });
  });

  describe(`${name}: truncateToTokens`, () => {
    const cases: [string, number][] = [
      ['Hello world, this is a test of truncation.', 3],
      ['Hello world', 100],
      ['a'.repeat(10_000), 50],
      ['你好世界你好世界', 3],
      ['🎉🎉🎉🎉', 2],
      ['', 5],
    ];
    for (const [text, cap] of cases) {
      it(`${JSON.stringify(text.slice(0, 20))} to ${cap}`, () => {
        const r = truncateToTokens(enc, text, cap);
        assert.ok(r.tokens <= cap);
        assert.ok(countText(enc, r.text) <= cap, `${countText(enc, r.text)} > ${cap}`);
        assert.ok(text.startsWith(r.text));
        assert.equal(r.truncated, countText(enc, text) > cap);
        if (!r.truncated) assert.equal(r.text, text);
      });
    }
  });
}
