// What the server answers outside any route, and when a request's body is read at all.
//
//  - Bodies: nothing reads a body before the route matched and (with enforcement) the key passed. A request to an
//    unknown path or method is answered 404 in onRequest, before its body; a reply sent while the request has not
//    fully arrived says `Connection: close`, and the connection is closed once the client has finished writing
//    or after LINGER_MS / LINGER_BYTES of the rest, whichever comes first (read and dropped, never buffered or
//    parsed: a lingering close, as nginx and Envoy do, so the client reads the refusal instead of a reset).
//    `Expect: 100-continue` is answered only when a body is about to be read (plugins/body.ts), so a refused
//    client never sends it.
//  - Time: headers must arrive within HEADERS_TIMEOUT_MS and the whole request (headers and body) within
//    requestTimeoutMs (default REQUEST_TIMEOUT_MS) of its start, checked every CONNECTIONS_CHECK_MS
//    (slowloris): 408 request_timeout, connection closed. Responses (streams) are not bounded by these.
//  - Errors: requests Node's HTTP parser refuses (clientError), paths the router cannot decode or whose parameter
//    is too long (frameworkErrors) and requests arriving while the replica drains get catalog errors in the
//    OpenAI shape with x-should-retry and a request id, one audit line and the request metrics, like every
//    other refusal. Nothing of the raw request (it may be anything) is echoed or logged.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AuditRecord } from '../audit.ts';
import { GatewayError, type ErrorCode } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { safeClientIp, safeMethod } from '../scrub.ts';
import { sendError } from './errors.ts';

export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const CONNECTIONS_CHECK_MS = 1_000;
export const LINGER_MS = 5_000;
export const LINGER_BYTES = 16 * 1024 * 1024;

const LINGERING = new WeakSet<Socket>();

/**
 * The connection of a reply sent before its request fully arrived: Node closes it right after the reply
 * (`destroySoon`), with the client still writing, so the client often gets a reset instead of the reply. Here the
 * write side ends after the reply and the rest is read and dropped until the client closes, LINGER_MS pass or
 * LINGER_BYTES arrive.
 */
function lingerOnClose(socket: Socket): void {
  if (LINGERING.has(socket)) return;
  LINGERING.add(socket);
  socket.destroySoon = function (this: Socket): void {
    if (this.writable) this.end();
    let seen = 0;
    const done = (): void => {
      clearTimeout(timer);
      this.destroy();
    };
    const timer = setTimeout(done, LINGER_MS);
    this.on('data', (d: Buffer) => {
      seen += d.length;
      if (seen > LINGER_BYTES) done();
    });
    this.once('end', done);
    this.once('close', () => clearTimeout(timer));
  };
}

/** The catalog code for a clientError (undefined: the peer is gone, nothing to answer). Pure. */
export function clientErrorCode(code: unknown): ErrorCode | undefined {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'request_timeout';
    case 'HPE_HEADER_OVERFLOW':
      return 'headers_too_large';
    default:
      return 'bad_request';
  }
}

/** The catalog code for a Fastify framework error raised before any hook ran. Pure. */
export function frameworkErrorCode(code: unknown): ErrorCode {
  // a parameter above maxParamLength names nothing served (a model name is shorter)
  return code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'not_found' : 'bad_request';
}

/** A whole HTTP/1.1 error response for a socket no ServerResponse can write to. Pure. */
export function rawErrorResponse(e: GatewayError, reqId: string): string {
  const body = JSON.stringify(e.body());
  const head = [
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-should-retry: ${e.retryable ? 'true' : 'false'}`,
    `x-request-id: ${reqId}`,
    'connection: close',
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

export interface ConnectionDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Reading {
  readonly request: FastifyRequest;
  readonly res: ServerResponse;
}

/** Per socket: the request being received (for a timeout's audit line) and sockets answered mid-body. */
class Sockets {
  readonly #reading = new WeakMap<Socket, Reading>();
  /** Answered before their request had arrived: closing; a later timeout on them answers nothing. */
  readonly #answered = new WeakSet<Socket>();
  track(request: FastifyRequest, res: ServerResponse): void {
    const socket = request.raw.socket;
    this.#reading.set(socket, { request, res });
    res.once('finish', () => {
      if (this.#reading.get(socket)?.res === res) this.#reading.delete(socket);
      if (!request.raw.complete) this.#answered.add(socket);
    });
  }
  reading(socket: Socket): Reading | undefined {
    return this.#reading.get(socket);
  }
  answered(socket: Socket): boolean {
    return this.#answered.has(socket);
  }
}

function auditRaw(deps: ConnectionDeps, rec: Omit<AuditRecord, 'endpoint' | 'latencyMs'>): void {
  const code = rec.code ?? 'ok';
  deps.metrics.requests.inc({ endpoint: 'other', model: 'other', code, status: `${Math.floor(rec.status / 100)}xx` });
  if (rec.status < 500) deps.metrics.rejections.inc({ code });
  deps.log.info({ audit: { ...rec, endpoint: 'other', latencyMs: 0 } }, 'request');
}

export interface ConnectionGuards {
  /** Fastify `clientErrorHandler`: parser refusals and arrival timeouts. */
  clientErrorHandler(err: Error & { code?: unknown }, socket: Socket): void;
  /** Fastify `frameworkErrors`: undecodable paths, parameters above maxParamLength. */
  frameworkErrors(err: Error & { code?: unknown }, request: FastifyRequest, reply: FastifyReply): void;
  /** Server `connect`: CONNECT is no method the gateway serves (Node would close the socket without a word). */
  onConnect(req: IncomingMessage, socket: Socket): void;
  /** Server `checkContinue`: route the request; `100 Continue` is sent when its body is read (continueIfAwaited). */
  onCheckContinue(route: Handler): Handler;
  /** The hooks (shared: fastify-plugin). */
  plugin: FastifyPluginAsync;
}

export function connectionGuards(deps: ConnectionDeps): ConnectionGuards {
  const sockets = new Sockets();
  let closing = false;
  const plugin: FastifyPluginAsync = async (app) => {
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onRequest', async (request, reply) => {
      sockets.track(request, reply.raw);
      // HTTP/1.1 without Host (RFC 9112 3.2: answered 400; Node's own check would answer without a body)
      const hostless = request.raw.httpVersion === '1.1' && request.headers.host === undefined;
      if (!closing && !request.is404 && !hostless) return;
      // before any body is read: an unknown route or method, no Host, or a replica that is draining
      const e = closing
        ? new GatewayError('shutting_down')
        : hostless
          ? new GatewayError('bad_request', 'An HTTP/1.1 request must carry a Host header.')
          : new GatewayError('not_found');
      request.tg.rec.code = e.code;
      sendError(reply, e);
      return reply;
    });
    // a reply before the request has arrived (a refusal in onRequest or preParsing): the rest is not read
    app.addHook('onSend', async (request, reply) => {
      if (request.raw.complete) return;
      reply.header('connection', 'close');
      lingerOnClose(request.raw.socket);
    });
  };
  /** Answers on a socket no ServerResponse writes to, audits and counts it. */
  const answerRaw = (socket: Socket, e: GatewayError, method: string): void => {
    const reqId = randomUUID();
    if (socket.writable) socket.write(rawErrorResponse(e, reqId));
    const ip = safeClientIp(socket.remoteAddress);
    auditRaw(deps, { reqId, method, status: e.status, code: e.code, ...(ip ? { ip } : {}) });
  };
  return {
    onConnect(_req, socket) {
      socket.on('error', () => {});
      answerRaw(socket, new GatewayError('not_found'), 'CONNECT');
      socket.destroySoon();
    },
    clientErrorHandler(err, socket) {
      const code = clientErrorCode(err.code);
      const reading = sockets.reading(socket);
      // nothing to answer: the peer is gone, a response already started, or this request was answered mid-body
      const silent =
        code === undefined ||
        socket.destroyed ||
        !socket.writable ||
        reading?.res.headersSent ||
        sockets.answered(socket);
      if (!silent) {
        const e = new GatewayError(code);
        const request = reading?.request;
        if (request) {
          // a request whose body did not arrive in time: its own id and audit line
          socket.write(rawErrorResponse(e, request.id));
          request.tg.rec.code = e.code;
          request.server.audit(request, e.status, e.code);
        } else answerRaw(socket, e, 'OTHER');
      }
      socket.destroy();
    },
    frameworkErrors(err, request, reply) {
      const e = new GatewayError(frameworkErrorCode(err.code));
      const ip = safeClientIp(request.ip);
      auditRaw(deps, {
        reqId: request.id,
        method: safeMethod(request.method),
        status: e.status,
        code: e.code,
        ...(ip ? { ip } : {}),
      });
      if (!request.raw.complete) {
        reply.header('connection', 'close');
        lingerOnClose(request.raw.socket);
      }
      sendError(reply, e);
    },
    onCheckContinue: (route) => (req, res) => {
      AWAITING_CONTINUE.add(req);
      route(req, res);
    },
    plugin: fp(plugin, { name: 'tollgate-connection', dependencies: ['tollgate-context', 'tollgate-audit'] }),
  };
}

/** Requests whose client waits for `100 Continue` before it sends the body (Node did not send it). */
export const AWAITING_CONTINUE = new WeakSet<IncomingMessage>();

/** Sends `100 Continue` to a client waiting for it: called when the body is about to be read, never before. */
export function continueIfAwaited(req: IncomingMessage, res: ServerResponse): void {
  if (!AWAITING_CONTINUE.delete(req)) return;
  res.writeContinue();
}
