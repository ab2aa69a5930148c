// Issue #13 through two real gateway replicas on one real Redis: per-key and global per-model limits exact
// across replicas, the revocation lifecycle by key material (revoke -> 401 within 2 s, rotate -> the new key
// works, unrevoke -> the old key works again), through the `tollgate keys` CLI, and bring-your-own keys of
// any format end to end.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fingerprint, hashKey } from '../../api/keys.ts';
import { planRevokedKeys, revokedMaterial } from '../../operator/status/revocations.ts';
import { RedisStore } from './redis.ts';
import type { GatewayConfig } from '../../api/gateway-config.ts';
import { ALL_KEYS, config, model, newKey, tenant } from '../test/fixtures.ts';
import { call, chat, installLeakScan, startStack, type Res, type Stack } from '../test/harness.ts';
import { startRedis, waitFor, type RedisServer } from '../test/redis.ts';

installLeakScan();
const run = promisify(execFile);

// A Vault-style token and an opaque one with punctuation: any format, only the hash is used.
const byo = `hvs.CAESI${'Jq3xT9kLmPz0aBcD'.repeat(3)}_x-Y`;
const byo2 = `${'a1B2-c3D4_e5F6.g7H8~'.repeat(3)}`;
ALL_KEYS.push(byo, byo2);
const k = {
  batch: newKey(),
  chat: newKey(),
  gpuB: newKey(),
  gpuC: newKey(),
  r1: newKey(),
  r1next: newKey(),
  r2: newKey(),
  slow: newKey(),
};

let server: RedisServer;
let a: Stack;
let b: Stack;
let dir: string;
const SIM = { latencyMs: 2000, outputTokens: 8 };

function cfg(simUrl: string, rotated = false): GatewayConfig {
  const c = config(
    [model('m1', simUrl), model('gpu', simUrl, { globalLimits: { concurrency: 3 } })],
    [
      tenant({
        name: 'a',
        models: ['m1'],
        limits: { maxOutputTokens: 8, concurrency: 20 },
        keys: [
          { name: 'batch', key: k.batch, limits: { concurrency: 2 } },
          { name: 'chat', key: k.chat },
          { name: 'r1', key: rotated ? k.r1next : k.r1 },
          { name: 'r2', key: k.r2 },
          { name: 'vault', key: byo },
          { name: 'slow', key: k.slow, limits: { requestsPerMinute: 3, tokensPerMinute: 100_000 } },
          { name: 'opaque', key: byo2 },
        ],
      }),
      tenant({ name: 'b', models: ['gpu'], limits: { maxOutputTokens: 8 }, keys: [{ name: 'k', key: k.gpuB }] }),
      tenant({ name: 'c', models: ['gpu'], limits: { maxOutputTokens: 8 }, keys: [{ name: 'k', key: k.gpuC }] }),
    ],
  );
  if (rotated) {
    // what the operator compiles after a rotation: the old material as `<key>.previous`, valid for the grace period
    c.tenants[0]!.keys.push({
      id: 'team-a/a/r1.previous',
      sha256: hashKey(k.r1),
      scopes: ['chat.completions'],
      revoked: false,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    return config(c.models, c.tenants);
  }
  return c;
}

before(async () => {
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'tg-keys-'));
  // default revocation refresh (1 s): the figure the README promises (a change reaches every replica within ~1 s)
  a = await startStack((u) => cfg(u), { redisUrl: server.url, sim: SIM });
  b = await startStack((u) => cfg(u), { redisUrl: server.url, sim: SIM });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg('http://127.0.0.1:1/v1')));
});
after(async () => {
  await a?.close().catch(() => undefined);
  await b?.close().catch(() => undefined);
  await server?.stop();
});

const codes = (rs: Res[]) => rs.map((r) => (r.status === 200 ? 'ok' : (r.json.error?.code ?? String(r.status)))).sort();
const fast = (key: string, s: Stack) =>
  call(s.url, '/v1/chat/completions', { key, body: chat('m1', { max_tokens: 1 }) });
// auth only (no upstream call): GET /v1/models answers 200 for a usable key
const authOk = async (key: string, s: Stack) => (await call(s.url, '/v1/models', { key })).status;
async function until(key: string, status: number): Promise<number> {
  const t0 = Date.now();
  await waitFor(
    `both replicas answer ${status}`,
    async () => (await authOk(key, a)) === status && (await authOk(key, b)) === status,
    10_000,
    25,
  );
  return Date.now() - t0;
}
const until401 = (key: string) => until(key, 401);
const cli = (...args: string[]) =>
  run(process.execPath, ['bin/tollgate.ts', 'keys', ...args, '--config', join(dir, 'config.json')], {
    env: { ...process.env, TOLLGATE_REDIS_URL: server.url },
  });

describe('limits at every level, exact across two gateway replicas on one Redis', () => {
  it("a key limit (concurrency 2) admits exactly 2 of 8 concurrent requests spread over both replicas; the tenant's other key is not held back", async () => {
    const batch = Array.from({ length: 8 }, (_, i) =>
      call((i % 2 ? a : b).url, '/v1/chat/completions', { key: k.batch, body: chat('m1') }),
    );
    const other = fast(k.chat, a);
    const got = await Promise.all(batch);
    assert.deepEqual(codes(got), [...Array(6).fill('concurrency_limit'), 'ok', 'ok']);
    assert.equal((await other).status, 200);
  });

  it('a key rpm (3) admits exactly 3 of 9 requests spread over both replicas (one clock minute)', async () => {
    // rpm windows are clock minutes: start well inside one, so the burst cannot straddle two
    const sec = new Date().getUTCSeconds();
    if (sec > 45) await new Promise((r) => setTimeout(r, (61 - sec) * 1000));
    const got = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        call((i % 2 ? a : b).url, '/v1/chat/completions', { key: k.slow, body: chat('m1', { max_tokens: 1 }) }),
      ),
    );
    assert.deepEqual(codes(got), [...Array(3).fill('ok'), ...Array(6).fill('rate_limit_requests')].sort());
  });

  it('a global per-model cap (concurrency 3) is shared by two tenants on two replicas: exactly 3 of 8 admitted', async () => {
    const got = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call((i % 2 ? a : b).url, '/v1/chat/completions', { key: i < 4 ? k.gpuB : k.gpuC, body: chat('gpu') }),
      ),
    );
    assert.deepEqual(codes(got), [...Array(5).fill('concurrency_limit'), 'ok', 'ok', 'ok']);
  });
});

describe('revocation lifecycle by key material (tollgate keys)', () => {
  it('revoke -> 401 revoked_api_key on both replicas within 2 s; rotate -> the new key works, the old material stays revoked', async () => {
    assert.equal(await authOk(k.r1, a), 200);
    const out = await cli('revoke', 'team-a/a/r1', '--reason', 'leaked in a ticket', '--by', 'alice');
    assert.match(out.stdout, /revoked key team-a\/a\/r1 material [a-f0-9]{16}/);
    assert.match(out.stdout, /kubectl -n team-a annotate llmtenant a 'tollgate\.dev\/revoked\.[a-f0-9]{16}=/);
    const ms = await until401(k.r1);
    console.log(`revoke -> 401 on both replicas after ${ms} ms`);
    assert.ok(ms <= 2000, `took ${ms} ms`);
    const r = await fast(k.r1, b);
    assert.equal(r.json.error?.code, 'revoked_api_key');
    // rotation: the operator issues new material for r1 and keeps the old one as r1.previous
    for (const s of [a, b]) assert.ok(s.gw.holder.apply(cfg(s.sim.url, true), 'test').ok);
    assert.equal((await fast(k.r1next, a)).status, 200);
    assert.equal(await authOk(k.r1next, b), 200);
    assert.equal((await fast(k.r1, a)).json.error?.code, 'revoked_api_key'); // .previous: the same material, still revoked
    const list = JSON.parse((await cli('list', '--json')).stdout) as { keyId?: string; by?: string; reason: string }[];
    assert.ok(
      list.some((e) => e.keyId === 'team-a/a/r1' && e.by === 'alice' && e.reason === 'leaked in a ticket'),
      JSON.stringify(list),
    );
  });

  it('unrevoke -> the old key (not rotated) works again on both replicas within 2 s; the audit trail has both actions', async () => {
    await cli('revoke', 'team-a/a/r2');
    await until401(k.r2);
    const keyFile = join(dir, 'r2.key');
    writeFileSync(keyFile, `${k.r2}\n`, { mode: 0o600 });
    const out = await cli('unrevoke', '--key-file', keyFile, '--by', 'bob');
    assert.match(out.stdout, /lifted: material [a-f0-9]{16}/);
    const ms = await until(k.r2, 200);
    console.log(`unrevoke -> 200 on both replicas after ${ms} ms`);
    assert.ok(ms <= 2000, `took ${ms} ms`);
    const trail = JSON.parse((await cli('audit', '--json')).stdout) as {
      action: string;
      keyId?: string;
      by?: string;
    }[];
    assert.deepEqual(
      trail.slice(0, 2).map((e) => `${e.action}/${e.keyId ?? '-'}/${e.by?.startsWith('cli:') ? 'cli:*' : e.by}`),
      ['unrevoke/-/bob', 'revoke/team-a/a/r2/cli:*'],
    );
    // the CLI printed no key material
    assert.equal(out.stdout.includes(k.r2.slice(4, 20)), false);
  });
});

describe('bring-your-own keys of any format', () => {
  it('a Vault-style and an opaque key work end to end on both replicas; malformed or oversized ones are invalid_api_key', async () => {
    for (const s of [a, b]) {
      assert.equal((await fast(byo, s)).status, 200);
      assert.equal((await fast(byo2, s)).status, 200);
    }
    assert.equal((await fast(byo.slice(0, -1), a)).json.error?.code, 'invalid_api_key');
    assert.equal((await fast('x'.repeat(5000), a)).json.error?.code, 'invalid_api_key');
    assert.equal((await fast('short-key', a)).json.error?.code, 'invalid_api_key');
    assert.equal(
      (
        await call(a.url, '/v1/chat/completions', {
          headers: { authorization: `Bearer ${byo.slice(0, 20)} ${byo.slice(20)}` },
          body: chat('m1'),
        })
      ).json.error?.code,
      'invalid_api_key',
    );
  });

  it('the same lifecycle: revoked and lifted by its hash', async () => {
    await cli('revoke', hashKey(byo2));
    await until401(byo2);
    await cli('unrevoke', 'team-a/a/opaque');
    await until(byo2, 200);
    // and by the fingerprint shown in `keys list` and the LLMTenant status
    await cli('revoke', hashKey(byo2));
    await until401(byo2);
    await cli('unrevoke', fingerprint(hashKey(byo2)));
    await until(byo2, 200);
  });
});

describe('revocations survive a Redis wipe while every replica restarts (issue #15): the operator compiles them into the config', () => {
  it('without the sticky record a restarted replica on the wiped store accepts the key; with it (compiled revoked: true) it refuses', async () => {
    const victim = k.chat;
    await cli('revoke', 'team-a/a/chat', '--reason', 'anomaly');
    await until401(victim);
    // The operator's step (operator/reconcile/tenant.ts): what the replicas publish on their Leases becomes
    // status.revokedKeys (sticky), and the compiler marks that material revoked in the gateway config.
    const published = a.gw.gateway.revocations.list().map(([id, r]) => ({ id, reason: r.reason, at: r.at }));
    const t = cfg(a.sim.url).tenants[0]!;
    const plan = planRevokedKeys(
      'team-a/a',
      undefined,
      published,
      undefined,
      t.keys.map((x) => ({ name: x.id.split('/')[2]!, fingerprint: fingerprint(x.sha256) })),
      new Date(),
    );
    assert.ok(
      plan.next.some((r) => r.key === 'chat' && r.by === 'gateway'),
      JSON.stringify(plan.next),
    );
    const sticky = revokedMaterial({
      metadata: { name: 'a', namespace: 'team-a' },
      status: { revokedKeys: plan.next },
    });
    const compiled = (u: string): GatewayConfig => {
      const c = cfg(u);
      for (const x of c.tenants[0]!.keys) if (sticky.has(fingerprint(x.sha256))) x.revoked = true;
      return config(c.models, c.tenants);
    };
    // every replica goes away, and Redis loses everything
    await a.close();
    await b.close();
    const probe = new RedisStore({ url: server.url });
    await probe.connect();
    await probe.client.flushall();
    await probe.close();
    const before = await startStack((u) => cfg(u), { redisUrl: server.url, sim: { latencyMs: 0 } });
    try {
      assert.equal(await authOk(victim, before), 200, 'the hole this closes: nothing remembers the revocation');
    } finally {
      await before.close();
    }
    const after = await startStack(compiled, { redisUrl: server.url, sim: { latencyMs: 0 } });
    try {
      const r = await call(after.url, '/v1/models', { key: victim });
      assert.equal(r.json.error?.code, 'revoked_api_key');
      assert.equal(await authOk(k.batch, after), 200); // only that material
    } finally {
      await after.close();
    }
  });
});
