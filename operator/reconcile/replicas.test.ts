import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEASE_GC_AFTER_MS, planReplicas, replicaView } from './replicas.ts';

const now = Date.parse('2026-12-01T12:00:00Z');
const H = 'sha256:' + 'ab'.repeat(32);

describe('gateway replica bookkeeping', () => {
  it('counts live replicas on the published hash, and collects Leases of replicas long gone', () => {
    const plan = planReplicas(
      [
        { name: 'live-current', expiresAt: now + 20_000, hash: H },
        { name: 'live-stale', expiresAt: now + 5_000, hash: 'sha256:old' },
        { name: 'just-expired', expiresAt: now - 1_000, hash: H },
        { name: 'gone', expiresAt: now - LEASE_GC_AFTER_MS - 1, hash: H },
        { name: 'never-renewed', expiresAt: Number.NaN, hash: '' },
      ],
      H,
      now,
    );
    assert.deepEqual([plan.current, plan.stale], [1, 1]);
    assert.equal(plan.summary, `1/2 replicas on ${H.slice(7, 19)}`);
    assert.deepEqual(plan.collect, ['gone', 'never-renewed']);
    assert.equal(plan.nextInMs, 5_000 + 100, 'wakes up when the next Lease expires');
  });

  it('wakes up when an expired Lease becomes collectable', () => {
    const plan = planReplicas([{ name: 'x', expiresAt: now - 60_000, hash: H }], H, now);
    assert.deepEqual(plan.collect, []);
    assert.equal(plan.nextInMs, LEASE_GC_AFTER_MS - 60_000 + 100);
    assert.equal(plan.summary, `0/0 replicas on ${H.slice(7, 19)}`);
  });

  it('reads renewTime and leaseDurationSeconds from the Lease', () => {
    const v = replicaView({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'a', annotations: { 'tollgate.dev/config-hash': H } },
      spec: { renewTime: '2026-12-01T12:00:00.000000Z', leaseDurationSeconds: 30 },
    });
    assert.deepEqual(v, { name: 'a', expiresAt: now + 30_000, hash: H });
  });
});
