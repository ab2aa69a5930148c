import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Anomaly } from '../api/v1alpha1/policy.ts';
import {
  AnomalyDetector,
  emptyStats,
  MemoryAnomalyStore,
  networkOf,
  recordAuthFailure,
  recordRequest,
  recordResponse,
  scoreStats,
  type KeyStats,
} from './anomaly.ts';

const CFG: Anomaly = {
  enabled: true,
  burstFactor: 10,
  capHitRatio: 0.5,
  failedAuthPerMinute: 20,
  threshold: 0.8,
  action: 'revoke',
};
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

/** `perMinute` requests a minute for `minutes` minutes from one client. */
function history(perMinute: number, minutes: number, ip = '10.1.2.3'): KeyStats {
  let s: KeyStats | undefined;
  for (let m = 0; m < minutes; m++)
    for (let i = 0; i < perMinute; i++) s = recordRequest(s, { at: T0 + m * MIN + i, clientIp: ip });
  return s ?? emptyStats(T0);
}

describe('anomaly scoring', () => {
  it('steady traffic scores 0', () => {
    const s = history(30, 60);
    const sc = scoreStats(s, CFG, T0 + 59 * MIN + 100);
    assert.equal(sc.score, 0);
    assert.equal(sc.action, 'none');
  });

  it("a burst against the key's own baseline reaches 1 at burstFactor (log scale)", () => {
    let s = history(10, 60);
    const at = T0 + 60 * MIN;
    for (let i = 0; i < 100; i++) s = recordRequest(s, { at: at + i, clientIp: '10.1.2.3' });
    const sc = scoreStats(s, CFG, at + 200);
    assert.ok(sc.components.burst >= 0.99, `burst ${sc.components.burst}`);
    assert.equal(sc.action, 'revoke');
    let half = history(10, 60);
    for (let i = 0; i < 32; i++) half = recordRequest(half, { at: at + i, clientIp: '10.1.2.3' });
    const h = scoreStats(half, CFG, at + 200).components.burst;
    assert.ok(h > 0.4 && h < 0.6, `sqrt(10)x burst gives ~0.5, got ${h}`);
  });

  it('new keys are not judged on bursts before the warm-up', () => {
    let s: KeyStats | undefined;
    for (let i = 0; i < 500; i++) s = recordRequest(s, { at: T0 + i });
    assert.equal(scoreStats(s as KeyStats, CFG, T0 + 600).components.burst, 0);
  });

  it('the share of responses hitting the output cap', () => {
    let s = history(5, 20);
    for (let i = 0; i < 40; i++) s = recordResponse(s, { at: T0, hitCap: true });
    assert.equal(scoreStats(s, CFG, T0 + 19 * MIN).components.capHit, 1);
    let q = history(5, 20);
    for (let i = 0; i < 40; i++) q = recordResponse(q, { at: T0, hitCap: i % 4 === 0 });
    const c = scoreStats(q, CFG, T0 + 19 * MIN).components.capHit;
    assert.ok(c > 0.15 && c < 0.4, `a quarter of responses at the cap, half the ratio: ${c}`);
  });

  it('a new client network counts, but not enough alone', () => {
    let s = history(5, 30, '10.1.2.3');
    s = recordRequest(s, { at: T0 + 30 * MIN, clientIp: '10.1.2.77' });
    assert.equal(scoreStats(s, CFG, T0 + 30 * MIN + 1).components.network, 0, 'same /24');
    s = recordRequest(s, { at: T0 + 30 * MIN + 1, clientIp: '198.51.100.4' });
    const sc = scoreStats(s, CFG, T0 + 30 * MIN + 2);
    assert.equal(sc.components.network, 0.5);
    assert.equal(sc.action, 'none');
    assert.equal(networkOf('2001:db8:1:2:3::4'), '2001:db8:1:2::/64');
    assert.equal(networkOf('::ffff:192.0.2.9'), '192.0.2.0/24');
    assert.equal(networkOf('2001:db8::1'), '2001:db8:0:0::/64');
  });

  it('failed-auth bursts within a minute', () => {
    let s: KeyStats | undefined;
    for (let i = 0; i < 20; i++) s = recordAuthFailure(s, { at: T0 + i });
    assert.equal(scoreStats(s as KeyStats, CFG, T0 + 100).components.failedAuth, 1);
    assert.equal(scoreStats(s as KeyStats, CFG, T0 + 2 * MIN).components.failedAuth, 0, 'a new minute starts clean');
  });

  it('components add up (noisy-OR): network novelty plus a moderate burst crosses the threshold', () => {
    let s = history(10, 60);
    const at = T0 + 60 * MIN;
    for (let i = 0; i < 60; i++) s = recordRequest(s, { at: at + i, clientIp: '203.0.113.5' });
    const sc = scoreStats(s, CFG, at + 100);
    assert.ok(sc.components.burst < 0.8 && sc.components.network === 0.5);
    assert.ok(sc.score >= 0.8, `score ${sc.score}`);
  });
});

describe('anomaly detector and store', () => {
  it('flag mode only reports; revoke mode records one revocation, shared through the store', async () => {
    const store = new MemoryAnomalyStore();
    const d = new AnomalyDetector(store);
    const key = { id: 'team-a/app/backend', tenant: 'team-a/app' };
    const flag = await d.onAuthFailure(key, { ...CFG, action: 'flag', failedAuthPerMinute: 3 }, { at: T0 });
    assert.equal(flag?.action, 'none');
    for (let i = 0; i < 3; i++)
      await d.onAuthFailure(key, { ...CFG, action: 'flag', failedAuthPerMinute: 3 }, { at: T0 + i });
    assert.equal(await d.isRevoked(key.id), undefined);
    const revoke = await d.onAuthFailure(key, { ...CFG, failedAuthPerMinute: 3 }, { at: T0 + 10 });
    assert.equal(revoke?.action, 'revoke');
    assert.equal(revoke?.revoked?.keyId, key.id);
    const again = await d.onAuthFailure(key, { ...CFG, failedAuthPerMinute: 3 }, { at: T0 + 11 });
    assert.equal(again?.revoked, undefined, 'revoked once');
    // another replica sharing the store sees it
    const other = new AnomalyDetector(store);
    assert.equal((await other.isRevoked(key.id))?.reason, 'anomaly');
    assert.equal((await store.revocations()).length, 1);
    assert.equal(await d.onRequest(key, undefined, { at: T0 }), undefined, 'no anomaly policy: nothing recorded');
    assert.equal(await d.onRequest(key, { ...CFG, enabled: false }, { at: T0 }), undefined);
  });
});
