import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ENFORCEMENT_WAIT_MS,
  EnforcementLedger,
  HASH_HISTORY,
  planEnforcedStatus,
  type Enforcement,
  type PublishedTenant,
} from './enforcement.ts';

const h = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
/** [id, keys] of a published config, each entry at version 1 unless given as [id, keys, version] */
const t = (pairs: ([string, string] | PublishedTenant)[]): PublishedTenant[] =>
  pairs.map((p) => (p.length === 3 ? p : [p[0], p[1], 1]));

describe('EnforcementLedger', () => {
  const cases: {
    name: string;
    /** publications in order: [hash number, [tenant, keys][]] */
    published: [number, [string, string][]][];
    replicas: number[] | undefined;
    tenant: string;
    usable: string[];
    want: Enforcement['state'];
  }[] = [
    {
      name: 'replicas not seen yet',
      published: [[1, [['t', 'k1']]]],
      replicas: undefined,
      tenant: 't',
      usable: ['k1'],
      want: 'unknown',
    },
    {
      name: 'nothing published yet by this process',
      published: [],
      replicas: [1],
      tenant: 't',
      usable: ['k1'],
      want: 'unknown',
    },
    {
      name: 'no live replica: nothing to wait for',
      published: [],
      replicas: [],
      tenant: 't',
      usable: ['k1'],
      want: 'enforced',
    },
    {
      name: 'the replica is on the config with the key',
      published: [[1, [['t', 'k1']]]],
      replicas: [1],
      tenant: 't',
      usable: ['k1'],
      want: 'enforced',
    },
    {
      name: 'the replica is on an older config without the tenant',
      published: [
        [1, []],
        [2, [['t', 'k1']]],
      ],
      replicas: [1],
      tenant: 't',
      usable: ['k1'],
      want: 'pending',
    },
    {
      name: 'a replica on a hash never recorded (published before a start): not known',
      published: [[1, [['t', 'k1']]]],
      replicas: [9],
      tenant: 't',
      usable: ['k1'],
      want: 'unknown',
    },
    {
      name: 'every replica counts: one behind',
      published: [
        [1, []],
        [2, [['t', 'k1']]],
      ],
      replicas: [2, 1],
      tenant: 't',
      usable: ['k1'],
      want: 'pending',
    },
    {
      name: 'both on the newest',
      published: [
        [1, []],
        [2, [['t', 'k1']]],
      ],
      replicas: [2, 2],
      tenant: 't',
      usable: ['k1'],
      want: 'enforced',
    },
    {
      name: 'a rotated-in key not loaded yet',
      published: [
        [1, [['t', 'k1']]],
        [2, [['t', 'k1,k2']]],
      ],
      replicas: [1],
      tenant: 't',
      usable: ['k1', 'k2'],
      want: 'pending',
    },
    {
      name: 'a dropped key does not make it pending (the enforced set is a superset)',
      published: [
        [1, [['t', 'k1,k2']]],
        [2, [['t', 'k2']]],
      ],
      replicas: [1],
      tenant: 't',
      usable: ['k2'],
      want: 'enforced',
    },
    {
      name: 'a later publication that did not change the tenant keeps what is enforced',
      published: [
        [1, [['t', 'k1']]],
        [
          2,
          [
            ['t', 'k1'],
            ['u', 'x'],
          ],
        ],
      ],
      replicas: [1],
      tenant: 't',
      usable: ['k1'],
      want: 'enforced',
    },
    {
      name: 'a tenant removed from the config and back: the replica on the gap has none',
      published: [
        [1, [['t', 'k1']]],
        [2, []],
        [3, [['t', 'k1']]],
      ],
      replicas: [2],
      tenant: 't',
      usable: ['k1'],
      want: 'pending',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const l = new EnforcementLedger();
      for (const [n, tenants] of c.published) l.recordPublication(h(n), t(tenants));
      if (c.replicas) l.observeReplicas(c.replicas.map(h));
      assert.equal(l.check(c.tenant, c.usable).state, c.want);
    });

  it('names the replicas behind', () => {
    const l = new EnforcementLedger();
    l.recordPublication(h(1), t([]));
    l.recordPublication(h(2), t([['t', 'k1']]));
    l.observeReplicas([h(2), h(1), h(1)]);
    const e = l.check('t', ['k1']);
    assert.equal(e.state, 'pending');
    assert.match(
      (e as { message: string }).message,
      /^1 usable key\(s\) not yet enforced by the gateway: 2 of 3 replica\(s\)/,
    );
  });

  it('returns the waiting tenants whose keys the replicas now enforce, and only those', () => {
    const l = new EnforcementLedger();
    l.recordPublication(h(1), t([]));
    assert.deepEqual(l.observeReplicas([h(1)]), [], 'first observation, nobody waits');
    l.wait('t', ['k'], 1000);
    l.wait('u', ['k'], 1000);
    l.wait('v', ['k'], 1000);
    assert.equal(l.wait('t', ['k'], 5000), 1000, 'waiting since the first call');
    l.recordPublication(
      h(2),
      t([
        ['t', 'k'],
        ['u', 'k'],
      ]),
    );
    assert.deepEqual(l.observeReplicas([h(1)]), [], 'the replica did not move');
    assert.deepEqual(
      l.observeReplicas([h(2)]).sort(),
      ['t', 'u'],
      'v is not in that config: not reconciled for nothing',
    );
    l.settle('t');
    l.settle('u');
    l.recordPublication(
      h(3),
      t([
        ['t', 'k'],
        ['u', 'k'],
        ['v', 'k'],
      ]),
    );
    assert.deepEqual(l.observeReplicas([h(3)]), ['v']);
    assert.equal(l.waitingCount, 1);
  });

  it('after a start: replicas seen on a hash before it is recorded enforce it once it is (failover)', () => {
    const l = new EnforcementLedger();
    l.observeReplicas([h(7)]);
    assert.equal(l.check('t', ['k1']).state, 'unknown', 'nothing recorded yet');
    l.wait('u', ['k'], 0);
    assert.deepEqual(
      l.recordPublication(
        h(7),
        t([
          ['t', 'k1'],
          ['u', 'k'],
        ]),
      ),
      ['u'],
      'the waiting are reconciled again',
    );
    assert.equal(l.check('t', ['k1']).state, 'enforced');
  });

  it('records a hash once while it is the latest; published again after another (A -> B -> A) it is recorded anew', () => {
    const l = new EnforcementLedger();
    l.recordPublication(h(0), t([['t', 'k1']]));
    l.recordPublication(h(0), t([['t', 'k2']])); // the same config again (another reconcile): ignored
    l.observeReplicas([h(0)]);
    assert.equal(l.check('t', ['k1']).state, 'enforced');
    // a key revoked and the revocation undone: B without it, then A again, byte for byte
    l.recordPublication(h(1), t([['t', '']]));
    l.observeReplicas([h(1)]);
    assert.equal(l.check('t', ['k1']).state, 'pending');
    assert.equal(l.isLatest(h(0)), false);
    l.recordPublication(h(0), t([['t', 'k1']]));
    assert.equal(l.isLatest(h(0)), true);
    l.observeReplicas([h(0)]);
    assert.equal(l.check('t', ['k1']).state, 'enforced', 'the replica back on A has the key');
  });

  it('beyond HASH_HISTORY forgets the oldest hash no live replica names; a stuck replica stays known', () => {
    const l = new EnforcementLedger();
    l.recordPublication(h(0), t([['t', 'k1']]));
    l.observeReplicas([h(0)]);
    for (let i = 1; i <= HASH_HISTORY + 5; i++)
      l.recordPublication(
        h(i),
        t([
          ['t', 'k1'],
          ['u', `k${i}`],
        ]),
      );
    assert.equal(l.check('t', ['k1']).state, 'enforced', 'the stuck replica has t');
    assert.equal(l.check('u', ['k9']).state, 'pending', 'and not u');
    assert.equal(l.isLatest(h(HASH_HISTORY + 5)), true);
    l.observeReplicas([h(1)]);
    assert.equal(l.check('t', ['k1']).state, 'unknown', 'h(1) was forgotten: what it holds is not known');
  });

  it('a replica that has loaded no config (empty hash) is not counted', () => {
    const l = new EnforcementLedger();
    l.recordPublication(h(1), t([['t', 'k1']]));
    l.observeReplicas([h(1), '']);
    assert.equal(l.check('t', ['k1']).state, 'enforced');
  });

  it('a tenant becoming Ready needs its entry as it is now (a lifted suspension), not only its keys', () => {
    const l = new EnforcementLedger();
    l.recordPublication(h(1), t([['t', 'k1', 1]])); // suspended
    l.recordPublication(h(2), t([['t', 'k1', 2]])); // the suspension lifted
    l.observeReplicas([h(1)]);
    assert.equal(l.check('t', ['k1']).state, 'enforced', 'its key is served');
    assert.equal(l.check('t', ['k1'], 2).state, 'pending', 'but not its entry as it is now');
    l.wait('t', ['k1'], 0, 2);
    assert.deepEqual(l.observeReplicas([h(2)]), ['t']);
    assert.equal(l.check('t', ['k1'], 2).state, 'enforced');
  });

  it('the waits end at their deadline: each overdue tenant once, and the next deadline to wake up for', () => {
    const l = new EnforcementLedger();
    assert.equal(l.nextDeadline(), Infinity);
    l.wait('t', ['k'], 1000);
    l.wait('u', ['k'], 5000);
    l.wait('t', ['k'], 3000); // waiting since its first call
    assert.equal(l.nextDeadline(), 1000 + ENFORCEMENT_WAIT_MS);
    assert.deepEqual(l.overdue(1000 + ENFORCEMENT_WAIT_MS - 1), []);
    assert.deepEqual(l.overdue(1000 + ENFORCEMENT_WAIT_MS), ['t']);
    assert.deepEqual(l.overdue(1000 + ENFORCEMENT_WAIT_MS + 1), [], 'once');
    assert.equal(l.nextDeadline(), 5000 + ENFORCEMENT_WAIT_MS);
    l.settle('u');
    assert.equal(l.nextDeadline(), Infinity);
  });

  it('a tenant absent from many publications while a replica is stuck keeps one entry, not one per publication', () => {
    const l = new EnforcementLedger();
    l.recordPublication(h(0), t([['t', 'k1']]));
    l.observeReplicas([h(0)]);
    for (let i = 1; i <= 50; i++) l.recordPublication(h(i), t([['u', `k${i}`]]));
    assert.ok(l.entryCount <= 2 + 50, `entries: ${l.entryCount}`);
  });
});

describe('planEnforcedStatus', () => {
  const pending: Enforcement = { state: 'pending', message: 'm' };
  const cases: {
    name: string;
    e: Enforcement;
    steady?: boolean;
    wasReady: boolean;
    hadStatus: boolean;
    waited: number;
    want: string;
  }[] = [
    { name: 'enforced', e: { state: 'enforced' }, wasReady: false, hadStatus: false, waited: 0, want: 'as-built' },
    {
      name: 'unknown after a start, Ready before for this spec: stands',
      e: { state: 'unknown' },
      steady: true,
      wasReady: true,
      hadStatus: true,
      waited: 0,
      want: 'as-built',
    },
    {
      name: 'unknown, new tenant: waits',
      e: { state: 'unknown' },
      wasReady: false,
      hadStatus: false,
      waited: 0,
      want: 'wait',
    },
    { name: 'pending, new tenant: waits', e: pending, wasReady: false, hadStatus: false, waited: 1000, want: 'wait' },
    {
      name: 'pending, new tenant, waited long enough: says so',
      e: pending,
      wasReady: false,
      hadStatus: false,
      waited: ENFORCEMENT_WAIT_MS,
      want: 'not-enforced',
    },
    {
      name: 'pending, Ready before, the spec changed (a key rotated in): nothing written yet (no flap)',
      e: pending,
      wasReady: true,
      hadStatus: true,
      waited: 0,
      want: 'wait',
    },
    {
      name: 'the same, still not loaded after the wait: says so',
      e: pending,
      wasReady: true,
      hadStatus: true,
      waited: ENFORCEMENT_WAIT_MS,
      want: 'not-enforced',
    },
    {
      name: 'unknown, Ready before but for an older spec: waits',
      e: { state: 'unknown' },
      steady: false,
      wasReady: true,
      hadStatus: true,
      waited: 0,
      want: 'wait',
    },
    {
      name: 'pending, not Ready before (a suspension lifted): says so at once',
      e: pending,
      wasReady: false,
      hadStatus: true,
      waited: 0,
      want: 'not-enforced',
    },
    {
      name: 'unknown, not Ready before, has a status: says so',
      e: { state: 'unknown' },
      wasReady: false,
      hadStatus: true,
      waited: 0,
      want: 'not-enforced',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const p = planEnforcedStatus(c.e, {
        steady: c.steady ?? false,
        wasReady: c.wasReady,
        hadStatus: c.hadStatus,
        waitingSince: 0,
        now: c.waited,
      });
      assert.equal(p.kind, c.want);
      if (p.kind === 'wait') assert.equal(p.requeueAfterMs, ENFORCEMENT_WAIT_MS - c.waited);
    });
});
