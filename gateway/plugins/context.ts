// Per-request context: the config snapshot taken once at the start (a hot reload never changes the rules
// under an in-flight request) and the fields of the request's audit line, filled by the stages' results.
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { AuditRecord } from '../audit.ts';
import type { ConfigHolder } from '../config/holder.ts';
import type { RtKey, Snapshot } from '../config/snapshot.ts';
import { safeRequestId } from '../scrub.ts';

export interface RequestContext {
  readonly reqId: string;
  readonly start: number;
  endpoint: string;
  status: number | undefined;
  /** The reply was hijacked for streaming: the route writes the audit line itself. */
  streamed: boolean;
  snap: Snapshot | undefined;
  key: RtKey | undefined;
  audited: boolean;
  rec: Omit<AuditRecord, 'reqId' | 'endpoint' | 'method' | 'status' | 'latencyMs'>;
}

declare module 'fastify' {
  interface FastifyRequest {
    tg: RequestContext;
  }
}

const context: FastifyPluginAsync<{ holder: ConfigHolder }> = async (app, { holder }) => {
  app.decorateRequest('tg', null as unknown as RequestContext);
  app.addHook('onRequest', async (request, reply) => {
    // every answer carries the id the audit line has (the errors plugin and the streaming relay set it too)
    reply.header('x-request-id', request.id);
    const clientId = safeRequestId(request.headers['x-request-id']);
    request.tg = {
      reqId: request.id,
      start: performance.now(),
      endpoint: 'other',
      status: undefined,
      streamed: false,
      snap: holder.current,
      key: undefined,
      audited: false,
      rec: clientId !== undefined ? { clientRequestId: clientId } : {},
    };
  });
};

/** Shared (fastify-plugin): every route's request carries `tg`. */
export const contextPlugin = fp(context, { name: 'tollgate-context' });
