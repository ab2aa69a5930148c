// What a client gets before any route runs, over raw sockets against a real gateway: no body is read or parsed
// before the route matched and the key passed (unknown paths, any method; known routes without a key;
// Expect: 100-continue), a body that does not arrive in time is refused (request timeout), and every refusal
// the HTTP parser, the router or a draining server makes is a catalog error in the OpenAI shape with
// x-should-retry, a request id and an audit line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ERRORS } from './errors.ts';
import { clientErrorCode, frameworkErrorCode, LINGER_MS } from './plugins/connection.ts';
import { makeCerts } from './test/certs.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';

installLeakScan();

interface Raw {
  /** Everything the gateway sent until it closed the connection (or the wait ran out). */
  out: string;
  /** ms until the gateway closed the connection; undefined: still open when the wait ran out. */
  closedMs: number | undefined;
}

/** Writes `chunks` and collects the answer (over TLS with `ca`, for an https URL). */
function rawExchange(url: string, chunks: readonly (string | Buffer)[], waitMs: number, ca?: Buffer): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = ca
      ? tls.connect({ port: Number(port), host: hostname, ca, servername: 'localhost' })
      : net.connect(Number(port), hostname);
    let out = '';
    let closedMs: number | undefined;
    const timer = setTimeout(() => s.destroy(), waitMs);
    s.on('data', (d: Buffer) => (out += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      if (closedMs === undefined && performance.now() - t0 < waitMs - 5) closedMs = performance.now() - t0;
      CAPTURED.push(out);
      resolve({ out, closedMs });
    });
    s.on(ca ? 'secureConnect' : 'connect', () => {
      for (const c of chunks) s.write(c);
    });
  });
}

interface Parsed {
  status: number;
  headers: Map<string, string>;
  body: { error?: { message: string; type: string; param: string | null; code: string } };
  /** Status lines of interim (1xx) responses before the final one. */
  interim: number[];
}

function parseResponse(raw: string): Parsed {
  let rest = raw;
  const interim: number[] = [];
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    assert.ok(end > 0, `no complete response head in ${JSON.stringify(raw.slice(0, 200))}`);
    const lines = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0]!)?.[1]);
    if (status >= 100 && status < 200) {
      interim.push(status);
      rest = rest.slice(end + 4);
      continue;
    }
    const headers = new Map(
      lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const text = rest.slice(end + 4);
    let body: Parsed['body'] = {};
    try {
      body = JSON.parse(text) as Parsed['body'];
    } catch {
      // chunked or empty: the assertions below say so
    }
    return { status, headers, body, interim };
  }
}

/** The catalog's OpenAI shape, its status, x-should-retry and a request id. */
function assertCatalog(p: Parsed, code: keyof typeof ERRORS, what: string): void {
  assert.equal(p.body.error?.code, code, `${what}: ${JSON.stringify(p.body)}`);
  assert.equal(p.status, ERRORS[code].status, what);
  assert.equal(p.body.error?.type, ERRORS[code].type, what);
  assert.equal(p.body.error?.param, null, what);
  assert.match(p.headers.get('content-type') ?? '', /^application\/json/, what);
  assert.match(p.headers.get('x-should-retry') ?? '', /^(true|false)$/, what);
  assert.match(p.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, what);
}

/** The audit line of a request id, parsed. */
function auditOf(reqId: string): Record<string, unknown> | undefined {
  const line = CAPTURED.find((l) => l.includes(`"reqId":"${reqId}"`) && l.includes('"audit"'));
  return line ? (JSON.parse(line) as { audit: Record<string, unknown> }).audit : undefined;
}

const head = (method: string, path: string, headers: Record<string, string | number>): string =>
  `${method} ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

describe('requests before any route: bodies, deadlines and the error shape', () => {
  let s: Stack;
  const key = newKey();
  const ipKey = newKey();
  const embedKey = newKey();
  before(async () => {
    s = await startStack(
      (sim) =>
        config(
          [model('m1', sim)],
          [
            tenant({
              name: 't',
              models: ['m1'],
              keys: [
                { name: 'k', key },
                { name: 'embed', key: embedKey, scopes: ['embeddings'] },
              ],
            }),
            tenant({
              name: 'ip',
              models: ['m1'],
              keys: [{ name: 'k', key: ipKey }],
              over: { ipAllowlists: [['10.0.0.0/8']] },
            }),
          ],
        ),
      { sim: { latencyMs: 0 }, app: { requestTimeoutMs: 1500 } },
    );
  });
  after(() => s.close());

  it('an unknown path, any method, with or without a key: 404 not_found, the body never parsed', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of ['/v1/nope', '/anything', '/v1/chat/completions/x']) {
        for (const k of [undefined, key]) {
          const r = await call(s.url, path, { method, raw: '{bad', ...(k ? { key: k } : {}) });
          assert.equal(r.json.error?.code, 'not_found', `${method} ${path}: ${r.text}`);
        }
      }
    }
    // a method a known path does not serve
    const r = await call(s.url, '/v1/chat/completions', { method: 'PUT', raw: '{bad' });
    assert.equal(r.json.error?.code, 'not_found');
  });

  it('a refusal before the body (unknown path, no key, scope, IP, too large) answers at once and closes: the rest is never read', async () => {
    const partial = '{"model":"m1","messages":[';
    const cases: [string, string, Record<string, string | number>, keyof typeof ERRORS][] = [
      ['unknown path', '/v1/nope', {}, 'not_found'],
      ['OPTIONS unknown path', '/v1/nope', {}, 'not_found'],
      ['known route, no key', '/v1/chat/completions', {}, 'missing_api_key'],
      ['known route, bad key', '/v1/chat/completions', { authorization: 'Bearer tgk_nope' }, 'invalid_api_key'],
      ['declared too large', '/v1/chat/completions', { authorization: `Bearer ${key}` }, 'request_too_large'],
      [
        'key without the scope of the route',
        '/v1/chat/completions',
        { authorization: `Bearer ${embedKey}` },
        'scope_not_allowed',
      ],
      [
        'key without the chat scope, /v1/responses',
        '/v1/responses',
        { authorization: `Bearer ${embedKey}` },
        'scope_not_allowed',
      ],
      [
        'key from outside its IP allowlist',
        '/v1/chat/completions',
        { authorization: `Bearer ${ipKey}` },
        'ip_not_allowed',
      ],
    ];
    for (const [name, path, extra, code] of cases) {
      const method = name.startsWith('OPTIONS') ? 'OPTIONS' : 'POST';
      const length = code === 'request_too_large' ? 64 * 1024 * 1024 : 10 * 1024 * 1024;
      const h = head(method, path, { 'content-type': 'application/json', 'content-length': length, ...extra });
      const r = await rawExchange(s.url, [h, partial], 3000);
      assert.ok(r.closedMs !== undefined && r.closedMs < 1000, `${name}: closed after ${r.closedMs} ms`);
      const p = parseResponse(r.out);
      assertCatalog(p, code, name);
      assert.equal(p.headers.get('connection'), 'close', name);
    }
  });

  it('a client still writing a large body when refused reads the refusal, not a reset (lingering close)', async () => {
    const body = `{"model":"m1","messages":[{"role":"user","content":"${'x'.repeat(8 << 20)}"}]}`;
    for (let i = 0; i < 4; i++) {
      const unknown = await call(s.url, '/v1/nope', { raw: body });
      assert.equal(unknown.json.error?.code, 'not_found');
      const nokey = await call(s.url, '/v1/chat/completions', { raw: body });
      assert.equal(nokey.json.error?.code, 'missing_api_key');
    }
  });

  it('after an early refusal the client may finish writing its body: the connection is not reset under it', async () => {
    const { hostname, port } = new URL(s.url);
    for (const [path, code] of [
      ['/v1/nope', 'not_found'],
      ['/v1/chat/completions', 'missing_api_key'],
    ] as const) {
      const sock = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true });
      let out = '';
      let failure: Error | undefined;
      sock.on('error', (e) => (failure = e));
      const answered = new Promise<void>((r) => sock.once('data', () => r()));
      sock.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => sock.on('connect', r));
      const total = 1 << 20;
      sock.write(head('POST', path, { 'content-type': 'application/json', 'content-length': total }));
      sock.write(Buffer.alloc(64 * 1024, 'a'));
      await answered;
      await new Promise((r) => setTimeout(r, 100));
      // the rest of the body, written after the refusal arrived (a client that does not watch for early replies)
      await new Promise<void>((r) => sock.write(Buffer.alloc(total - 64 * 1024, 'a'), () => r()));
      sock.end();
      await new Promise((r) => sock.on('close', r));
      CAPTURED.push(out);
      assert.equal(failure, undefined, `${path}: ${failure?.message}`);
      assertCatalog(parseResponse(out), code, path);
    }
  });

  it('the lingering close is bounded: a client that keeps writing is cut after LINGER_MS', async () => {
    // the default request timeout (30 s), so the linger bound is the one that cuts
    const own = await startStack((sim) => config([model('m1', sim)], [tenant({ name: 't', models: ['m1'] })]));
    after(() => own.close());
    const { hostname, port } = new URL(own.url);
    // a client that ignores the reply and our end of the connection, and keeps writing
    const sock = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    let out = '';
    sock.on('data', (d: Buffer) => (out += d.toString()));
    sock.on('error', () => {});
    await new Promise((r) => sock.on('connect', r));
    const t0 = performance.now();
    sock.write(head('POST', '/v1/nope', { 'content-type': 'application/json', 'content-length': 1 << 30 }));
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const pump = setInterval(() => sock.writable && sock.write(chunk), 20);
    await new Promise((r) => sock.on('close', r));
    clearInterval(pump);
    const ms = performance.now() - t0;
    CAPTURED.push(out);
    assert.ok(ms >= LINGER_MS - 200 && ms < LINGER_MS + 2000, `closed after ${Math.round(ms)} ms`);
    assertCatalog(parseResponse(out), 'not_found', 'lingering');
  });

  it('Expect: 100-continue is answered only when the body is to be read: after the route, the key and the size', async () => {
    const h = (path: string, extra: Record<string, string | number>) =>
      head('POST', path, { 'content-type': 'application/json', expect: '100-continue', ...extra });
    for (const [name, path, extra, code] of [
      ['no key', '/v1/chat/completions', { 'content-length': 100 }, 'missing_api_key'],
      ['unknown path', '/v1/nope', { 'content-length': 100 }, 'not_found'],
      [
        'too large',
        '/v1/chat/completions',
        { 'content-length': 64 << 20, authorization: `Bearer ${key}` },
        'request_too_large',
      ],
    ] as const) {
      const p = parseResponse((await rawExchange(s.url, [h(path, extra)], 2000)).out);
      assert.deepEqual(p.interim, [], `${name}: no 100 Continue`);
      assertCatalog(p, code, name);
    }
    const body = JSON.stringify(chat('m1'));
    const waiting = await rawExchange(
      s.url,
      [h('/v1/chat/completions', { 'content-length': body.length, authorization: `Bearer ${key}` })],
      400,
    );
    assert.match(
      waiting.out,
      /^HTTP\/1\.1 100 Continue\r\n\r\n$/,
      'authorised: 100 Continue, then it waits for the body',
    );
    const served = await rawExchange(
      s.url,
      [
        h('/v1/chat/completions', {
          'content-length': body.length,
          authorization: `Bearer ${key}`,
          connection: 'close',
        }),
        body,
      ],
      3000,
    );
    assert.equal(parseResponse(served.out).status, 200);
  });

  it('a body that does not arrive within requestTimeoutMs: 408 request_timeout, audited, connection closed', async () => {
    const h = head('POST', '/v1/chat/completions', {
      'content-type': 'application/json',
      'content-length': 1000,
      authorization: `Bearer ${key}`,
    });
    const r = await rawExchange(s.url, [h, '{"model":"m1",'], 6000);
    assert.ok(r.closedMs !== undefined && r.closedMs >= 1400 && r.closedMs < 4000, `closed after ${r.closedMs} ms`);
    const p = parseResponse(r.out);
    assertCatalog(p, 'request_timeout', 'slow body');
    await new Promise((res) => setTimeout(res, 50));
    const audit = auditOf(p.headers.get('x-request-id')!);
    assert.equal(audit?.code, 'request_timeout');
    assert.equal(audit?.endpoint, 'chat.completions');
    assert.equal(audit?.keyId, 'team-t/t/k');
    // headers that never end: the same refusal (the headers deadline is min(10 s, requestTimeoutMs))
    const slowHeaders = await rawExchange(s.url, ['GET /v1/models HTTP/1.1\r\nHost: x\r\n'], 6000);
    assert.ok(slowHeaders.closedMs !== undefined && slowHeaders.closedMs < 4000);
    assertCatalog(parseResponse(slowHeaders.out), 'request_timeout', 'slow headers');
  });

  it("requests Node's parser or the router refuses: the catalog shape, x-should-retry, a request id, an audit line", async () => {
    const cases: [string, string, keyof typeof ERRORS][] = [
      [
        'request-target without /',
        'POST v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}',
        'bad_request',
      ],
      ['control byte in a header', 'GET /v1/models HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n', 'bad_request'],
      [
        'Content-Length with Transfer-Encoding',
        'POST /v1/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'bad_request',
      ],
      [
        'bad chunk size',
        'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        'bad_request',
      ],
      ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'bad_request'],
      ['bad method', 'FOO@ /v1/models HTTP/1.1\r\nHost: x\r\n\r\n', 'bad_request'],
      [
        'header overflow',
        `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'headers_too_large',
      ],
      ['undecodable path', 'GET /v1/models/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', 'bad_request'],
      ['undecodable unknown path', 'GET /v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n', 'bad_request'],
      ['CONNECT', 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n', 'not_found'],
      ['HTTP/1.1 without Host', 'GET /v1/models HTTP/1.1\r\n\r\n', 'bad_request'],
      [
        'HTTP/1.1 without Host, with a body',
        'POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}',
        'bad_request',
      ],
    ];
    for (const [name, raw, code] of cases) {
      const r = await rawExchange(s.url, [raw], 2000);
      const p = parseResponse(r.out);
      assertCatalog(p, code, name);
      assert.ok(!r.out.includes('statusCode'), `${name}: no Fastify default body`);
      await new Promise((res) => setTimeout(res, 20));
      assert.equal(auditOf(p.headers.get('x-request-id')!)?.code, code, `${name}: audited`);
    }
    // the gateway still serves
    assert.equal((await call(s.url, '/v1/chat/completions', { key, body: chat('m1') })).status, 200);
  });

  it('a request that arrives while the replica drains: 503 shutting_down in the catalog shape', async () => {
    const own = await startStack(
      (sim) => config([model('m1', sim)], [tenant({ name: 't', models: ['m1'], keys: [{ name: 'k', key }] })]),
      // an idle keep-alive connection (the test's own client) would hold the drain to its 30 s default
      { sim: { latencyMs: 600 }, drainTimeoutMs: 2000 },
    );
    const { hostname, port } = new URL(own.url);
    // one request in flight keeps the drain going; a second connection has sent half its headers
    const inflight = call(own.url, '/v1/chat/completions', { key, body: chat('m1') });
    const sock = net.connect(Number(port), hostname);
    let out = '';
    sock.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => sock.on('connect', r));
    sock.write('GET /v1/models HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const closing = own.close();
    await new Promise((r) => setTimeout(r, 100));
    sock.write(`Authorization: Bearer ${key}\r\n\r\n`);
    await new Promise((r) => sock.on('close', r));
    CAPTURED.push(out);
    assertCatalog(parseResponse(out), 'shutting_down', 'draining');
    assert.equal((await inflight).status, 200, 'the request in flight is served');
    await closing;
  });
});

describe('the mappings (pure)', () => {
  it('clientError codes -> catalog codes', () => {
    const rows: [unknown, string | undefined][] = [
      ['ECONNRESET', undefined],
      ['EPIPE', undefined],
      ['ERR_HTTP_REQUEST_TIMEOUT', 'request_timeout'],
      ['HPE_HEADER_OVERFLOW', 'headers_too_large'],
      ['HPE_INVALID_METHOD', 'bad_request'],
      ['HPE_UNEXPECTED_CONTENT_LENGTH', 'bad_request'],
      [undefined, 'bad_request'],
    ];
    for (const [code, want] of rows) assert.equal(clientErrorCode(code), want, String(code));
    assert.equal(frameworkErrorCode('FST_ERR_BAD_URL'), 'bad_request');
    assert.equal(frameworkErrorCode('FST_ERR_MAX_PARAM_LENGTH'), 'not_found');
    assert.equal(frameworkErrorCode('FST_ERR_ASYNC_CONSTRAINT'), 'bad_request');
  });
});

describe('the same over TLS (the https server gets the same listeners and deadlines)', () => {
  let s: Stack;
  let ca: Buffer;
  const key = newKey();
  before(async () => {
    const certs = makeCerts();
    ca = readFileSync(certs.caFile);
    s = await startStack(
      (sim) => config([model('m1', sim)], [tenant({ name: 't', models: ['m1'], keys: [{ name: 'k', key }] })]),
      { tls: { certFile: certs.certFile, keyFile: certs.keyFile }, app: { requestTimeoutMs: 1500 } },
    );
  });
  after(() => s.close());

  it('parser refusal, 404 before the body, 100-continue withheld, slow body: as over plain HTTP', async () => {
    const bad = await rawExchange(s.url, ['POST v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n'], 2000, ca);
    assertCatalog(parseResponse(bad.out), 'bad_request', 'tls parser');
    const h = head('POST', '/v1/nope', { 'content-type': 'application/json', 'content-length': 1 << 20 });
    assertCatalog(parseResponse((await rawExchange(s.url, [h, '{'], 2000, ca)).out), 'not_found', 'tls 404');
    const cont = head('POST', '/v1/chat/completions', {
      'content-type': 'application/json',
      'content-length': 10,
      expect: '100-continue',
    });
    const p = parseResponse((await rawExchange(s.url, [cont], 2000, ca)).out);
    assert.deepEqual(p.interim, []);
    assertCatalog(p, 'missing_api_key', 'tls 100-continue');
    const slow = head('POST', '/v1/chat/completions', {
      'content-type': 'application/json',
      'content-length': 1000,
      authorization: `Bearer ${key}`,
    });
    const r = await rawExchange(s.url, [slow, '{"model":'], 6000, ca);
    assert.ok(r.closedMs !== undefined && r.closedMs < 4000, `closed after ${r.closedMs} ms`);
    assertCatalog(parseResponse(r.out), 'request_timeout', 'tls slow body');
  });
});
