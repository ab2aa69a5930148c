import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import RE2 from 're2';
import { rng } from '../eval/generate.ts';
import { analyzePattern } from '../pattern.ts';
import { GATES, gateFor, gateOpen, MATCH_GATES, matchGateFor } from './gate.ts';
import { patternHead } from './head.ts';
import { loadGitleaksConfig, rewritePattern } from './ruleset.ts';
import { sampler } from './sample.ts';
import { TOLLGATE_RULES } from './tollgate-rules.ts';
import { callRules } from './tollgate-rules-calls.ts';

const headOf = (id: string): string | undefined => {
  const r = [...loadGitleaksConfig().rules, ...TOLLGATE_RULES].find((x) => x.id === id);
  if (!r?.regex) return undefined;
  const { source } = rewritePattern(r.regex);
  return patternHead(source, analyzePattern(source).maxLength)?.source;
};

describe('value gates (a JS pre-check before a head is searched with RE2)', () => {
  for (const id of Object.keys(GATES)) {
    const head = headOf(id);
    it(`${id}: the gate was read from the rule's current head`, () => {
      assert.ok(gateFor(id, head), `head of ${id} changed: read its gate again (gate.ts)\n${head}`);
    });
    it(`${id}: open wherever the head matches (sampled head matches in generated text, and generated text)`, () => {
      const gate = gateFor(id, head);
      assert.ok(gate && head);
      const re = new RE2(head, 'gu');
      const gen = sampler(head, 16);
      const rand = rng(0x9a7e);
      const noise = 'key token=: ,\'"`|?>\t\n-._/+aZ9é';
      const word = (n: number) => Array.from({ length: n }, () => noise[Math.floor(rand() * noise.length)]).join('');
      let matched = 0;
      for (let n = 0; n < 3000; n++) {
        const text = n % 2 === 0 ? word(5) + gen(rand) + word(5) : `${word(20)}secret${word(30)}`;
        re.lastIndex = 0;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          matched++;
          assert.ok(gateOpen(gate, text, m.index, m.index + m[0].length), `${JSON.stringify(m[0])} in ${text}`);
          re.lastIndex = m.index + 1;
        }
      }
      assert.ok(matched > 1500, `only ${matched} head matches checked`);
    });
  }
  it('call-argument match gate: closed on a short literal', () => {
    const gate = matchGateFor('client-call-argument', rewritePattern(callRules()[1]?.regex ?? '').source);
    assert.ok(gate);
    assert.equal(gateOpen(gate, 'client.Login(user, "short-literal")', 0, 40), false);
  });
  const gate = gateFor('generic-api-key', headOf('generic-api-key'));
  const cases: [string, boolean][] = [
    ['the api key, which is', false], // a comma, then a word of five
    ['the key is rotated daily', false], // no operator
    ['rotate the token: see below', false],
    ['api_key = "abc123def"', true],
    ['token, because it expires', true], // the gate is looser than the head: RE2 decides
    ['password:::=  "ab+/cd', true],
  ];
  for (const [text, open] of cases) {
    it(`generic-api-key gate ${open ? 'open' : 'closed'}: ${text}`, () => {
      assert.ok(gate);
      assert.equal(gateOpen(gate, text, 0, text.length), open);
    });
  }
  for (const id of Object.keys(MATCH_GATES)) {
    const r = [...loadGitleaksConfig().rules, ...callRules()].find((x) => x.id === id);
    const source = r?.regex ? rewritePattern(r.regex).source : '';
    it(`${id}: the match gate is attached, and open on every sampled match`, () => {
      const gate = matchGateFor(id, source);
      assert.ok(gate, `${id}'s pattern no longer ends with its gate's tail`);
      const re = new RE2(source, 'u');
      const gen = sampler(source, 16);
      const rand = rng(0xca11);
      let matched = 0;
      for (let n = 0; n < 300; n++) {
        const text = `x ${gen(rand)} y`;
        const m = re.exec(text);
        if (!m) continue;
        matched++;
        assert.ok(gateOpen(gate, text, m.index, m.index + m[0].length), m[0]);
      }
      assert.ok(matched > 150, `only ${matched} matches checked`);
    });
  }
});
