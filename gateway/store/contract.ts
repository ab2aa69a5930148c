// The one contract both stores pass (memory.test.ts and redis.test.ts run it against real instances).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ReserveRequest, Store } from './types.ts';

export interface StoreFixture {
  store: Store;
  /** A fresh tenant id per test keeps tests independent on a shared instance. */
  tenant(): string;
}

const id = (): string => randomUUID();

function req(tenant: string, over: Partial<ReserveRequest> = {}): ReserveRequest {
  return { id: id(), tenant, budgets: [], ...over };
}

export function storeContract(name: string, fixture: () => StoreFixture): void {
  describe(`store contract: ${name}`, () => {
    it('admits within a budget and refuses past it, with Retry-After inside the window', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const line = { unit: 'tokens' as const, windowSeconds: 3600, limit: 100, amount: 40 };
      assert.equal((await store.reserve(req(t, { budgets: [line] }))).ok, true);
      assert.equal((await store.reserve(req(t, { budgets: [line] }))).ok, true);
      const r = await store.reserve(req(t, { budgets: [line] }));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.reason, 'budget');
      assert.equal(r.budgetIndex, 0);
      assert.ok(r.retryAfterSeconds >= 1 && r.retryAfterSeconds <= 3600, String(r.retryAfterSeconds));
      assert.equal(await store.spent(t, 'tokens', 3600), 80);
    });

    it('is all-or-nothing: a refusal by one control applies none of the others', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const ok = { unit: 'tokens' as const, windowSeconds: 3600, limit: 1000, amount: 10 };
      const tight = { unit: 'tokens' as const, windowSeconds: 86400, limit: 5, amount: 10 };
      const r = await store.reserve(
        req(t, {
          budgets: [ok, tight],
          rpm: 10,
          tpm: { limit: 1000, amount: 10 },
          concurrency: { limit: 5, leaseMs: 60_000 },
        }),
      );
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.budgetIndex, 1);
      assert.equal(await store.spent(t, 'tokens', 3600), 0);
      assert.equal(await store.inflight(t), 0);
      // rpm was not consumed either: 10 more requests fit
      for (let i = 0; i < 10; i++) assert.equal((await store.reserve(req(t, { rpm: 10 }))).ok, true);
      const over = await store.reserve(req(t, { rpm: 10 }));
      assert.equal(over.ok, false);
      if (!over.ok) {
        assert.equal(over.reason, 'rpm');
        assert.ok(over.retryAfterSeconds >= 1 && over.retryAfterSeconds <= 60);
      }
    });

    it('keeps every budget line: the tightest decides', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const hour = { unit: 'tokens' as const, windowSeconds: 3600, limit: 30, amount: 10 };
      const day = { unit: 'tokens' as const, windowSeconds: 86400, limit: 1000, amount: 10 };
      for (let i = 0; i < 3; i++) assert.equal((await store.reserve(req(t, { budgets: [hour, day] }))).ok, true);
      const r = await store.reserve(req(t, { budgets: [hour, day] }));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.budgetIndex, 0);
      assert.equal(await store.spent(t, 'tokens', 86400), 30);
    });

    it('limits tokens per minute and requests in flight; a zero limit admits nothing', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      assert.equal((await store.reserve(req(t, { tpm: { limit: 100, amount: 60 } }))).ok, true);
      const r = await store.reserve(req(t, { tpm: { limit: 100, amount: 60 } }));
      assert.equal(r.ok ? 'ok' : r.reason, 'tpm');
      const c1 = await store.reserve(req(t, { concurrency: { limit: 2, leaseMs: 60_000 } }));
      const c2 = await store.reserve(req(t, { concurrency: { limit: 2, leaseMs: 60_000 } }));
      const c3 = await store.reserve(req(t, { concurrency: { limit: 2, leaseMs: 60_000 } }));
      assert.equal(c1.ok && c2.ok, true);
      assert.equal(c3.ok ? 'ok' : c3.reason, 'concurrency');
      if (!c3.ok) assert.equal(c3.retryAfterSeconds, 1);
      assert.equal(await store.inflight(t), 2);
      if (c1.ok) await store.settle(c1.reservation, { cost: 0, tokens: 0 });
      assert.equal(await store.inflight(t), 1);
      assert.equal((await store.reserve(req(t, { concurrency: { limit: 2, leaseMs: 60_000 } }))).ok, true);
      const z = tenant();
      assert.equal((await store.reserve(req(z, { rpm: 0 }))).ok, false);
      assert.equal((await store.reserve(req(z, { concurrency: { limit: 0, leaseMs: 1000 } }))).ok, false);
      assert.equal(
        (await store.reserve(req(z, { budgets: [{ unit: 'gpuSeconds', windowSeconds: 60, limit: 0, amount: 0.5 }] })))
          .ok,
        false,
      );
    });

    it('expires a concurrency lease that is never released (crashed replica)', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      // a lease long enough that the second reservation surely lands inside it on a loaded machine (Cluster
      // reservations wait for a replica), short enough to keep the test quick
      assert.equal((await store.reserve(req(t, { concurrency: { limit: 1, leaseMs: 1000 } }))).ok, true);
      assert.equal((await store.reserve(req(t, { concurrency: { limit: 1, leaseMs: 1000 } }))).ok, false);
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal((await store.reserve(req(t, { concurrency: { limit: 1, leaseMs: 1000 } }))).ok, true);
    });

    it('settles the actual usage, releases the rest, and settles only once', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const line = { unit: 'tokens' as const, windowSeconds: 3600, limit: 100, amount: 50 };
      const r = await store.reserve(
        req(t, { budgets: [line], tpm: { limit: 1000, amount: 50 }, concurrency: { limit: 1, leaseMs: 60_000 } }),
      );
      assert.ok(r.ok);
      assert.equal(await store.spent(t, 'tokens', 3600), 50);
      await store.settle(r.reservation, { cost: 12.5, tokens: 20 });
      await store.settle(r.reservation, { cost: 12.5, tokens: 20 });
      assert.equal(await store.spent(t, 'tokens', 3600), 12.5);
      assert.equal(await store.inflight(t), 0);
      // what was released is usable again: 87.5 left
      const big = await store.reserve(req(t, { budgets: [{ ...line, amount: 87.5 }] }));
      assert.equal(big.ok, true);
      const more = await store.reserve(req(t, { budgets: [{ ...line, amount: 0.01 }] }));
      assert.equal(more.ok, false);
    });

    it('charges an overrun honestly (actual above the estimate)', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const line = { unit: 'gpuSeconds' as const, windowSeconds: 60, limit: 10, amount: 2 };
      const r = await store.reserve(req(t, { budgets: [line] }));
      assert.ok(r.ok);
      await store.settle(r.reservation, { cost: 3.25, tokens: 0 });
      assert.equal(await store.spent(t, 'gpuSeconds', 60), 3.25);
    });

    it('admits exactly what fits when 50 reservations race for a budget of 5', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const line = { unit: 'tokens' as const, windowSeconds: 86400, limit: 500, amount: 100 };
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          store.reserve(req(t, { budgets: [line], concurrency: { limit: 50, leaseMs: 60_000 } })),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 5);
      assert.equal(await store.spent(t, 'tokens', 86400), 500);
      assert.equal(await store.inflight(t), 5);
    });

    it('keeps tenants apart', async () => {
      const { store, tenant } = fixture();
      const a = tenant();
      const b = tenant();
      const line = { unit: 'tokens' as const, windowSeconds: 3600, limit: 10, amount: 10 };
      assert.equal((await store.reserve(req(a, { budgets: [line] }))).ok, true);
      assert.equal((await store.reserve(req(b, { budgets: [line] }))).ok, true);
      assert.equal((await store.reserve(req(a, { budgets: [line] }))).ok, false);
      assert.equal(await store.ping(), true);
    });

    it('keeps a shared revocation set: the first record stays, a second revoke reports false', async () => {
      const { store } = fixture();
      const keyId = `ns/t/${id()}`;
      assert.equal((await store.revocations()).has(keyId), false);
      assert.equal(await store.revoke(keyId, 'anomaly'), true);
      const first = (await store.revocations()).get(keyId);
      assert.equal(first?.reason, 'anomaly');
      assert.ok(first && !Number.isNaN(Date.parse(first.at)), first?.at);
      assert.equal(await store.revoke(keyId, 'other'), false);
      assert.deepEqual((await store.revocations()).get(keyId), first);
      // a copy: changing the returned map changes nothing in the store
      (await store.revocations()).delete(keyId);
      assert.equal((await store.revocations()).has(keyId), true);
    });

    // ---- levels (issue #13): per key, per tenant per model, global per model; one atomic step ----------

    it('a key limit counts that key only; the tenant limit still counts every key (most restrictive wins)', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const batch = { level: 'key' as const, name: 'batch', rpm: 2 };
      for (let i = 0; i < 2; i++) assert.equal((await store.reserve(req(t, { rpm: 4, scopes: [batch] }))).ok, true);
      const r = await store.reserve(req(t, { rpm: 4, scopes: [batch] }));
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.reason, 'rpm');
        assert.deepEqual(r.scope, { level: 'key', name: 'batch' });
      }
      // another key of the same tenant is not limited by batch's counter, but by the tenant's (2 left of 4)
      const chat = { level: 'key' as const, name: 'chat', rpm: 10 };
      assert.equal((await store.reserve(req(t, { rpm: 4, scopes: [chat] }))).ok, true);
      assert.equal((await store.reserve(req(t, { rpm: 4, scopes: [chat] }))).ok, true);
      const t4 = await store.reserve(req(t, { rpm: 4, scopes: [chat] }));
      assert.equal(t4.ok ? 'ok' : `${t4.reason}/${t4.scope?.level ?? 'tenant'}`, 'rpm/tenant');
    });

    it('is all-or-nothing across levels: a refusal by a global model cap applies nothing anywhere', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const model = `gm-${id()}`;
      const tokens = (limit: number, amount: number) => ({
        unit: 'tokens' as const,
        windowSeconds: 3600,
        limit,
        amount,
      });
      const scopes = (gLimit: number) => [
        { level: 'key' as const, name: 'k1', budgets: [tokens(1000, 10)], concurrency: { limit: 5, leaseMs: 60_000 } },
        {
          level: 'tenantModel' as const,
          name: model,
          tpm: { limit: 1000, amount: 10 },
          concurrency: { limit: 5, leaseMs: 60_000 },
        },
        { level: 'model' as const, name: model, budgets: [tokens(gLimit, 10)] },
      ];
      const r = await store.reserve(
        req(t, { budgets: [tokens(1000, 10)], rpm: 1, concurrency: { limit: 5, leaseMs: 60_000 }, scopes: scopes(5) }),
      );
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.reason, 'budget');
        assert.equal(r.budgetIndex, 0);
        assert.deepEqual(r.scope, { level: 'model', name: model });
      }
      assert.equal(await store.spent(t, 'tokens', 3600), 0);
      assert.equal(await store.spent(t, 'tokens', 3600, { level: 'key', name: 'k1' }), 0);
      assert.equal(await store.inflight(t), 0);
      assert.equal(await store.inflight(t, { level: 'key', name: 'k1' }), 0);
      assert.equal(await store.inflight(t, { level: 'tenantModel', name: model }), 0);
      // and it admits once every level fits; every level is charged and settled
      const ok = await store.reserve(
        req(t, {
          budgets: [tokens(1000, 10)],
          rpm: 1,
          concurrency: { limit: 5, leaseMs: 60_000 },
          scopes: scopes(100),
        }),
      );
      assert.ok(ok.ok);
      assert.equal(await store.spent(t, 'tokens', 3600, { level: 'model', name: model }), 10);
      assert.equal(await store.spent(t, 'tokens', 3600, { level: 'key', name: 'k1' }), 10);
      assert.equal(await store.inflight(t, { level: 'tenantModel', name: model }), 1);
      await store.settle(ok.reservation, { cost: 4, tokens: 4 });
      assert.equal(await store.spent(t, 'tokens', 3600), 4);
      assert.equal(await store.spent(t, 'tokens', 3600, { level: 'key', name: 'k1' }), 4);
      assert.equal(await store.spent(t, 'tokens', 3600, { level: 'model', name: model }), 4);
      assert.equal(await store.inflight(t), 0);
      assert.equal(await store.inflight(t, { level: 'key', name: 'k1' }), 0);
      assert.equal(await store.inflight(t, { level: 'tenantModel', name: model }), 0);
      // the rpm of 1 was used by the admitted request only (the refused one applied nothing)
      const again = await store.reserve(req(t, { rpm: 1 }));
      assert.equal(again.ok ? 'ok' : again.reason, 'rpm');
    });

    it('a scope name unsafe in a key (braces, spaces) still gets its own counters', async () => {
      const { store, tenant } = fixture();
      const t = tenant();
      const odd = { level: 'model' as const, name: `we{ir}d ${id()}`, rpm: 1 };
      assert.equal((await store.reserve(req(t, { scopes: [odd] }))).ok, true);
      const r = await store.reserve(req(tenant(), { scopes: [odd] }));
      assert.equal(r.ok ? 'ok' : `${r.reason}/${r.scope?.level}`, 'rpm/model');
    });

    it('a global per-model cap is shared by every tenant; a tenant-model cap is not', async () => {
      const { store, tenant } = fixture();
      const model = `gpu-${id()}`;
      const a = tenant();
      const b = tenant();
      const cap = (tmLimit: number) => [
        { level: 'tenantModel' as const, name: model, concurrency: { limit: tmLimit, leaseMs: 60_000 } },
        { level: 'model' as const, name: model, concurrency: { limit: 3, leaseMs: 60_000 } },
      ];
      const a1 = await store.reserve(req(a, { scopes: cap(2) }));
      const a2 = await store.reserve(req(a, { scopes: cap(2) }));
      const a3 = await store.reserve(req(a, { scopes: cap(2) }));
      assert.equal(a1.ok && a2.ok, true);
      assert.equal(a3.ok ? 'ok' : `${a3.reason}/${a3.scope?.level}`, 'concurrency/tenantModel');
      const b1 = await store.reserve(req(b, { scopes: cap(2) }));
      assert.equal(b1.ok, true);
      const b2 = await store.reserve(req(b, { scopes: cap(2) }));
      assert.equal(b2.ok ? 'ok' : `${b2.reason}/${b2.scope?.level}`, 'concurrency/model');
      assert.equal(await store.inflight(a, { level: 'model', name: model }), 3);
      if (a1.ok) await store.settle(a1.reservation, { cost: 0, tokens: 0 });
      assert.equal((await store.reserve(req(b, { scopes: cap(2) }))).ok, true);
    });

    it('admits exactly the global cap when 40 reservations of 8 tenants race for it', async () => {
      const { store, tenant } = fixture();
      const model = `race-${id()}`;
      const tenants = Array.from({ length: 8 }, () => tenant());
      const line = { unit: 'tokens' as const, windowSeconds: 86400, limit: 700, amount: 100 };
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.reserve(
            req(tenants[i % 8]!, {
              scopes: [
                { level: 'key', name: `k${i % 3}`, rpm: 1000 },
                { level: 'model', name: model, budgets: [line], concurrency: { limit: 50, leaseMs: 60_000 } },
              ],
            }),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 7);
      assert.equal(await store.spent(tenants[0]!, 'tokens', 86400, { level: 'model', name: model }), 700);
      assert.equal(await store.inflight(tenants[0]!, { level: 'model', name: model }), 7);
    });
  });
}
