// The test Redis launcher survives the bind race of free ports (another process takes the port between
// freePort() and redis-server's bind): it chooses again; a pinned port is never chosen again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { freePort } from './net.ts';
import { startRedis } from './redis.ts';

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

test('a data or cluster bus port taken before redis-server binds it is chosen again', async () => {
  const taken = await occupy();
  try {
    for (const clusterBus of [false, true]) {
      const given: number[] = [];
      // data port first; in cluster mode the bus port second — the taken port is handed out once, in either place
      let handed = false;
      const pickPort = async (): Promise<number> => {
        const p = !handed && given.length === (clusterBus ? 1 : 0) ? ((handed = true), taken.port) : await freePort();
        given.push(p);
        return p;
      };
      const r = await startRedis({ pickPort, clusterBus, conf: clusterBus ? ['cluster-enabled yes'] : [] });
      try {
        assert.ok(handed, 'the taken port was handed out');
        assert.notEqual(r.port, taken.port);
        assert.equal(given.length, clusterBus ? 4 : 2, `ports chosen: ${given.join(', ')}`);
      } finally {
        await r.stop();
      }
    }
  } finally {
    taken.server.close();
  }
});

test('a pinned port that is taken fails loudly, naming the cause', async () => {
  const taken = await occupy();
  try {
    await assert.rejects(startRedis({ port: taken.port }), /Address already in use/);
  } finally {
    taken.server.close();
  }
});
