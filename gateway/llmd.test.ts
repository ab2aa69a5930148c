// The gateway in front of llm-d-inference-sim (the vLLM simulator, built from Go modules by
// e2e/cluster/build.sh): its usage reports drive settlement, streams relay, and budgets hold.
// Fails (does not skip) when the binary is missing: run `npm run e2e:build` (or build.sh llm-d-inference-sim).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { binaryPath } from '../e2e/binaries.ts';
import type { RunningGateway } from './server.ts';
import { startGateway } from './server.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, call, captureLogger, chat, installLeakScan } from './test/harness.ts';
import { freePort } from './test/net.ts';
import { waitFor } from './test/redis.ts';

installLeakScan();

const MODEL = 'qwen-sim';
const key = newKey();
const raceKey = newKey();
let proc: ChildProcess;
let gw: RunningGateway;

before(async () => {
  const bin = binaryPath('llm-d-inference-sim');
  const port = await freePort();
  proc = spawn(
    bin,
    [
      '--port',
      String(port),
      '--model',
      MODEL,
      '--force-dummy-tokenizer',
      '--max-model-len',
      '4096',
      '--time-to-first-token',
      '200ms',
      '--inter-token-latency',
      '10ms',
      '--max-num-seqs',
      '64',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const upstream = `http://127.0.0.1:${port}/v1`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${upstream}/models`)).ok) break;
    } catch {
      // starting
    }
    if (proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`llm-d-inference-sim did not start: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  gw = await startGateway({
    config: {
      kind: 'static',
      value: config(
        [model(MODEL, upstream, { contextLength: 4096, capabilities: ['chat.completions', 'completions'] })],
        [
          tenant({
            name: 'l',
            models: [MODEL],
            keys: [{ name: 'k', key }],
            limits: {
              maxOutputTokens: 64,
              concurrency: 4,
              budgets: [{ unit: 'tokens', limit: 1_000_000, windowSeconds: 86400 }],
            },
          }),
          tenant({
            name: 'race',
            models: [MODEL],
            keys: [{ name: 'k', key: raceKey }],
            limits: { maxOutputTokens: 100, budgets: [{ unit: 'tokens', limit: 350, windowSeconds: 86400 }] },
          }),
        ],
      ),
    },
    port: 0,
    metricsPort: 0,
    logger: captureLogger(),
  });
});
after(async () => {
  await gw?.close();
  if (proc && proc.exitCode === null) {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
});

describe('llm-d-inference-sim upstream', () => {
  it('non-streaming: settles exactly the usage the engine reports', async () => {
    const before = await gw.gateway.store.spent('team-l/l', 'tokens', 86400);
    const res = await call(gw.url, '/v1/chat/completions', { key, body: chat(MODEL, { max_tokens: 30 }) });
    assert.equal(res.status, 200, res.text);
    const usage = res.json.usage as { prompt_tokens: number; completion_tokens: number };
    assert.ok(usage.completion_tokens <= 30);
    // settlement runs after the response is sent: wait for it (bounded), then compare
    const expected = usage.prompt_tokens + usage.completion_tokens;
    const spentNow = async () => (await gw.gateway.store.spent('team-l/l', 'tokens', 86400)) - before;
    await waitFor('settlement', async () => (await spentNow()) === expected, 5_000).catch(() => undefined);
    assert.equal(await spentNow(), expected);
  });

  it('streaming: chunks relayed, usage chunk hidden unless asked, spend settled from it', async () => {
    const before = await gw.gateway.store.spent('team-l/l', 'tokens', 86400);
    const res = await call(gw.url, '/v1/chat/completions', {
      key,
      body: chat(MODEL, { stream: true, max_tokens: 12 }),
    });
    assert.equal(res.status, 200);
    assert.ok(res.text.trimEnd().endsWith('data: [DONE]'));
    assert.doesNotMatch(res.text, /"usage":\{/, 'the usage chunk the gateway asked for is not passed on');
    await waitFor('the streamed request settled', () =>
      CAPTURED.some((l) => l.includes('"stream":true') && l.includes('"tenant":"team-l/l"')),
    );
    const spent = (await gw.gateway.store.spent('team-l/l', 'tokens', 86400)) - before;
    const line = CAPTURED.filter((l) => l.includes('"stream":true') && l.includes('"tenant":"team-l/l"')).at(-1) ?? '';
    const audit = (JSON.parse(line) as { audit: { tokensIn: number; tokensOut: number } }).audit;
    assert.equal(spent, audit.tokensIn + audit.tokensOut);
    assert.ok(audit.tokensOut > 0 && audit.tokensOut <= 12);
  });

  it('completions and the max_tokens cap reach the engine', async () => {
    const res = await call(gw.url, '/v1/completions', {
      key,
      body: { model: MODEL, prompt: 'Once upon a time', max_tokens: 5000 },
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(
      (res.json.usage as { completion_tokens: number }).completion_tokens <= 64,
      'capped at the tenant maxOutputTokens',
    );
  });

  it('a client abort mid-stream releases the slot', async () => {
    const ac = new AbortController();
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      signal: ac.signal,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat(MODEL, { stream: true, max_tokens: 64 })),
    });
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    for (let i = 0; i < 100 && (await gw.gateway.store.inflight('team-l/l')) > 0; i++)
      await new Promise((res) => setTimeout(res, 20));
    assert.equal(await gw.gateway.store.inflight('team-l/l'), 0);
  });

  it('20 concurrent requests against a budget for 3: 3 served, the rest refused before the engine', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call(gw.url, '/v1/chat/completions', { key: raceKey, body: chat(MODEL) })),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 3);
    assert.equal(results.filter((r) => r.json.error?.code === 'insufficient_quota').length, 17);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok((await gw.gateway.store.spent('team-race/race', 'tokens', 86400)) <= 350);
  });
});
