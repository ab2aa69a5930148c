// The llama-server known issue: right after the gateway cut a stream at max_tokens, the next request failed
// with upstream_unavailable. The engine closes its side of a connection after a stream; when the gateway's
// cut answers the client early, the client's next request can reach the pool before the engine's FIN and go
// out on that dead kept-alive connection. A tiny local upstream does exactly that, deterministically: after
// a stream it kills the connection when the next request arrives on it, before answering.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { config, model, newKey, tenant } from '../test/fixtures.ts';
import { call, chat, installLeakScan, captureLogger } from '../test/harness.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { Upstreams } from './pool.ts';

installLeakScan();

interface Engine {
  url: string;
  /** Requests answered, and requests whose connection was killed instead. */
  answered: number;
  killed: number;
  /** Sockets the engine saw closed by the other side while it was still streaming. */
  cutByClient: number;
  mode: 'close-after-stream' | 'kill-everything' | 'headers-then-kill' | 'endless-stream';
  server: Server;
}

const doomed = new WeakSet<Socket>();

function sse(n: number): string {
  const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  let out = '';
  for (let i = 0; i < n; i++)
    out += ev({
      id: 'c',
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }],
    });
  out += ev({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'length' }] });
  out += ev({
    id: 'c',
    object: 'chat.completion.chunk',
    choices: [],
    usage: { prompt_tokens: 9, completion_tokens: n, total_tokens: 9 + n },
  });
  return `${out}data: [DONE]\n\n`;
}

function handle(e: Engine, req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
  if (doomed.has(req.socket) || e.mode === 'kill-everything') {
    e.killed++;
    req.socket.destroy(); // what the engine had already decided: this connection is over
    return;
  }
  if (e.mode === 'headers-then-kill') {
    e.killed++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    setImmediate(() => req.socket.destroy());
    return;
  }
  e.answered++;
  if (body.stream === true && e.mode === 'endless-stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const t = setInterval(() => res.write(sse(1).split('\n\n')[0] + '\n\n'), 5);
    res.on('close', () => {
      clearInterval(t);
      if (!res.writableFinished) e.cutByClient++;
    });
    return;
  }
  if (body.stream === true) {
    // an engine that goes on past max_tokens (the gateway cuts it), all in one write, then closes its side
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(sse(Number(body.max_tokens) + 5));
    doomed.add(req.socket);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'x',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
    }),
  );
}

async function startEngine(): Promise<Engine> {
  const e = { answered: 0, killed: 0, cutByClient: 0, mode: 'close-after-stream' } as Engine;
  e.server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () =>
      handle(e, req, res, JSON.parse(Buffer.concat(parts).toString() || '{}') as Record<string, unknown>),
    );
  });
  e.server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => e.server.listen(0, '127.0.0.1', r));
  e.url = `http://127.0.0.1:${(e.server.address() as AddressInfo).port}`;
  return e;
}

const key = newKey();
const TENANT = 'team-ka/ka';
let engine: Engine;
let gw: RunningGateway;

before(async () => {
  engine = await startEngine();
  const limits = {
    maxOutputTokens: 4,
    concurrency: 1,
    budgets: [{ unit: 'tokens' as const, limit: 100_000, windowSeconds: 86400 }],
  };
  gw = await startGateway({
    config: {
      kind: 'static',
      value: config(
        [model('m1', `${engine.url}/v1`)],
        [tenant({ name: 'ka', models: ['m1'], keys: [{ name: 'k', key }], limits })],
      ),
    },
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    logger: captureLogger(),
  });
});
after(async () => {
  await gw?.close();
  engine?.server.closeAllConnections();
  await new Promise((r) => engine?.server.close(r));
});
beforeEach(() => {
  engine.mode = 'close-after-stream';
});

const spent = () => gw.gateway.store.spent(TENANT, 'tokens', 86400);
const retries = async () => (await gw.gateway.metrics.upstreamRetries.get()).values[0]?.value ?? 0;

describe('a kept-alive upstream connection closed after a cut stream', () => {
  it('the request after the cut is served (sent again on a new connection), and charged once', async () => {
    for (let round = 0; round < 3; round++) {
      const cut = await call(gw.url, '/v1/chat/completions', { key, body: chat('m1', { stream: true }) });
      assert.equal(cut.status, 200);
      assert.match(cut.text, /"finish_reason":"length"/);
      const before = await spent();
      const killedBefore = engine.killed;
      const next = await call(gw.url, '/v1/chat/completions', { key, body: chat('m1') });
      assert.equal(next.status, 200, `round ${round}: ${next.text}`);
      assert.equal(engine.killed, killedBefore + 1, 'the request went out on the dead connection first');
      await new Promise((r) => setTimeout(r, 20)); // settlement is written after the response
      assert.equal(await spent(), before + 12, "one charge: the engine's usage of the one answer");
    }
    assert.equal(await retries(), 3);
    assert.equal(await gw.gateway.store.inflight(TENANT), 0);
  });

  it('a cut in the middle of a stream closes that connection (never back in the pool)', async () => {
    engine.mode = 'endless-stream';
    const cutsBefore = engine.cutByClient;
    const r = await call(gw.url, '/v1/chat/completions', { key, body: chat('m1', { stream: true }) });
    assert.match(r.text, /"finish_reason":"length"/);
    for (let i = 0; i < 100 && engine.cutByClient === cutsBefore; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(engine.cutByClient, cutsBefore + 1, 'the engine saw the connection closed');
    engine.mode = 'close-after-stream';
    const retriesBefore = await retries();
    assert.equal((await call(gw.url, '/v1/chat/completions', { key, body: chat('m1') })).status, 200);
    assert.equal(await retries(), retriesBefore, 'no dead connection was reused');
  });

  it('an upstream that kills every connection: tried twice, then upstream_unavailable', async () => {
    engine.mode = 'kill-everything';
    const killedBefore = engine.killed;
    const r = await call(gw.url, '/v1/chat/completions', { key, body: chat('m1') });
    assert.equal(r.status, 502);
    assert.equal(r.json.error?.code, 'upstream_unavailable');
    assert.equal(engine.killed - killedBefore, 2);
  });
});

describe('Upstreams.send: retried only before any response byte', () => {
  it('a connection lost after the response headers is not retried', async () => {
    engine.mode = 'headers-then-kill';
    const up = new Upstreams();
    let retried = 0;
    up.onRetry = () => retried++;
    const killedBefore = engine.killed;
    try {
      const res = await up.send({
        origin: engine.url,
        path: '/v1/chat/completions',
        body: '{}',
        headers: { 'content-type': 'application/json' },
        signal: new AbortController().signal,
      });
      await assert.rejects(res.body.text());
    } finally {
      await up.close();
    }
    assert.equal(retried, 0);
    assert.equal(engine.killed - killedBefore, 1);
  });

  it('a request the caller aborted is not retried', async () => {
    engine.mode = 'kill-everything';
    const up = new Upstreams();
    let retried = 0;
    up.onRetry = () => retried++;
    const ac = new AbortController();
    ac.abort();
    try {
      await assert.rejects(
        up.send({ origin: engine.url, path: '/v1/chat/completions', body: '{}', headers: {}, signal: ac.signal }),
      );
    } finally {
      await up.close();
    }
    assert.equal(retried, 0);
  });
});
