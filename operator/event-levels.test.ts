import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readyEventType, reconcileFailureLevel } from './event-levels.ts';

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
