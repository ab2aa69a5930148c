import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ackRecord,
  decideGeneration,
  decideMarkerLost,
  decodeGenRecord,
  encodeGenRecord,
  type GenRecord,
  type LocalGen,
} from './generation.ts';

const NOW = '2026-12-01T00:00:00.000Z';
const ok = (id: string): LocalGen => ({ kind: 'ok', id });
const lostL = (id: string): LocalGen => ({ kind: 'lost', id, since: 'earlier', reason: 'why' });
const rec = (id: string, state: 'ok' | 'lost' = 'ok', acked = false): GenRecord => ({
  id,
  state,
  since: 'then',
  ...(acked ? { acked: true } : {}),
});

describe('decideGeneration', () => {
  const table: [
    string,
    LocalGen,
    GenRecord | undefined,
    { next: string; write?: string; detected?: boolean; recovered?: string; resetSeen: boolean },
  ][] = [
    [
      'fresh replica, empty store: creates',
      { kind: 'unknown' },
      undefined,
      { next: 'ok:new', write: 'create', resetSeen: true },
    ],
    ['fresh replica adopts ok', { kind: 'unknown' }, rec('g1'), { next: 'ok:g1', resetSeen: true }],
    ['fresh replica adopts lost', { kind: 'unknown' }, rec('g1', 'lost'), { next: 'lost:g1', resetSeen: true }],
    ['same generation: nothing', ok('g1'), rec('g1'), { next: 'ok:g1', resetSeen: false }],
    [
      'record vanished: lost, published',
      ok('g1'),
      undefined,
      { next: 'lost:g1', write: 'markLost', detected: true, resetSeen: false },
    ],
    [
      'another replica marked it lost: adopt',
      ok('g1'),
      rec('g1', 'lost'),
      { next: 'lost:g1', detected: true, resetSeen: false },
    ],
    [
      'unacknowledged new generation (a newcomer recreated it): lost',
      ok('g1'),
      rec('g2'),
      { next: 'lost:g2', write: 'markLost', detected: true, resetSeen: false },
    ],
    ['acknowledged new generation: adopt', ok('g1'), rec('g2', 'ok', true), { next: 'ok:g2', resetSeen: true }],
    [
      'lost and still empty: keep it visible',
      lostL('g1'),
      undefined,
      { next: 'lost:g1', write: 'markLost', resetSeen: false },
    ],
    ['lost stays lost', lostL('g1'), rec('g1', 'lost'), { next: 'lost:g1', resetSeen: false }],
    [
      'the same generation came back: restored',
      lostL('g1'),
      rec('g1'),
      { next: 'ok:g1', recovered: 'restored', resetSeen: false },
    ],
    [
      'acknowledged: recovered',
      lostL('g1'),
      rec('g9', 'ok', true),
      { next: 'ok:g9', recovered: 'acknowledged', resetSeen: true },
    ],
    [
      'an unacknowledged fresh record does not end a loss',
      lostL('g1'),
      rec('g3'),
      { next: 'lost:g1', write: 'markLost', resetSeen: false },
    ],
  ];
  for (const [name, local, remote, want] of table) {
    it(name, () => {
      const d = decideGeneration(local, remote, NOW, 'new');
      const next = d.next.kind === 'unknown' ? 'unknown' : `${d.next.kind}:${d.next.id}`;
      assert.equal(next, want.next);
      assert.equal(d.write?.op, want.write);
      assert.equal(d.detected !== undefined, want.detected ?? false);
      assert.equal(d.recovered, want.recovered);
      assert.equal(d.resetSeen, want.resetSeen);
      if (d.write?.op === 'markLost') assert.equal(d.write.record.state, 'lost');
    });
  }

  it('a vanished tenant marker marks the generation lost (once)', () => {
    const d = decideMarkerLost(ok('g1'), NOW);
    assert.equal(d.next.kind, 'lost');
    assert.equal(d.write?.op, 'markLost');
    assert.ok(d.detected);
    assert.equal(decideMarkerLost(lostL('g1'), NOW).write, undefined);
  });

  it('records round-trip through the hash encoding; malformed hashes count as absent', () => {
    const a = ackRecord(rec('g1', 'lost'), NOW, 'g2');
    assert.deepEqual(a, {
      id: 'g2',
      state: 'ok',
      since: NOW,
      reason: 'reset acknowledged by an operator',
      acked: true,
      previous: 'g1',
    });
    const flat = encodeGenRecord(a);
    const h: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
    assert.deepEqual(decodeGenRecord(h), a);
    assert.equal(decodeGenRecord({}), undefined);
    assert.equal(decodeGenRecord({ state: 'ok' }), undefined);
    assert.equal(decodeGenRecord({ id: 'x', state: 'weird' })?.state, 'lost', 'an unknown state is treated as lost');
  });
});
