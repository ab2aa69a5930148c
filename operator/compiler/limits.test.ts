// Limits at every level, compiled (issue #13): key limits from LLMTenant keys[], tenant-per-model limits from
// LLMPolicy modelLimits (smallest over the selecting policies), global per-model caps from LLMModel globalLimits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGatewayConfig } from '../../api/config-verify.ts';
import { compile } from './index.ts';
import { keySecret, model, policy, tenant } from './testdata.ts';

const BYO = `vault-${'z'.repeat(40)}`;

describe('compiled limits at every level', () => {
  const r = compile({
    models: [
      model('m1', { globalLimits: { rateLimits: { concurrency: 4 } } }, { namespace: 'llm' }),
      model('m2', {}, { namespace: 'llm' }),
    ],
    tenants: [
      tenant('team', 't', {
        keys: [
          {
            name: 'batch',
            secretRef: { name: 'vault', key: 'batch' },
            rateLimits: { requestsPerMinute: 5, concurrency: 1 },
            budget: { tokens: { limit: 1000, window: '1h' } },
          },
          { name: 'chat', secretRef: { name: 'vault', key: 'chat' } },
        ],
      }),
    ],
    policies: [
      policy('a', {
        tierGrants: { approve: ['*'] },
        tiers: [{ name: 'gold', models: ['*'] }],
        modelLimits: [{ model: 'm1', rateLimits: { requestsPerMinute: 30 } }],
      }),
      policy('b', {
        modelLimits: [
          { model: 'm1', rateLimits: { requestsPerMinute: 20, concurrency: 2 } },
          { model: 'not-granted', rateLimits: { concurrency: 1 } },
        ],
      }),
    ],
    secrets: [keySecret('team', 'vault', { batch: BYO, chat: `${BYO}-2` })],
    namespaces: [],
    now: new Date('2026-12-01T00:00:00Z'),
  });
  const cfg = parseGatewayConfig(JSON.parse(JSON.stringify(r.gatewayConfig)));
  const t = cfg.tenants[0]!;

  it('a key carries its own limits; a key without them carries none', () => {
    assert.deepEqual(
      t.keys.map((k) => [k.id, k.limits]),
      [
        [
          'team/t/batch',
          { budgets: [{ unit: 'tokens', limit: 1000, windowSeconds: 3600 }], requestsPerMinute: 5, concurrency: 1 },
        ],
        ['team/t/chat', undefined],
      ],
    );
  });
  it('tenant-per-model limits: the smallest per control over the selecting policies, granted models only', () => {
    assert.deepEqual(t.modelLimits, [{ model: 'm1', requestsPerMinute: 20, concurrency: 2 }]);
  });
  it('a global per-model cap is on the model', () => {
    assert.deepEqual(
      cfg.models.map((m) => [m.servedName, m.globalLimits]),
      [
        ['m1', { concurrency: 4 }],
        ['m2', undefined],
      ],
    );
  });
  it('BYO keys of any format are Active and compiled by hash only', () => {
    assert.deepEqual(
      r.tenants[0]!.keys.map((k) => [k.name, k.state]),
      [
        ['batch', 'Active'],
        ['chat', 'Active'],
      ],
    );
    assert.equal(JSON.stringify(cfg).includes(BYO.slice(6, 30)), false);
  });
  it('a BYO value with whitespace or control characters is Invalid (the gateway would never accept it)', () => {
    const bad = compile({
      models: [model('m1', {}, { namespace: 'llm' })],
      tenants: [tenant('team', 't', { keys: [{ name: 'k', secretRef: { name: 'vault', key: 'k' } }] })],
      policies: [policy('a', { tierGrants: { approve: ['*'] }, tiers: [{ name: 'gold', models: ['*'] }] })],
      secrets: [keySecret('team', 'vault', { k: `${'a'.repeat(20)} ${'b'.repeat(20)}` })],
    });
    assert.equal(bad.tenants[0]!.keys[0]!.state, 'Invalid');
    assert.equal(bad.gatewayConfig.tenants[0]!.keys.length, 0);
  });
});
