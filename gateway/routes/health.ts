// GET /healthz and /readyz on the tenant port: liveness, and readiness with the config hash in force and
// whether the last reload failed (full detail only on the admin port).
import type { FastifyPluginAsync } from 'fastify';
import type { ConfigHolder } from '../config/holder.ts';
import type { Readiness } from '../plugins/admin.ts';

export interface HealthRouteOptions {
  readonly holder: ConfigHolder;
  readonly readiness: () => Promise<Readiness>;
}

const health: FastifyPluginAsync<HealthRouteOptions> = async (app, { holder, readiness }) => {
  app.get('/healthz', async (request) => {
    request.tg.endpoint = 'health';
    return { status: 'ok' };
  });
  app.get('/readyz', async (request, reply) => {
    request.tg.endpoint = 'health';
    const r = await readiness();
    reply.code(r.ready ? 200 : 503);
    return {
      status: r.detail.status,
      configHash: holder.current?.hash ?? null,
      lastReloadFailed: holder.lastError !== undefined,
      storeReachable: (r.detail.store as { reachable: boolean }).reachable,
    };
  });
};

export default health;
