// POST /v1/responses — the OpenAI Responses API over the chat pipeline. The route's body schema is generated
// from the zod spec (api/openai/responses.ts); its validator is that spec (gateway/responses/translate.ts),
// which turns the request into a chat request, so refusals keep their catalog codes. Then the same pipeline
// as /v1/chat/completions — identity, scope (chat.completions), caps, guardrails, one reservation, settle,
// audit — with the answer re-encoded as a Responses object or Responses events. Streamed, the encoder reads
// what the chat relay releases: redaction, blocking and the output cap have already applied.
import type { FastifyPluginAsync, FastifySchemaCompiler } from 'fastify';
import { requestJsonSchema } from '../../api/openai/index.ts';
import { GatewayError } from '../errors.ts';
import { handleInference, type OutputEncoding } from '../pipeline.ts';
import { limitBody } from '../plugins/body.ts';
import {
  responseFromCompletion,
  responseIds,
  ResponsesStream,
  translateRequest,
  type ResponseEcho,
  type ResponseIds,
  type TranslatedRequest,
} from '../responses/translate.ts';
import type { InferenceRouteOptions } from './inference.ts';

/** The route's body validator: the zod spec the route schema was generated from, as catalog errors. */
const translateBody: FastifySchemaCompiler<unknown> = () => (data: unknown) => {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return { error: new GatewayError('invalid_json', 'A JSON body is required.') };
  try {
    return { value: translateRequest(data as Record<string, unknown>) };
  } catch (e) {
    return { error: e instanceof Error ? e : new GatewayError('internal_error') };
  }
};

function encoding(ids: ResponseIds, echo: ResponseEcho): OutputEncoding {
  return {
    body: (answer) =>
      Buffer.from(
        JSON.stringify(
          responseFromCompletion(JSON.parse(answer.toString('utf8')) as Record<string, unknown>, ids, echo),
        ),
      ),
    stream: () => new ResponsesStream(ids, echo),
  };
}

const responses: FastifyPluginAsync<InferenceRouteOptions> = async (app, { pipeline, serverBodyLimit }) => {
  app.post('/v1/responses', {
    schema: { body: requestJsonSchema('responses') },
    validatorCompiler: translateBody,
    onRequest: async (request) => {
      request.tg.endpoint = 'responses';
      await app.identify(request);
    },
    preParsing: limitBody(serverBodyLimit),
    handler: async (request, reply) => {
      const t = request.body as TranslatedRequest;
      const ids = responseIds(request.tg.reqId, Date.now());
      request.body = t.chat; // the pipeline validates and enforces it as a chat request
      try {
        await handleInference(pipeline, 'chat.completions', request, reply, encoding(ids, t.echo));
      } finally {
        const ctx = request.tg;
        if (ctx.streamed) app.audit(request, ctx.status ?? 200, ctx.rec.code);
      }
      return reply;
    },
  });
};

export default responses;
