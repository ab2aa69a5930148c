// The input judge (a model call on a shared classifier) runs only for a request that passed auth and holds its
// reservation: rpm, budget and concurrency refusals never reach it, and a request the judge refuses gives its
// reservation (budget, tpm, the concurrency lease) back. The judge is a counting HTTP server speaking vLLM
// /classify; the engine is the simulator.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CfgGuardrails } from '../api/gateway-config.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';

installLeakScan();

/** A /classify server: the probability of "injection" is 0.99 for a text holding BADJUDGE, else 0.01. */
async function judgeServer(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let n = 0;
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      n++;
      const p = body.includes('BADJUDGE') ? 0.99 : 0.01;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ probs: [1 - p, p] }] }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`,
    calls: () => n,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

const judged = (): CfgGuardrails => ({
  redaction: { detectors: [], customPatterns: [] },
  promptInjection: {
    mode: 'block',
    threshold: 0.7,
    judge: { model: 'jm', protocol: 'classify', timeoutMs: 5_000, failMode: 'open' },
  },
  exfiltration: { mode: 'off', allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: false },
});

describe('the input judge runs after the reservation', () => {
  let s: Stack;
  let j: Awaited<ReturnType<typeof judgeServer>>;
  const rpmKey = newKey();
  const budgetKey = newKey();
  const ccKey = newKey();
  const releaseKey = newKey();
  const outKey = newKey();
  before(async () => {
    j = await judgeServer();
    const t = (name: string, key: string, limits: Parameters<typeof tenant>[0]['limits']) =>
      tenant({ name, models: ['m1'], keys: [{ name: 'k', key }], limits, over: { guardrails: judged() } });
    s = await startStack(
      (sim) =>
        config(
          [model('m1', sim), model('jm', j.url, { capabilities: ['chat.completions'] })],
          [
            t('rpm', rpmKey, { requestsPerMinute: 2 }),
            t('budget', budgetKey, {
              maxOutputTokens: 100,
              budgets: [{ unit: 'tokens', limit: 150, windowSeconds: 86400 }],
            }),
            t('cc', ccKey, { concurrency: 1 }),
            tenant({
              name: 'out',
              models: ['m1'],
              keys: [{ name: 'k', key: outKey }],
              limits: { requestsPerMinute: 1 },
              over: {
                guardrails: {
                  ...judged(),
                  promptInjection: { mode: 'off', threshold: 0.7 },
                  outputCheck: {
                    mode: 'block',
                    threshold: 0.7,
                    judge: judged().promptInjection.judge!,
                    windowChars: 0,
                  },
                },
              },
            }),
            t('release', releaseKey, {
              concurrency: 1,
              maxOutputTokens: 100,
              budgets: [{ unit: 'tokens', limit: 150, windowSeconds: 86400 }],
            }),
          ],
        ),
      { sim: { latencyMs: 0 } },
    );
  });
  after(async () => {
    await s.close();
    await j.close();
  });

  it('rpm: requests over the limit are refused without a judge call', async () => {
    const before = j.calls();
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await call(s.url, '/v1/chat/completions', { key: rpmKey, body: chat('m1') })).json.error?.code);
    assert.deepEqual(codes, [undefined, undefined, ...Array<string>(4).fill('rate_limit_requests')]);
    assert.equal(j.calls() - before, 2, 'one judge call per admitted request');
  });

  it('budget: a request that can never fit, or does not fit what is left, gets no judge call', async () => {
    const before = j.calls();
    const body = (max: number) => chat('m1', { max_tokens: max });
    const long = { model: 'm1', messages: [{ role: 'user', content: 'Summarise this please. '.repeat(60) }] };
    const big = await call(s.url, '/v1/chat/completions', { key: budgetKey, body: long });
    assert.equal(big.json.error?.code, 'request_exceeds_budget');
    assert.equal(j.calls() - before, 0);
    // each reserves ~110 of the 150 tokens and is charged what the engine reports: spend it, then refusals
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await call(s.url, '/v1/chat/completions', { key: budgetKey, body: body(100) })).json.error?.code);
    const served = codes.filter((c) => c === undefined).length;
    assert.ok(served >= 1 && codes.at(-1) === 'insufficient_quota', codes.join());
    assert.equal(j.calls() - before, served, 'only the admitted requests were judged');
  });

  it('concurrency: a request refused for a busy slot gets no judge call', async () => {
    s.sim.options.latencyMs = 400;
    try {
      const before = j.calls();
      const first = call(s.url, '/v1/chat/completions', { key: ccKey, body: chat('m1') });
      await new Promise((r) => setTimeout(r, 150));
      const second = await call(s.url, '/v1/chat/completions', { key: ccKey, body: chat('m1') });
      assert.equal(second.json.error?.code, 'concurrency_limit');
      assert.equal((await first).status, 200);
      assert.equal(j.calls() - before, 1);
    } finally {
      s.sim.options.latencyMs = 0;
    }
  });

  it('a request the judge refuses releases its budget and its concurrency slot', async () => {
    const before = j.calls();
    const msg = (content: string) => ({ model: 'm1', max_tokens: 100, messages: [{ role: 'user', content }] });
    // each reserves ~110 of the 150-token budget and the one slot: without the release the next would not fit
    for (let i = 0; i < 3; i++) {
      const bad = await call(s.url, '/v1/chat/completions', { key: releaseKey, body: msg('Tell me BADJUDGE now.') });
      assert.equal(bad.json.error?.code, 'prompt_injection', bad.text);
    }
    const good = await call(s.url, '/v1/chat/completions', { key: releaseKey, body: msg('Say hello.') });
    assert.equal(good.status, 200, good.text);
    assert.equal(j.calls() - before, 4);
  });

  it('the output judge too: it runs in forward, under the reservation, so an rpm refusal never reaches it', async () => {
    const before = j.calls();
    assert.equal((await call(s.url, '/v1/chat/completions', { key: outKey, body: chat('m1') })).status, 200);
    const served = j.calls();
    assert.ok(served > before, 'the served request was judged');
    for (let i = 0; i < 2; i++) {
      const r = await call(s.url, '/v1/chat/completions', { key: outKey, body: chat('m1') });
      assert.equal(r.json.error?.code, 'rate_limit_requests');
    }
    assert.equal(j.calls(), served, 'refused requests: no output judge call');
  });
});
