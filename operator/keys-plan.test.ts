import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planKeySecret } from './keys-plan.ts';
import { tenant } from './compiler/testdata.ts';

let n = 0;
const gen = () => `key-${++n}`.padEnd(40, 'x');

describe('tenant key Secret planning', () => {
  const t0 = new Date('2026-11-01T00:00:00Z');
  const t = tenant('ns', 'svc', {
    keys: [
      { name: 'a' },
      { name: 'b', expiresAt: '2026-11-01T06:00:00Z' },
      { name: 'byo', secretRef: { name: 'vault', key: 'k' } },
    ],
    rotationGracePeriod: '1h',
  });

  it('issues missing keys once, and is a no-op the second time', () => {
    const p1 = planKeySecret(t, undefined, t0, gen);
    assert.deepEqual(p1.issued, ['a', 'b']);
    assert.equal(p1.changed, true);
    assert.deepEqual(Object.keys(p1.next.data).sort(), ['a', 'b'], 'BYO keys are never issued');
    assert.equal(p1.requeueAfterMs, 6 * 3600_000 + 100, 'wake up at expiry');
    const p2 = planKeySecret(t, p1.next, t0, gen);
    assert.equal(p2.changed, false);
    assert.deepEqual(p2.next, p1.next);
  });

  it('rotates: the previous key stays for the grace period, then goes', () => {
    const p1 = planKeySecret(t, undefined, t0, gen);
    const rotatedSpec = tenant('ns', 'svc', {
      keys: [
        { name: 'a', rotation: 1 },
        { name: 'b', expiresAt: '2026-11-01T06:00:00Z' },
      ],
      rotationGracePeriod: '1h',
    });
    const p2 = planKeySecret(rotatedSpec, p1.next, t0, gen);
    assert.deepEqual(p2.rotated, ['a']);
    assert.equal(p2.next.data['a.previous'], p1.next.data['a']);
    assert.notEqual(p2.next.data['a'], p1.next.data['a']);
    assert.equal(p2.requeueAfterMs, 3600_000 + 100);
    const p3 = planKeySecret(rotatedSpec, p2.next, new Date(t0.getTime() + 30 * 60_000), gen);
    assert.equal(p3.changed, false);
    const p4 = planKeySecret(rotatedSpec, p3.next, new Date(t0.getTime() + 61 * 60_000), gen);
    assert.deepEqual(p4.dropped, ['a.previous']);
    assert.equal(p4.next.data['a.previous'], undefined);
    assert.equal(p4.next.data['a'], p2.next.data['a']);
  });

  it('drops keys removed from spec', () => {
    const p1 = planKeySecret(t, undefined, t0, gen);
    const fewer = tenant('ns', 'svc', { keys: [{ name: 'a' }] });
    const p2 = planKeySecret(fewer, p1.next, t0, gen);
    assert.deepEqual(p2.dropped, ['b']);
    assert.deepEqual(Object.keys(p2.next.data), ['a']);
  });
});
