// What the streamed paths share: the upstream `usage` reader, the catalog's upstream-error event body, and the
// events that end a response an output transform refused. (The stream itself is rebuilt by gateway/egress/.)
import type { Verdict } from '../transform.ts';
import { readUsage, type Usage } from './sse-parse.ts';

export { readUsage, type Usage };

/**
 * What the client sees instead of anything an upstream says in an error: the gateway's catalog entry
 * (issue #10, item 2). The upstream's text goes to the gateway log only, scrubbed.
 */
export const UPSTREAM_STREAM_ERROR = {
  message: 'The model server failed.',
  type: 'api_error',
  param: null,
  code: 'upstream_error',
} as const;

export const enc = new TextEncoder();

export const EMPTY = new Uint8Array(0);

/** The SSE events that end a response an output transform refused. */
export function errorEvent(v: Verdict): string {
  return `data: ${JSON.stringify({ error: { message: v.message, type: 'invalid_request_error', param: null, code: v.code } })}\n\ndata: [DONE]\n\n`;
}
