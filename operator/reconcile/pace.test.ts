import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CHURN_TENANTS, MIN_PUBLISH_INTERVAL_MS, PUBLISH_MS_PER_MB, QUIET_MS, publishWaitMs } from './pace.ts';

test('publishWaitMs: a handful of changes waits out the minimum interval; churn waits in proportion to the size', () => {
  const t = 1_000_000;
  const cases: {
    name: string;
    lastPublishAt: number;
    lastBytes: number;
    changed: number;
    /** when a tenant last changed (default 0: not known) */
    lastChange?: number;
    now: number;
    want: number;
  }[] = [
    { name: 'never published', lastPublishAt: 0, lastBytes: 0, changed: 5000, now: t, want: 0 },
    {
      name: 'one change just after a publication',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: 1,
      now: t + 100,
      want: MIN_PUBLISH_INTERVAL_MS - 100,
    },
    {
      name: 'one change after the interval',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: 1,
      now: t + MIN_PUBLISH_INTERVAL_MS,
      want: 0,
    },
    {
      name: 'at the churn threshold: still a handful',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: CHURN_TENANTS,
      now: t + 300,
      want: 0,
    },
    {
      name: 'churn on a large config',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: CHURN_TENANTS + 1,
      now: t + 1000,
      want: 18 * PUBLISH_MS_PER_MB - 1000,
    },
    {
      name: 'churn on a small config: the minimum interval',
      lastPublishAt: t,
      lastBytes: 50_000,
      changed: 500,
      now: t + 10,
      want: MIN_PUBLISH_INTERVAL_MS - 10,
    },
    { name: 'churn long after', lastPublishAt: t, lastBytes: 18e6, changed: 500, now: t + 60_000, want: 0 },
    { name: 'fractions round up', lastPublishAt: t, lastBytes: 1_234_567, changed: 500, now: t, want: 1235 },
    {
      name: 'churn gone quiet: published QUIET_MS after the last change, not a churn interval later',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: 500,
      lastChange: t + 2000,
      now: t + 2500,
      want: QUIET_MS - 500,
    },
    {
      name: 'quiet for long enough: now',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: 500,
      lastChange: t + 2000,
      now: t + 2000 + QUIET_MS,
      want: 0,
    },
    {
      name: 'quiet, but never before the minimum interval',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: 500,
      lastChange: t - QUIET_MS,
      now: t + 10,
      want: MIN_PUBLISH_INTERVAL_MS - 10,
    },
    {
      name: 'the churn interval ends before the quiet period',
      lastPublishAt: t,
      lastBytes: 2e6,
      changed: 500,
      lastChange: t + 1900,
      now: t + 1950,
      want: 50,
    },
    {
      name: 'churn going on (a change just now): checked again once it could be quiet',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: 500,
      lastChange: t + 1000,
      now: t + 1000,
      want: QUIET_MS,
    },
    {
      name: 'when the last change is not known: the churn interval',
      lastPublishAt: t,
      lastBytes: 18e6,
      changed: 500,
      lastChange: 0,
      now: t + 1000,
      want: 18 * PUBLISH_MS_PER_MB - 1000,
    },
  ];
  for (const c of cases)
    assert.equal(
      publishWaitMs({
        lastPublishAt: c.lastPublishAt,
        lastBytes: c.lastBytes,
        changedSincePublish: c.changed,
        lastChangeAt: c.lastChange ?? 0,
        now: c.now,
      }),
      c.want,
      c.name,
    );
});
