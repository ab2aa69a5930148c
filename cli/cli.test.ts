// The CLI as a user runs it: a real process, exit codes, stdout/stderr, no stack traces.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseGatewayConfig } from '../api/gateway-config.ts';

const ROOT = join(import.meta.dirname, '..');
function tollgate(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tollgate.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
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
    const tenants = readFileSync(join(ROOT, 'examples', '20-tenants.yaml'), 'utf8').replace('tier: gold', 'tier: platinum');
    assert.match(tenants, /tier: platinum/);
    writeFileSync(join(dir, '20-tenants.yaml'), tenants);
    for (const f of ['00-namespaces.yaml', '10-models.yaml', '30-policies.yaml']) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'examples', f), 'utf8'));
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
    const docs = parseAllDocuments(a.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: Record<string, unknown>; stringData?: Record<string, string> });
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

  it('bad input: clear error, non-zero, nothing on stdout, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: tollgate.dev/v1alpha1\nkind: LLMModel\nmetadata: {name: x}\nspec: {engine: vllm, image: "x:latest"}\n');
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
