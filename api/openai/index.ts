// The OpenAI request shapes the gateway accepts, one zod spec per endpoint. From them come the parameter
// allowlists, the Fastify route body schemas (JSON Schema, draft-07 like Fastify's Ajv) and the validation in
// gateway/request.ts.
import { z } from 'zod';
import { chatCompletions } from './chat.ts';
import { requestObject, type RequestSpec } from './common.ts';
import { completions } from './completions.ts';
import { embeddings } from './embeddings.ts';
import { responses } from './responses.ts';

export { BANNED_PARAMETERS, bannedMessage, LIMITS, type RequestSpec } from './common.ts';
export { REFUSED_CHAT_PARAMETERS } from './chat.ts';
export { UNSUPPORTED_RESPONSES_PARAMETERS } from './responses.ts';

/** Endpoints forwarded upstream as they are. */
export type Endpoint = 'chat.completions' | 'completions' | 'embeddings';
/** Every endpoint with a request body, including those translated before forwarding. */
export type ApiEndpoint = Endpoint | 'responses';

export const REQUEST_SPECS: Readonly<Record<ApiEndpoint, RequestSpec>> = {
  'chat.completions': chatCompletions,
  completions,
  embeddings,
  responses,
};

/**
 * The allowlist of an endpoint: parameter -> schema of its non-null value. A Map, so a client-chosen name
 * (`__proto__`, `constructor`, `toString`...) is never found on a prototype.
 */
export function allowlist(endpoint: ApiEndpoint): ReadonlyMap<string, z.ZodType> {
  let m = allowlists.get(endpoint);
  if (!m) {
    m = new Map(Object.entries(REQUEST_SPECS[endpoint].fields));
    allowlists.set(endpoint, m);
  }
  return m;
}
const allowlists = new Map<ApiEndpoint, ReadonlyMap<string, z.ZodType>>();

/** The request body of an endpoint as one zod object (explicit nulls accepted where the SDKs send them). */
export function requestSchema(endpoint: ApiEndpoint): z.ZodObject {
  return requestObject(REQUEST_SPECS[endpoint]);
}

/** JSON Schema (draft-07) of an endpoint's request body: the Fastify route schema and the API docs. */
export function requestJsonSchema(endpoint: ApiEndpoint): Record<string, unknown> {
  const s = z.toJSONSchema(requestSchema(endpoint), {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}
