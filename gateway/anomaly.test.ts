// Per-key anomaly detection wired into the gateway: a key bursting far above its own baseline is flagged
// (audit + metric) or revoked — and a revocation is shared through Redis by a second gateway process, survives a
// gateway restart, and is enforced locally while Redis is down. Real HTTP, the built-in simulator, a real Redis.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Anomaly } from '../api/v1alpha1/policy.ts';
import { hashKey } from '../api/keys.ts';
import { RedisStore } from './store/redis.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, call, chat, installLeakScan, startStack, waitReady, type Stack } from './test/harness.ts';
import { spawnGateway, type GatewayProcess } from './test/process.ts';
import { startRedis, type RedisServer } from './test/redis.ts';

installLeakScan();

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(() => redis?.stop());

const anomaly = (action: 'flag' | 'revoke'): Anomaly => ({
  enabled: true,
  burstFactor: 4,
  capHitRatio: 0.8,
  failedAuthPerMinute: 20,
  threshold: 0.8,
  action,
});

function anomalyConfig(key: string, name: string, action: 'flag' | 'revoke') {
  return (simUrl: string) =>
    config(
      [model('m1', simUrl)],
      [tenant({ name, models: ['m1'], keys: [{ name: 'k1', key }], over: { anomaly: anomaly(action) } })],
    );
}

/** A clock the test moves: 12 quiet minutes of one request each build the baseline, then a burst. */
function testClock(): { now: () => number; advance(ms: number): void } {
  let t = Date.now() - 30 * 60_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const body = chat('m1', { max_tokens: 64 });

async function warmUp(url: string, key: string, clock: ReturnType<typeof testClock>): Promise<void> {
  for (let i = 0; i < 12; i++) {
    const r = await call(url, '/v1/chat/completions', { key, body });
    assert.equal(r.status, 200, r.text);
    clock.advance(60_000);
  }
}

/** Sends `n` requests in one minute; returns their status codes and error codes. */
async function burst(url: string, key: string, n: number): Promise<{ status: number; code: string | undefined }[]> {
  const out: { status: number; code: string | undefined }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await call(url, '/v1/chat/completions', { key, body });
    out.push({ status: r.status, code: r.json.error?.code });
  }
  return out;
}

async function metricsText(s: Stack): Promise<string> {
  return (await fetch(`${s.gw.metricsUrl}/metrics`)).text();
}

function metricValue(text: string, line: string): number {
  const m = text.split('\n').find((l) => l.startsWith(`${line} `));
  return m === undefined ? 0 : Number(m.slice(line.length + 1));
}

const auditLines = (
  keyId: string,
): {
  audit?: { keyId?: string; anomaly?: { score: number; action: string; components: Record<string, number> } };
  event?: string;
  keyId?: string;
}[] =>
  CAPTURED.filter((l) => l.includes(keyId)).flatMap((l) => {
    try {
      return [
        JSON.parse(l) as {
          audit?: { keyId?: string; anomaly?: { score: number; action: string; components: Record<string, number> } };
          event?: string;
          keyId?: string;
        },
      ];
    } catch {
      return [];
    }
  });

describe('anomaly detection: action flag', () => {
  it("a burst far above the key's baseline is counted and audited, never refused", async () => {
    const key = newKey();
    const clock = testClock();
    const s = await startStack(anomalyConfig(key, 'anom-flag', 'flag'), {
      sim: { outputTokens: 4 },
      app: { anomalyClock: clock.now },
    });
    try {
      await warmUp(s.url, key, clock);
      const res = await burst(s.url, key, 8);
      assert.deepEqual(
        res.map((r) => r.status),
        Array(8).fill(200),
      );
      const text = await metricsText(s);
      assert.ok(
        metricValue(text, 'tollgate_anomalies_total{action="flag",component="burst"}') >= 4,
        text
          .split('\n')
          .filter((l) => l.includes('anomal'))
          .join('\n'),
      );
      assert.equal(metricValue(text, 'tollgate_key_revocations_total'), 0);
      assert.ok(!/tollgate_anomalies_total\{[^}]*(tenant|key)/.test(text), 'no tenant/key labels');
      const keyId = 'team-anom-flag/anom-flag/k1';
      const flagged = auditLines(keyId).filter((l) => l.audit?.anomaly !== undefined);
      assert.ok(flagged.length >= 4, `flagged audit lines: ${flagged.length}`);
      assert.equal(flagged[0]!.audit!.anomaly!.action, 'flag');
      assert.ok(flagged[0]!.audit!.anomaly!.score >= 0.8);
      assert.ok(flagged[0]!.audit!.anomaly!.components.burst! > 0);
      assert.equal(auditLines(keyId).filter((l) => l.event === 'key_revoked').length, 0);
      assert.equal(s.gw.gateway.revocations.has(hashKey(key)), false);
    } finally {
      await s.close();
    }
  });
});

describe('anomaly detection: action revoke', () => {
  it('memory store: the key is revoked mid-burst and refused with revoked_api_key from then on', async () => {
    const key = newKey();
    const clock = testClock();
    const s = await startStack(anomalyConfig(key, 'anom-mem', 'revoke'), {
      sim: { outputTokens: 4 },
      app: { anomalyClock: clock.now },
    });
    try {
      await warmUp(s.url, key, clock);
      const res = await burst(s.url, key, 8);
      const first = res.findIndex((r) => r.status !== 200);
      assert.ok(first > 0 && first <= 5, JSON.stringify(res));
      for (const r of res.slice(first)) assert.deepEqual(r, { status: 401, code: 'revoked_api_key' });
      clock.advance(60 * 60_000); // an hour later: still revoked
      assert.equal((await call(s.url, '/v1/chat/completions', { key, body })).json.error?.code, 'revoked_api_key');
      assert.equal((await call(s.url, '/v1/models', { key })).json.error?.code, 'revoked_api_key');
      const text = await metricsText(s);
      assert.equal(metricValue(text, 'tollgate_key_revocations_total'), 1);
      assert.equal(metricValue(text, 'tollgate_revoked_keys'), 1);
      assert.ok(metricValue(text, 'tollgate_anomalies_total{action="revoke",component="burst"}') >= 1);
      const keyId = 'team-anom-mem/anom-mem/k1';
      const revokedLines = auditLines(keyId).filter((l) => l.event === 'key_revoked');
      assert.equal(revokedLines.length, 1);
      assert.equal(revokedLines[0]!.keyId, keyId);
      // keyed by the key material (issue #13): a rotated key is clean; the record names the key id
      assert.equal((await s.gw.gateway.store.revocations()).get(hashKey(key))?.reason, 'anomaly');
      assert.equal((await s.gw.gateway.store.revocations()).get(hashKey(key))?.keyId, keyId);
    } finally {
      await s.close();
    }
  });

  it('redis store: shared with a second gateway process, kept across a restart, enforced while Redis is down', async () => {
    const key = newKey();
    const clock = testClock();
    const makeConfig = anomalyConfig(key, 'anom-redis', 'revoke');
    const a = await startStack(makeConfig, {
      sim: { outputTokens: 4 },
      redisUrl: redis.url,
      app: { anomalyClock: clock.now },
    });
    let proc: GatewayProcess | undefined;
    try {
      // a second gateway PROCESS on the same Redis: serves the key before, refuses it after the revocation
      proc = await spawnGateway({
        config: makeConfig(a.sim.url),
        args: ['--redis-url', redis.url],
        onOutput: (t) => CAPTURED.push(t),
      });
      const bUrl = proc.url;
      await waitReady(bUrl);
      assert.equal((await call(bUrl, '/v1/chat/completions', { key, body })).status, 200);

      await warmUp(a.url, key, clock);
      const res = await burst(a.url, key, 8);
      assert.ok(
        res.some((r) => r.code === 'revoked_api_key'),
        JSON.stringify(res),
      );
      assert.deepEqual(res.at(-1), { status: 401, code: 'revoked_api_key' });

      const probe = new RedisStore({ url: redis.url });
      await probe.connect();
      try {
        assert.equal((await probe.revocations()).get(hashKey(key))?.reason, 'anomaly');
      } finally {
        await probe.close();
      }
      // the other process picks it up within its refresh period (~2 s)
      assert.equal(
        await eventually(
          async () => (await call(bUrl, '/v1/chat/completions', { key, body })).json.error?.code,
          'revoked_api_key',
          6000,
        ),
        'revoked_api_key',
      );
    } finally {
      await proc?.stop();
      await a.close();
    }

    // a restarted gateway on that Redis refuses the key from its first request
    const c = await startStack(makeConfig, { redisUrl: redis.url });
    try {
      assert.equal(c.gw.gateway.revocations.has(hashKey(key)), true);
      assert.equal((await call(c.url, '/v1/chat/completions', { key, body })).json.error?.code, 'revoked_api_key');
    } finally {
      await c.close();
    }
  });

  it('redis down: the revocation is enforced locally at once and written to Redis when it is back', async () => {
    const key = newKey();
    const clock = testClock();
    const keyId = 'team-anom-down/anom-down/k1';
    const s = await startStack(anomalyConfig(key, 'anom-down', 'revoke'), {
      sim: { outputTokens: 4 },
      redisUrl: redis.url,
      app: { anomalyClock: clock.now, revocationRefreshMs: 200 },
    });
    try {
      await warmUp(s.url, key, clock);
      redis.pause();
      let res: { status: number; code: string | undefined }[];
      try {
        res = await burst(s.url, key, 8);
      } finally {
        redis.resume();
      }
      assert.ok(
        res.some((r) => r.code === 'revoked_api_key'),
        JSON.stringify(res),
      );
      assert.deepEqual(res.at(-1), { status: 401, code: 'revoked_api_key' });
      const line = auditLines(keyId).find((l) => l.event === 'key_revoked') as { shared?: boolean } | undefined;
      assert.equal(line?.shared, false);
      const probe = new RedisStore({ url: redis.url });
      await probe.connect();
      try {
        assert.equal(await eventually(async () => (await probe.revocations()).has(hashKey(key)), true, 8000), true);
      } finally {
        await probe.close();
      }
      // the write landed (the probe saw it); the replica's own bookkeeping follows when its call returns
      assert.equal(await eventually(async () => s.gw.gateway.revocations.pending, 0, 2000), 0);
      assert.equal((await call(s.url, '/v1/chat/completions', { key, body })).json.error?.code, 'revoked_api_key');
      assert.ok(metricValue(await metricsText(s), 'tollgate_store_errors_total{op="revoke"}') >= 1);
    } finally {
      await s.close();
    }
  });
});

async function eventually<T>(fn: () => Promise<T>, want: T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (v !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}
