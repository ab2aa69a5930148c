// The shape every model-bound route shares: identify (onRequest) -> body limit (preParsing) -> parse ->
// validate against the route schema generated from the zod spec (plugins/body.ts) -> the pipeline (plan ->
// reserve -> forward -> settle) -> audit (a stream's here; others on onResponse).
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { ApiEndpoint } from '../../api/openai/index.ts';
import { handleInference, type OutputEncoding, type PipelineDeps } from '../pipeline.ts';
import { limitBody, routeSchema, type ValidatedBody } from '../plugins/body.ts';
import type { Endpoint } from '../request.ts';

export interface InferenceRouteOptions {
  readonly pipeline: PipelineDeps;
  readonly serverBodyLimit: number;
}

/** The metrics/audit name of each API endpoint and its URL. */
export const INFERENCE_ROUTES: Readonly<Record<ApiEndpoint, string>> = {
  'chat.completions': '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  responses: '/v1/responses',
};

/** Route options of a model-bound POST: identity first, the body cap, the body schema from the zod spec. */
export function inferenceRouteOptions(
  app: FastifyInstance,
  endpoint: ApiEndpoint,
  serverBodyLimit: number,
): RouteShorthandOptions {
  return {
    schema: routeSchema(endpoint),
    onRequest: async (request) => {
      request.tg.endpoint = endpoint;
      // /v1/responses is served as chat: the chat.completions scope
      await app.identify(request, endpoint === 'responses' ? 'chat.completions' : endpoint);
    },
    preParsing: limitBody(serverBodyLimit),
  };
}

/** Runs the pipeline for a validated body; a streamed answer's audit line is written here. */
export async function runInference(
  app: FastifyInstance,
  pipeline: PipelineDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  encoding?: OutputEncoding,
): Promise<FastifyReply> {
  try {
    await handleInference(pipeline, (request.body as ValidatedBody).parsed, request, reply, encoding);
  } finally {
    const ctx = request.tg;
    if (ctx.streamed) app.audit(request, ctx.status ?? 200, ctx.rec.code);
  }
  return reply;
}

export function inferenceRoute(endpoint: Endpoint): FastifyPluginAsync<InferenceRouteOptions> {
  return async (app, { pipeline, serverBodyLimit }) => {
    app.post(INFERENCE_ROUTES[endpoint], {
      ...inferenceRouteOptions(app, endpoint, serverBodyLimit),
      handler: async (request, reply) => runInference(app, pipeline, request, reply),
    });
  };
}
