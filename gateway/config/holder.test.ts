import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hashKey } from '../../api/keys.ts';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { ConfigHolder } from './holder.ts';
import { ConfigText, readConfigFile } from './source.ts';

const keys = [newKey(), newKey(), newKey()];
const v1 = () =>
  config(
    [model('m1', 'http://127.0.0.1:1/v1')],
    [
      tenant({
        name: 'a',
        models: ['m1'],
        keys: [
          { name: 'k', key: keys[0]! },
          { name: 'old', key: keys[1]!, expiresAt: '2020-01-01T00:00:00Z' },
        ],
      }),
      tenant({ name: 'b', models: ['m1'], keys: [{ name: 'k', key: keys[2]! }] }),
    ],
  );
const v2 = () =>
  config(
    [model('m1', 'http://127.0.0.1:1/v1')],
    [tenant({ name: 'a', models: ['m1'], keys: [{ name: 'k', key: keys[0]! }] })],
  );

function* pieces(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('ConfigHolder', () => {
  it('applies JSON text in chunks to the same snapshot as the object', async () => {
    const a = new ConfigHolder();
    const b = new ConfigHolder();
    const r1 = a.apply(v1(), 'object');
    const r2 = await b.applyText(pieces(JSON.stringify(v1()), 5), 'text');
    assert.ok(r1.ok && r2.ok && r1.changed && r2.changed);
    assert.equal(r1.hash, r2.hash);
    const [sa, sb] = [a.current!, b.current!];
    assert.deepEqual([...sb.keys.keys()].sort(), [...sa.keys.keys()].sort());
    assert.deepEqual([sb.tenantCount, sb.models.size], [2, 1]);
    const k = sb.keys.get(hashKey(keys[1]!))!;
    assert.deepEqual(
      [k.id, k.expiresAtMs, k.tenant.cfg.id],
      ['team-a/a/old', Date.parse('2020-01-01T00:00:00Z'), 'team-a/a'],
    );
  });

  it('shares equal tenant settings among tenants', async () => {
    const h = new ConfigHolder();
    await h.applyText([JSON.stringify(v1())], 'text');
    const ka = h.current!.keys.get(hashKey(keys[0]!))!;
    const kb = h.current!.keys.get(hashKey(keys[2]!))!;
    assert.equal(ka.tenant.cfg.limits, kb.tenant.cfg.limits, 'equal limits are one object');
    assert.equal(ka.tenant.cfg.guardrails, kb.tenant.cfg.guardrails);
    assert.equal(ka.tenant.models, kb.tenant.models);
    assert.equal(ka.scopes, kb.scopes);
  });

  it('refuses broken text and keeps the config in force; an unchanged config is not swapped', async () => {
    const h = new ConfigHolder();
    const refused: string[] = [];
    h.observe({ refused: (e) => refused.push(e.message) });
    assert.ok((await h.applyText([JSON.stringify(v1())], 'text')).ok);
    const before = h.current;
    const text = JSON.stringify(v2());
    for (const bad of [text.slice(0, -3), text.replace('"maxN":4', '"maxN":5'), `${text}x`]) {
      const r = await h.applyText(pieces(bad, 64), 'text');
      assert.equal(r.ok, false);
      assert.equal(h.current, before);
    }
    assert.equal(refused.length, 3);
    assert.equal(h.lastError?.claimedHash, v2().hash, 'the hash the refused config claimed');
    const same = await h.applyText([JSON.stringify(v1())], 'text');
    assert.ok(same.ok && !same.changed);
    assert.equal(h.current, before);
    assert.equal(h.lastError, undefined);
  });

  it('lets an error of the text source itself through, unrecorded', async () => {
    const h = new ConfigHolder();
    async function* failing(): AsyncGenerator<string> {
      yield JSON.stringify(v1()).slice(0, 100);
      throw new Error('shard not there yet');
    }
    await assert.rejects(h.applyText(failing(), 'cluster'), /shard not there yet/);
    assert.equal(h.lastError, undefined);
    assert.equal(h.current, undefined);
  });

  it('reads a JSON file as chunks and a YAML file whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-holder-'));
    try {
      writeFileSync(join(dir, 'c.json'), `\n  ${JSON.stringify(v1())}`);
      writeFileSync(
        join(dir, 'c.yaml'),
        `hash: ${v2().hash}\nschemaVersion: ${v2().schemaVersion}\nmodels: ${JSON.stringify(v2().models)}\ntenants: ${JSON.stringify(v2().tenants)}\n`,
      );
      const json = await readConfigFile(join(dir, 'c.json'));
      assert.ok(json instanceof ConfigText);
      const h = new ConfigHolder();
      assert.equal((await h.applyText(json.chunks(), 'file')).ok, true);
      assert.equal(h.current?.hash, v1().hash);
      const yaml = await readConfigFile(join(dir, 'c.yaml'));
      assert.ok(!(yaml instanceof ConfigText));
      assert.equal(h.apply(yaml, 'file').ok, true);
      assert.equal(h.current?.hash, v2().hash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
