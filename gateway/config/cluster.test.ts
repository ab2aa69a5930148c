// The in-cluster source against a fake API server (what it lists, watches and patches): the index from
// the watch cache, the shards read one by one by name, checked, streamed; the replica Lease it publishes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONFIG_INDEX_KEY,
  CONFIG_INDEX_NAME,
  CONFIG_SHARD_KEY,
  ConfigPart,
  DELIVERY_LABELS,
  LABEL_CONFIG_PART,
  UPSTREAM_CREDENTIALS_SECRET,
  configHashOf,
  configIndexText,
  leaseRevokedKeys,
  shardRef,
} from '../../api/delivery.ts';
import type { GatewayConfig } from '../../api/gateway-config.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { ClusterConfigSource, WATCH_SELECTOR } from './cluster.ts';
import { ConfigHolder } from './holder.ts';
import { configSecrets } from '../../operator/compiler/delivery.ts';

const NS = 'gw';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
let rv = 1;

function secret(name: string, part: string | undefined, data: Record<string, string>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: NS,
      resourceVersion: String(rv++),
      labels: { ...DELIVERY_LABELS, ...(part ? { [LABEL_CONFIG_PART]: part } : {}) },
    },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/** The Secrets the operator publishes for `cfg`, its JSON text cut into `n` pieces. */
function publish(cfg: GatewayConfig, n: number): KObject[] {
  const text = JSON.stringify(cfg);
  const size = Math.ceil(text.length / n);
  const parts = Array.from({ length: n }, (_, i) => text.slice(i * size, (i + 1) * size));
  const refs = parts.map(shardRef);
  return [
    ...parts.map((p, i) => secret(refs[i]!.name, ConfigPart.enum.shard, { [CONFIG_SHARD_KEY]: p })),
    secret(CONFIG_INDEX_NAME, ConfigPart.enum.index, {
      [CONFIG_INDEX_KEY]: configIndexText({ schemaVersion: cfg.schemaVersion, hash: cfg.hash, shards: refs }),
    }),
  ];
}

class FakeApi {
  readonly objects = new Map<string, KObject>();
  readonly lists: { labelSelector?: string | undefined; fieldSelector?: string | undefined }[] = [];
  readonly patches: KObject[] = [];
  /** How long each next PATCH takes to land, in order (then at once). */
  patchDelays: number[] = [];
  put(...objs: KObject[]): void {
    for (const o of objs) this.objects.set(o.metadata.name, o);
  }
  client(): KubeClient {
    const api = {
      list: async (
        _r: unknown,
        o: { labelSelector?: string; fieldSelector?: string; transform?: (x: KObject) => KObject },
      ) => {
        this.lists.push({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector });
        const sel = (o.labelSelector ?? '').split(',').filter(Boolean);
        const name = o.fieldSelector?.replace(/^metadata\.name=/, '');
        const items = [...this.objects.values()].filter(
          (x) =>
            (name === undefined || x.metadata.name === name) &&
            sel.every((s) => {
              const [k, v] = s.includes('!=') ? s.split('!=') : s.split('=');
              const have = x.metadata.labels?.[k!];
              return s.includes('!=') ? have !== v : have === v;
            }),
        );
        return {
          items: structuredClone(items).map((x) => (o.transform ? o.transform(x) : x)),
          resourceVersion: String(rv),
        };
      },
      watch: (_p: string, _q: unknown, _cb: unknown, signal: AbortSignal) =>
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
      request: async (_m: string, _p: string, o: { body?: unknown }) => {
        // an API server slow to answer: the write lands (is recorded) when it answers
        const delay = this.patchDelays.shift() ?? 0;
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        this.patches.push(o.body as KObject);
        return {};
      },
    };
    return api as unknown as KubeClient;
  }
}

function source(api: FakeApi, holder: ConfigHolder, credentials = new Map<string, string>()): ClusterConfigSource {
  return new ClusterConfigSource({
    client: api.client(),
    namespace: NS,
    holder,
    credentials,
    replicaName: 'r1',
    revoked: () => [['team-a/a/k', { reason: 'anomaly', at: '2026-12-01T10:00:00Z' }]],
    log: () => undefined,
  });
}

const key = newKey();
const cfg1 = config(
  [model('m1', 'http://127.0.0.1:1/v1')],
  Array.from({ length: 20 }, (_, i) =>
    tenant({ name: `t${i}`, models: ['m1'], keys: i === 0 ? [{ name: 'k', key }] : [] }),
  ),
);
const cfg2 = config(
  [model('m1', 'http://127.0.0.1:2/v1')],
  [tenant({ name: 't0', models: ['m1'], keys: [{ name: 'k', key }] })],
);

describe('ClusterConfigSource', () => {
  it('watches the index and credentials only, reads the shards one by one by name, and applies the config', async () => {
    const api = new FakeApi();
    api.put(...publish(cfg1, 5), secret(UPSTREAM_CREDENTIALS_SECRET, undefined, { 'models.m1': 'token-1' }));
    const holder = new ConfigHolder();
    const creds = new Map<string, string>();
    const src = source(api, holder, creds);
    try {
      await src.start();
      assert.equal(holder.current?.hash, cfg1.hash);
      assert.equal(holder.current?.tenantCount, 20);
      assert.deepEqual([...creds], [['models.m1', 'token-1']]);
      assert.equal(api.lists[0]?.labelSelector, WATCH_SELECTOR, 'the watch leaves the shards out');
      const shardReads = api.lists.filter((l) => l.fieldSelector !== undefined).map((l) => l.fieldSelector);
      assert.equal(shardReads.length, 5);
      assert.ok(shardReads.every((f) => /^metadata\.name=tollgate-gateway-config-[a-f0-9]{20}$/.test(f!)));
      const lease = api.patches.at(-1)!;
      assert.equal(lease.metadata.name, 'tollgate-gateway-r1');
      assert.equal(configHashOf(lease.metadata.annotations), cfg1.hash);
      assert.deepEqual(
        leaseRevokedKeys(lease.metadata.annotations).map((r) => r.id),
        ['team-a/a/k'],
      );
    } finally {
      src.stop();
    }
  });

  it('a graceful stop releases the replica Lease (one second from now), so the operator stops counting it at once', async () => {
    const api = new FakeApi();
    api.put(...publish(cfg1, 2));
    const src = source(api, new ConfigHolder());
    await src.start();
    src.stop();
    const before = api.patches.length;
    await src.release();
    assert.equal(api.patches.length, before + 1);
    const lease = api.patches.at(-1)! as unknown as { metadata: { name: string }; spec: Record<string, unknown> };
    assert.equal(lease.metadata.name, 'tollgate-gateway-r1');
    assert.equal(lease.spec['leaseDurationSeconds'], 1);
    assert.equal(lease.spec['holderIdentity'], 'r1');
  });

  it('a renewal in flight when the replica stops lands before the release, not after it', async () => {
    const api = new FakeApi();
    api.put(...publish(cfg1, 2));
    const holder = new ConfigHolder();
    const src = source(api, holder);
    await src.start();
    api.patchDelays = [60]; // the renewal is slow; the release after it is not
    holder.apply(cfg2, 'test'); // a config applied: the Lease is renewed (slowly)
    src.stop();
    await src.release();
    await new Promise((r) => setTimeout(r, 100));
    const last = api.patches.at(-1)! as unknown as { spec: Record<string, unknown> };
    assert.equal(last.spec['leaseDurationSeconds'], 1, 'the release is the last word');
  });

  it('a shard that does not match the index is a refusal; the config in force stays', async () => {
    const api = new FakeApi();
    api.put(...publish(cfg1, 3));
    const holder = new ConfigHolder();
    const src = source(api, holder);
    try {
      await src.start();
      const next = publish(cfg2, 3);
      const shard = next[1]!;
      (shard['data'] as Record<string, string>)[CONFIG_SHARD_KEY] = b64('{"tampered":true}');
      api.put(...next);
      (src as unknown as { secrets: { ingest(t: 'MODIFIED', o: KObject): void } }).secrets.ingest(
        'MODIFIED',
        next.at(-1)!,
      );
      await src.sync();
      assert.equal(holder.current?.hash, cfg1.hash);
      assert.match(holder.lastError?.message ?? '', /does not match its checksum/);
    } finally {
      src.stop();
    }
  });

  it('a shard not there yet is retried, not refused', async () => {
    const api = new FakeApi();
    const objs = publish(cfg2, 4);
    api.put(...objs.filter((o) => o.metadata.name !== objs[2]!.metadata.name));
    const holder = new ConfigHolder();
    const src = source(api, holder);
    try {
      await src.start();
      assert.equal(holder.current, undefined);
      assert.equal(holder.lastError, undefined, 'not a refusal');
      api.put(objs[2]!);
      await src.sync(); // what the retry timer does
      assert.equal((holder.current as { hash: string } | undefined)?.hash, cfg2.hash);
    } finally {
      src.stop();
    }
  });

  it('an index that is not a valid ConfigIndex is a refusal', async () => {
    const api = new FakeApi();
    api.put(
      secret(CONFIG_INDEX_NAME, ConfigPart.enum.index, {
        [CONFIG_INDEX_KEY]: JSON.stringify({ hash: cfg1.hash, shards: [{ name: '../../etc', sha256: 'x', bytes: 1 }] }),
      }),
    );
    const holder = new ConfigHolder();
    const src = source(api, holder);
    try {
      await src.start();
      assert.equal(holder.current, undefined);
      assert.match(holder.lastError?.message ?? '', /config index is invalid/);
      assert.equal(api.lists.filter((l) => l.fieldSelector !== undefined).length, 0, 'no shard read for a bad index');
    } finally {
      src.stop();
    }
  });

  it('after a change to one tenant, reads the shards that changed and verifies that tenant only', async () => {
    // the operator's own layout: content-defined chunks of whole tenants (operator/compiler/delivery.ts)
    const tenants = Array.from({ length: 400 }, (_, i) => tenant({ name: `t${i}`, models: ['m1'] }));
    const before = config([model('m1', 'http://127.0.0.1:1/v1')], tenants);
    const after = config(
      [model('m1', 'http://127.0.0.1:1/v1')],
      tenants.map((t) => (t.name === 't7' ? { ...t, suspended: true } : t)),
    );
    const asObjects = (c: GatewayConfig): KObject[] =>
      configSecrets(c, NS).map((x) => secret(x.metadata!.name!, x.metadata!.labels![LABEL_CONFIG_PART], x.stringData!));
    const api = new FakeApi();
    api.put(...asObjects(before));
    const holder = new ConfigHolder();
    const src = source(api, holder);
    try {
      await src.start();
      assert.equal(holder.current?.hash, before.hash);
      const shards = asObjects(before).length - 1;
      assert.ok(shards >= 3, `several chunks (${shards})`);
      assert.equal(src.shardReads, shards);
      const [hits, misses] = [src.memo.hits, src.memo.misses];
      const next = asObjects(after);
      api.put(...next);
      const ingest = (src as unknown as { secrets: { ingest(t: 'MODIFIED', o: KObject): void } }).secrets;
      ingest.ingest(
        'MODIFIED',
        next.find((o) => o.metadata.name === CONFIG_INDEX_NAME)!,
      );
      await src.sync();
      assert.equal(holder.current?.hash, after.hash);
      assert.equal(src.shardReads - shards, 2, 'the head (it carries the hash) and the chunk of t7');
      assert.deepEqual([src.memo.hits - hits, src.memo.misses - misses], [399, 1], 'one tenant verified');
      assert.equal(holder.current?.config.tenants.find((t) => t.name === 't7')?.suspended, true);
    } finally {
      src.stop();
    }
  });
});
