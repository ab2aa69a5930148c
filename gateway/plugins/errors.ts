// One way out for every refusal: the catalog error (gateway/errors.ts) in the OpenAI shape, with
// x-should-retry, Retry-After where a short retry can succeed, and the request id. Framework errors are
// mapped by code; anything else is internal_error, its details (scrubbed) in the log only.
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ERRORS, GatewayError, type ErrorCode } from '../errors.ts';
import { scrubUpstreamText, type SecretSet } from '../scrub.ts';

export function sendError(reply: FastifyReply, e: GatewayError): void {
  if (e.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.max(1, Math.ceil(e.retryAfterSeconds))));
  for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
  // OpenAI SDKs honour this before their status rules: refusals a retry cannot fix are never retried
  reply.header('x-should-retry', e.retryable ? 'true' : 'false');
  reply
    .code(e.status)
    .header('content-type', 'application/json')
    .header('x-request-id', reply.request.id)
    .send(e.body());
}

const FRAMEWORK_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
};

/** Anything thrown on the request path, as a catalog error (framework errors mapped by their code). */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof code === 'string' && Object.hasOwn(FRAMEWORK_CODES, code)) return new GatewayError(FRAMEWORK_CODES[code]!);
  if (status === 413) return new GatewayError('request_too_large');
  if (status === 415) return new GatewayError('unsupported_media_type');
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new GatewayError('invalid_json', ERRORS.invalid_json.message);
  return new GatewayError('internal_error');
}

function logInternal(log: Logger, secrets: SecretSet, reqId: string | undefined, err: unknown): void {
  // an exception message may quote request text: scrubbed like upstream text
  const detail =
    err instanceof Error
      ? {
          name: err.name,
          message: scrubUpstreamText(err.message, secrets, 500),
          stack: scrubUpstreamText(err.stack?.split('\n').slice(0, 8).join('\n') ?? '', secrets),
        }
      : scrubUpstreamText(String(err), secrets, 200);
  log.error({ reqId, err: detail }, 'internal error');
}

const errors: FastifyPluginAsync<{ log: Logger; secrets: SecretSet }> = async (app, { log, secrets }) => {
  app.setErrorHandler((err: unknown, request, reply) => {
    const ctx = request.tg as typeof request.tg | null;
    const ge = toGatewayError(err);
    if (ge.code === 'internal_error') logInternal(log, secrets, ctx?.reqId, err);
    if (ctx) {
      ctx.rec.code = ge.code;
      if (ctx.streamed || reply.raw.headersSent) return;
    }
    sendError(reply, ge);
  });
  app.setNotFoundHandler((request, reply) => {
    request.tg.rec.code = 'not_found';
    sendError(reply, new GatewayError('not_found'));
  });
};

/** Shared (fastify-plugin): the handlers apply to every route of the app. */
export const errorsPlugin = fp(errors, { name: 'tollgate-errors' });
