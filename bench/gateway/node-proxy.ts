// The floor of a proxy hop in Node on this machine (`node-proxy` target of bench/gateway/run.ts): a plain
// `node:http` server that pipes every request to the simulator through a keep-alive `node:http` Agent and pipes
// the answer back — no framework, no parsing, no enforcement, one process, the same Node binary and V8 flags
// as the Tollgate processes. Whatever Tollgate adds beyond this is Tollgate's (Fastify, undici, the pipeline);
// what this adds over `direct` is what any Node gateway pays per hop here. Not shipped; not a product path.
// Usage: node bench/gateway/node-proxy.ts --port P --upstream host:port --stream-upstream host:port
import { Agent, createServer, request } from 'node:http';
import { parseArgs } from 'node:util';
import { NGINX_STREAM_HEADER } from './nginx.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    upstream: { type: 'string' },
    'stream-upstream': { type: 'string' },
  },
});

function hostPort(v: string | undefined, name: string): { host: string; port: number } {
  const m = /^([\w.-]+):(\d+)$/.exec(v ?? '');
  if (m === null) throw new Error(`--${name} host:port is required`);
  return { host: m[1]!, port: Number(m[2]) };
}

const plain = hostPort(values.upstream, 'upstream');
const stream = hostPort(values['stream-upstream'], 'stream-upstream');
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });

const server = createServer((req, res) => {
  const up = req.headers[NGINX_STREAM_HEADER] === 'stream' ? stream : plain;
  const out = request({ ...up, agent, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  out.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(out);
});
server.keepAliveTimeout = 75_000;
server.listen(Number(values.port), '127.0.0.1');
