// Logprobs entries mapped onto the guarded token text (logprobs.ts): 1:1 when nothing is replaced, one entry for
// a replaced span, alternatives scanned in context (finding 06 of the 2026-12-03 SDK check).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryBytes, LogprobsAligner, resync, type LpEntry, type OutEntry } from './logprobs.ts';

const SECRET = 'ghp_Zq8xT4mN2bV6cR1yL9wK3jH7gF5dS0aP2eU4';
const MARK = '[REDACTED:github-token]';
const RE = /ghp_[A-Za-z0-9]{36}/g;

/** A redactor with a holdback window, as the secrets guardrail behaves on one channel. */
class Redactor {
  #buf = '';
  push(t: string): string {
    this.#buf += t;
    return this.#take(false);
  }
  flush(): string {
    return this.#take(true);
  }
  #take(final: boolean): string {
    const cut = final ? this.#buf.length : Math.max(0, this.#buf.length - 45);
    let out = '';
    let i = 0;
    for (const m of this.#buf.matchAll(RE)) {
      if (m.index >= cut) break;
      out += this.#buf.slice(i, m.index) + MARK;
      i = m.index + m[0].length;
    }
    const end = Math.max(i, cut);
    out += this.#buf.slice(i, end);
    this.#buf = this.#buf.slice(end);
    return out;
  }
}
const scan = (s: string): string => {
  const r = new Redactor();
  return r.push(s) + r.flush();
};

/** Engine entries: each token its own top-1 alternative (as a real engine), plus `other`. */
const entries = (tokens: readonly string[], other = 'x'): LpEntry[] =>
  tokens.map((t, i) => ({
    text: t,
    logprob: -(i + 1) / 10,
    bytes: Array.from(Buffer.from(t)),
    top: [
      { token: t, logprob: -(i + 1) / 10, bytes: null },
      { token: other, logprob: -5, bytes: null },
    ],
    offset: 100 + tokens.slice(0, i).join('').length,
  }));

/** Streamed: each entry pushed through the redactor; what each step serves, and all served. */
function run(es: readonly LpEntry[]): { steps: OutEntry[][]; all: OutEntry[]; released: string[] } {
  const r = new Redactor();
  const a = new LogprobsAligner(true, scan);
  const steps: OutEntry[][] = [];
  const released: string[] = [];
  for (const e of es) {
    const rel = r.push(e.text);
    released.push(rel);
    steps.push(a.add(e, rel));
  }
  const tail = r.flush();
  released.push(tail);
  steps.push(a.end(tail));
  assert.equal(a.pending, false);
  return { steps, all: steps.flat(), released };
}

const secretWindows = (s: string): string[] => Array.from({ length: s.length - 9 }, (_, i) => s.slice(i, i + 10));
function assertNoLeak(all: readonly OutEntry[]): void {
  const texts = [
    all.map((e) => e.text).join(''),
    ...[0, 1].map((k) => all.map((e) => e.top?.[k]?.token ?? '').join('')),
    ...all.flatMap((e) => (e.top ?? []).map((a) => a.token)),
    all.map((e) => Buffer.from(e.bytes ?? []).toString('utf8')).join(''),
  ];
  for (const t of texts) for (const w of secretWindows(SECRET)) assert.ok(!t.includes(w), `leak of ${w} in ${t}`);
}

describe('logprobs entries through a redacting channel', () => {
  const cases: [string, string[], string[]][] = [
    ['nothing to redact', ['Hello', ' there', ' friend', '.'], ['Hello', ' there', ' friend', '.']],
    [
      'finding 06 split 1 (gh | p_ | ...)',
      ['Your ', 'token: ', 'gh', 'p_', 'Zq8xT4mN2bV6', 'cR1yL9wK3jH7gF5dS0aP2eU4', ' done'],
      ['Your ', 'token: ', MARK, ' done'],
    ],
    [
      'finding 06 split 2 (ghp_Zq8x | T4mN2bV6 | ...)',
      ['Your ', 'token: ', 'ghp_Zq8x', 'T4mN2bV6', 'cR1yL9wK', '3jH7gF5dS0aP2eU4', ' done'],
      ['Your ', 'token: ', MARK, ' done'],
    ],
    [
      'secret inside tokens with text around',
      ['Your token: ghp_Zq8x', 'T4mN2bV6cR1yL9wK', '3jH7gF5dS0aP2eU4 do', 'ne'],
      [`Your token: ${MARK} do`, 'ne'],
    ],
    ['one token the whole secret', ['a ', SECRET, ' b', ' c'], ['a ', MARK, ' b', ' c']],
    [
      'two secrets close together',
      ['a ', SECRET.slice(0, 20), SECRET.slice(20), ' and ', SECRET.slice(0, 7), SECRET.slice(7), ' end'],
      ['a ', MARK, ' and ', MARK, ' end'],
    ],
    ['secret at the very end', ['key: ', SECRET.slice(0, 3), SECRET.slice(3)], ['key: ', MARK]],
    ['empty engine token kept', ['Hi', '', ' there'], ['Hi', '', ' there']],
  ];
  for (const [name, tokens, want] of cases) {
    it(name, () => {
      const es = entries(tokens);
      const { all, released } = run(es);
      assert.deepEqual(
        all.map((e) => e.text),
        want,
      );
      assert.equal(all.map((e) => e.text).join(''), released.join(''), 'the tokens are the served text');
      assertNoLeak(all);
      // entries served as they were: every value the engine's (text_offset follows the served text)
      for (const e of all.filter((x) => x.kept)) {
        const src = es.find((s) => s.text === e.text)!;
        assert.deepEqual({ ...e, kept: undefined, offset: 0 }, { ...src, kept: undefined, offset: 0 });
      }
      // replaced spans: the replacement, the sum of the logprobs, no alternatives
      for (const e of all.filter((x) => !x.kept)) {
        assert.deepEqual(e.top, []);
        assert.ok((e.logprob ?? 0) < 0);
      }
    });
  }

  it('nothing redacted: every entry 1:1 and released with its text (never before, never empty for held text)', () => {
    const tokens = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', ' again', '.'];
    const es = entries(tokens);
    const { steps, all, released } = run(es);
    assert.deepEqual(
      all,
      es.map((e) => ({ ...e, kept: true })),
    );
    let served = '';
    let rel = '';
    steps.forEach((s, i) => {
      rel += released[i];
      served += s.map((e) => e.text).join('');
      assert.ok(rel.startsWith(served), `step ${i}: entries ahead of the text released`);
      assert.ok(s.every((e) => e.text !== ''));
    });
  });

  it('every split of the secret in 2 and 3 pieces: nothing of it in tokens, alternatives or bytes', () => {
    const s = SECRET;
    for (let i = 1; i < s.length; i++) {
      for (const j of [i + 1, Math.min(s.length - 1, i + 9), s.length - 1]) {
        if (j <= i || j >= s.length) continue;
        const tokens = ['Your ', 'token: ', s.slice(0, i), s.slice(i, j), s.slice(j), ' done'];
        const { all } = run(entries(tokens));
        assert.deepEqual(
          all.map((e) => e.text),
          ['Your ', 'token: ', MARK, ' done'],
          `split ${i}/${j}`,
        );
        assertNoLeak(all);
      }
    }
  });

  it('an alternative completing a secret the served text starts is dropped; one equal to the token is kept', () => {
    // the engine sampled '.' where the secret goes on with '4': the served text holds no whole secret
    const near = SECRET.slice(0, -1);
    const tokens = ['k ', near, '.', ' ok'];
    const es = entries(tokens);
    es[2]!.top = [
      { token: '.', logprob: -1, bytes: null },
      { token: '4', logprob: -2, bytes: null },
      { token: '!', logprob: -3, bytes: null },
    ];
    const { all } = run(es);
    assert.deepEqual(
      all.map((e) => e.text),
      tokens,
    );
    assert.deepEqual(
      all[2]!.top!.map((a) => a.token),
      ['.', '!'],
    );
  });

  it('the second alternatives spelling a secret over innocent tokens: the column is scanned too', () => {
    const pieces = [SECRET.slice(0, 9), SECRET.slice(9, 20), SECRET.slice(20, 31), SECRET.slice(31)];
    const es = entries(['one', ' two', ' three', ' four', ' five']);
    pieces.forEach((p, i) => (es[i]!.top![1]!.token = p));
    const { all } = run(es);
    assert.deepEqual(
      all.map((e) => e.text),
      ['one', ' two', ' three', ' four', ' five'],
    );
    // what the detector finds in text it finds in the column: the piece completing the secret is dropped
    const column = all.map((e) => e.top?.[1]?.token ?? '').join('');
    assert.ok(!column.includes(SECRET), column);
    // and the alternative after it: the engine's column (dropped pieces too) still holds the secret within the
    // 64-character context, so it is dropped as well (conservative)
    assert.deepEqual(
      all.map((e) => e.top!.length),
      [2, 2, 2, 1, 1],
    );
  });

  it('secrets back to back with no unchanged text between: bounded waiting, the tokens still the served text', () => {
    const tokens = Array.from({ length: 2000 }, (_, i) => SECRET.slice((i % 4) * 10, (i % 4) * 10 + 10));
    const { all, released } = run(entries(tokens));
    assert.equal(all.map((e) => e.text).join(''), released.join(''));
    assert.ok(all.length >= 2000 / 256, `${all.length} entries`);
    assertNoLeak(all);
  });

  it('legacy: text_offset follows the served text after a replacement; logprob null when one is', () => {
    const a = new LogprobsAligner(false, scan);
    const r = new Redactor();
    const es = entries(['a ', SECRET.slice(0, 10), SECRET.slice(10), ' b']);
    es[1]!.logprob = null;
    const out = es.flatMap((e) => a.add(e, r.push(e.text)));
    out.push(...a.end(r.flush()));
    assert.deepEqual(
      out.map((e) => [e.text, e.offset, e.logprob]),
      [
        ['a ', 100, -0.1],
        [MARK, 102, null],
        [' b', 102 + MARK.length, -0.4],
      ],
    );
  });
});

describe('logprobs helpers', () => {
  it('resync: where a replaced span ends', () => {
    const rows: [string[], string, boolean, { m: number; o: number } | undefined][] = [
      [['ab', 'cd', ' the end'], 'XY the end', true, { m: 1, o: 2 }],
      [['ab', 'cd', ' the end'], 'XY the', false, undefined],
      [['ab', 'cd'], 'XY', true, { m: 1, o: 2 }],
      [['ab', 'cd'], 'XY', false, undefined],
      [['ab', 'cd', ' and ', 'ef', ' end'], 'X and Y end', false, { m: 1, o: 1 }],
    ];
    for (const [texts, out, final, want] of rows) assert.deepEqual(resync(texts, out, final), want, texts.join('|'));
  });
  it("bytes: the engine's when they are the token's UTF-8, else the token's own", () => {
    assert.deepEqual(entryBytes([104, 105], 'hi'), [104, 105]);
    assert.deepEqual(entryBytes([1, 2], 'hi'), [104, 105]);
    assert.deepEqual(entryBytes(null, 'hi'), null);
    assert.deepEqual(entryBytes([999], 'h'), [104]);
    assert.deepEqual(entryBytes('x', 'é'), [195, 169]);
  });
});
