import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTopology, scrubError, TopologyError } from './topology.ts';
import { AckBarrier, keySlot } from './replication.ts';

describe('parseTopology', () => {
  const table: [string, Record<string, unknown>][] = [
    ['redis://127.0.0.1:6379', { mode: 'single', tls: false, label: 'redis://127.0.0.1:6379' }],
    ['rediss://u:p@redis.ns.svc:6380/0', { mode: 'single', tls: true, label: 'rediss://redis.ns.svc:6380' }],
    [
      'redis+cluster://a:7000,b:7001',
      {
        mode: 'cluster',
        tls: false,
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
      },
    ],
    ['redis+cluster://tg:s%40cret@a:7000?tls=1', { mode: 'cluster', tls: true, username: 'tg', password: 's@cret' }],
    [
      'redis+sentinel://s1:26379,s2/mymaster',
      {
        mode: 'sentinel',
        masterName: 'mymaster',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
      },
    ],
    [
      'redis+sentinel://:pw@s1:1/m?sentinelPassword=sp&tls=true',
      { mode: 'sentinel', password: 'pw', sentinelPassword: 'sp', tls: true, masterName: 'm' },
    ],
  ];
  for (const [url, want] of table) {
    it(url.replace(/:[^:@/]*@/, ':***@'), () => {
      const t = parseTopology(url) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(t[k], v, k);
      assert.ok(!String(t.label).includes('pw') && !String(t.label).includes('cret'), 'no credential in the label');
    });
  }
  for (const bad of ['http://x', 'redis+cluster://a:99999', 'redis+sentinel://a:1/bad name', 'redis+cluster://a b']) {
    it(`refuses ${bad}`, () => assert.throws(() => parseTopology(bad), TopologyError));
  }
  it('scrubs credentials from error messages', () => {
    assert.equal(
      scrubError('failed rediss://u:hunter2@h:1 with hunter2', ['hunter2']),
      'failed rediss://***@h:1 with ***',
    );
  });
});

describe('keySlot (CRC16 as Redis Cluster computes it)', () => {
  // reference values from CLUSTER KEYSLOT
  for (const [key, slot] of [
    ['foo', 12182],
    ['bar', 5061],
    ['{user1000}.following', 3443],
    ['{user1000}.followers', 3443],
    ['foo{}{bar}', 8363],
    ['{}foo', 9500],
  ] as const) {
    it(`${key} -> ${slot}`, () => assert.equal(keySlot(key), slot));
  }
});

describe('AckBarrier', () => {
  it('coalesces WAITs: one in flight, every later caller shares the next one', async () => {
    const b = new AckBarrier();
    let sent = 0;
    const resolvers: ((n: number) => void)[] = [];
    const send = (): Promise<number> => {
      sent++;
      return new Promise((r) => resolvers.push(r));
    };
    const first = b.wait(send);
    const later = [b.wait(send), b.wait(send), b.wait(send)];
    assert.equal(sent, 1);
    resolvers[0]!(1);
    assert.equal(await first, 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(sent, 2, 'one more WAIT for everyone who came while the first was in flight');
    resolvers[1]!(1);
    assert.deepEqual(await Promise.all(later), [1, 1, 1]);
  });
});
