// Access windows, the time-and-place auth layer's decision (config/snapshot.ts inWindow, used by auth.ts
// checkContext), as a table: plain windows, windows past midnight (their days name the day they start),
// time zones. Pure: a compiled window and an instant in, a verdict out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inWindow, type CompiledWindow } from '../config/snapshot.ts';

const MON = 0,
  TUE = 1,
  SAT = 5,
  SUN = 6;
const hm = (h: number, m = 0) => h * 60 + m;
const w = (days: number[], start: number, end: number, timeZone = 'UTC'): CompiledWindow => ({
  days: new Set(days),
  start,
  end,
  timeZone,
});
// 2026-11-30 is a Monday
const at = (iso: string) => Date.parse(iso);

describe('inWindow', () => {
  const office = w([MON, TUE], hm(9), hm(17));
  const night = w([MON], hm(22), hm(6)); // Mon 22:00 -> Tue 06:00
  const weekend = w([SAT, SUN], hm(0), hm(23, 59));
  const berlin = w([MON], hm(9), hm(17), 'Europe/Berlin'); // UTC+1 in winter
  const cases: [string, CompiledWindow, string, boolean][] = [
    ['office: inside', office, '2026-11-30T10:00:00Z', true],
    ['office: at the start', office, '2026-11-30T09:00:00Z', true],
    ['office: at the end (exclusive)', office, '2026-11-30T17:00:00Z', false],
    ['office: a day not listed', office, '2026-12-02T10:00:00Z', false],
    ['night: before midnight on the listed day', night, '2026-11-30T23:30:00Z', true],
    ['night: after midnight, the day after the listed day', night, '2026-12-01T05:59:00Z', true],
    ['night: at its end', night, '2026-12-01T06:00:00Z', false],
    ['night: after midnight on the listed day (belongs to Sunday night)', night, '2026-11-30T03:00:00Z', false],
    ['night: evening of the day after', night, '2026-12-01T23:00:00Z', false],
    ['weekend: Sunday noon', weekend, '2026-12-06T12:00:00Z', true],
    ['weekend: Monday noon', weekend, '2026-11-30T12:00:00Z', false],
    ['zone: 08:30 UTC is 09:30 in Berlin', berlin, '2026-11-30T08:30:00Z', true],
    ['zone: 16:30 UTC is 17:30 in Berlin', berlin, '2026-11-30T16:30:00Z', false],
    ['zone: 23:30 UTC Sunday is Monday 00:30 in Berlin, before the window', berlin, '2026-11-29T23:30:00Z', false],
  ];
  for (const [name, win, iso, want] of cases) it(name, () => assert.equal(inWindow(win, at(iso)), want));
});
