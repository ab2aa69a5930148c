// Request bodies: only application/json, read after identity (so the tenant's maxRequestBytes is known
// before a byte is read), then depth-checked and parsed (request.ts parseJsonBody).
import { Transform, type Readable } from 'node:stream';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.ts';
import { parseJsonBody } from '../request.ts';

/** Errors once more than `limit` bytes passed (bodies without Content-Length). */
function capStream(src: Readable, limit: number): Readable {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new GatewayError('request_too_large', `Request body is larger than ${limit} bytes.`));
      else cb(null, chunk);
    },
  });
  src.on('error', (e) => t.destroy(e));
  return src.pipe(t);
}

/** preParsing hook: the tenant's maxRequestBytes (capped by the server's) before the body is read. */
export function limitBody(serverBodyLimit: number) {
  return async (request: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> => {
    const limit = Math.min(request.tg.key?.tenant.cfg.limits.maxRequestBytes ?? serverBodyLimit, serverBodyLimit);
    const cl = request.headers['content-length'];
    if (cl === undefined) return capStream(payload, limit);
    if (Number(cl) > limit) throw new GatewayError('request_too_large', `Request body is larger than ${limit} bytes.`);
    return payload;
  };
}

const body: FastifyPluginAsync<{ serverBodyLimit: number }> = async (app, { serverBodyLimit }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json'],
    { parseAs: 'string', bodyLimit: serverBodyLimit },
    (_req, text, done) => {
      try {
        done(null, parseJsonBody(text as string));
      } catch (e) {
        done(e as Error, undefined);
      }
    },
  );
};

/** Shared (fastify-plugin): the parsers serve every route. */
export const bodyPlugin = fp(body, { name: 'tollgate-body' });
