// The detection view reads accents, combining marks, look-alikes and tag characters down to ASCII (render-view.ts,
// text.ts skeletonCodePoint), and the patterns tenants and rulesets write are read the same way (view-pattern.ts).
// Before: "ghp_" + 36 characters written with acute accents, with a combining mark after each letter or in Unicode
// tag characters (invisible, readable by any program: "ASCII smuggling") was served as is, and so was a tenant
// canary with one accent; a custom pattern in Cyrillic never matched its own text (the look-alike fold read its
// letters as Latin ones).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import RE2 from 're2';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';
import type { CfgGuardrails } from '../api/gateway-config.ts';
import { secretRuleset } from './secrets/ruleset.ts';
import { skeletonCodePoint } from './text.ts';
import { RANGE_LIMIT, viewPattern } from './view-pattern.ts';
import { streamWithCuts } from './eval/evaluate.ts';

describe('viewPattern: a pattern rewritten for the detection view', () => {
  const cases: [string, string, string][] = [
    [
      'ASCII is left as written',
      String.raw`CUST-[0-9]{8}|\bTCK-[A-Z]+-\d+(?i:x)`,
      String.raw`CUST-[0-9]{8}|\bTCK-[A-Z]+-\d+(?i:x)`,
    ],
    ['an accented literal', 'Référence-\\d+', 'R(?:e)f(?:e)rence-\\d+'],
    ['a Cyrillic look-alike literal', 'Клиент', '(?:K)ли(?:e)нт'],
    ['an escaped code point', String.raw`caf\x{e9}|caf\xe9`, 'caf(?:e)|caf(?:e)'],
    ['an octal escape', String.raw`caf\351`, 'caf(?:e)'],
    ['a quoted literal', String.raw`\Qé.+\E`, String.raw`(?:e)\.\+`],
    ['a combining mark is dropped', 'e\u0301x', 'e(?:)x'],
    ['a class gains the views of its members', '[ÄÖÜ]\\d', '[ÄÖÜAOU]\\d'],
    ['a range gains the views of its characters', '[à-å]', '[à-åa]'],
    ['a negated class is left as written', '[^é]+', '[^é]+'],
    ['\\p classes and escapes are left as written', String.raw`\p{Greek}\pL\d\.`, String.raw`\p{Greek}\pL\d\.`],
    ['class specials added escaped', '[\u2010x]', '[\u2010x\\-]'],
  ];
  for (const [name, src, want] of cases) it(name, () => assert.equal(viewPattern(src), want));

  it('every rewritten pattern compiles on RE2 and matches the view of what the original matched', () => {
    const texts: [string, string][] = [
      ['Référence-\\d+', 'Référence-42'],
      ['Клиент-\\d+', 'Клиент-42'],
      ['Kundennummer [ÄÖÜ]\\d+', 'Kundennummer Ü7'],
      ['(?i)naïve', 'NAÏVE'],
      ['[à-ÿ]{3}', 'éèê'],
    ];
    const view = (s: string) => [...s].map((c) => skeletonCodePoint(c.codePointAt(0) as number)).join('');
    for (const [src, text] of texts) {
      assert.ok(new RE2(src, 'u').test(text), `${src} on its own text`);
      assert.ok(new RE2(viewPattern(src), 'u').test(view(text)), `${viewPattern(src)} on ${view(text)}`);
    }
  });

  it('a wide range gains the views of its first RANGE_LIMIT characters only (compile time stays bounded)', () => {
    const t = Date.now();
    const out = viewPattern('[\u00c0-\uffff]');
    assert.ok(out.startsWith('[\u00c0-\uffff') && out.includes('A'), out.slice(0, 40));
    assert.ok(RANGE_LIMIT <= 0x3000 && Date.now() - t < 2000);
  });

  it('the adopted secret rules compile after the rewrite; only the ones with non-ASCII words change', () => {
    const changed = secretRuleset().report.filter((r) => r.rewrites?.some((w) => w.includes('view-pattern.ts')));
    assert.ok(changed.length >= 1 && changed.length <= 10, changed.map((r) => r.id).join(', '));
  });
});

const CFG: CfgGuardrails = {
  ...STRICT_GUARDRAILS,
  redaction: {
    detectors: ['secrets', 'pii'],
    customPatterns: [
      { name: 'client-ru', pattern: 'Клиент-\\d{4}' },
      { name: 'ref-fr', pattern: 'Référence-[0-9]{6}' },
      { name: 'kunde-de', pattern: 'Kundennummer [ÄÖÜ]\\d{5}' },
    ],
  },
  canaries: ['tg-canary-7f3a9c1e'],
  exfiltration: { mode: 'off', allowedHosts: [] },
};
const guard = compileGuard(CFG);

// the scanner alone (exfiltration is off in CFG): the stream of the guard's output rules
const streamed = (text: string, cuts: number[]): string => streamWithCuts(guard.outputRules, text, cuts);

const TOKEN = 'ghp_a1B2c3D4e5a1B2c3D4e5a1B2c3D4e5a1B2c3';
const CANARY = 'tg-canary-7f3a9c1e';
const ACUTE: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ó', u: 'ú', A: 'Á', E: 'É', c: 'ç', n: 'ñ' };
const accented = (s: string) => [...s].map((c) => ACUTE[c] ?? c).join('');
const combining = (s: string) => [...s].map((c) => (/[a-zA-Z]/.test(c) ? `${c}\u0301` : c)).join('');
const tagged = (s: string) => [...s].map((c) => String.fromCodePoint(0xe0000 + (c.codePointAt(0) as number))).join('');
const stroked = (s: string) => s.replace(/o/g, 'ø').replace(/l/g, 'ł').replace(/d/g, 'đ');

describe('output guardrails on the detection view', () => {
  const cases: [string, string, string][] = [
    ['a GitHub token with accents', `token: ${accented(TOKEN)} ok`, 'github'],
    ['a GitHub token with a combining mark after each letter', `token: ${combining(TOKEN)} ok`, 'github'],
    ['a GitHub token in tag characters', `see ${tagged(TOKEN)} ok`, 'github'],
    ['a canary with accents', `prompt: ${accented(CANARY)}.`, 'canary'],
    ['a canary with combining marks', `prompt: ${combining(CANARY)}.`, 'canary'],
    ['a canary in tag characters', `prompt: ${tagged(CANARY)}.`, 'canary'],
    ['a canary with stroked letters', `prompt: ${stroked('tg-canary-7f3a9c1e')}`, 'canary'],
    ['a Cyrillic custom pattern', 'Клиент-4821 ждёт ответа', 'client-ru'],
    ['a French custom pattern', 'voir Référence-004211.', 'ref-fr'],
    ['a German custom pattern', 'die Kundennummer Ü12345 bitte', 'kunde-de'],
  ];
  for (const [name, text, detector] of cases)
    it(`${name}: redacted whole and at every split`, () => {
      const whole = guard.scanOutput(text);
      assert.ok(
        whole.findings.some((f) => f.detector.includes(detector)),
        `${detector} not found in ${JSON.stringify(whole.text)}`,
      );
      for (const secret of [TOKEN.slice(4, 16), '7f3a9c1e', '4821', '004211', '12345'])
        assert.ok(!skeleton(whole.text).includes(secret), `${secret} served: ${JSON.stringify(whole.text)}`);
      for (let c = 1; c < text.length; c++) assert.equal(streamed(text, [c]), whole.text, `cut at ${c}`);
    });

  it('honest accented and non-Latin prose is served unchanged', () => {
    for (const text of [
      'Le café est prêt; naïve façade, résumé, Ærø, Łódź, São Paulo.',
      'Привет, мир! Клиент ждёт ответа. 日本語のテキスト。हिन्दी में पाठ।',
      'Flags 🇫🇷🇩🇪 and 🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f} stay as written.',
    ]) {
      assert.equal(guard.scanOutput(text).text, text);
      assert.equal(streamed(text, [7, 19]), text);
    }
  });
});

function skeleton(s: string): string {
  return [...s].map((c) => skeletonCodePoint(c.codePointAt(0) as number)).join('');
}
