// A real llama.cpp server behind the real gateway. llama-server is built from source by
// e2e/engines/build.sh (cached); the model is the tiny llama GGUF that tiny-model.py writes (random
// weights, real BPE tokenizer); the command line, arguments and env are the ones `tollgate render` prints
// for an LLMModel with engine llamacpp (mapped to local paths as e2e/engines/local.ts documents).
// Fails, never skips, when the binary or the gguf venv is missing (the message names the build command).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { binaryPath } from '../binaries.ts';
import { newKey, tenant } from '../../gateway/test/fixtures.ts';
import { call, installLeakScan } from '../../gateway/test/harness.ts';
import { freePort } from '../../gateway/test/net.ts';
import {
  charged,
  gatewayFor,
  lastAudit,
  llamacppModelYaml,
  TINY_REPO,
  re2Literal,
  sseEvents,
  streamedContent,
  writeTinyModel,
  type EngineGateway,
  type TinyModel,
} from './harness.ts';
import {
  container,
  localizeContainer,
  renderManifest,
  startProcess,
  waitHealthy,
  type EngineProcess,
  type LocalCommand,
} from './local.ts';

installLeakScan();

const SERVED = 'tiny-llama';
const REPO = TINY_REPO;
const MAX_OUT = 16;
const key = newKey();
const upstreamKey = `upstream-${newKey()}`;
let work: string;
let tiny: TinyModel;
let engine: EngineProcess;
let cmd: LocalCommand;
let upstream: string;
let g: EngineGateway;
let gwRedact: EngineGateway;
let plain: string;

const modelYaml = (sha256: string, name = SERVED, capabilities?: string): string =>
  llamacppModelYaml(sha256, name, capabilities === undefined ? {} : { capabilities });

const spent = () => g.gw.gateway.store.spent(g.tenantId, 'tokens', 86400);
const settle = () => new Promise((r) => setTimeout(r, 100));

before(async () => {
  const bin = binaryPath('llama-server');
  work = mkdtempSync(join(tmpdir(), 'tollgate-llamacpp-'));
  // where the fetch init container leaves the file: /models/<repo>/<path> (here under work/models)
  tiny = writeTinyModel(join(work, 'models', REPO, 'tiny.gguf'));
  const yaml = modelYaml(tiny.sha256);
  const d = renderManifest(join(work, 'manifests'), yaml);
  const port = await freePort();
  const secret = `${d.metadata!.name!.replace(/-engine$/, '')}-upstream-auth/api-key`;
  cmd = localizeContainer(container(d, 'engine'), {
    binaries: { 'llama-server': bin },
    modelDir: join(work, 'models'),
    tmpDir: work,
    port,
    secrets: { [secret]: upstreamKey },
  });
  engine = startProcess(cmd, { cwd: work });
  await waitHealthy(`http://127.0.0.1:${port}/health`, engine, 60_000);
  upstream = `http://127.0.0.1:${port}/v1`;
  const limits = {
    maxOutputTokens: MAX_OUT,
    budgets: [{ unit: 'tokens' as const, limit: 1_000_000, windowSeconds: 86400 }],
  };
  g = await gatewayFor(
    yaml,
    upstream,
    upstreamKey,
    tenant({ name: 'l', models: [SERVED], keys: [{ name: 'k', key }], limits }),
  );

  // What the model says to a fixed prompt at temperature 0 (asked of the engine directly), so a redaction
  // pattern can target a stretch of its real output that spans several streamed tokens.
  const r = await fetch(`${upstream}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstreamKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: SERVED,
      messages: [{ role: 'user', content: 'Tell me a secret.' }],
      max_tokens: MAX_OUT,
      temperature: 0,
    }),
  });
  plain = ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  const secretKey = newKey();
  gwRedact = await gatewayFor(
    yaml,
    upstream,
    upstreamKey,
    tenant({
      name: 'r',
      models: [SERVED],
      keys: [{ name: 'k', key: secretKey }],
      limits,
      over: {
        guardrails: {
          redaction: {
            detectors: [],
            customPatterns: [{ name: 'engine-said', pattern: re2Literal(plain.trim().slice(0, 12)) }],
          },
          promptInjection: { mode: 'off', threshold: 0.7 },
          exfiltration: { mode: 'off', allowedHosts: [] },
          canaries: [],
          structuredOutput: { enforce: false },
        },
      },
    }),
  );
  redactKey = secretKey;
});
let redactKey = '';
const EMBED = 'tiny-embed';
const embedKey = newKey();
let embedEngine: EngineProcess | undefined;
let ge: EngineGateway | undefined;

after(async () => {
  await g?.close();
  await gwRedact?.close();
  await ge?.close();
  await engine?.stop();
  await embedEngine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('llama.cpp (llama-server built from source) behind the gateway', () => {
  it('runs exactly the rendered command line: only paths, host, port and the Secret value are mapped', () => {
    assert.ok(tiny.bytes > 500_000 && tiny.bytes < 10_000_000, `tiny model is ${tiny.bytes} bytes`);
    assert.equal(cmd.args[cmd.args.indexOf('--model') + 1], join(work, 'models', REPO, 'tiny.gguf'));
    assert.equal(cmd.args[cmd.args.indexOf('--alias') + 1], SERVED);
    assert.equal(cmd.args[cmd.args.indexOf('--host') + 1], '127.0.0.1');
    assert.equal(cmd.env.LLAMA_API_KEY, upstreamKey);
  });

  it('the engine itself refuses requests without the upstream key only the gateway holds', async () => {
    const r = await fetch(`${upstream}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: SERVED, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(r.status, 401);
    const m = await fetch(`${upstream}/models`, { headers: { authorization: `Bearer ${upstreamKey}` } });
    assert.ok(
      ((await m.json()) as { data: { id: string }[] }).data.some((x) => x.id === SERVED),
      'the engine serves the served name',
    );
  });

  it('chat: the real tokenizer counts, usage reaches the client, the budget is settled from the engine usage', async () => {
    const before = await spent();
    const res = await call(g.gw.url, '/v1/chat/completions', {
      key,
      body: {
        model: SERVED,
        messages: [{ role: 'user', content: 'Hello, how are you today? Please write a short story about a cat.' }],
        max_tokens: 8,
        temperature: 0, // greedy: a sampled first token can be end-of-sequence
      },
    });
    assert.equal(res.status, 200, res.text);
    const usage = res.json.usage as { prompt_tokens: number; completion_tokens: number };
    // ChatML wrapping + BPE over real text: more tokens than words, far fewer than bytes
    assert.ok(usage.prompt_tokens > 15 && usage.prompt_tokens < 80, `prompt_tokens ${usage.prompt_tokens}`);
    assert.ok(
      usage.completion_tokens > 0 && usage.completion_tokens <= 8,
      `completion_tokens ${usage.completion_tokens}`,
    );
    assert.equal(res.json.model, SERVED);
    await settle();
    const a = lastAudit(g.tenantId, false);
    assert.equal((await spent()) - before, charged(usage.prompt_tokens + usage.completion_tokens, a.reserved));
    assert.equal(a.cost, charged(usage.prompt_tokens + usage.completion_tokens, a.reserved));
  });

  it('streaming chat: real SSE relayed to [DONE], the usage chunk the gateway asked for is hidden, spend settled from it', async () => {
    const before = await spent();
    const res = await call(g.gw.url, '/v1/chat/completions', {
      key,
      // greedy: a sampled first token can be end-of-sequence
      body: {
        model: SERVED,
        messages: [{ role: 'user', content: 'Say something.' }],
        stream: true,
        max_tokens: 6,
        temperature: 0,
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.ok(res.text.trimEnd().endsWith('data: [DONE]'), res.text.slice(-200));
    const events = sseEvents(res.text);
    assert.ok(events.length >= 2);
    assert.ok(!events.some((e) => e.usage), 'usage chunk passed on although the client did not ask');
    await settle();
    const audit = lastAudit(g.tenantId, true);
    assert.ok(audit.tokensOut > 0 && audit.tokensOut <= 6, `tokensOut ${audit.tokensOut}`);
    assert.equal((await spent()) - before, charged(audit.tokensIn + audit.tokensOut, audit.reserved));
  });

  it("streaming with include_usage: the engine's own usage chunk reaches the client and matches the charge", async () => {
    const before = await spent();
    const res = await call(g.gw.url, '/v1/chat/completions', {
      key,
      body: {
        model: SERVED,
        messages: [{ role: 'user', content: 'Count to three.' }],
        stream: true,
        max_tokens: 5,
        stream_options: { include_usage: true },
      },
    });
    assert.equal(res.status, 200, res.text);
    const usage = sseEvents(res.text).find((e) => e.usage)?.usage as
      { prompt_tokens: number; completion_tokens: number } | undefined;
    assert.ok(usage, 'no usage chunk');
    assert.ok(usage.completion_tokens <= 5);
    await settle();
    assert.equal(
      (await spent()) - before,
      charged(usage.prompt_tokens + usage.completion_tokens, lastAudit(g.tenantId, true).reserved),
    );
  });

  it('completions: max_tokens above the tenant cap is capped before the engine, and the engine honours it', async () => {
    const res = await call(g.gw.url, '/v1/completions', {
      key,
      body: { model: SERVED, prompt: 'Once upon a time', max_tokens: 5000, temperature: 1 },
    });
    assert.equal(res.status, 200, res.text);
    const usage = res.json.usage as { completion_tokens: number };
    assert.ok(usage.completion_tokens <= MAX_OUT, `completion_tokens ${usage.completion_tokens} > cap ${MAX_OUT}`);
    const small = await call(g.gw.url, '/v1/completions', {
      key,
      body: { model: SERVED, prompt: 'Once upon a time', max_tokens: 2, temperature: 1 },
    });
    assert.equal(small.status, 200, small.text);
    assert.ok((small.json.usage as { completion_tokens: number }).completion_tokens <= 2);
    const finish = (small.json.choices as { finish_reason: string }[])[0]!.finish_reason;
    assert.ok(finish === 'length' || finish === 'stop', finish);
  });

  it("streaming redaction on the engine's real SSE framing: a stretch of the model's own output never reaches the client", async () => {
    const target = plain.trim().slice(0, 12);
    assert.ok(target.length >= 4, `the tiny model said too little to redact: ${JSON.stringify(plain)}`);
    const body = {
      model: SERVED,
      messages: [{ role: 'user', content: 'Tell me a secret.' }],
      max_tokens: MAX_OUT,
      temperature: 0,
    };
    const streamed = await call(gwRedact.gw.url, '/v1/chat/completions', {
      key: redactKey,
      body: { ...body, stream: true },
    });
    assert.equal(streamed.status, 200, streamed.text);
    const content = streamedContent(streamed.text);
    assert.ok(!content.includes(target), `redacted text leaked: ${JSON.stringify(content)}`);
    assert.match(content, /\[REDACTED:engine-said\]/);
    const whole = await call(gwRedact.gw.url, '/v1/chat/completions', { key: redactKey, body });
    assert.equal(whole.status, 200, whole.text);
    const text = (whole.json.choices as { message: { content: string } }[])[0]!.message.content;
    assert.ok(!text.includes(target) && text.includes('[REDACTED:engine-said]'), text);
  });
});

describe('llama.cpp embeddings (an LLMModel with capabilities [embeddings]: --embeddings)', () => {
  before(async () => {
    // an embedding GGUF declares its pooling (llama-server's /v1/embeddings refuses pooling "none")
    const tinyEmbed = writeTinyModel(join(work, 'models', REPO, 'tiny-embed.gguf'), true);
    const yaml = modelYaml(tinyEmbed.sha256, EMBED, '[embeddings]').replace('path: tiny.gguf', 'path: tiny-embed.gguf');
    const d = renderManifest(join(work, 'manifests-embed'), yaml);
    const port = await freePort();
    const c = localizeContainer(container(d, 'engine'), {
      binaries: { 'llama-server': binaryPath('llama-server') },
      modelDir: join(work, 'models'),
      tmpDir: work,
      port,
      secrets: { [`${EMBED}-upstream-auth/api-key`]: upstreamKey },
    });
    assert.ok(c.args.includes('--embeddings'));
    embedEngine = startProcess(c, { cwd: work });
    await waitHealthy(`http://127.0.0.1:${port}/health`, embedEngine, 60_000);
    ge = await gatewayFor(
      yaml,
      `http://127.0.0.1:${port}/v1`,
      upstreamKey,
      tenant({
        name: 'e',
        models: [EMBED],
        keys: [{ name: 'k', key: embedKey }],
        limits: { maxOutputTokens: MAX_OUT, budgets: [{ unit: 'tokens', limit: 1_000_000, windowSeconds: 86400 }] },
      }),
    );
  });

  it('vectors of the model width, input tokens from the engine usage charged', async () => {
    const before = await ge!.gw.gateway.store.spent(ge!.tenantId, 'tokens', 86400);
    const res = await call(ge!.gw.url, '/v1/embeddings', {
      key: embedKey,
      body: { model: EMBED, input: ['The quick brown fox jumps over the lazy dog.', 'Hello'] },
    });
    assert.equal(res.status, 200, res.text);
    const data = res.json.data as { embedding: number[]; index: number }[];
    assert.equal(data.length, 2);
    assert.equal(data[0]!.embedding.length, 128);
    const usage = res.json.usage as { prompt_tokens: number };
    assert.ok(usage.prompt_tokens >= 10, `prompt_tokens ${usage.prompt_tokens}`);
    await settle();
    assert.equal(
      (await ge!.gw.gateway.store.spent(ge!.tenantId, 'tokens', 86400)) - before,
      charged(usage.prompt_tokens, lastAudit(ge!.tenantId, false).reserved),
    );
  });
});
