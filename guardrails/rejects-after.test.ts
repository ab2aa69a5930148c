// Rule.rejectsAfter (guardrails/rules.ts): a rule declares the characters after which its `accept` rejects every match,
// and the scanner skips those starts after a rejection instead of searching again from each. Checked three ways: the
// skip itself (rejectedTo, as a table), the declaration against the rule's own `accept` (every match found right after
// such a character must be rejected), and the scanner's output with and without the declarations — whole and streamed
// — on log-like text and on seeded random text over the characters these rules care about.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectorRules } from './detectors.ts';
import { rng as random } from './eval/generate.ts';
import type { Rule } from './rules.ts';
import { rejectedTo, scanText, StreamScanner } from './scanner.ts';

const pii = detectorRules(['pii']);
const declaring = pii.filter((r) => r.rejectsAfter !== undefined);
const undeclared: Rule[] = pii.map((r) => {
  if (r.rejectsAfter === undefined) return r;
  const { rejectsAfter: _, ...rest } = r;
  return rest;
});

const streamed = (rules: readonly Rule[], text: string, n: number) => {
  const s = new StreamScanner(rules);
  let out = '';
  for (let i = 0; i < text.length; i += n) out += s.push(text.slice(i, i + n)).text;
  return out + s.end().text;
};

const ALPHABET = '0123456789abcdefABCDEF:::...@@--++//()  \n_xyz';
function randomText(next: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

const LOGS = [
  '2026-12-04T10:15:03.114Z GET /v1/chat 200 from 2a00:1450:4001:82a::200e in 12ms',
  '10:15:03 10:15:04 10:15:05 fe80::1%eth0 81.2.69.142 ::ffff:81.2.69.142 1.2.3.4.5',
  'at 12:30:45.123-555-867-5309 call +44 20 7946 0958 or (415) 555-0132 x2',
  'a.b@c.d.e jane.doe@contoso.com x_jane@contoso.com 1jane@contoso.com -ops@contoso.com',
  'ab:cd:ef:01:23:45 is a MAC; 2001:4860:4860::8888 is a resolver; 2a03:2880:f12f:83:face:b00c::25de',
  'v1.2.3.4 build 10.0.19045.3570 then 203.0.113.9 and 58.74.121.78:443',
];

describe('Rule.rejectsAfter', () => {
  it('rejectedTo skips exactly the starts whose preceding character is in the class', () => {
    const rule = { rejectsAfter: /[0-9:]/ } as unknown as Rule;
    const view = 'at 10:15:03 x:1';
    // [next, expected]: a start is skipped only while the character before it is in the class
    const table: [number, number][] = [
      [3, 3], // ' ' before '1': kept
      [4, 12], // '1' '0' ':' '1' '5' ':' '0' '3' before each start: skipped up to the start after the space
      [11, 12], // '3' before the space's start: skipped
      [13, 13], // 'x' before ':': kept
      [14, 15], // ':' before the last '1': skipped to the view's end, reading nothing past it
      [15, 15],
    ];
    for (const [next, want] of table) assert.equal(rejectedTo(rule, view, next), want, `from ${next}`);
    const plain = {} as Rule;
    assert.equal(rejectedTo(plain, view, 5), 5, 'a rule without the class resumes where it would have');
  });

  it('each declaring rule rejects every match right after a character of its class', () => {
    assert.ok(declaring.length >= 6, 'the e-mail, phone and IP rules declare it');
    const next = random(7);
    const texts = [...LOGS, ...Array.from({ length: 60 }, () => randomText(next, 160))];
    let checked = 0;
    for (const rule of declaring) {
      const cls = rule.rejectsAfter as RegExp;
      for (const view of texts)
        for (let p = 1; p < view.length; p++) {
          if (!cls.test(view[p - 1] as string)) continue;
          const hit = rule.find(view, p);
          if (!hit || hit.start !== p || hit.end === hit.start) continue;
          checked++;
          assert.equal(
            rule.accept?.(hit, view),
            false,
            `${rule.name} accepted ${JSON.stringify(hit.text)} after ${view[p - 1]}`,
          );
        }
    }
    assert.ok(checked > 100, `only ${checked} matches checked`);
  });

  it('the scanner redacts the same with and without the declarations, whole and streamed', () => {
    const next = random(11);
    const texts = [...LOGS, LOGS.join('\n'), ...Array.from({ length: 80 }, () => randomText(next, 240))];
    let changed = 0;
    for (const text of texts) {
      const want = scanText(undeclared, text).text;
      if (want !== text) changed++;
      assert.equal(scanText(pii, text).text, want, JSON.stringify(text));
      for (const n of [1, 4, 9]) assert.equal(streamed(pii, text, n), want, `deltas of ${n}: ${JSON.stringify(text)}`);
    }
    assert.ok(changed >= LOGS.length, `the texts exercise the rules (${changed} redacted)`);
  });
});
