import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY_LENGTH, KEY_PATTERN_SOURCE, crc32, fingerprint, generateKey, hashKey, isWellFormedKey } from './keys.ts';

describe('tenant keys', () => {
  it('have a recognisable prefix, fixed length and a valid checksum', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const k = generateKey();
      assert.equal(k.length, KEY_LENGTH);
      assert.ok(k.startsWith('tgk_'));
      assert.ok(isWellFormedKey(k));
      assert.match(k, new RegExp(`^${KEY_PATTERN_SOURCE}$`));
      seen.add(k);
    }
    assert.equal(seen.size, 200);
  });

  it('reject a single changed character through the checksum', () => {
    const k = generateKey();
    const flipped = k.slice(0, 10) + (k[10] === 'a' ? 'b' : 'a') + k.slice(11);
    assert.equal(isWellFormedKey(flipped), false);
    assert.equal(isWellFormedKey(`${k}x`), false);
    assert.equal(isWellFormedKey("tgk_' OR 1=1 --"), false);
  });

  it('crc32 matches the standard check value', () => assert.equal(crc32('123456789'), 0xcbf43926));

  it('fingerprints are a hash prefix, never a key prefix', () => {
    const k = generateKey();
    assert.equal(fingerprint(k), hashKey(k).slice(0, 16));
    assert.equal(fingerprint(hashKey(k)), fingerprint(k));
    assert.ok(!k.includes(fingerprint(k)));
  });
});
