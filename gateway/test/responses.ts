// Fixtures the /v1/responses table tests share: one response's ids, the echo of a minimal request, and an SDK
// client whose transport answers with a given body (what the official `openai` SDK parses is the check).
import OpenAI from 'openai';
import { responseIds } from '../responses/object.ts';
import { translateRequest, type ResponseEcho } from '../responses/request.ts';

export const REQ_ID = '0f8c2a56-1d2e-4f00-9abc-0123456789ab';
export const ids = responseIds(REQ_ID, 1_700_000_000_000);
export const echo: ResponseEcho = translateRequest({ model: 'm1', input: 'x', max_output_tokens: 50 }).echo;

/** An SDK client whose transport answers with `body` (JSON or SSE). */
export function sdkAnswering(body: string, contentType: string): OpenAI {
  return new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': contentType } }),
  });
}
