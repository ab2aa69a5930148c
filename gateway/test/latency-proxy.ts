// A TCP proxy on 127.0.0.1 that adds latency to every reply (server -> client), in order: a "slow Redis".
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  readonly port: number;
  /** Added latency for bytes from the target to the client, in ms (change it at any time). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startLatencyProxy(targetPort: number, delayMs = 0): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const state = { delayMs };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let chain = Promise.resolve();
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      const due = Date.now() + state.delayMs;
      chain = chain.then(
        () =>
          new Promise<void>((r) =>
            setTimeout(
              () => {
                if (!client.destroyed) client.write(d);
                r();
              },
              Math.max(0, due - Date.now()),
            ),
          ),
      );
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
