import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import RE2 from 're2';
import { stripVerbose } from './kingfisher.ts';
import { necessaryLiterals } from './literals.ts';
import { sampler } from './sample.ts';
import { rng } from '../eval/generate.ts';

describe('necessary literals of a pattern (keywords for rules that ship none)', () => {
  const cases: [string, string[] | undefined][] = [
    [String.raw`\b(dop_v1_[a-f0-9]{64})\b`, ['dop_v1_']],
    [String.raw`(?i)\b((?:ghp|gho|github_pat)_[a-z0-9_]{35,235})\b`, ['gho_', 'ghp_', 'github_pat_']],
    [
      String.raw`(?i)heroku(?:.|[\n\r]){0,32}?(?:SECRET|KEY|TOKEN)(?:.|[\n\r]){0,32}?\b([0-9a-f]{8}-[0-9a-f]{4})\b`,
      ['heroku'],
    ],
    [String.raw`api[_-]?key\s*=\s*([a-z]{32})`, ['api-key', 'api_key', 'apikey']],
    [String.raw`\b(r8_[0-9A-Za-z]{37})`, ['r8_']], // three characters with a digit: selective enough
    [String.raw`\b(pat[a-z0-9]{14}\.[a-z0-9]{62})\b`, undefined], // "pat": a word, everywhere
    [String.raw`(?i)\b([a-z0-9]{32})\b`, undefined],
    [String.raw`(?:sentry|glitchtip)(?:.){0,40}([a-f0-9]{64})`, ['glitchtip', 'sentry']],
    [String.raw`(?i)https://hooks\.zapier\.com/hooks/catch/\d+/[a-z0-9]+/?`, ['hooks.zapier.com']], // the longest run of keyword characters
    [String.raw`x(?:abc)?yzzz`, ['xabcyzzz', 'xyzzz']], // an optional part: both spellings
  ];
  for (const [pattern, expected] of cases) {
    it(`${pattern} -> ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(necessaryLiterals(pattern), expected);
    });
  }

  it('every generated match of a pattern holds one of its literals (property)', () => {
    const r = rng(11);
    for (const [pattern, lits] of cases) {
      if (!lits) continue;
      const gen = sampler(pattern, 6);
      for (let i = 0; i < 50; i++) {
        const m = gen(r).toLowerCase();
        assert.ok(
          lits.some((l) => m.includes(l)),
          `${pattern}: ${m}`,
        );
      }
    }
  });
});

describe("Rust's verbose syntax removed for RE2", () => {
  const cases: [string, string][] = [
    ['(?x)\n  \\b ( abc   # a comment\n  [a-z ]{3} )\n', '\\b(abc[a-z]{3})'], // whitespace in a class too, as in Rust
    ['(?xi) foo \\  bar', '(?i)foo bar'],
    ['(?x)(?i) a [#] b', '(?i)a[#]b'],
    ['(?i)no verbose flag  here', '(?i)no verbose flag  here'],
    ['(?x: a b ) c', '(?:ab)c'],
  ];
  for (const [src, expected] of cases) {
    it(JSON.stringify(src), () => {
      const out = stripVerbose(src);
      assert.equal(out, expected);
      new RE2(out, 'u');
    });
  }
});
