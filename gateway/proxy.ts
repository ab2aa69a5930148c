// Upstream calls with undici: one keep-alive pool per upstream origin (kept across config reloads),
// connect / first-byte / idle / total timeouts, cancellation when the client goes away, and no retries
// (a request is sent once; nothing is replayed after the first byte). Upstream error bodies are
// sanitised before anything reaches the client.
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from './errors.ts';

export interface UpstreamTimeouts {
  connectMs: number;
  /** Until the response headers (for streams: roughly time to first token). */
  firstByteMs: number;
  /** Longest silence between body chunks. */
  idleMs: number;
  /** Whole request, first byte to last. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { connectMs: 5_000, firstByteMs: 120_000, idleMs: 60_000, totalMs: 600_000 };

export class Upstreams {
  readonly #pools = new Map<string, Pool>();
  readonly #timeouts: UpstreamTimeouts;
  readonly #connections: number;

  constructor(timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS, connectionsPerOrigin = 256) {
    this.#timeouts = timeouts;
    this.#connections = connectionsPerOrigin;
  }

  get timeouts(): UpstreamTimeouts {
    return this.#timeouts;
  }

  pool(origin: string): Pool {
    let p = this.#pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.#connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: { timeout: this.#timeouts.connectMs },
        headersTimeout: this.#timeouts.firstByteMs,
        bodyTimeout: this.#timeouts.idleMs,
      });
      this.#pools.set(origin, p);
    }
    return p;
  }

  /** Drop pools whose origin no config model uses any more (after a reload). */
  prune(inUse: ReadonlySet<string>): void {
    for (const [origin, p] of this.#pools) {
      if (!inUse.has(origin)) {
        this.#pools.delete(origin);
        void p.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
  }

  request(origin: string, path: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    return this.pool(origin).request({ method: 'POST', path, body, headers, signal });
  }
}

/** Why the gateway cut an upstream request: client gone, timeout, output blocked, or the output cap reached. */
export type AbortReason = 'client' | 'timeout' | 'blocked' | 'cap';

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
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    return new GatewayError('upstream_unavailable');
  }
  return new GatewayError('upstream_error');
}

/** Short, safe summary of an upstream failure for the gateway's own logs. */
export function describeUpstreamError(e: unknown): string {
  if (e instanceof Error) return `${e.name}${(e as { code?: string }).code ? ` ${(e as { code?: string }).code}` : ''}: ${e.message.slice(0, 200)}`;
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
