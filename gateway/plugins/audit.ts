// One audit line and the request metrics per request: on onResponse for replies Fastify sends, and by the
// route itself (app.audit) for a stream, whose reply is hijacked. Only values the gateway produced or
// validated go in (issue #10, item 3): the endpoint label, a fixed-set method, a valid IP, a UUID.
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AuditRecord } from '../audit.ts';
import type { Metrics } from '../metrics.ts';
import { safeClientIp, safeMethod } from '../scrub.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Write the request's audit line and metrics (once; later calls do nothing). */
    audit(request: FastifyRequest, status: number, code: string | undefined): void;
  }
}

export interface AuditOptions {
  readonly log: Logger;
  readonly metrics: Metrics;
}

function observe(
  metrics: Metrics,
  request: FastifyRequest,
  status: number,
  code: string | undefined,
  latencyMs: number,
): void {
  const ctx = request.tg;
  const modelLabel = ctx.rec.model !== undefined && ctx.snap?.models.has(ctx.rec.model) ? ctx.rec.model : 'other';
  metrics.requests.inc({
    endpoint: ctx.endpoint,
    model: modelLabel,
    code: code ?? 'ok',
    status: `${Math.floor(status / 100)}xx`,
  });
  metrics.requestDuration.observe({ endpoint: ctx.endpoint }, latencyMs / 1000);
  if (code !== undefined && status < 500) metrics.rejections.inc({ code });
}

const audit: FastifyPluginAsync<AuditOptions> = async (app, { log, metrics }) => {
  app.decorate('audit', (request: FastifyRequest, status: number, code: string | undefined): void => {
    const ctx = request.tg;
    if (ctx.audited) return;
    ctx.audited = true;
    const latencyMs = Math.round((performance.now() - ctx.start) * 1000) / 1000;
    observe(metrics, request, status, code, latencyMs);
    if (ctx.endpoint === 'health') return; // probes: metrics only
    // logging mode `none`: no line for successful requests; refusals are security events and always logged
    if (ctx.key?.tenant.cfg.logging === 'none' && code === undefined) return;
    const ip = safeClientIp(request.ip);
    const rec: AuditRecord = {
      reqId: ctx.reqId,
      endpoint: ctx.endpoint,
      method: safeMethod(request.method),
      status,
      latencyMs,
      ...(ip !== undefined ? { ip } : {}),
      ...ctx.rec,
      ...(code !== undefined ? { code } : {}),
    };
    log.info({ audit: rec }, 'request');
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!request.tg.streamed) app.audit(request, reply.statusCode, request.tg.rec.code);
  });
};

/** Shared (fastify-plugin): the hook covers every route, and routes call `app.audit` for streams. */
export const auditPlugin = fp(audit, { name: 'tollgate-audit', dependencies: ['tollgate-context'] });
