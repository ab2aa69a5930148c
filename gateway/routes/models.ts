// GET /v1/models and /v1/models/{name}: only the models the caller's tier is entitled to (all of them
// without enforcement). The key needs the models.list scope and passes the access window / IP checks.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { checkContext, checkScope } from '../auth.ts';
import { GatewayError } from '../errors.ts';
import type { AnomalyHooks } from '../stages/anomaly.ts';

export interface ModelsRouteOptions {
  readonly enforcement: boolean;
  readonly anomaly: AnomalyHooks;
}

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

function visibleModels(request: FastifyRequest, o: ModelsRouteOptions): ModelEntry[] {
  const ctx = request.tg;
  const snap = ctx.snap;
  if (!snap) throw new GatewayError('not_ready');
  let names: string[];
  if (o.enforcement) {
    const key = ctx.key!;
    try {
      checkScope(key, 'models.list');
      checkContext(key, request.ip, Date.now());
    } catch (e) {
      o.anomaly.onAuthFailure(ctx, key, e);
      throw e;
    }
    names = [...key.tenant.models].filter((n) => snap.models.has(n));
  } else names = [...snap.models.keys()];
  return names.sort().map((id) => ({ id, object: 'model', created: 0, owned_by: 'tollgate' }));
}

const models: FastifyPluginAsync<ModelsRouteOptions> = async (app, o) => {
  const onRequest = async (request: FastifyRequest): Promise<void> => {
    request.tg.endpoint = 'models.list';
    await app.identify(request);
  };
  app.get('/v1/models', {
    onRequest,
    handler: async (request) => ({ object: 'list', data: visibleModels(request, o) }),
  });
  app.get<{ Params: { '*': string } }>('/v1/models/*', {
    onRequest,
    handler: async (request) => {
      const name = request.params['*'];
      const m = visibleModels(request, o).find((x) => x.id === name);
      if (!m) throw new GatewayError('model_not_found', undefined, { param: 'model' });
      return m;
    },
  });
};

export default models;
