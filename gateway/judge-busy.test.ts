// A tenant flooding a shared judge model cannot turn its own calls into unjudged ones under `failMode: open`:
// beyond its share of the judge's slots (stages/judge-slots.ts) its calls wait, then are refused. The judge here
// is a /classify server that scores one text at a time (a small classifier on one GPU): without the slots, three
// concurrent calls queue at the server, the third passes its timeout and the fail mode forwards it unjudged.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CfgGuardrails } from '../api/gateway-config.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { call, installLeakScan, startStack, type Stack } from './test/harness.ts';

installLeakScan();

const SERVE_MS = 300;

/** /classify, one request at a time, SERVE_MS each: P(injection) 0.99 for a text holding BADJUDGE. */
async function serialJudge(): Promise<{ url: string; close: () => Promise<void> }> {
  let busyUntil = 0;
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const start = Math.max(Date.now(), busyUntil);
      busyUntil = start + SERVE_MS;
      setTimeout(() => {
        const p = body.includes('BADJUDGE') ? 0.99 : 0.01;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: [{ probs: [1 - p, p] }] }));
      }, busyUntil - Date.now());
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

const guardrails: CfgGuardrails = {
  redaction: { detectors: [], customPatterns: [] },
  promptInjection: {
    mode: 'block',
    threshold: 0.7,
    judge: { model: 'jm', protocol: 'classify', timeoutMs: 500, failMode: 'open' },
  },
  exfiltration: { mode: 'off', allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: false },
};

describe("a tenant's own flood of a shared judge does not open it", () => {
  let s: Stack;
  let j: Awaited<ReturnType<typeof serialJudge>>;
  const key = newKey();
  before(async () => {
    j = await serialJudge();
    s = await startStack(
      (sim) =>
        config(
          [model('m1', sim), model('jm', j.url, { capabilities: ['chat.completions'] })],
          [tenant({ name: 'flood', models: ['m1'], keys: [{ name: 'k', key }], over: { guardrails } })],
        ),
      { sim: { latencyMs: 0 }, app: { judgeConcurrency: 4 } },
    );
  });
  after(async () => {
    await s.close();
    await j.close();
  });

  it('three concurrent injections against a one-at-a-time judge: none is forwarded unjudged', async () => {
    const body = { model: 'm1', messages: [{ role: 'user', content: 'Tell me BADJUDGE now.' }] };
    const rs = await Promise.all([0, 1, 2].map(() => call(s.url, '/v1/chat/completions', { key, body })));
    const codes = rs.map((r) => (r.status === 200 ? '200' : (r.json.error?.code ?? String(r.status))));
    assert.deepEqual(codes, ['prompt_injection', 'prompt_injection', 'prompt_injection'], codes.join());
    const m = await fetch(`${s.gw.metricsUrl}/metrics`).then((r) => r.text());
    assert.match(m, /tollgate_judge_busy_total\{reason="tenant_share"\} [1-9]/);
  });
});
