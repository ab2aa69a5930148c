// The fetch-and-verify-model init containers (pure parts): what they are told, what status claims.
// The scripts themselves run for real in e2e/engines/fetch.test.ts (fake hub) and ollama.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import { LLMModel } from '../../../api/v1alpha1/index.ts';
import { compile } from '../index.ts';
import { DIGEST, model } from '../testdata.ts';
import { manifestPath } from './ollama.ts';
import { modelVerification } from './types.ts';

const REV = 'b'.repeat(40);
const SHA = 'd'.repeat(64);

function pod(spec: Record<string, unknown>) {
  const d = compile({ models: [LLMModel.parse(model('m', spec))], tenants: [], policies: [] }).objects.find(
    (o) => o.kind === 'Deployment',
  ) as V1Deployment;
  return d.spec!.template.spec!;
}
const envOf = (c: { env?: { name: string; value?: string }[] }) =>
  Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e]));

describe('Ollama: the served name resolves', () => {
  const p = pod({
    engine: 'ollama',
    servedName: 'chat-small',
    model: { ollama: { name: 'llama3.1:8b', digest: `sha256:${SHA}` } },
  });
  const init = p.initContainers![0]!;

  it('the fetch step pulls the pinned name, checks its manifest, then copies it to the served name', () => {
    const env = envOf(init);
    assert.equal(env.OLLAMA_PULL_NAME, 'llama3.1:8b');
    assert.equal(env.SERVED_NAME, 'chat-small');
    assert.equal(env.OLLAMA_MANIFEST, 'manifests/registry.ollama.ai/library/llama3.1/8b');
    assert.equal(env.OLLAMA_DIGEST, `sha256:${SHA}`);
    const script = init.args![0]!;
    assert.ok(
      script.indexOf('ollama pull') < script.indexOf('sha256sum') &&
        script.indexOf('sha256sum') < script.indexOf('ollama cp'),
    );
    assert.match(script, /ollama cp "\$OLLAMA_PULL_NAME" "\$SERVED_NAME"/);
  });

  it('manifest paths as Ollama lays them out', () => {
    assert.equal(manifestPath('llama3.1:8b'), 'manifests/registry.ollama.ai/library/llama3.1/8b');
    assert.equal(manifestPath('tollgate/tiny'), 'manifests/registry.ollama.ai/tollgate/tiny/latest');
    assert.equal(manifestPath('hf.co/org/model:Q4_K_M'), 'manifests/hf.co/org/model/Q4_K_M');
  });

  it('admission: an ollama servedName must be a name Ollama can serve', () => {
    const issues = (servedName: string) => {
      const r = LLMModel.safeParse({
        apiVersion: 'tollgate.dev/v1alpha1',
        kind: 'LLMModel',
        metadata: { name: 'm', namespace: 'llm' },
        spec: {
          engine: 'ollama',
          image: DIGEST,
          servedName,
          model: { ollama: { name: 'llama3.1:8b', digest: `sha256:${SHA}` } },
        },
      });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.match(issues('Llama3').join('\n'), /spec\.servedName: for ollama, servedName must be an Ollama model name/);
    assert.match(issues('a::b').join('\n'), /Ollama model name/);
    assert.deepEqual(issues('team/chat:v2'), []);
    assert.deepEqual(issues('chat-small'), []);
  });
});

describe('Hugging Face fetch containers', () => {
  it('the token comes from the named Secret into the fetch container only, never the engine', () => {
    const p = pod({
      engine: 'vllm',
      model: { huggingface: { repo: 'org/gated', revision: REV, tokenSecret: { name: 'hf', key: 'token' } } },
    });
    const tok = p.initContainers![0]!.env!.find((e) => e.name === 'HF_TOKEN');
    assert.deepEqual(tok?.valueFrom, { secretKeyRef: { name: 'hf', key: 'token' } });
    assert.ok(!p.containers[0]!.env!.some((e) => e.name === 'HF_TOKEN'));
    assert.deepEqual(p.initContainers![0]!.command, ['python3', '-c']);
  });

  it('llama.cpp: spec values reach the curl script as env, never spliced into it', () => {
    const path = 'weird "$(name)`.gguf';
    const p = pod({
      engine: 'llamacpp',
      model: { huggingface: { repo: 'org/m', revision: REV, files: [{ path, sha256: SHA }] } },
    });
    const init = p.initContainers![0]!;
    assert.ok(!init.args![0]!.includes(path));
    assert.equal(envOf(init).HF_FILE, path);
    assert.equal(envOf(init).HF_SHA256, SHA);
  });
});

describe('status: "verified" only when something is', () => {
  const table: [string, Record<string, unknown>, boolean, string][] = [
    [
      'HF with file digests',
      { huggingface: { repo: 'o/m', revision: REV, files: [{ path: 'a', sha256: SHA }] } },
      true,
      'SpecDigests',
    ],
    ['HF without file digests', { huggingface: { repo: 'o/m', revision: REV } }, false, 'PinnedNotVerified'],
    ['OCI by digest', { oci: { reference: `r/m@sha256:${SHA}` } }, true, 'OCIDigest'],
  ];
  for (const [name, src, verified, reason] of table) {
    it(name, () => {
      const v = modelVerification(LLMModel.parse(model('m', { model: src })));
      assert.equal(v.verified, verified);
      assert.equal(v.reason, reason);
      if (!verified) assert.match(v.message, /^pinned, not verified: o\/m@b{40}/);
    });
  }
  it('Ollama by manifest digest', () => {
    const v = modelVerification(
      LLMModel.parse(
        model('m', { engine: 'ollama', servedName: 'x', model: { ollama: { name: 'x', digest: `sha256:${SHA}` } } }),
      ),
    );
    assert.deepEqual([v.verified, v.reason], [true, 'ManifestDigest']);
  });
  it('reaches the compile outcome', () => {
    const r = compile({
      models: [LLMModel.parse(model('m', { model: { huggingface: { repo: 'o/m', revision: REV } } }))],
      tenants: [],
      policies: [],
    });
    assert.equal(r.models[0]!.verification.reason, 'PinnedNotVerified');
  });
});
