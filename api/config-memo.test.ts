// The verifier's tenant memo (config-verify.ts TenantMemo): loads that reuse what an earlier load verified
// give exactly what verifying from scratch gives, and nothing a memo holds gets past the rules across tenants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigInvalidError,
  ConfigTextReader,
  TenantMemo,
  verifyConfigText,
  type VerifiedHead,
} from './config-verify.ts';
import {
  GATEWAY_CONFIG_SCHEMA_VERSION,
  sealGatewayConfig,
  type CfgTenant,
  type GatewayConfig,
} from './gateway-config.ts';

const sha = (n: number): string => n.toString(16).padStart(64, '0');

function tenant(name: string, keyBase: number, over: Partial<CfgTenant> = {}): CfgTenant {
  return {
    id: `team/${name}`,
    namespace: 'team',
    name,
    tier: 'gold',
    suspended: false,
    models: ['m1'],
    limits: { budgets: [], maxOutputTokens: 256, maxN: 1, maxRequestBytes: 4096 },
    guardrails: {
      redaction: { detectors: [], customPatterns: [] },
      promptInjection: { mode: 'off', threshold: 0.7 },
      exfiltration: { mode: 'off', allowedHosts: [] },
      canaries: ['quote " ü 😀'],
      structuredOutput: { enforce: false },
    },
    logging: 'metadata',
    accessWindows: [],
    ipAllowlists: [],
    keys: [{ id: `team/${name}/k`, sha256: sha(keyBase), scopes: ['chat.completions'], revoked: false }],
    ...over,
  };
}

const cfg = (tenants: CfgTenant[]): GatewayConfig =>
  sealGatewayConfig({ schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION, models: [], tenants });

/** Canonical text as the operator writes it (keys sorted), cut into pieces of `chunk` characters. */
function pieces(text: string, chunk = 50): string[] {
  return Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) => text.slice(i * chunk, (i + 1) * chunk));
}
const sorted = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sorted)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
        )
      : v;
const canonical = (c: GatewayConfig): string => JSON.stringify(sorted(c));

/** One load through the memo: what the sink saw, the head, and the memo's counts; committed when it verified. */
function load(memo: TenantMemo, text: string): { seen: CfgTenant[]; head?: VerifiedHead; error?: string } {
  const seen: CfgTenant[] = [];
  memo.hits = memo.misses = 0;
  memo.discard();
  const r = new ConfigTextReader({ tenant: (t) => void seen.push(structuredClone(t)) }, memo);
  try {
    for (const p of pieces(text)) r.feed(p);
    const head = r.end();
    memo.commit();
    return { seen, head };
  } catch (e) {
    memo.discard();
    return { seen, error: e instanceof ConfigInvalidError ? e.message : String(e) };
  }
}

describe('the tenant memo', () => {
  const a = tenant('a', 1);
  const b = tenant('b', 2);
  const c = tenant('c', 3);

  it('verifies each changed tenant only: same tenants, same hash as a load without it', async () => {
    const memo = new TenantMemo();
    const first = cfg([a, b, c]);
    const r1 = load(memo, canonical(first));
    assert.equal(r1.head?.hash, first.hash);
    assert.deepEqual([memo.hits, memo.misses], [0, 3]);
    const second = cfg([a, { ...b, suspended: true }, c]);
    const r2 = load(memo, canonical(second));
    assert.equal(r2.head?.hash, second.hash);
    assert.deepEqual([memo.hits, memo.misses], [2, 1], 'a and c from the memo, b verified');
    const fresh: CfgTenant[] = [];
    await verifyConfigText(pieces(canonical(second)), { tenant: (t) => void fresh.push(structuredClone(t)) });
    assert.deepEqual(r2.seen, fresh, 'what the sink gets is what verifying from scratch gives');
    assert.equal(memo.size, 3, 'only the last load is remembered');
  });

  it('text that is not canonical (pretty-printed) still hashes canonically from the memo', () => {
    const memo = new TenantMemo();
    const c1 = cfg([a, b]);
    const pretty = JSON.stringify(c1, null, 1);
    assert.equal(load(memo, pretty).head?.hash, c1.hash);
    assert.equal(load(memo, pretty).head?.hash, c1.hash);
    assert.deepEqual([memo.hits, memo.misses], [2, 0]);
  });

  it('a memo hit does not vouch for the whole: a wrong claimed hash and a duplicate key hash are refused', () => {
    const memo = new TenantMemo();
    load(memo, canonical(cfg([a, b])));
    const wrong = { ...cfg([a, b]), hash: `sha256:${sha(9)}` };
    assert.match(load(memo, canonical(wrong)).error ?? '', /hash does not match content/);
    const dup = cfg([a, b, tenant('d', 1)]); // d reuses a's key hash; a comes from the memo
    assert.match(load(memo, canonical(dup)).error ?? '', /shares its hash with another key/);
  });

  it('a refused load leaves the memo as the last applied load left it', () => {
    const memo = new TenantMemo();
    load(memo, canonical(cfg([a, b])));
    const broken = canonical(cfg([a, c])).replace('"team/c"', '"team/c",'); // not JSON
    assert.ok(load(memo, broken).error);
    load(memo, canonical(cfg([a, b])));
    assert.deepEqual([memo.hits, memo.misses], [2, 0]);
  });

  it('a chunk of whole tenants seen before is replayed without a scan, and hashed as it is', () => {
    const ts = [a, b, c, tenant('d', 4)];
    const text = canonical(cfg(ts));
    // cut as the operator cuts shards: a head, chunks of whole tenants (the later ones begin with a comma), the end
    const open = text.indexOf('"tenants":[') + '"tenants":['.length;
    const starts: number[] = [];
    for (let i = text.indexOf('{"accessWindows"', open); i >= 0; i = text.indexOf('{"accessWindows"', i + 1))
      starts.push(i);
    const cuts = [0, open, starts[2]! - 1, text.length - 2, text.length]; // the third tenant's comma
    const shards = cuts.slice(1).map((end, i) => text.slice(cuts[i], end));
    assert.ok(shards[2]!.startsWith(',{') && shards[1]!.startsWith('{'), 'chunks of whole tenants');
    const memo = new TenantMemo();
    const run = (parts: string[]) => {
      memo.hits = memo.misses = memo.chunkHits = 0;
      memo.discard();
      const seen: string[] = [];
      const r = new ConfigTextReader({ tenant: (t) => void seen.push(t.id) }, memo);
      for (const x of parts) r.feed(x);
      const head = r.end();
      memo.commit();
      return { head, seen };
    };
    const first = run(shards);
    assert.equal(first.head.hash, cfg(ts).hash);
    const again = run(shards);
    assert.equal(again.head.hash, cfg(ts).hash);
    assert.deepEqual(
      again.seen,
      ts.map((t) => t.id),
    );
    assert.deepEqual([memo.hits, memo.misses, memo.chunkHits], [4, 0, 2], 'both chunks replayed');
    // the same chunk where another one is expected (at the start, without its comma): scanned, not replayed
    const moved = canonical(cfg([c, tenant('d', 4)]));
    assert.equal(run(pieces(moved, 10_000)).head.hash, cfg([c, tenant('d', 4)]).hash);
    assert.equal(memo.chunkHits, 0);
  });
});
