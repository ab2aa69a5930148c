// dispatchRequest: the contract the gateway relied on with undici's request() (pool.ts, forward.ts).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { dispatchRequest } from './dispatch.ts';

type Mode = 'whole' | 'slow-stream' | 'headers-then-drop';

let mode: Mode = 'whole';
/** Set when the server saw the client's connection close before the response had ended. */
let cutEarly = 0;
let server: http.Server;
let pool: Pool;

before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (mode === 'whole') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (mode === 'headers-then-drop') {
        res.write('data: 1\n\n');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      const timer = setInterval(() => res.write('data: x\n\n'), 5);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableEnded) cutEarly++;
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

after(async () => {
  await pool.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const send = (signal: AbortSignal) =>
  dispatchRequest(pool, { path: '/v1/chat/completions', body: '{}', headers: {}, signal });

const waitFor = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('dispatchRequest', () => {
  it('resolves at the headers: status, headers, the body as a byte stream', async () => {
    mode = 'whole';
    const res = await send(new AbortController().signal);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(await res.body.text(), '{"ok":true}');
  });

  it("the caller's abort after the headers fails the body with the signal's reason and cuts the connection", async () => {
    mode = 'slow-stream';
    const before0 = cutEarly;
    const ac = new AbortController();
    const res = await send(ac.signal);
    const reason = new Error('client gone');
    setTimeout(() => ac.abort(reason), 30);
    await assert.rejects(
      (async () => {
        for await (const chunk of res.body) void chunk;
      })(),
      (e) => e === reason,
    );
    await waitFor(() => cutEarly > before0);
    assert.equal(cutEarly - before0, 1);
  });

  it('a body left before its end aborts the request (the upstream sees the connection close)', async () => {
    mode = 'slow-stream';
    const before0 = cutEarly;
    const res = await send(new AbortController().signal);
    for await (const chunk of res.body) {
      void chunk;
      break;
    }
    await waitFor(() => cutEarly > before0);
    assert.equal(cutEarly - before0, 1);
  });

  it("a connection lost after the headers fails the body with the connection's error", async () => {
    mode = 'headers-then-drop';
    const res = await send(new AbortController().signal);
    await assert.rejects(res.body.text(), (e: unknown) => (e as { code?: string }).code === 'UND_ERR_SOCKET');
  });

  it('aborted before it started: rejected with the reason, nothing resolved', async () => {
    mode = 'whole';
    const ac = new AbortController();
    const reason = new Error('already gone');
    ac.abort(reason);
    await assert.rejects(send(ac.signal), (e) => e === reason);
  });
});
