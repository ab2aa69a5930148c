// A real Ollama behind the real gateway. ollama is built from its Go module by e2e/engines/build.sh
// (cached); the model is the tiny llama GGUF, imported through a Modelfile. Both containers `tollgate
// render` prints for an LLMModel with engine ollama run for real: the fetch-and-verify-model init container
// (its script: serve, pull, check the manifest digest, make the served name resolve) and the engine.
// The one substitution beyond local.ts's mapping: no registry here, so the fetch step finds an `ollama`
// wrapper first on PATH whose `pull` copies in the manifest and blobs that `ollama create` wrote in a
// staging store (what a registry would deliver, byte for byte); everything else is the real binary. Fails, never skips, when the binary or the gguf venv is missing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { binaryPath } from '../binaries.ts';
import { manifestPath } from '../../operator/compiler/engines/ollama.ts';
import { newKey, tenant } from '../../gateway/test/fixtures.ts';
import { call, installLeakScan } from '../../gateway/test/harness.ts';
import { freePort } from '../../gateway/test/net.ts';
import { charged, gatewayFor, lastAudit, sseEvents, writeTinyModel, type EngineGateway } from './harness.ts';
import {
  container,
  localizeContainer,
  renderManifest,
  runToExit,
  startProcess,
  waitHealthy,
  type EngineProcess,
} from './local.ts';

installLeakScan();

const PULLED = 'tollgate/tiny:v1';
const SERVED = 'tiny-ollama';
const MAX_OUT = 16;
const key = newKey();
let work: string;
let engine: EngineProcess;
let upstream: string;
let g: EngineGateway;
let fetchOutput = '';

const MODELFILE = `FROM ./tiny.gguf
TEMPLATE """{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
"""
PARAMETER stop <|im_end|>
`;

const modelYaml = (digest: string) => `apiVersion: tollgate.dev/v1alpha1
kind: LLMModel
metadata: {name: tiny-ollama, namespace: llm}
spec:
  engine: ollama
  image: docker.io/ollama/ollama@sha256:${'d'.repeat(64)}
  engineVersion: "0.17.4"
  servedName: ${SERVED}
  contextLength: 2048
  capabilities: [chat.completions, completions, embeddings]
  resources: {gpus: 0, memory: 1Gi}
  model:
    ollama: {name: "${PULLED}", digest: "${digest}"}
`;

/** `ollama create` in a scratch store: the manifest digest a registry would serve for PULLED. */
async function stagedDigest(bin: string, src: string): Promise<string> {
  const store = join(work, 'staging');
  const port = await freePort();
  const env = { OLLAMA_HOST: `127.0.0.1:${port}`, OLLAMA_MODELS: store, HOME: work };
  const serve = startProcess({ command: bin, args: ['serve'], env }, { cwd: work });
  try {
    await waitHealthy(`http://127.0.0.1:${port}/api/version`, serve, 60_000);
    const r = await runToExit(
      { command: bin, args: ['create', PULLED, '-f', join(src, 'Modelfile')], env },
      { cwd: src, timeoutMs: 120_000 },
    );
    assert.equal(r.code, 0, `ollama create: ${r.output}`);
  } finally {
    await serve.stop();
  }
  return `sha256:${createHash('sha256')
    .update(readFileSync(join(store, manifestPath(PULLED))))
    .digest('hex')}`;
}

before(async () => {
  const bin = binaryPath('ollama');
  work = mkdtempSync(join(tmpdir(), 'tollgate-ollama-'));
  const src = join(work, 'src');
  writeTinyModel(join(src, 'tiny.gguf'));
  writeFileSync(join(src, 'Modelfile'), MODELFILE);
  const digest = await stagedDigest(bin, src);
  const yaml = modelYaml(digest);
  const d = renderManifest(join(work, 'manifests'), yaml);
  const models = join(work, 'models');

  // 1. the rendered fetch-and-verify-model init container, with `pull` served from the Modelfile
  const shim = join(work, 'shim');
  mkdirSync(shim, { recursive: true });
  // a pull delivers the registry's bytes: the staged manifest and blobs, copied as they are
  const staged = join(work, 'staging');
  writeFileSync(
    join(shim, 'ollama'),
    `#!/bin/sh\nif [ "$1" = pull ]; then mkdir -p "$OLLAMA_MODELS" && cp -R ${JSON.stringify(join(staged, 'manifests'))} ${JSON.stringify(join(staged, 'blobs'))} "$OLLAMA_MODELS/" && exit 0; fi\nexec ${JSON.stringify(bin)} "$@"\n`,
  );
  chmodSync(join(shim, 'ollama'), 0o755);
  const fetchPort = await freePort();
  const fetchCmd = localizeContainer(container(d, 'fetch-and-verify-model'), {
    binaries: { sh: '/bin/sh' },
    modelDir: models,
    tmpDir: join(work, 'fetch-home'),
    port: fetchPort,
    secrets: {},
  });
  mkdirSync(join(work, 'fetch-home'), { recursive: true });
  const fetched = await runToExit(fetchCmd, {
    extraEnv: { PATH: `${shim}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    cwd: work,
    timeoutMs: 180_000,
  });
  fetchOutput = fetched.output;
  assert.equal(fetched.code, 0, `fetch-and-verify-model failed:\n${fetched.output}`);

  // 2. the rendered engine container
  const port = await freePort();
  const cmd = localizeContainer(container(d, 'engine'), {
    binaries: { ollama: bin },
    modelDir: models,
    tmpDir: work,
    port,
    secrets: {},
  });
  engine = startProcess(cmd, { cwd: work });
  await waitHealthy(`http://127.0.0.1:${port}/api/version`, engine, 60_000);
  upstream = `http://127.0.0.1:${port}/v1`;
  g = await gatewayFor(
    yaml,
    upstream,
    undefined,
    tenant({
      name: 'o',
      models: [SERVED],
      keys: [{ name: 'k', key }],
      limits: { maxOutputTokens: MAX_OUT, budgets: [{ unit: 'tokens', limit: 1_000_000, windowSeconds: 86400 }] },
    }),
  );
});

after(async () => {
  await g?.close();
  await engine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const spent = () => g.gw.gateway.store.spent(g.tenantId, 'tokens', 86400);
const settle = () => new Promise((r) => setTimeout(r, 100));

describe('Ollama (built from its Go module) behind the gateway', () => {
  it('the rendered fetch step verified the manifest digest and made the served name resolve', async () => {
    assert.match(
      fetchOutput,
      new RegExp(
        `verified: ${PULLED}@sha256:[a-f0-9]{64} \\(manifest sha256; blobs checked by ollama\\), served as ${SERVED}`,
      ),
    );
    const tags = (await (await fetch(upstream.replace(/\/v1$/, '/api/tags'))).json()) as { models: { name: string }[] };
    const names = tags.models.map((m) => m.name);
    assert.ok(names.includes(`${SERVED}:latest`), `ollama knows ${names.join(', ')}`);
  });

  it('chat: usage counted and the budget settled from the engine usage', async () => {
    const before = await spent();
    const res = await call(g.gw.url, '/v1/chat/completions', {
      key,
      // greedy: a sampled first token can be end-of-sequence
      body: {
        model: SERVED,
        messages: [{ role: 'user', content: 'Hello, how are you today?' }],
        max_tokens: 8,
        temperature: 0,
      },
    });
    assert.equal(res.status, 200, res.text);
    const usage = res.json.usage as { prompt_tokens: number; completion_tokens: number };
    assert.ok(usage.prompt_tokens > 5, `prompt_tokens ${usage.prompt_tokens}`);
    assert.ok(
      usage.completion_tokens > 0 && usage.completion_tokens <= 8,
      `completion_tokens ${usage.completion_tokens}`,
    );
    await settle();
    const a = lastAudit(g.tenantId, false);
    assert.equal((await spent()) - before, charged(usage.prompt_tokens + usage.completion_tokens, a.reserved));
    assert.equal(a.cost, charged(usage.prompt_tokens + usage.completion_tokens, a.reserved));
  });

  it('streaming chat: relayed to [DONE], spend settled from the engine usage', async () => {
    const before = await spent();
    const res = await call(g.gw.url, '/v1/chat/completions', {
      key,
      // greedy and seeded: a sampled first token can be end-of-sequence (an empty stream, seen once in CI)
      body: {
        model: SERVED,
        messages: [{ role: 'user', content: 'Say something.' }],
        stream: true,
        max_tokens: 6,
        temperature: 0,
        seed: 7,
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.text.trimEnd().endsWith('data: [DONE]'), res.text.slice(-200));
    assert.ok(sseEvents(res.text).length >= 2, res.text.slice(0, 600));
    await settle();
    const audit = lastAudit(g.tenantId, true);
    assert.ok(audit.tokensOut > 0 && audit.tokensOut <= 6, `tokensOut ${audit.tokensOut}`);
    assert.equal((await spent()) - before, charged(audit.tokensIn + audit.tokensOut, audit.reserved));
  });

  it('completions: max_tokens capped by the tenant limit and honoured by the engine', async () => {
    const res = await call(g.gw.url, '/v1/completions', {
      key,
      body: { model: SERVED, prompt: 'Once upon a time', max_tokens: 5000 },
    });
    assert.equal(res.status, 200, res.text);
    assert.ok((res.json.usage as { completion_tokens: number }).completion_tokens <= MAX_OUT);
  });

  it('embeddings: vectors of the model width, input tokens charged', async () => {
    const before = await spent();
    const res = await call(g.gw.url, '/v1/embeddings', {
      key,
      body: { model: SERVED, input: 'The quick brown fox jumps over the lazy dog.' },
    });
    assert.equal(res.status, 200, res.text);
    const data = res.json.data as { embedding: number[] }[];
    assert.equal(data[0]!.embedding.length, 128);
    const usage = res.json.usage as { prompt_tokens: number };
    assert.ok(usage.prompt_tokens > 0);
    await settle();
    assert.equal((await spent()) - before, charged(usage.prompt_tokens, lastAudit(g.tenantId, false).reserved));
  });
});
