// The operator's half of the delivery contract against the gateway's reading of it (api/delivery.ts,
// api/config-verify.ts): shards as the API server stores them, read one at a time, streamed into the verifier.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyConfigText } from '../../api/config-verify.ts';
import {
  ANN_CONFIG_HASH,
  CONFIG_INDEX_KEY,
  CONFIG_INDEX_NAME,
  CONFIG_SHARD_KEY,
  ConfigPart,
  LABEL_CONFIG_PART,
  checkShard,
  configHashOf,
  parseConfigIndex,
} from '../../api/delivery.ts';
import { generateKey } from '../../api/keys.ts';
import type { CfgTenant } from '../../api/gateway-config.ts';
import { configSecrets } from './delivery.ts';
import { compile } from './index.ts';
import { keySecret, model, policy, tenant } from './testdata.ts';

describe('config delivery, read as the gateway reads it', () => {
  it('index and shards round-trip through base64 Secrets into the streaming verifier, tenant by tenant', async () => {
    const tenants = Array.from({ length: 120 }, (_, i) =>
      tenant(`ns-${i % 7}`, `t-${i}`, { keys: [{ name: 'k' }, { name: 'k2' }] }),
    );
    const secrets = tenants.flatMap((t) => [
      keySecret(t.metadata.namespace!, `${t.metadata.name}-tollgate-keys`, { k: generateKey(), k2: generateKey() }),
    ]);
    const r = compile({
      models: [model('small')],
      tenants,
      policies: [policy('p', { tiers: [{ name: 'gold', models: ['*'] }] })],
      secrets,
    });
    // Small shards: chunk boundaries fall inside tenants.
    const objs = configSecrets(r.gatewayConfig, 'gw', 4 * 1024);
    const stored = objs.map((s) => ({
      ...s,
      data: Object.fromEntries(
        Object.entries(s.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    }));
    const [indexSecret, ...shardSecrets] = stored;
    assert.equal(indexSecret!.metadata!.name, CONFIG_INDEX_NAME);
    assert.equal(indexSecret!.metadata!.labels![LABEL_CONFIG_PART], ConfigPart.enum.index);
    assert.equal(configHashOf(indexSecret!.metadata!.annotations), r.gatewayConfig.hash);
    assert.equal(indexSecret!.metadata!.annotations![ANN_CONFIG_HASH], r.gatewayConfig.hash);
    const index = parseConfigIndex(Buffer.from(indexSecret!.data[CONFIG_INDEX_KEY]!, 'base64').toString('utf8'));
    assert.ok(index.shards.length > 10, `${index.shards.length} shards`);
    const byName = new Map(shardSecrets.map((s) => [s.metadata!.name!, s]));
    async function* shards(): AsyncGenerator<string> {
      for (const ref of index.shards) {
        const s = byName.get(ref.name)!;
        assert.equal(s.metadata!.labels![LABEL_CONFIG_PART], ConfigPart.enum.shard);
        const text = Buffer.from(s.data[CONFIG_SHARD_KEY]!, 'base64').toString('utf8');
        checkShard(ref, text);
        yield text;
      }
    }
    const seen: CfgTenant[] = [];
    const head = await verifyConfigText(shards(), { tenant: (t) => void seen.push(t) });
    assert.equal(head.hash, r.gatewayConfig.hash);
    assert.equal(head.hash, index.hash);
    assert.deepEqual(seen, r.gatewayConfig.tenants);
  });
});
