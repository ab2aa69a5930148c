import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rng } from '../eval/generate.ts';
import { lookalikeReason } from './lookalike.ts';

describe('look-alike principles', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['AKIAIOSFODNN7EXAMPLE', 'aws_access_key_id = ', false, true],
    ['sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'OPENAI_API_KEY=', false, true],
    ['fake-api-key-for-testing', 'api_key=', true, true],
    ['YOUR_ACCESS_TOKEN_HERE', 'Bearer ', false, true],
    ['1234567890abcdef1234567890abcdef', 'token=', true, true],
    ['DB_PASSWORD', 'postgresql://DB_USER:', false, true],
    ['9fceb02d0ae598e95dc970b74767f19372d61af8', 'commit ', false, true],
    ['9fceb02d0ae598e95dc970b74767f19372d61af8', 'api_key = ', false, false], // hex, but no hash word: may be a key
    ['3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60', 'api_key: ', true, false], // a UUID named as a key (Heroku, Postmark…)
    ['3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60', '"apiKey": "', true, false],
    ['3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60', 'my token is ', true, false],
    ['3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60', 'key_id: ', true, true], // named as an id
    ['3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60', 'AZURE_CLIENT_ID=', true, true],
    ['3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60', '{"request_id": "', true, true],
    ['MCowBQYDK2VwAyEAq8Zt3VbN6mWp9YcD4eF7gJ2aKq8Zt3VbN6mWp9Yc', 'public_key = "', true, true], // not a secret
    ['MCowBQYDK2VwAyEAq8Zt3VbN6mWp9YcD4eF7gJ2aKq8Zt3VbN6mWp9Yc', 'the public key is ', true, true],
    ['c0ffee254729296a45a3885639AC7E10F9d54979', 'idempotency_key: ', true, true],
    ['3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60', 'HEROKU_API_KEY=', false, false], // a provider whose keys are UUIDs
    ['sk_test_51HxR2aKq8Zt3VbN6mWp9YcD4eF7gJ', 'STRIPE_KEY=', false, false], // test-mode keys are credentials
    ['ghp_Zq8fK2mN5pR7tV9xB1cD3eF6gH8jK0lM4nP6', 'GITHUB_TOKEN=', false, false],
  ];
  for (const [secret, before, generic, expected] of cases) {
    it(`${secret} after ${JSON.stringify(before)}: ${expected ? 'look-alike' : 'may be a credential'}`, () => {
      assert.equal(lookalikeReason(secret, before, generic) !== undefined, expected);
    });
  }

  it('random tokens (base62, base64, hex; 16-600 characters) are almost never taken for look-alikes', () => {
    const r = rng(0x1a1);
    let flagged = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const alpha = [
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
        '0123456789abcdef',
      ][i % 3] as string;
      const len = 16 + Math.floor(r() * (i % 10 === 0 ? 600 : 100));
      let s = '';
      for (let k = 0; k < len; k++) s += alpha[Math.floor(r() * alpha.length)];
      if (lookalikeReason(s, 'token = ', true) !== undefined) flagged++;
    }
    assert.ok(flagged / n < 0.003, `${flagged} of ${n} random tokens flagged`);
  });
});
