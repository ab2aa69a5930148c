// Issue #15, item 5: rediss:// against a real TLS-only redis-server (certificates made by the test), with an
// ACL user and password; the password never in any process's argv, in logs, in errors or on the admin port.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { makeCerts, type TestCerts } from '../test/certs.ts';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { call, waitReady } from '../test/harness.ts';
import { spawnGateway } from '../test/process.ts';
import { startRedis, waitFor, type RedisServer } from '../test/redis.ts';
import { startSimulator, type Simulator } from '../sim/sim.ts';
import { RedisStore } from './redis.ts';
import { StoreUnavailableError } from './types.ts';

const password = `pw-${randomBytes(12).toString('hex')}`;
let certs: TestCerts;
let server: RedisServer;
let url: string;
before(async () => {
  certs = makeCerts();
  server = await startRedis({
    tls: true,
    conf: [
      `tls-cert-file ${certs.certFile}`,
      `tls-key-file ${certs.keyFile}`,
      `tls-ca-cert-file ${certs.caFile}`,
      'tls-auth-clients no',
      'user default off',
      `user tollgate on >${password} ~tg:* resetchannels +@all -@dangerous`,
    ],
  });
  url = `rediss://tollgate:${password}@127.0.0.1:${server.port}`;
});
after(async () => {
  await server?.stop();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

const ca = (): Buffer => readFileSync(certs.caFile);

describe('rediss:// with an ACL user', () => {
  it('reserves and settles over TLS as the ACL user', async () => {
    const store = new RedisStore({ url, tls: { ca: ca() } });
    await store.connect();
    try {
      const r = await store.reserve({
        id: 'tls-1',
        tenant: 'team-tls/a',
        budgets: [{ unit: 'tokens', windowSeconds: 3600, limit: 100, amount: 60 }],
        concurrency: { limit: 1, leaseMs: 5000 },
      });
      assert.ok(r.ok);
      await store.settle(r.reservation, { cost: 10, tokens: 10 });
      assert.equal(await store.spent('team-tls/a', 'tokens', 3600), 10);
      assert.equal(store.health().state, 'ok');
    } finally {
      await store.close();
    }
  });

  it('refuses plaintext, an unknown CA, the default user and a wrong password — and no error carries the password', async () => {
    const plain = new Redis({
      port: server.port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: () => null,
    });
    plain.on('error', () => undefined);
    await assert.rejects(plain.connect().then(() => plain.ping()));
    plain.disconnect();
    const messages: string[] = [];
    for (const [u, tls] of [
      [url, {}], // the server's CA is not trusted
      [`rediss://127.0.0.1:${server.port}`, { ca: ca() }], // default user is off
      [`rediss://tollgate:${password}x@127.0.0.1:${server.port}`, { ca: ca() }], // wrong password
    ] as const) {
      const s = new RedisStore({ url: u, tls, connectTimeoutMs: 1500 });
      try {
        await s.connect();
        await s.reserve({
          id: `x${messages.length}`,
          tenant: 'team-tls/b',
          budgets: [{ unit: 'tokens', windowSeconds: 60, limit: 1, amount: 1 }],
        });
        assert.fail(`connected with ${u.replace(password, '***')}`);
      } catch (e) {
        assert.ok(e instanceof StoreUnavailableError, String(e));
        messages.push(e.message);
      } finally {
        await s.close();
      }
    }
    assert.match(messages[0]!, /certificate/i);
    assert.match(messages[1]!, /NOAUTH|NOPERM|WRONGPASS|auth/i);
    assert.match(messages[2]!, /WRONGPASS/);
    for (const m of messages) assert.ok(!m.includes(password) && !m.includes(password.slice(3, 15)), m);
  });

  it('a gateway process: URL from the environment, CA from NODE_EXTRA_CA_CERTS; the password in no argv, log line or admin page', async () => {
    const key = newKey();
    const sim: Simulator = await startSimulator({ latencyMs: 0 });
    let out = '';
    const gw = await spawnGateway({
      config: config(
        [model('m1', sim.url)],
        [
          tenant({
            name: 'tls',
            models: ['m1'],
            keys: [{ name: 'k', key }],
            limits: { budgets: [{ unit: 'tokens', limit: 100_000, windowSeconds: 3600 }] },
          }),
        ],
      ),
      args: ['--log-level', 'debug'],
      env: { ...process.env, TOLLGATE_REDIS_URL: url, NODE_EXTRA_CA_CERTS: certs.caFile },
      onOutput: (t) => (out += t),
    });
    try {
      await waitReady(gw.url);
      const r = await call(gw.url, '/v1/chat/completions', {
        key,
        body: { model: 'm1', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] },
      });
      assert.equal(r.status, 200, r.text);
      const admin = await (await fetch(`${gw.metricsUrl}/readyz`)).text();
      const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
      assert.match(admin, /"reachable":true/);
      const argvs = [gw.proc.pid, server.pid].map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      // make Redis fail under the gateway: the error paths must not leak it either
      server.pause();
      await call(gw.url, '/v1/chat/completions', {
        key,
        body: { model: 'm1', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] },
      });
      server.resume();
      await waitFor('ready again', async () => (await fetch(`${gw.metricsUrl}/readyz`)).status === 200, 10_000);
      for (const [what, text] of [
        ['gateway argv', argvs[0]!],
        ['redis-server argv', argvs[1]!],
        ['logs', out],
        ['readyz', admin],
        ['metrics', metrics],
      ] as const) {
        assert.ok(!text.includes(password), `${what} holds the password`);
      }
    } finally {
      await gw.stop();
      await sim.close();
    }
  });
});
