// The streaming scanner's work schedule (scanner.ts): when a keyword window is asked, which windows are never asked
// again, which matches are read whole, and the incremental keyword scan — each a saving that must leave the output
// exactly as it was: streamed output equal to whole-text output over the full ruleset, for any split.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rng } from './eval/generate.ts';
import { randomCuts } from './eval/evaluate.ts';
import { secretCorpus } from './eval/secrets-corpus.ts';
import { REDACTION_GUARD, answers } from '../bench/guardrails-redaction.ts';
import { scanText, StreamScanner, windowDue } from './scanner.ts';
import { KeywordAutomaton } from './secrets/keywords.ts';
import { secretRuleset } from './secrets/ruleset.ts';
import type { Rule } from './rules.ts';

const rules = REDACTION_GUARD().outputRules;

function streamed(rs: readonly Rule[], text: string, cuts: number[]): { text: string; findings: unknown[] } {
  const s = new StreamScanner(rs);
  let out = '';
  const findings: unknown[] = [];
  let at = 0;
  for (const c of [...cuts, text.length]) {
    const r = s.push(text.slice(at, c));
    out += r.text;
    findings.push(...r.findings);
    at = c;
  }
  const r = s.end();
  findings.push(...r.findings);
  return { text: out + r.text, findings };
}

describe('streaming work schedule', () => {
  it('windowDue: a window is asked once its head can have arrived, or at the end of the text', () => {
    const cases: [final: boolean, bEnd: number, last: number, askAfter: number, due: boolean][] = [
      [false, 100, 60, 41, false], // 60 + 41 = 101 > 100: the head's text is not all there
      [false, 101, 60, 41, true],
      [false, 150, 60, 41, true],
      [true, 61, 60, 41, true], // the end: every window is decided now
      [false, 60, 60, 0, true], // no head: asked at once
      [false, 10, 60, 0, true],
    ];
    for (const [final, bEnd, last, askAfter, due] of cases)
      assert.equal(windowDue(final, bEnd, last, askAfter), due, JSON.stringify({ final, bEnd, last, askAfter }));
  });

  it('a window is asked once in a stream where a keyword stands in prose, not on every pass', () => {
    const rule = secretRuleset().rules.get('generic-api-key') as Rule;
    let calls = 0;
    const spy: Rule = {
      ...rule,
      findWindow: (v, f, l, w) => {
        calls++;
        return (rule.findWindow as NonNullable<Rule['findWindow']>)(v, f, l, w);
      },
    };
    const text = 'The key point is that requests are what the scheduler reserves and limits are enforced. '.repeat(12);
    const occurrences = text.split('key point').length - 1;
    const whole = scanText([spy], text);
    const wholeCalls = calls;
    calls = 0;
    const cuts = Array.from({ length: Math.floor((text.length - 1) / 5) }, (_, k) => 5 * (k + 1));
    assert.deepEqual(streamed([spy], text, cuts), { text: whole.text, findings: whole.findings });
    // before: each window was asked on every pass until its head had arrived (~2-4 times each)
    assert.ok(calls <= occurrences, `${calls} window searches for ${occurrences} keyword occurrences`);
    assert.ok(wholeCalls <= occurrences);
  });

  it('findWindow reads a match only as far as the caller wants it: bounds first, the same bounds', () => {
    const rule = secretRuleset().rules.get('generic-api-key') as Rule;
    const find = rule.findWindow as NonNullable<Rule['findWindow']>;
    const view = 'config: api_key = "Zq8fK2mN5pR7tV9xB1cD3eF6" # prod';
    const full = find(view, 0, 12);
    assert.ok(full && !full.boundsOnly);
    const bounds = find(view, 0, 12, () => false);
    assert.ok(bounds?.boundsOnly);
    assert.deepEqual([bounds.start, bounds.end], [full.start, full.end]);
    assert.deepEqual(
      find(view, 0, 12, () => true),
      full,
    );
  });

  it('the keyword automaton carried on over any split finds what one scan finds', () => {
    const a = new KeywordAutomaton(['key', 'api_key', 'token', 'he', 'she', 'hers', 'ghp_']);
    const r = rng(77);
    const text = 'She said: API_KEY=x, héllo token ghp_ keys hers  '.repeat(6);
    const one: string[] = [];
    a.scan(text, 0, text.length, (k, s) => one.push(`${k}@${s}`));
    for (let n = 0; n < 30; n++) {
      const got: string[] = [];
      let state = 0;
      let at = 0;
      for (const c of [...randomCuts(text.length, r), text.length]) {
        state = a.resume(state, text, at, c, (k, s) => got.push(`${k}@${s}`));
        at = c;
      }
      assert.deepEqual(got, one);
    }
  });

  it('streamed equals whole over the full ruleset on keyword-dense text: credentials, look-alikes, answers', () => {
    const dev = secretCorpus('dev', 1);
    const r = rng(2026);
    const texts: string[] = [];
    for (let k = 0; k < 24; k++) {
      const parts: string[] = [];
      for (let j = 0; j < 6; j++) {
        const x = r();
        const pool = x < 0.4 ? dev.positives : dev.lookalikes;
        parts.push((pool[Math.floor(r() * pool.length)] as { text: string }).text);
      }
      texts.push(parts.join(r() < 0.5 ? '\n' : ' '));
    }
    for (const kind of ['code', 'logs'] as const) texts.push(...answers(kind, 3, 31));
    for (const text of texts) {
      const whole = scanText(rules, text);
      const expected = { text: whole.text, findings: whole.findings };
      for (const size of [1, 5, 17]) {
        const cuts = Array.from({ length: Math.floor((text.length - 1) / size) }, (_, k) => size * (k + 1));
        assert.deepEqual(streamed(rules, text, cuts), expected, `${size}-character deltas`);
      }
      assert.deepEqual(streamed(rules, text, randomCuts(text.length, r)), expected, 'random split');
    }
  });
});
