// A tenant guard that does not compile (a custom pattern RE2 refuses, in a hand-written config the policy
// compiler never saw) is found when the config loads, logged once, and its requests are refused BEFORE
// anything is reserved: no concurrency slot or budget is left stranded until it expires.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildSnapshot } from './config/snapshot.ts';
import { compileGuards, guardFor } from './plan/guards.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';

installLeakScan();

const badKey = newKey();
const goodKey = newKey();
const BAD = 'team-bad/bad';
const guardrails = (pattern: string) => ({
  redaction: { detectors: [], customPatterns: [{ name: 'order-id', pattern }] },
  promptInjection: { mode: 'off' as const, threshold: 0.7 },
  exfiltration: { mode: 'off' as const, allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: false },
});
const limits = { concurrency: 1, budgets: [{ unit: 'tokens' as const, limit: 100_000, windowSeconds: 86400 }] };
const makeConfig = (url: string) =>
  config(
    [model('m1', url)],
    [
      tenant({
        name: 'bad',
        models: ['m1'],
        keys: [{ name: 'k', key: badKey }],
        limits,
        over: { guardrails: guardrails('ORD-(\\d+') },
      }),
      tenant({
        name: 'good',
        models: ['m1'],
        keys: [{ name: 'k', key: goodKey }],
        limits,
        over: { guardrails: guardrails('ORD-\\d{6}') },
      }),
    ],
  );

describe('compileGuards (per snapshot)', () => {
  it('marks the tenants whose guard does not compile, and only those', async () => {
    const snap = buildSnapshot(makeConfig('http://127.0.0.1:1/v1'));
    const failed = await compileGuards(snap);
    assert.deepEqual(
      failed.map((f) => f.tenant),
      [BAD],
    );
    assert.match(failed[0]!.reason, /order-id/);
    const byTenant = new Map([...snap.keys.values()].map((k) => [k.tenant.cfg.id, k.tenant]));
    assert.equal(guardFor(snap, byTenant.get(BAD)!)?.ok, false);
    assert.equal(guardFor(snap, byTenant.get('team-good/good')!)?.ok, true);
  });
});

describe('a tenant with a guard that does not compile', () => {
  let s: Stack;
  before(async () => {
    s = await startStack(makeConfig);
  });
  after(() => s?.close());

  it('is logged once at load', () => {
    assert.equal(CAPTURED.filter((l) => l.includes('"event":"guardrails_invalid"')).length, 1);
  });

  it('is refused before the reservation, every time: nothing stays reserved', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await call(s.url, '/v1/chat/completions', { key: badKey, body: chat('m1') });
      // concurrency 1: a reservation stranded by the first refusal would make the next one concurrency_limit
      assert.equal(r.json.error?.code, 'internal_error', `request ${i}`);
    }
    assert.equal(await s.gw.gateway.store.inflight(BAD), 0);
    assert.equal(await s.gw.gateway.store.spent(BAD, 'tokens', 86400), 0);
    assert.equal(s.sim.stats.requests, 0, 'nothing reached the engine');
  });

  it('does not affect the other tenants', async () => {
    const r = await call(s.url, '/v1/chat/completions', { key: goodKey, body: chat('m1') });
    assert.equal(r.status, 200);
  });
});
