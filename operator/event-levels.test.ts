import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionWarning, readyEventType, reconcileFailureLevel } from './event-levels.ts';

describe('readyEventType', () => {
  const cases: [string, string, 'Normal' | 'Warning'][] = [
    ['True', 'Serving', 'Normal'],
    ['False', 'Progressing', 'Normal'],
    ['False', 'Unschedulable', 'Warning'],
    ['False', 'TierNotGranted', 'Warning'],
    ['False', 'NamespaceNotWatched', 'Warning'],
    ['Unknown', 'Progressing', 'Normal'],
  ];
  for (const [status, reason, want] of cases)
    it(`${status}/${reason} -> ${want}`, () => assert.equal(readyEventType({ status, reason }), want));
});

describe('reconcileFailureLevel', () => {
  const cases: [number, 'warn' | 'error'][] = [
    [1, 'warn'],
    [4, 'warn'],
    [5, 'error'],
    [17, 'error'],
  ];
  for (const [n, want] of cases) it(`${n} failure(s) -> ${want}`, () => assert.equal(reconcileFailureLevel(n), want));
});

describe('conditionWarning', () => {
  const c = (type: string, reason: string) => ({ type, status: 'False', reason, message: `${type} ${reason}` });
  const R = 'NamespaceNotWatched';
  const cases: [string, ReturnType<typeof c>[] | undefined, ReturnType<typeof c>[], boolean][] = [
    ['new tenant, Ready hides it behind NoPolicy', undefined, [c('Ready', 'NoPolicy'), c('KeysIssued', R)], true],
    ['Ready already reports it (readyTransition records it)', undefined, [c('Ready', R), c('KeysIssued', R)], false],
    ['already reported before', [c('KeysIssued', R)], [c('Ready', 'NoPolicy'), c('KeysIssued', R)], false],
    ['from Pending to it', [c('KeysIssued', 'Pending')], [c('Ready', 'NoPolicy'), c('KeysIssued', R)], true],
    ['another reason', undefined, [c('Ready', 'NoPolicy'), c('KeysIssued', 'Pending')], false],
  ];
  for (const [name, before, after, want] of cases)
    it(name, () => assert.equal(conditionWarning(before, after, 'KeysIssued', R) !== undefined, want));
});
