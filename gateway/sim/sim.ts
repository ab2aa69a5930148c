// Built-in OpenAI-compatible model simulator: chat completions, completions, embeddings and models, with
// streaming (SSE, stream_options.include_usage), `usage`, and configurable latency. Used by the demo, the
// tests and the benchmark (as the common upstream). Plain node:http so it costs as little CPU as possible.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimOptions {
  /** Served names accepted (default: any). */
  models?: readonly string[];
  /** Delay before the response starts (time to first token). */
  latencyMs?: number;
  /** Delay between streamed tokens. */
  interTokenMs?: number;
  /** Tokens generated when max_tokens allows (default 16). */
  outputTokens?: number;
  /** Exact output tokens to emit (default: lorem ipsum words); outputTokens defaults to its length. */
  tokens?: readonly string[];
  /** Misbehaving engine: generate `outputTokens` whatever max_tokens says (tests of the output cap). */
  ignoreMaxTokens?: boolean;
  /** Misbehaving engine: after this many streamed tokens, write this raw SSE text and end the stream. */
  streamError?: { afterTokens: number; raw: string };
  /** Bearer key the simulator requires (like vLLM --api-key). */
  apiKey?: string;
  host?: string;
  port?: number;
}

export interface SimStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** Responses the client (the gateway) cut before the end. */
  aborted: number;
  /** Tokens actually sent in completed and cut responses. */
  tokensSent: number;
  byPath: Record<string, number>;
  lastBody: Record<string, unknown> | undefined;
  lastHeaders: Record<string, string | string[] | undefined> | undefined;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly stats: SimStats;
  /** Test hook: answer the next requests with this status and body instead of a completion. */
  failWith: { status: number; body: string } | undefined;
  /** Test hook: accept requests and never answer. */
  hang: boolean;
  options: SimOptions;
  reset(): void;
  close(): Promise<void>;
}

const WORDS = [
  'lorem',
  'ipsum',
  'dolor',
  'sit',
  'amet',
  'consectetur',
  'adipiscing',
  'elit',
  'sed',
  'do',
  'eiusmod',
  'tempor',
  'incididunt',
  'ut',
  'labore',
  'et',
];

function estimatePromptTokens(body: Record<string, unknown>): number {
  let chars = 0;
  const add = (v: unknown): void => {
    if (typeof v === 'string') chars += v.length;
    else if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) add(x);
  };
  add(body.messages ?? body.prompt ?? body.input);
  return Math.max(1, Math.ceil(chars / 4));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function emptyStats(): SimStats {
  return {
    requests: 0,
    inFlight: 0,
    maxInFlight: 0,
    aborted: 0,
    tokensSent: 0,
    byPath: {},
    lastBody: undefined,
    lastHeaders: undefined,
  };
}

export async function startSimulator(options: SimOptions = {}): Promise<Simulator> {
  const stats: SimStats = emptyStats();
  let seq = 0;
  const sim: Simulator = {
    url: '',
    port: 0,
    stats,
    failWith: undefined,
    hang: false,
    options,
    reset() {
      Object.assign(stats, emptyStats());
      sim.failWith = undefined;
      sim.hang = false;
    },
    close: async () => undefined,
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const o = sim.options;
    const path = (req.url ?? '').split('?')[0] ?? '';
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    stats.lastHeaders = req.headers;
    if (o.apiKey !== undefined && req.headers.authorization !== `Bearer ${o.apiKey}`) {
      return send(res, 401, {
        error: { message: 'invalid upstream key', type: 'authentication_error', code: 'invalid_api_key' },
      });
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return send(res, 200, {
        object: 'list',
        data: (o.models ?? ['sim']).map((id) => ({ id, object: 'model', created: 0, owned_by: 'sim' })),
      });
    }
    if (req.method === 'GET' && (path === '/health' || path === '/healthz')) return send(res, 200, { status: 'ok' });
    if (req.method !== 'POST')
      return send(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: { message: 'invalid json', type: 'invalid_request_error' } });
    }
    stats.lastBody = body;
    const model = typeof body.model === 'string' ? body.model : '';
    if (o.models && !o.models.includes(model)) {
      return send(res, 404, {
        error: { message: `The model \`${model}\` does not exist.`, type: 'NotFoundError', code: 404 },
      });
    }
    if (sim.failWith) return send(res, sim.failWith.status, sim.failWith.body);
    if (sim.hang) return;
    const kind = path.endsWith('/chat/completions')
      ? 'chat'
      : path.endsWith('/completions')
        ? 'text'
        : path.endsWith('/embeddings')
          ? 'embed'
          : undefined;
    if (!kind) return send(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });

    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const timers = new Set<NodeJS.Timeout>();
    const finish = (): void => {
      if (done) return;
      done = true;
      stats.inFlight--;
      for (const t of timers) clearTimeout(t);
    };
    res.on('close', () => {
      if (!res.writableFinished) stats.aborted++;
      finish();
    });
    const later = (ms: number, fn: () => void): void => {
      if (ms <= 0) return void setImmediate(() => !done && fn());
      const t = setTimeout(() => {
        timers.delete(t);
        if (!done) fn();
      }, ms);
      timers.add(t);
    };
    const promptTokens = estimatePromptTokens(body);
    const id = `sim-${++seq}`;
    const created = Math.floor(Date.now() / 1000);

    if (kind === 'embed') {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      later(o.latencyMs ?? 0, () => {
        send(res, 200, {
          object: 'list',
          model,
          data: inputs.map((_x, index) => ({
            object: 'embedding',
            index,
            embedding: Array.from({ length: 8 }, (_v, i) => Math.sin(index + i)),
          })),
          usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
        });
        finish();
      });
      return;
    }
    const maxTokens =
      typeof body.max_tokens === 'number'
        ? body.max_tokens
        : typeof body.max_completion_tokens === 'number'
          ? body.max_completion_tokens
          : Infinity;
    const n = typeof body.n === 'number' ? body.n : 1;
    const want = o.outputTokens ?? o.tokens?.length ?? 16;
    const count = o.ignoreMaxTokens ? want : Math.max(0, Math.min(want, maxTokens));
    const finishReason = count < want ? 'length' : 'stop';
    const token = (i: number): string =>
      o.tokens ? (o.tokens[i % o.tokens.length] ?? '') : `${i === 0 ? '' : ' '}${WORDS[i % WORDS.length]}`;
    const usage = { prompt_tokens: promptTokens, completion_tokens: count * n, total_tokens: promptTokens + count * n };

    if (body.stream !== true) {
      later(o.latencyMs ?? 0, () => {
        let text = '';
        for (let i = 0; i < count; i++) text += token(i);
        stats.tokensSent += count * n;
        const choices = Array.from({ length: n }, (_v, index) =>
          kind === 'chat'
            ? { index, message: { role: 'assistant', content: text }, finish_reason: finishReason }
            : { index, text, finish_reason: finishReason },
        );
        send(res, 200, {
          id,
          object: kind === 'chat' ? 'chat.completion' : 'text_completion',
          created,
          model,
          choices,
          usage,
        });
        finish();
      });
      return;
    }
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
      `data: ${JSON.stringify({ id, object, created, model, choices, ...extra })}\n\n`;
    later(o.latencyMs ?? 0, () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (kind === 'chat')
        res.write(
          chunk(
            Array.from({ length: n }, (_v, index) => ({
              index,
              delta: { role: 'assistant', content: '' },
              finish_reason: null,
            })),
          ),
        );
      let i = 0;
      const step = (): void => {
        if (o.streamError && i === o.streamError.afterTokens) {
          res.end(o.streamError.raw);
          finish();
          return;
        }
        if (i < count) {
          const t = token(i);
          res.write(
            chunk(
              Array.from({ length: n }, (_v, index) =>
                kind === 'chat'
                  ? { index, delta: { content: t }, finish_reason: null }
                  : { index, text: t, finish_reason: null },
              ),
            ),
          );
          stats.tokensSent += n;
          i++;
          later(o.interTokenMs ?? 0, step);
          return;
        }
        res.write(
          chunk(
            Array.from({ length: n }, (_v, index) =>
              kind === 'chat'
                ? { index, delta: {}, finish_reason: finishReason }
                : { index, text: '', finish_reason: finishReason },
            ),
          ),
        );
        if (includeUsage) res.write(chunk([], { usage }));
        res.end('data: [DONE]\n\n');
        finish();
      };
      step();
    });
  };

  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(parts).toString('utf8')));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  Object.assign(sim, {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return sim;
}
