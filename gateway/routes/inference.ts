// The shape every model-bound route shares: identify (onRequest) -> body limit (preParsing) -> the
// pipeline (parse -> plan -> reserve -> forward -> settle) -> audit (a stream's here; others on onResponse).
import type { FastifyPluginAsync } from 'fastify';
import { GatewayError } from '../errors.ts';
import { handleInference, type PipelineDeps } from '../pipeline.ts';
import { limitBody } from '../plugins/body.ts';
import type { Endpoint } from '../request.ts';

export interface InferenceRouteOptions {
  readonly pipeline: PipelineDeps;
  readonly serverBodyLimit: number;
}

export function inferenceRoute(endpoint: Endpoint, url: string): FastifyPluginAsync<InferenceRouteOptions> {
  return async (app, { pipeline, serverBodyLimit }) => {
    app.post(url, {
      onRequest: async (request) => {
        request.tg.endpoint = endpoint;
        await app.identify(request);
      },
      preParsing: limitBody(serverBodyLimit),
      handler: async (request, reply) => {
        if (request.body === undefined || request.body === null)
          throw new GatewayError('invalid_json', 'A JSON body is required.');
        try {
          await handleInference(pipeline, endpoint, request, reply);
        } finally {
          const ctx = request.tg;
          if (ctx.streamed) app.audit(request, ctx.status ?? 200, ctx.rec.code);
        }
        return reply;
      },
    });
  };
}
