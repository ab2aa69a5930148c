import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import RE2 from 're2';
import { rng } from '../eval/generate.ts';
import { compileGuard, STRICT_GUARDRAILS } from '../guard.ts';
import { analyzePattern } from '../pattern.ts';
import { LATER_BATCH } from '../scanner.ts';
import { HEAD_BUDGET, patternHead, prefixClosure } from './head.ts';
import { loadGitleaksConfig, rewritePattern } from './ruleset.ts';
import { sampler } from './sample.ts';
import { TOLLGATE_RULES } from './tollgate-rules.ts';

const sources = [...loadGitleaksConfig().rules, ...TOLLGATE_RULES].flatMap((r) =>
  r.regex ? [{ id: r.id, source: rewritePattern(r.regex).source }] : [],
);

describe('pattern heads and prefix closures (what lets a stream settle a keyword early)', () => {
  it('every prefix of every sampled match of every rule matches its prefix closure; a head matches at every match start', () => {
    const rand = rng(0x4ead);
    let checked = 0;
    for (const { id, source } of sources) {
      const p = prefixClosure(source);
      let closure: RE2 | undefined;
      try {
        closure = p === undefined ? undefined : new RE2(`^(?:${p})$`, 'u');
      } catch {
        closure = undefined;
      }
      const head = patternHead(source, analyzePattern(source).maxLength);
      const headAnchored = head ? new RE2(`^(?:${head.source})`, 'u') : undefined;
      let gen: (r: () => number) => string;
      try {
        gen = sampler(source, 16);
      } catch {
        continue;
      }
      const full = new RE2(source, 'u');
      for (let n = 0; n < 8; n++) {
        const m = full.exec(gen(rand));
        if (!m || m.index !== 0) continue;
        const text = m[0];
        if (closure)
          for (let k = 0; k <= text.length; k++)
            assert.ok(closure.test(text.slice(0, k)), `${id}: prefix ${JSON.stringify(text.slice(0, k))}`);
        if (headAnchored) assert.ok(headAnchored.test(text), `${id}: head ${head?.source} at ${JSON.stringify(text)}`);
        checked++;
      }
    }
    assert.ok(checked > 1000, `${checked} samples`);
  });

  it('the closure rejects what no continuation can make a match; the head is a short prefix', () => {
    const generic = sources.find((s) => s.id === 'generic-api-key')?.source as string;
    const c = new RE2(`^(?:${prefixClosure(generic)})$`, 'u');
    assert.equal(c.test('key = "abc'), true);
    assert.equal(c.test('key, create a'), false); // a 6-letter value then a space: never a secret of 10+
    assert.equal(c.test('key in the console is where'), false);
    const head = patternHead(generic, analyzePattern(generic).maxLength);
    assert.ok(head && head.maxLength <= 48);
  });

  it("prose full of key / token / secret / password flows: held by tens of characters, not by the generic rules' length", () => {
    const guard = compileGuard(STRICT_GUARDRAILS);
    const t =
      'To rotate the API key, create a new key in the console, update the secret your deployment reads, and revoke the old key once traffic has moved over. Tokens issued with the old key stay valid until they expire; the password policy asks for twelve characters. '.repeat(
        3,
      );
    const s = guard.streamOutput();
    let got = 0;
    let lag = 0;
    for (let i = 0; i < t.length; i += 5) {
      got += s.push(t.slice(i, i + 5)).text.length;
      lag = Math.max(lag, Math.min(i + 5, t.length) - got);
    }
    // a head's text (HEAD_BUDGET) or a closure re-check interval, plus what is being coalesced (LATER_BATCH)
    assert.ok(
      lag <= HEAD_BUDGET + LATER_BATCH + 16,
      `held up to ${lag} characters (generic-api-key's longest match is ${analyzePattern(generic()).maxLength})`,
    );
    assert.equal(got + s.end().text.length, t.length);
  });
});

function generic(): string {
  return sources.find((s) => s.id === 'generic-api-key')?.source as string;
}
