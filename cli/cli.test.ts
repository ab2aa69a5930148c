// The CLI as a user runs it: a real process, exit codes, stdout/stderr, no stack traces.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseGatewayConfig } from '../api/config-verify.ts';

const ROOT = join(import.meta.dirname, '..');
function tollgate(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tollgate.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+\)?/, 'stack trace printed');

describe('tollgate CLI', () => {
  it('validate: exit 0 on the examples', () => {
    const r = tollgate('validate', '-f', 'examples/');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
  });

  it('validate: non-zero with one line per problem on the invalid folder', () => {
    const r = tollgate('validate', '-f', 'examples/invalid/');
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length >= 15, r.stdout);
    for (const l of lines) assert.match(l, /^examples\/invalid\/[\w-]+\.yaml:\d+: \S+: .+/);
    noStack(r.stdout + r.stderr);
  });

  it('validate: a tier that no selecting policy offers is reported at spec.tier (what the operator sets as TierNotOffered)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
    const tenants = readFileSync(join(ROOT, 'examples', '20-tenants.yaml'), 'utf8').replace(
      'tier: gold',
      'tier: platinum',
    );
    assert.match(tenants, /tier: platinum/);
    writeFileSync(join(dir, '20-tenants.yaml'), tenants);
    for (const f of ['00-namespaces.yaml', '10-models.yaml', '30-policies.yaml'])
      writeFileSync(join(dir, f), readFileSync(join(ROOT, 'examples', f), 'utf8'));
    const r = tollgate('validate', '-f', dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0]!, /20-tenants\.yaml:\d+: spec\.tier: LLMTenant [\w-]+\/[\w-]+: .*platinum/);
    noStack(r.stdout + r.stderr);
  });

  it('render: byte-identical twice, digest-pinned GPU Deployments, NetworkPolicies, Services, config', () => {
    const a = tollgate('render', '-f', 'examples/');
    const b = tollgate('render', '-f', 'examples/');
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    const docs = parseAllDocuments(a.stdout).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string };
          spec?: Record<string, unknown>;
          stringData?: Record<string, string>;
        },
    );
    const kinds = docs.map((d) => d.kind);
    assert.equal(kinds.filter((k) => k === 'Deployment').length, 3);
    assert.equal(kinds.filter((k) => k === 'Service').length, 3);
    assert.ok(kinds.filter((k) => k === 'NetworkPolicy').length >= 7);
    assert.match(a.stdout, /image: \S+@sha256:[a-f0-9]{64}/);
    assert.match(a.stdout, /nvidia\.com\/gpu: "4"/);
    assert.doesNotMatch(a.stdout, /_from/);
    const json = tollgate('render', '-f', 'examples/', '--gateway-config', '-o', 'json');
    assert.equal(json.code, 0);
    const cfg = parseGatewayConfig(JSON.parse(json.stdout));
    assert.equal(cfg.tenants.length, 3);
    const index = docs.find((d) => d.kind === 'Secret' && d.metadata.name === 'tollgate-gateway-config');
    assert.ok(index?.stringData?.['index.json']?.includes(cfg.hash));
  });

  it('render: every Secret the operator writes, key material as empty placeholders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
    for (const f of ['00-namespaces.yaml', '10-models.yaml', '20-tenants.yaml', '30-policies.yaml'])
      writeFileSync(join(dir, f), readFileSync(join(ROOT, 'examples', f), 'utf8'));
    // A real key in a bring-your-own Secret the input holds: render must never print it.
    const byoKey = `tgk_${'Q'.repeat(40)}abcdef`;
    writeFileSync(
      join(dir, '40-byo.yaml'),
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: { name: vault-key, namespace: team-risk, labels: { tollgate.dev/key-material: "true" } }',
        `stringData: { key: ${byoKey} }`,
        '---',
        'apiVersion: tollgate.dev/v1alpha1',
        'kind: LLMTenant',
        'metadata: { name: byo, namespace: team-risk }',
        'spec: { tier: bronze, keys: [{ name: vault, secretRef: { name: vault-key, key: key } }, { name: own, rotation: 3 }] }',
      ].join('\n'),
    );
    const r = tollgate('render', '-f', dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      !r.stdout.includes(byoKey) && !r.stdout.includes(Buffer.from(byoKey).toString('base64')),
      'key material rendered',
    );
    type Secret = {
      kind: string;
      metadata: {
        name: string;
        namespace: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
      };
      data?: Record<string, string>;
      stringData?: Record<string, string>;
    };
    const secrets = parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as Secret)
      .filter((d) => d.kind === 'Secret');
    const placeholders = secrets.filter((s) => s.metadata.annotations?.['tollgate.dev/placeholder']);
    assert.deepEqual(
      placeholders
        .map((s) => `${s.metadata.namespace}/${s.metadata.name} ${Object.keys(s.data ?? {}).join(',')}`)
        .sort(),
      [
        'llm-serving/bge-small-en-upstream-auth api-key',
        'llm-serving/llama-3-1-70b-instruct-upstream-auth api-key',
        'llm-serving/llama-3-1-8b-instruct-upstream-auth api-key',
        'team-risk/byo-tollgate-keys own',
        'team-risk/risk-analytics-tollgate-keys notebook',
        'team-search/search-tollgate-keys backend,batch-indexer',
        'team-support/support-bot-tollgate-keys bot',
        'tollgate-system/tollgate-upstream-credentials llm-serving.bge-small-en,llm-serving.llama-3-1-70b-instruct,llm-serving.llama-3-1-8b-instruct',
      ],
    );
    for (const s of placeholders)
      assert.ok(
        Object.values(s.data ?? {}).every((v) => v === ''),
        `${s.metadata.name} holds a value`,
      );
    assert.equal(
      secrets.find((s) => s.metadata.name === 'byo-tollgate-keys')?.metadata.annotations?.['tollgate.dev/rotation.own'],
      '3',
    );
    assert.equal(
      secrets.filter((s) => s.metadata.labels?.['tollgate.dev/gateway-config'] === 'index').length,
      1,
      'the gateway config index too',
    );
    assert.ok(
      !secrets.some((s) => s.metadata.name === 'vault-key'),
      'a Secret the operator does not write is not rendered',
    );
    // one stable order: by kind, then namespace/name
    const order = secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
    assert.deepEqual(order, [...order].sort());
  });

  it('bad input: clear error, non-zero, nothing on stdout, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'apiVersion: tollgate.dev/v1alpha1\nkind: LLMModel\nmetadata: {name: x}\nspec: {engine: vllm, image: "x:latest"}\n',
    );
    const render = tollgate('render', '-f', join(dir, 'bad.yaml'));
    assert.equal(render.code, 1);
    assert.equal(render.stdout, '', 'nothing partially written');
    assert.match(render.stderr, /spec\.image: image must be pinned by digest/);
    for (const args of [['render'], ['render', '-f', 'examples', '-o', 'xml'], ['validate', '--bogus'], ['nope']]) {
      const r = tollgate(...args);
      assert.equal(r.code, 2, args.join(' '));
      noStack(r.stderr);
    }
    const missing = tollgate('validate', '-f', join(dir, 'nothing-here'));
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /no such file or folder/);
  });

  it('help lists the commands', () => {
    const r = tollgate('help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /validate/);
    assert.match(r.stdout, /render/);
  });
});
