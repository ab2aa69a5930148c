// POST /v1/responses — the OpenAI Responses API over the chat pipeline. The route's body schema is generated
// from the zod spec (api/openai/responses.ts) and validated with it (plugins/body.ts): the request is
// translated into a chat request (gateway/responses/) and validated as one, so refusals keep their catalog
// codes. Then the same pipeline as /v1/chat/completions — identity, scope (chat.completions), caps,
// guardrails, one reservation, settle, audit — with the answer re-encoded as a Responses object or Responses
// events. Streamed, the encoder reads what the chat relay releases: redaction, blocking and the output cap
// have already applied.
import type { FastifyPluginAsync } from 'fastify';
import type { OutputEncoding } from '../pipeline.ts';
import type { ValidatedBody } from '../plugins/body.ts';
import { responseFromCompletion, responseIds, type ResponseIds } from '../responses/object.ts';
import type { ResponseEcho } from '../responses/request.ts';
import { ResponsesStream } from '../responses/stream.ts';
import { INFERENCE_ROUTES, inferenceRouteOptions, runInference, type InferenceRouteOptions } from './inference.ts';

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
  app.post(INFERENCE_ROUTES.responses, {
    ...inferenceRouteOptions(app, 'responses', serverBodyLimit),
    handler: async (request, reply) => {
      const { echo } = request.body as ValidatedBody;
      const ids = responseIds(request.tg.reqId, Date.now());
      return runInference(app, pipeline, request, reply, echo && encoding(ids, echo));
    },
  });
};

export default responses;
