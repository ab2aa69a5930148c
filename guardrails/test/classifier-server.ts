// A local classifier server speaking the wire formats Tollgate's judge supports, backed by the real model in
// classifier.ts. Run as its own process by the tests (startClassifierServer), listening on 127.0.0.1:
//
//   POST /classify              vLLM classification: {model, input} → {data: [{index, label, probs, num_classes}]}
//   POST /pooling               vLLM pooling (classify pooler): {model, input} → {data: [{index, object, data: [p…]}]}
//   POST /predict               TEI sequence classification: {inputs} → [{label, score}, …] (all labels, best first)
//   POST /v1/chat/completions   Llama-Guard-style chat: answers "safe" or "unsafe" about the last turn
//   GET  /health
//
// Options: --port N (0: any), --delay-ms N (answers that late: timeout tests), --api-key K (Bearer required).
// Prints {"port": N} on stdout once it listens. Class 0 is BENIGN, class 1 INJECTION; the chat verdict is unsafe at
// P(INJECTION) >= 0.7 (the model's operating point: few benign training texts make it lean towards injection).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { trainOnTuningSplit } from './classifier.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'delay-ms': { type: 'string', default: '0' },
    'api-key': { type: 'string' },
  },
});
const delayMs = Number(values['delay-ms']);
const apiKey = values['api-key'];
const model = trainOnTuningSplit();
const LABELS = ['BENIGN', 'INJECTION'] as const;
const MAX_BODY = 1 << 20;
/** The model is trained on few benign texts and leans towards injection: its operating point is 0.7. */
export const UNSAFE_AT = 0.7;

let requests = 0;

function send(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return undefined;
    parts.push(c as Buffer);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(parts).toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const inputs = (x: unknown): string[] | undefined =>
  typeof x === 'string' ? [x] : Array.isArray(x) && x.every((s) => typeof s === 'string') ? (x as string[]) : undefined;
const probs = (t: string): [number, number] => {
  const p = model.predict(t);
  return [1 - p, p];
};

const server = createServer((req, res) => {
  void (async () => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true, requests });
    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`)
      return send(res, 401, { error: 'unauthorized' });
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    const body = await readJson(req);
    if (!body) return send(res, 400, { error: 'invalid JSON body' });
    requests++;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (res.destroyed) return;
    const created = Math.floor(Date.now() / 1000);
    switch (path) {
      case '/classify': {
        const xs = inputs(body['input']);
        if (!xs) return send(res, 400, { error: 'input must be a string or a list of strings' });
        return send(res, 200, {
          id: `classify-${requests}`,
          object: 'list',
          created,
          model: body['model'],
          data: xs.map((t, index) => {
            const p = probs(t);
            return { index, label: LABELS[p[1] >= UNSAFE_AT ? 1 : 0], probs: p, num_classes: 2 };
          }),
          usage: { prompt_tokens: 0, total_tokens: 0 },
        });
      }
      case '/pooling': {
        const xs = inputs(body['input']);
        if (!xs) return send(res, 400, { error: 'input must be a string or a list of strings' });
        return send(res, 200, {
          id: `pool-${requests}`,
          object: 'list',
          created,
          model: body['model'],
          data: xs.map((t, index) => ({ index, object: 'pooling', data: probs(t) })),
        });
      }
      case '/predict': {
        const xs = inputs(body['inputs']);
        if (!xs) return send(res, 422, { error: 'inputs must be a string or a list of strings' });
        const one = (t: string) => {
          const p = probs(t);
          return LABELS.map((label, i) => ({ label, score: p[i] as number })).sort((a, b) => b.score - a.score);
        };
        return send(res, 200, typeof body['inputs'] === 'string' ? one(xs[0] as string) : xs.map(one));
      }
      case '/v1/chat/completions': {
        const msgs = Array.isArray(body['messages'])
          ? (body['messages'] as { role?: unknown; content?: unknown }[])
          : [];
        const last = msgs[msgs.length - 1];
        if (!last || typeof last.content !== 'string') return send(res, 400, { error: 'messages required' });
        const verdict = probs(last.content)[1] >= UNSAFE_AT ? 'unsafe' : 'safe';
        return send(res, 200, {
          id: `chat-${requests}`,
          object: 'chat.completion',
          created,
          model: body['model'],
          choices: [{ index: 0, message: { role: 'assistant', content: verdict }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 0, completion_tokens: 1, total_tokens: 1 },
        });
      }
      default:
        return send(res, 404, { error: 'not found' });
    }
  })().catch(() => {
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
  });
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
