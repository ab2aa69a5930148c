import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_PII_DETECTORS, BUILTIN_SECRET_DETECTORS } from '../api/v1alpha1/policy.ts';
import { builtinRules, cardNumberValid, expandDetectors, ibanValid, luhnValid } from './detectors.ts';
import { customRules, redactionRules } from './guard.ts';
import { analyzePattern, boundPattern, inAlphabet, MAX_CUSTOM_MATCH } from './pattern.ts';
import { scanText } from './scanner.ts';

describe('pattern analysis', () => {
  it('computes the longest match in UTF-16 units', () => {
    const cases: [string, number][] = [
      ['abc', 3],
      ['a{2,5}', 5],
      ['(ab|cde)?x', 4],
      ['[a-z]{3}\\d', 4],
      ['\\bAKIA[A-Z0-9]{16}\\b', 20],
      ['(?i)foo(?:bar){0,3}', 12],
      ['.', 2],
      ['[^a]', 2],
      ['😀', 2],
      ['\\x{1F600}', 2],
      ['(?P<x>a|bb){2}', 4],
      ['\\Qa.b\\E', 3],
      ['a*', Infinity],
      ['(ab)+', Infinity],
      ['x{3,}', Infinity],
    ];
    for (const [p, n] of cases) assert.equal(analyzePattern(p).maxLength, n, p);
  });

  it('computes the alphabet of a match', () => {
    const a = analyzePattern('CUST-[0-9]{8}').alphabet;
    for (const c of 'CUST-0189') assert.ok(inAlphabet(a, c.charCodeAt(0)), c);
    for (const c of 'x ab') assert.ok(!inAlphabet(a, c.charCodeAt(0)), c);
    assert.equal(a.nonAscii, false);
    const i = analyzePattern('(?i)key').alphabet;
    assert.ok(
      inAlphabet(i, 'K'.charCodeAt(0)) && inAlphabet(i, 'y'.charCodeAt(0)) && i.nonAscii,
      'case folding, Kelvin sign',
    );
    assert.ok(analyzePattern('a.b').alphabet.nonAscii);
  });

  it('bounds unbounded custom patterns so streaming has a finite holdback', () => {
    const b = boundPattern('[a-z]+@corp\\.example');
    assert.equal(b.source, '[a-z]{1,256}@corp\\.example');
    assert.ok(b.info.maxLength <= MAX_CUSTOM_MATCH);
    const nested = boundPattern('(a+b*)+c');
    assert.ok(Number.isFinite(nested.info.maxLength) && nested.info.maxLength <= MAX_CUSTOM_MATCH, nested.source);
    assert.equal(boundPattern('CUST-[0-9]{8}').source, 'CUST-[0-9]{8}');
  });

  it('refuses a custom pattern that RE2 cannot compile, naming it', () => {
    assert.throws(() => customRules([{ name: 'lookahead', pattern: '(?=secret)[a-z]+' }]), /custom pattern lookahead/);
  });
});

describe('validators', () => {
  it('Luhn, card prefixes, separators', () => {
    assert.ok(luhnValid('4111111111111111'));
    assert.ok(!luhnValid('4111111111111112'));
    assert.ok(cardNumberValid('4111 1111 1111 1111'));
    assert.ok(cardNumberValid('3782-822463-10005'));
    assert.ok(!cardNumberValid('4111 1111-1111 1111'), 'mixed separators');
    assert.ok(!cardNumberValid('1234567812345670'), 'no issuer starts with 1');
    assert.ok(!cardNumberValid('0000000000000000'));
  });

  it('IBAN mod 97 and country length', () => {
    assert.ok(ibanValid('DE89370400440532013000'));
    assert.ok(ibanValid('GB82 WEST 1234 5698 7654 32'));
    assert.ok(!ibanValid('DE89370400440532013001'));
    assert.ok(!ibanValid('DE8937040044053201300'), 'length');
  });
});

describe('built-in detectors', () => {
  it('every detector named by the API exists, with a bounded max length', () => {
    const rules = builtinRules();
    for (const d of [...BUILTIN_SECRET_DETECTORS, ...BUILTIN_PII_DETECTORS]) {
      assert.ok(rules[d].length > 0, d);
      for (const r of rules[d]) assert.ok(Number.isFinite(r.maxLength) && r.maxLength > 0, `${d}: ${r.maxLength}`);
    }
  });

  it('expands the "secrets" and "pii" groups', () => {
    assert.deepEqual(expandDetectors(['pii']), [...BUILTIN_PII_DETECTORS]);
    assert.deepEqual(expandDetectors(['secrets', 'email']), [...BUILTIN_SECRET_DETECTORS, 'email']);
    assert.deepEqual(expandDetectors(['email', 'email']), ['email']);
  });

  const all = redactionRules({ detectors: ['secrets', 'pii'], customPatterns: [] });
  const only = (d: string) => redactionRules({ detectors: [d as 'email'], customPatterns: [] });
  const cases: [string, string, string][] = [
    ['aws-access-key', 'id AKIAZ5J7QX2MPL4RWN3K', 'id [REDACTED:aws-access-key]'],
    [
      'aws-secret-key',
      'aws_secret_access_key=q3Ex7Rm9Tz2Wb8Nc4Vd6Hf1Lk5Pj0Sg/Yu+AaBbC',
      'aws_secret_access_key=[REDACTED:aws-secret-key]',
    ],
    ['gcp-api-key', 'key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', 'key=[REDACTED:gcp-api-key]'],
    [
      'azure-storage-key',
      'AccountKey=0dnXIL8qviLkIEo47U1NwvzgzGuwFnVfzGqv+g1teFZ4FHgOHfETNJbM7A34qk/H6WIRVKngIy3gme5J2oMz/w==;',
      'AccountKey=[REDACTED:azure-storage-key];',
    ],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', '[REDACTED:jwt]'],
    ['bearer-token', 'Authorization: Bearer q7Rz2LmX9vKp4TnB8wYc3H', 'Authorization: Bearer [REDACTED:bearer-token]'],
    [
      'connection-string',
      'mysql://root:Tr0ub4dor@10.0.0.5/app',
      'mysql://root:[REDACTED:connection-string]@10.0.0.5/app',
    ],
    ['slack-token', 'xoxb-417293856042-2093841765302-Qm7vZ2xR9kLp4TnB8wYc3HdF', '[REDACTED:slack-token]'],
    [
      'slack-token',
      'post to https://hooks.slack.com/services/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',
      'post to [REDACTED:slack-token]',
    ],
    ['github-token', 'ghp_Zq8fK2mN5pR7tV9xB1cD3eF6gH8jK0lM4nP6', '[REDACTED:github-token]'],
    ['stripe-key', 'sk_live_51HxR2aKq8Zt3VbN6mWp9YcD4eF7gJ', '[REDACTED:stripe-key]'],
    [
      'openai-key',
      `sk-proj-${'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'.repeat(2).slice(0, 58)}T3BlbkFJ${'q7W9e1R3t5Y7u9I1o3P5a7S9d1F3g5H7'.repeat(2).slice(0, 58)}`,
      '[REDACTED:openai-key]',
    ],
    ['tollgate-key', 'tgk_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7s0F2kQ9', '[REDACTED:tollgate-key]'],
    ['credit-card', 'pay 5555 5555 5555 4444 now', 'pay [REDACTED:credit-card] now'],
    ['email', 'write to jane.doe@contoso.com.', 'write to [REDACTED:email].'],
    ['phone', 'call (415) 555-0134 today', 'call [REDACTED:phone] today'],
    ['iban', 'IBAN GB82 WEST 1234 5698 7654 32.', 'IBAN [REDACTED:iban].'],
    ['us-ssn', 'SSN 536-90-4312 on file', 'SSN [REDACTED:us-ssn] on file'],
    [
      'ip-address',
      'from 81.2.69.142 and 2a00:1450:4001:81b::200e',
      'from [REDACTED:ip-address] and [REDACTED:ip-address]',
    ],
  ];
  for (const [d, input, expected] of cases) {
    it(`${d}: redacts a true positive (enabled alone and with all detectors)`, () => {
      assert.equal(scanText(only(d), input).text, expected);
      let a = 0;
      while (input[a] === expected[a]) a++;
      let b = 0;
      while (b < input.length - a && input[input.length - 1 - b] === expected[expected.length - 1 - b]) b++;
      const secret = input.slice(a, input.length - b);
      assert.ok(!scanText(all, input).text.includes(secret), `${secret} survives with every detector on`);
    });
  }

  it('leaves hard negatives alone', () => {
    const negatives = [
      'commit 3f2b8c1e9a7d4c2b8e1f6a5b4c3d2e1f0a9b8c7d',
      'uuid 3f2b8c1e-9a7d-4c2b-8e1f-6a5b4c3d2e1f',
      'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'v1.2.3.4 and version 10.0.0.1',
      'localhost 127.0.0.1 and 0.0.0.0:8080',
      'std::vector and a::b::c',
      '12:30:45 on 2024-05-01',
      'ISBN 978-3-16-148410-0',
      'card 4111 1111 1111 1112 fails Luhn',
      'DE89370400440532013001 bad checksum',
      'git@github.com:org/repo.git',
      'password = os.environ["DB_PASSWORD"]',
      'postgres://user:${DB_PASS}@localhost/db',
      'Bearer <YOUR_TOKEN>',
      'sk-learn-compatible-estimators',
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
      'Order #1234567890 shipped',
      'MAC 00:1a:2b:3c:4d:5e',
      'npm i @types/node@22.10.1',
      'the docs key AKIAIOSFODNN7EXAMPLE',
      'sk-proj-your-key-here',
      'xoxb-your-token',
      'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    ];
    for (const t of negatives) assert.equal(scanText(all, t).text, t, t);
  });
});
