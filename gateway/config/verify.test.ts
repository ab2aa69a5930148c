import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, hashConfigBody, parseGatewayConfig, sealGatewayConfig, type GatewayConfig } from '../../api/gateway-config.ts';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { canonicalHash, verifyGatewayConfig } from './verify.ts';
import { createHash } from 'node:crypto';

const base = (): GatewayConfig =>
  config(
    [model('m1', 'http://127.0.0.1:1/v1'), model('m2', 'http://127.0.0.1:2/v1', { maxOutputTokens: 10 })],
    [
      tenant({ name: 'a', models: ['m1'], keys: [{ name: 'k', key: newKey() }, { name: 'old', key: newKey(), expiresAt: '2020-01-01T00:00:00Z' }], limits: { budgets: [{ unit: 'tokens', limit: 1.5, windowSeconds: 60 }], concurrency: 2 } }),
      tenant({ name: 'ü-é', models: ['m1', 'm2'], keys: [{ name: 'k', key: newKey() }], over: { accessWindows: [[{ days: ['Mon'], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin' }]] } }),
    ],
  );

function verdict(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch {
    return 'refused';
  }
}

describe('verifyGatewayConfig matches parseGatewayConfig', () => {
  it('hashes exactly like canonicalJson', () => {
    const { hash: _h, ...body } = base();
    assert.equal(canonicalHash(body), hashConfigBody(body));
    const odd = { b: [1, 'x', null, { z: undefined, a: true }], a: 'quote " and \\u2028 ü', n: 1e21, f: 0.1 };
    assert.equal(canonicalHash(odd), `sha256:${createHash('sha256').update(canonicalJson(odd)).digest('hex')}`);
  });

  const variants: [string, (c: GatewayConfig) => unknown][] = [
    ['valid', (c) => c],
    ['tampered hash', (c) => ({ ...c, hash: `sha256:${'0'.repeat(64)}` })],
    ['content changed after sealing', (c) => ({ ...c, models: c.models.slice(1) })],
    ['duplicate servedName', (c) => sealGatewayConfig({ schemaVersion: c.schemaVersion, models: [c.models[0]!, c.models[0]!], tenants: c.tenants })],
    ['duplicate key hash', (c) => sealGatewayConfig({ schemaVersion: c.schemaVersion, models: c.models, tenants: [c.tenants[0]!, { ...c.tenants[1]!, keys: c.tenants[0]!.keys }] })],
    ['unknown field', (c) => ({ ...c, extra: 1 })],
    ['wrong schema version', (c) => ({ ...c, schemaVersion: 'v0' })],
    ['missing hash', ({ hash: _h, ...rest }) => rest],
    ['not an object', () => [1, 2]],
    ['null', () => null],
  ];
  for (const [name, make] of variants) {
    it(name, () => {
      const raw = make(base());
      assert.equal(verdict(() => verifyGatewayConfig(raw)), verdict(() => parseGatewayConfig(raw)));
    });
  }
  it('returns the same config', () => {
    const c = base();
    assert.deepEqual(verifyGatewayConfig(JSON.parse(JSON.stringify(c))), parseGatewayConfig(JSON.parse(JSON.stringify(c))));
  });
});
