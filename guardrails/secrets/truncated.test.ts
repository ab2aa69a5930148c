import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgGuardrails } from '../../api/gateway-config.ts';
import { randomCuts, streamWithCuts } from '../eval/evaluate.ts';
import { positives, rng } from '../eval/generate.ts';
import { secretCorpus } from '../eval/secrets-corpus.ts';
import { scanText } from '../scanner.ts';
import { compileGuard, STRICT_GUARDRAILS } from '../guard.ts';
import { CANARY_PREFIX, leadingLiteral, partialSecret, splitSecretGroup } from './truncated.ts';

const CANARY = 'CANARYTOKEN-7f3a9c';
const CFG: CfgGuardrails = {
  ...STRICT_GUARDRAILS,
  redaction: {
    detectors: ['secrets', 'pii'],
    customPatterns: [{ name: 'customer-id', pattern: 'CUST-[0-9]{8}' }],
  },
  canaries: [CANARY],
};
const guard = compileGuard(CFG);

function streamed(text: string, cuts: readonly number[]): { text: string; blocked: boolean } {
  const s = guard.streamOutput();
  let out = '';
  let at = 0;
  for (const c of cuts) {
    out += s.push(text.slice(at, c)).text;
    at = c;
  }
  out += s.push(text.slice(at)).text + s.end().text;
  return { text: out, blocked: s.blocked !== undefined };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'u-1', email: 'alice.smith@corp-mail.com' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;

// [name, text before the secret, secret, characters of the secret that may be released when the text ends inside it]
const CUT: [string, string, string, number][] = [
  ['github-token', 'value: ', 'ghp_Z8kq2LmN4pR7sT1vW3xY5aB6cD9eF0gH2jK4', 3],
  ['aws-access-key', 'value: ', 'AKIAQ3EGUWFZ7XKM4PJR', 3],
  ['slack-token', 'value: ', 'xoxb-2417815512-7351682940213-Zr8Kq2LmN4pR7sT1vW3xY5aB', 3],
  ['stripe-key', 'value: ', 'sk_live_51Hc8Zr8Kq2LmN4pR7sT1vW3xY5aB6cD9eF0gH2jK4mN7pQ', 6],
  ['gitlab-pat', 'token ', 'glpat-Zr8Kq2LmN4pR7sT1vW3x', 5],
  [
    'openai',
    'key: ',
    'sk-proj-Zr8Kq2LmN4pR7sT1vW3xY5aB6cD9eF0gH2jK4mN7pQZr8Kq2LmN4pR7sT1vW3xY5aB6cD9eF0gH2jK4mN7pQ',
    10,
  ],
  // the identifier and `=` are not secret; the value's first character alone is not evidence
  ['generic assignment', 'config: ', 'api_key = "Zr8Kq2LmN4pR7sT1vW3xY5aB6cD9"', 13],
  ['connection string', 'use ', 'postgres://admin:S3cr3tPassw0rdX@db.internal:5432/app', 18],
  ['connection string, lower-case password', 'use ', 'mysql://app:hunterhunter@db:3306/app', 'mysql://app:'.length],
  ['bearer', 'send ', 'Authorization: Bearer q7Rz2LmX9vKp4TnB8wYc3HdF', 23],
  ['jwt', 'token ', JWT, CANARY_PREFIX - 1],
  ['canary', 'my instructions are secret, marker ', CANARY, CANARY_PREFIX - 1],
  ['custom pattern', 'customer ', 'CUST-73915284', 5],
  [
    'pem',
    'key:\n',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n-----END RSA PRIVATE KEY-----',
    '-----BEGIN RSA PRIVATE KEY-----\n'.length,
  ],
];

// texts that end the way a secret could start, but are not one: unchanged
const UNCHANGED = [
  'and store the secret key in a password manager',
  'ssh -i ~/.ssh/id_ed25519 deploy@bastion',
  'fix: retry token refresh',
  'Open http://localhost:8080',
  'see https://api.github.com/user',
  'the order number is 4111111111',
  `the marker starts with ${CANARY.slice(0, CANARY_PREFIX - 1)}`,
  'export GROQ_API_KEY=gsk_...',
  'api_key = YOUR_API_KEY',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'the secret is hunter',
  '              name: db\n              key: password',
  'a token',
  'eyJ',
  'CUST-',
  'ghp',
];

describe('text ending inside a secret (secrets/truncated.ts)', () => {
  for (const [name, before, secret, released] of CUT) {
    it(`${name}: cut at every length, at most ${released} characters are released, streamed = whole`, () => {
      const r = rng(name.length * 7919);
      for (let k = 1; k <= secret.length; k++) {
        const text = before + secret.slice(0, k);
        const whole = guard.scanOutput(text);
        const out = whole.text.startsWith(before) ? whole.text.slice(before.length) : whole.text;
        let leaked = 0;
        while (leaked < k && out[leaked] === secret[leaked]) leaked++;
        assert.ok(leaked <= released, `cut at ${k}: ${JSON.stringify(whole.text)} releases ${leaked} characters`);
        for (let i = 0; i < 4; i++) {
          const s = streamed(text, randomCuts(text.length, r));
          assert.equal(s.text, whole.text, `cut at ${k}, split #${i}`);
          assert.equal(s.blocked, whole.blocked !== undefined, `cut at ${k}, split #${i}: blocked`);
        }
      }
    });
  }

  it('a canary cut to CANARY_PREFIX or more characters blocks like the canary; shorter prefixes do not', () => {
    for (let k = 1; k <= CANARY.length; k++) {
      const r = guard.scanOutput(`marker ${CANARY.slice(0, k).toLowerCase()}`);
      assert.equal(r.blocked?.check, k >= CANARY_PREFIX ? 'canary' : undefined, `cut at ${k}`);
    }
  });

  it('texts that merely end like the start of a secret are unchanged, whole and streamed', () => {
    const r = rng(7);
    for (const text of UNCHANGED) {
      assert.equal(guard.scanOutput(text).text, text);
      for (let i = 0; i < 8; i++) assert.equal(streamed(text, randomCuts(text.length, r)).text, text, text);
    }
  });

  it('only the end of a text counts: the same prefix followed by more text is left alone', () => {
    const text = 'the prefix ghp_Z8kq2LmN4pR7sT1vW3xY5aB6c was revoked.';
    assert.equal(guard.scanOutput(text).text, text);
  });

  it('texts cut at random points (often inside a secret): streamed = whole for random splits', () => {
    const rules = guard.outputRules;
    const r = rng(11);
    let n = 0;
    for (const p of positives(42, 2)) {
      for (let k = 0; k < 2; k++) {
        const cut = p.text.slice(0, 1 + Math.floor(r() * p.text.length));
        const whole = scanText(rules, cut).text;
        assert.equal(streamWithCuts(rules, cut, randomCuts(cut.length, r)), whole, JSON.stringify(cut));
        n++;
      }
    }
    assert.ok(n > 150, `${n} cut texts`);
  });

  it('credentials of the independent corpus cut inside: half the secret or more is released in at most 2% of cuts', () => {
    // measured on this split: 4/832 (12.9%, 107/832, before the end-of-text handling); both corpora, both splits: 1.3%
    const r = rng(5);
    let cuts = 0;
    let half = 0;
    let chars = 0;
    for (const p of secretCorpus('holdout').positives) {
      const at = p.text.indexOf(p.secret);
      if (at < 0 || p.secret.length < 12) continue;
      for (let k = 0; k < 2; k++) {
        const n = 1 + Math.floor(r() * (p.secret.length - 1));
        const out = guard.scanOutput(p.text.slice(0, at + n)).text;
        let released = 0;
        for (let m = n; m > 0 && released === 0; m--) if (out.endsWith(p.secret.slice(0, m))) released = m;
        cuts++;
        chars += released;
        if (released >= p.secret.length / 2) half++;
      }
    }
    console.log(`cuts ${cuts}: mean ${(chars / cuts).toFixed(1)} characters released, half or more in ${half}`);
    assert.ok(cuts > 500 && half <= 0.02 * cuts, `${half}/${cuts} cuts release half the secret or more`);
  });

  it('splitSecretGroup: the pattern around its top-level secret group', () => {
    const table: [string, number | undefined, [string, string, string] | undefined][] = [
      [
        String.raw`\b((?:AKIA|ASIA)[A-Z2-7]{16})\b`,
        undefined,
        [String.raw`\b`, '(?:AKIA|ASIA)[A-Z2-7]{16}', String.raw`\b`],
      ],
      ['(?i)key[=:](?P<secret>[a-z0-9]{8,})$', undefined, ['(?i)key[=:]', '[a-z0-9]{8,}', '$']],
      ['(a)(b)', 2, ['(a)', 'b', '']],
      ['x(a|(b))', 2, undefined], // nested
      ['(a)?b', undefined, undefined], // quantified
      ['a|(b)', undefined, undefined], // top-level alternation
      ['ghp_[0-9a-zA-Z]{36}', undefined, undefined], // no group: the whole match
      [String.raw`[(]\((x)\)`, undefined, [String.raw`[(]\(`, 'x', String.raw`\)`]],
    ];
    for (const [src, group, want] of table) assert.deepEqual(splitSecretGroup(src, group), want, src);
  });

  it('leadingLiteral: the characters a custom pattern must start with', () => {
    const table: [string, string][] = [
      ['CUST-[0-9]{8}', 'CUST-'],
      [String.raw`(?i)\bPROJ-\d{6}`, 'PROJ-'],
      ['TCK-[A-Z]+', 'TCK-'],
      ['ab?c', 'a'],
      ['[0-9]{4}', ''],
    ];
    for (const [src, want] of table) assert.equal(leadingLiteral(src), want, src);
  });

  it('partialSecret: a keyword inside, or a random-looking token fragment', () => {
    const table: [string, readonly string[] | undefined, boolean][] = [
      ['ghp_z', ['ghp_'], true],
      ['Zr8K', undefined, true],
      ['zr8k', undefined, true],
      ['ZrKq', undefined, true],
      ['Done', undefined, false],
      ['refresh', undefined, false],
      ['KEY', undefined, false],
      ['8080', undefined, false],
      ['password manager.', undefined, false],
      ['a b2C', undefined, false],
    ];
    for (const [s, kw, want] of table) assert.equal(partialSecret(s, kw), want, s);
  });
});
