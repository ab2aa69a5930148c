import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigInvalidError,
  ConfigTextReader,
  canonicalText,
  parseGatewayConfig,
  verifyConfigObject,
  verifyConfigText,
  type ConfigSink,
} from './config-verify.ts';
import {
  GATEWAY_CONFIG_SCHEMA_VERSION,
  canonicalJson,
  hashConfigBody,
  sealGatewayConfig,
  type CfgModel,
  type CfgTenant,
  type GatewayConfig,
} from './gateway-config.ts';

const sha = (n: number): string => n.toString(16).padStart(64, '0');

function model(servedName: string): CfgModel {
  return {
    servedName,
    id: `models/${servedName}`,
    engine: 'vllm',
    upstream: 'http://127.0.0.1:1/v1',
    capabilities: ['chat.completions'],
    contextLength: 8192,
    cost: {
      unit: 'tokens',
      inputTokenWeight: 1,
      outputTokenWeight: 1,
      gpuSecondWeight: 1,
      gpusPerReplica: 1,
      estimatedOutputTokensPerSecond: 50,
    },
  };
}

function tenant(name: string, keyBase: number, over: Partial<CfgTenant> = {}): CfgTenant {
  return {
    id: `team/${name}`,
    namespace: 'team',
    name,
    tier: 'gold',
    suspended: false,
    models: ['m1'],
    limits: {
      budgets: [{ unit: 'tokens', limit: 1.5, windowSeconds: 60 }],
      maxOutputTokens: 256,
      maxN: 1,
      maxRequestBytes: 4096,
    },
    guardrails: {
      redaction: { detectors: [], customPatterns: [] },
      promptInjection: { mode: 'off', threshold: 0.7 },
      exfiltration: { mode: 'off', allowedHosts: [] },
      canaries: ['quote " back\\slash \u2028 ü 😀'],
      structuredOutput: { enforce: false },
    },
    logging: 'metadata',
    accessWindows: [[{ days: ['Mon'], start: '22:00', end: '06:00', timeZone: 'Europe/Berlin' }]],
    ipAllowlists: [],
    keys: [
      { id: `team/${name}/k`, sha256: sha(keyBase), scopes: ['chat.completions'], revoked: false },
      {
        id: `team/${name}/old`,
        sha256: sha(keyBase + 1),
        scopes: [],
        expiresAt: '2020-01-01T00:00:00Z',
        revoked: true,
      },
    ],
    ...over,
  };
}

const base = (): GatewayConfig =>
  sealGatewayConfig({
    schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
    models: [model('m1'), model('m2')],
    tenants: [tenant('a', 10), tenant('ü-é', 20), tenant('c', 30)],
  });

/** A sink that records what it was given, in order. */
function recorder(): ConfigSink & { seen: string[] } {
  const seen: string[] = [];
  return { seen, models: (m) => void seen.push(`models:${m.length}`), tenant: (t) => void seen.push(t.id) };
}

/** Object path and text path (in `chunk`-character pieces): the same verdict, the same hash. */
async function both(raw: unknown, chunk = 7): Promise<{ object: string; text: string }> {
  const verdict = async (f: () => unknown): Promise<string> => {
    try {
      await f();
      return 'ok';
    } catch (e) {
      return e instanceof ConfigInvalidError || (e as Error).name === 'ZodError' ? 'refused' : `threw ${String(e)}`;
    }
  };
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const pieces = Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) =>
    text.slice(i * chunk, (i + 1) * chunk),
  );
  return {
    object: await verdict(() => verifyConfigObject(typeof raw === 'string' ? JSON.parse(raw) : raw, recorder())),
    text: await verdict(() => verifyConfigText(pieces, recorder())),
  };
}

describe('the one config verifier', () => {
  it('accepts a sealed config and hashes it exactly like hashConfigBody', async () => {
    const c = base();
    const { hash, ...body } = c;
    assert.equal(hash, hashConfigBody(body));
    assert.equal(verifyConfigObject(c, recorder()).hash, hash);
    assert.equal((await verifyConfigText([JSON.stringify(c)], recorder())).hash, hash);
    assert.deepEqual(parseGatewayConfig(JSON.parse(JSON.stringify(c))), c);
  });

  it('canonicalText is canonicalJson', () => {
    const odd = {
      b: [1, 'x', null, { z: undefined, a: true }],
      a: 'quote " and \\u2028 ü 😀',
      n: 1e21,
      f: 0.1,
      e: {},
      l: [],
      neg: -0,
      big: 2 ** 60,
    };
    assert.equal(canonicalText(odd), canonicalJson(odd));
    assert.equal(canonicalText(base()), canonicalJson(base()));
  });

  const variants: [string, (c: GatewayConfig) => unknown, 'ok' | 'refused'][] = [
    ['valid', (c) => c, 'ok'],
    ['tampered hash', (c) => ({ ...c, hash: `sha256:${'0'.repeat(64)}` }), 'refused'],
    ['content changed after sealing', (c) => ({ ...c, tenants: c.tenants.slice(1) }), 'refused'],
    [
      'a number changed after sealing',
      (c) => ({
        ...c,
        tenants: [{ ...c.tenants[0]!, limits: { ...c.tenants[0]!.limits, maxN: 2 } }, ...c.tenants.slice(1)],
      }),
      'refused',
    ],
    [
      'duplicate servedName',
      (c) =>
        sealGatewayConfig({ schemaVersion: c.schemaVersion, models: [c.models[0]!, c.models[0]!], tenants: c.tenants }),
      'refused',
    ],
    [
      'duplicate key hash across tenants',
      (c) =>
        sealGatewayConfig({
          schemaVersion: c.schemaVersion,
          models: c.models,
          tenants: [c.tenants[0]!, { ...c.tenants[1]!, keys: c.tenants[0]!.keys }],
        }),
      'refused',
    ],
    ['unknown root field', (c) => ({ ...c, extra: 1 }), 'refused'],
    [
      'unknown tenant field',
      (c) =>
        sealGatewayConfig({
          schemaVersion: c.schemaVersion,
          models: c.models,
          tenants: [{ ...c.tenants[0]!, extra: 1 } as CfgTenant],
        }),
      'refused',
    ],
    ['wrong schema version', (c) => ({ ...c, schemaVersion: 'v0' }), 'refused'],
    ['missing hash', ({ hash: _h, ...rest }) => rest, 'refused'],
    ['missing models', ({ models: _m, ...rest }) => rest, 'refused'],
    ['missing tenants', ({ tenants: _t, ...rest }) => rest, 'refused'],
    ['tenants not an array', (c) => ({ ...c, tenants: { 0: c.tenants[0] } }), 'refused'],
    ['a tenant that is not an object', (c) => ({ ...c, tenants: [1] }), 'refused'],
    ['a tenant of the wrong shape', (c) => ({ ...c, tenants: [{ id: 1 }] }), 'refused'],
    ['not an object', () => [1, 2], 'refused'],
    ['null', () => null, 'refused'],
    [
      'empty tenants, sealed',
      (c) => sealGatewayConfig({ schemaVersion: c.schemaVersion, models: c.models, tenants: [] }),
      'ok',
    ],
  ];
  for (const [name, make, want] of variants) {
    it(`${want === 'ok' ? 'accepts' : 'refuses'}: ${name} (objects and text agree)`, async () => {
      assert.deepEqual(await both(make(base())), { object: want, text: want });
    });
  }

  it('reads the root members in any order (tenants before models: hashed once models arrive)', async () => {
    const c = base();
    const orders = [
      ['hash', 'models', 'schemaVersion', 'tenants'],
      ['tenants', 'hash', 'schemaVersion', 'models'],
      ['schemaVersion', 'tenants', 'models', 'hash'],
    ];
    for (const order of orders) {
      const text = `{${order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(c[k as keyof GatewayConfig])}`).join(',')}}`;
      assert.equal((await verifyConfigText([text], recorder())).hash, c.hash, order.join(','));
    }
  });

  it('reads text split anywhere, pretty-printed or not, with a BOM, one tenant at a time', async () => {
    const c = base();
    for (const [text, step] of [
      [JSON.stringify(c), 3],
      [JSON.stringify(c, null, 2), 13],
      [`\uFEFF \n${JSON.stringify(c, null, '\t')}\n`, 29],
    ] as const) {
      for (let at = 0; at <= text.length; at += step) {
        const r = await verifyConfigText([text.slice(0, at), text.slice(at)], recorder());
        assert.equal(r.hash, c.hash, `split at ${at}`);
      }
    }
    // One character at a time: escapes, multi-code-unit characters and surrogate pairs cut in every way.
    assert.equal(
      (
        await verifyConfigText(
          [...JSON.stringify(c)].flatMap((ch) => ch.split('')),
          recorder(),
        )
      ).hash,
      c.hash,
    );
  });

  it('hands each tenant to the sink as soon as it is verified, before the text has ended', () => {
    const c = base();
    const text = JSON.stringify(c);
    const sink = recorder();
    const r = new ConfigTextReader(sink);
    const cut = text.indexOf('"id":"team/c"');
    r.feed(text.slice(0, cut));
    assert.deepEqual(sink.seen, ['models:2', 'team/a', 'team/ü-é']);
    r.feed(text.slice(cut));
    assert.equal(r.end().tenants, 3);
    assert.deepEqual(sink.seen, ['models:2', 'team/a', 'team/ü-é', 'team/c']);
  });

  it("gives the sink copies: the caller's object is never changed", () => {
    const c = base();
    const before = JSON.stringify(c);
    verifyConfigObject(c, {
      tenant: (t) => {
        t.keys = [];
        t.limits.maxN = 99;
      },
    });
    assert.equal(JSON.stringify(c), before);
  });

  const broken: [string, string][] = [
    ['truncated', JSON.stringify(base()).slice(0, -5)],
    ['trailing garbage', `${JSON.stringify(base())} {`],
    ['missing colon', JSON.stringify(base()).replace('"hash":', '"hash" ')],
    [
      'trailing comma in tenants',
      JSON.stringify(base())
        .replace(/\]\}$/, ',]}')
        .replace(/\]\s*,\s*"hash"/, ',],"hash"'),
    ],
    ['a tenant that is not JSON', JSON.stringify(base()).replace('"suspended":false', '"suspended":flase')],
    ['not an object', '[]'],
    ['empty', ''],
    ['a bare word', 'tgk_SECRET'],
  ];
  for (const [name, text] of broken) {
    it(`refuses JSON text: ${name}, naming a position, never content`, async () => {
      await assert.rejects(verifyConfigText([text], recorder()), (e: Error) => {
        assert.ok(e instanceof ConfigInvalidError || e.name === 'ZodError', String(e));
        assert.ok(!e.message.includes('flase') && !e.message.includes('tgk_'), e.message);
        return true;
      });
    });
  }

  it('reports zod issues at their place in the whole config', () => {
    const c = base();
    const bad = { ...c, tenants: [c.tenants[0], { ...c.tenants[1], limits: { ...c.tenants[1]!.limits, maxN: 0 } }] };
    assert.throws(
      () => verifyConfigObject(bad, recorder()),
      (e: Error & { issues?: { path: unknown[] }[] }) => {
        assert.deepEqual(e.issues?.[0]?.path, ['tenants', 1, 'limits', 'maxN']);
        return true;
      },
    );
  });
});
