// Upstream failures as catalog errors (issue #10, item 2): the client gets the gateway's own code and a
// generic message; what the upstream said (status line, body, socket error text) stays in the gateway log.
import { errors as undiciErrors } from 'undici';
import { GatewayError } from '../errors.ts';

/** Why the gateway cut an upstream request: client gone, timeout, output blocked, or the output cap reached. */
export type AbortReason = 'client' | 'timeout' | 'blocked' | 'cap';

const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Map an undici / abort failure to a catalog error (the cause stays in gateway logs only). */
export function upstreamFailure(e: unknown, abortReason: AbortReason | undefined): GatewayError {
  if (abortReason === 'timeout') return new GatewayError('upstream_timeout');
  if (
    e instanceof undiciErrors.ConnectTimeoutError ||
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError
  ) {
    return new GatewayError('upstream_timeout');
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return new GatewayError('upstream_unavailable');
  return new GatewayError('upstream_error');
}

/**
 * A kept-alive connection the upstream had closed (or reset) before it sent a byte of the response: the
 * request never started on the engine's side as far as the gateway can see, so it may be sent once more on
 * another connection. Timeouts, refused connects and anything after the response headers are not this.
 */
export function isStaleConnection(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Short, safe summary of an upstream failure for the gateway's own logs. */
export function describeUpstreamError(e: unknown): string {
  if (e instanceof Error)
    return `${e.name}${(e as { code?: string }).code ? ` ${(e as { code?: string }).code}` : ''}: ${e.message.slice(0, 200)}`;
  return String(e).slice(0, 200);
}

/**
 * The catalog error for an upstream HTTP error status (issue #10, item 2): a generic message with the
 * upstream status, never the upstream's text. Requests the engine refused as malformed (400, 404, 413,
 * 422) are the caller's to fix; anything else (401/403: the gateway's own credential, 408/429/5xx) is a
 * server-side failure.
 */
export function upstreamStatusToError(status: number): GatewayError {
  const s = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 502;
  if (s === 400 || s === 404 || s === 413 || s === 422) {
    return new GatewayError('upstream_bad_request', `The model server rejected the request (upstream status ${s}).`);
  }
  return new GatewayError('upstream_error', `The model server failed (upstream status ${s}).`);
}
