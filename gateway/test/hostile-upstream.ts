// A hostile OpenAI-compatible upstream for egress tests: each request's answer is whatever the test's handler
// returns — a JSON value, or the exact raw bytes of an SSE body (framing attacks). Listens on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileAnswer {
  status?: number;
  contentType?: string;
  /** Written as is (a JSON body is JSON.stringify'd by the caller); an array is written piece by piece. */
  body: string | readonly string[];
  /** Pause between the pieces of an array body (default: none, all written at once). */
  pieceDelayMs?: number;
}

export interface HostileUpstream {
  /** Base URL with /v1. */
  readonly url: string;
  /** Decides the next answers (request body -> answer). */
  handler: (body: Record<string, unknown>) => HostileAnswer;
  /** The Authorization header of the last request. */
  lastAuthorization: string | undefined;
  close(): Promise<void>;
}

export async function startHostileUpstream(): Promise<HostileUpstream> {
  const state: HostileUpstream = {
    url: '',
    handler: () => ({ body: '{}' }),
    lastAuthorization: undefined,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // not JSON: the handler sees {}
      }
      state.lastAuthorization = req.headers.authorization;
      const a = state.handler(body);
      res.writeHead(a.status ?? 200, {
        'content-type': a.contentType ?? (body.stream === true ? 'text/event-stream' : 'application/json'),
      });
      const parts = typeof a.body === 'string' ? [a.body] : a.body;
      if (!a.pieceDelayMs) {
        for (const p of parts) res.write(p);
        res.end();
        return;
      }
      const delay = a.pieceDelayMs;
      void (async () => {
        for (const p of parts) {
          if (res.destroyed) return;
          res.write(p);
          await new Promise((r) => setTimeout(r, delay));
        }
        res.end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** An SSE body from chunk objects (and `[DONE]`), LF framing. */
export function sseBody(chunks: readonly unknown[], done = true): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
}

/** One streamed chat chunk with `delta` for choice 0. */
export function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'chatcmpl-h',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: null, ...extra }],
  };
}

/** A whole chat completion with `message` for choice 0. */
export function completion(
  message: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'chatcmpl-h',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop', ...extra }],
    usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
  };
}
