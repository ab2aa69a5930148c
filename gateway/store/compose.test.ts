// Limit composition: table tests (pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgScopeLimits } from '../../api/gateway-config.ts';
import { GatewayError } from '../errors.ts';
import { model, tenant } from '../test/fixtures.ts';
import { composeReservation, keyScopeName, scopesNeedExactCount } from './compose.ts';

const tok = (limit: number, windowSeconds = 3600) => ({ unit: 'tokens' as const, limit, windowSeconds });

interface Row {
  name: string;
  tenant?: Parameters<typeof tenant>[0]['limits'];
  key?: CfgScopeLimits;
  tenantModel?: CfgScopeLimits;
  global?: CfgScopeLimits;
  keyId?: string;
  estimate?: number;
  /** expected: undefined (nothing to reserve), an error code, or the request's shape */
  want: undefined | string | { tenant: Record<string, unknown>; scopes: Record<string, unknown>[] };
}

const rows: Row[] = [
  { name: 'no limits anywhere: nothing to reserve', want: undefined },
  { name: 'tenant only: as before', tenant: { requestsPerMinute: 10 }, want: { tenant: { rpm: 10 }, scopes: [] } },
  {
    name: 'a key limit alone makes the tenant reserve',
    key: { requestsPerMinute: 2 },
    want: { tenant: {}, scopes: [{ level: 'key', name: 'team-t/t/k', rpm: 2 }] },
  },
  {
    name: 'key rpm below the tenant rpm: both counted',
    tenant: { requestsPerMinute: 10 },
    key: { requestsPerMinute: 2 },
    want: { tenant: { rpm: 10 }, scopes: [{ level: 'key', name: 'team-t/t/k', rpm: 2 }] },
  },
  {
    name: 'key rpm at or above the tenant rpm: redundant, left out',
    tenant: { requestsPerMinute: 10 },
    key: { requestsPerMinute: 10 },
    want: { tenant: { rpm: 10 }, scopes: [] },
  },
  {
    name: 'key concurrency below, key tpm above: only concurrency kept',
    tenant: { concurrency: 8, tokensPerMinute: 1000 },
    key: { concurrency: 2, tokensPerMinute: 5000 },
    want: { tenant: { concurrency: 8, tpm: 1000 }, scopes: [{ level: 'key', name: 'team-t/t/k', concurrency: 2 }] },
  },
  {
    name: 'key budget of the same window and a larger limit: redundant',
    tenant: { budgets: [tok(100)] },
    key: { budgets: [tok(500)] },
    want: { tenant: { budgets: [100] }, scopes: [] },
  },
  {
    name: 'key budget of another window: kept',
    tenant: { budgets: [tok(100)] },
    key: { budgets: [tok(500, 86400)] },
    want: { tenant: { budgets: [100] }, scopes: [{ level: 'key', name: 'team-t/t/k', budgets: [500] }] },
  },
  {
    name: 'key budget in another unit than the model charges: not applied',
    key: { budgets: [{ unit: 'gpuSeconds', limit: 5, windowSeconds: 3600 }] },
    want: undefined,
  },
  {
    name: "a rotated-out key shares the key's counters",
    keyId: 'team-t/t/k.previous',
    key: { requestsPerMinute: 2 },
    want: { tenant: {}, scopes: [{ level: 'key', name: 'team-t/t/k', rpm: 2 }] },
  },
  {
    name: 'tenant-model limit',
    tenant: { requestsPerMinute: 10 },
    tenantModel: { requestsPerMinute: 3, concurrency: 1 },
    want: { tenant: { rpm: 10 }, scopes: [{ level: 'tenantModel', name: 'm', rpm: 3, concurrency: 1 }] },
  },
  {
    name: 'global cap is never redundant with the tenant limit',
    tenant: { concurrency: 1 },
    global: { concurrency: 4 },
    want: { tenant: { concurrency: 1 }, scopes: [{ level: 'model', name: 'm', concurrency: 4 }] },
  },
  {
    name: 'every level at once, in order key, tenant-model, model',
    tenant: { requestsPerMinute: 100 },
    key: { requestsPerMinute: 5 },
    tenantModel: { requestsPerMinute: 20 },
    global: { requestsPerMinute: 1000 },
    want: {
      tenant: { rpm: 100 },
      scopes: [
        { level: 'key', name: 'team-t/t/k', rpm: 5 },
        { level: 'tenantModel', name: 'm', rpm: 20 },
        { level: 'model', name: 'm', rpm: 1000 },
      ],
    },
  },
  {
    name: 'one request above the key budget: 400 up front',
    key: { budgets: [tok(50)] },
    estimate: 60,
    want: 'request_exceeds_budget',
  },
  {
    name: 'one request above the global budget: 400 up front',
    global: { budgets: [tok(50)] },
    estimate: 60,
    want: 'request_exceeds_budget',
  },
  {
    name: 'one request above the tenant-model tpm: 400 up front',
    tenantModel: { tokensPerMinute: 30 },
    want: 'request_exceeds_tpm',
  },
];

function shape(r: NonNullable<ReturnType<typeof composeReservation>>) {
  const lv = (x: {
    budgets?: readonly { limit: number }[] | undefined;
    rpm?: number | undefined;
    tpm?: { limit: number } | undefined;
    concurrency?: { limit: number } | undefined;
  }) => ({
    ...(x.budgets && x.budgets.length > 0 ? { budgets: x.budgets.map((b) => b.limit) } : {}),
    ...(x.rpm !== undefined ? { rpm: x.rpm } : {}),
    ...(x.tpm ? { tpm: x.tpm.limit } : {}),
    ...(x.concurrency ? { concurrency: x.concurrency.limit } : {}),
  });
  return { tenant: lv(r), scopes: (r.scopes ?? []).map((s) => ({ level: s.level, name: s.name, ...lv(s) })) };
}

describe('limit composition (per key, per tenant per model, global per model; most restrictive wins)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const t = tenant({
        name: 't',
        models: ['m'],
        limits: row.tenant ?? {},
        keys: [{ name: 'k', key: 'x'.repeat(40), ...(row.key ? { limits: row.key } : {}) }],
      });
      if (row.tenantModel) t.modelLimits = [{ model: 'm', ...row.tenantModel }];
      const m = model('m', 'http://127.0.0.1:1/v1', row.global ? { globalLimits: row.global } : {});
      if (row.keyId?.endsWith('.previous')) t.keys.push({ ...t.keys[0]!, id: row.keyId, sha256: 'f'.repeat(64) });
      const l = t.limits;
      const needsStore =
        l.budgets.length > 0 ||
        l.requestsPerMinute !== undefined ||
        l.tokensPerMinute !== undefined ||
        l.concurrency !== undefined;
      const run = () =>
        composeReservation({
          id: 'r1',
          tenant: { cfg: t, needsStore },
          keyId: row.keyId ?? 'team-t/t/k',
          model: m,
          estimate: row.estimate ?? 40,
          rawTokens: 40,
          leaseMs: 1000,
        });
      if (typeof row.want === 'string') {
        assert.throws(run, (e: unknown) => e instanceof GatewayError && e.code === row.want);
        return;
      }
      const r = run();
      if (row.want === undefined) return assert.equal(r, undefined);
      assert.ok(r);
      assert.deepEqual(shape(r), row.want);
    });
  }
  it('names key counters by the key, not the rotation', () => {
    assert.equal(keyScopeName('ns/t/batch.previous'), 'ns/t/batch');
    assert.equal(keyScopeName('ns/t/batch'), 'ns/t/batch');
  });
  it('asks for an exact input count when a key or model level has a token budget or tpm', () => {
    const t = tenant({
      name: 't',
      models: ['m'],
      keys: [
        { name: 'k', key: 'x'.repeat(40), limits: { tokensPerMinute: 100 } },
        { name: 'r', key: 'y'.repeat(40), limits: { requestsPerMinute: 1 } },
      ],
    });
    const m = model('m', 'http://127.0.0.1:1/v1');
    assert.equal(scopesNeedExactCount(t, 'team-t/t/k', m), true);
    assert.equal(scopesNeedExactCount(t, 'team-t/t/r', m), false);
    assert.equal(
      scopesNeedExactCount(
        t,
        'team-t/t/r',
        model('m', 'http://127.0.0.1:1/v1', { globalLimits: { budgets: [tok(10)] } }),
      ),
      true,
    );
    assert.equal(
      scopesNeedExactCount(t, 'team-t/t/r', model('m', 'http://127.0.0.1:1/v1', { globalLimits: { concurrency: 1 } })),
      false,
    );
  });
});
