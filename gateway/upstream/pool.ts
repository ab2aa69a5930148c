// Upstream calls with undici: one keep-alive pool per upstream origin (kept across config reloads),
// connect / first-byte / idle / total timeouts, cancellation when the client goes away.
//
// Retries: a request is sent once, except when the kept-alive connection it went out on turns out to be
// one the upstream had already closed (llama-server closes its side after a stream, and a request can reach
// the pool between the engine's last byte and its FIN): that failure comes before any response byte, so
// the request is sent once more, on another connection. Nothing is ever replayed after the response
// started, and the reservation is the caller's, held across both attempts and settled once.
import { Pool } from 'undici';
import { dispatchRequest, type UpstreamResponse } from './dispatch.ts';
import { isStaleConnection } from './errors.ts';

export interface UpstreamTimeouts {
  connectMs: number;
  /** Until the response headers (for streams: roughly time to first token). */
  firstByteMs: number;
  /** Longest silence between body chunks. */
  idleMs: number;
  /** Whole request, first byte to last. */
  totalMs: number;
  /**
   * Client side of a stream: while the upstream sends but everything it sent is held back (output guardrails),
   * an SSE comment is written after this much silence toward the client, so proxies and clients with read
   * timeouts keep the connection (held text is not sent as empty chunks).
   */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = {
  connectMs: 5_000,
  firstByteMs: 120_000,
  idleMs: 60_000,
  totalMs: 600_000,
  keepAliveMs: 15_000,
};

export interface UpstreamRequest {
  readonly origin: string;
  readonly path: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal;
}

export class Upstreams {
  readonly #pools = new Map<string, Pool>();
  readonly #timeouts: UpstreamTimeouts;
  readonly #connections: number;
  /** Called when a request is sent again after a stale kept-alive connection (metrics, tests). */
  onRetry: ((origin: string, err: unknown) => void) | undefined;

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

  /** POST; resolves at the response headers. One more attempt only for a stale kept-alive connection. */
  async send(r: UpstreamRequest): Promise<UpstreamResponse> {
    try {
      return await this.#once(r);
    } catch (e) {
      if (r.signal.aborted || !isStaleConnection(e)) throw e;
      this.onRetry?.(r.origin, e);
      return this.#once(r);
    }
  }

  #once(r: UpstreamRequest): Promise<UpstreamResponse> {
    return dispatchRequest(this.pool(r.origin), r);
  }
}
