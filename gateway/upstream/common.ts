// What the upstream stage's parts share: its dependencies, the request as planned, the cut (abort with a
// reason), and the mapping of a failure to the catalog with the cause logged, scrubbed.
import type { Logger } from 'pino';
import type { RtModel } from '../config/snapshot.ts';
import { GatewayError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { Endpoint } from '../request.ts';
import { scrubUpstreamText, type SecretSet } from '../scrub.ts';
import type { OutputTransform } from '../transform.ts';
import { describeUpstreamError, upstreamFailure, type AbortReason } from './errors.ts';
import type { Upstreams } from './pool.ts';

export interface UpstreamDeps {
  readonly upstreams: Upstreams;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Every credential the gateway holds: scrubbed from what upstreams say before it is logged. */
  readonly secrets: SecretSet;
  /** Upstream response bodies larger than this (non-streaming) are refused. */
  readonly maxUpstreamBodyBytes: number;
}

export interface ForwardRequest {
  readonly reqId: string;
  readonly model: RtModel;
  readonly endpoint: Endpoint;
  readonly stream: boolean;
  readonly wantsStreamUsage: boolean;
  readonly n: number;
  /** The effective max_tokens per choice, enforced on the way back (0: none). */
  readonly maxOut: number;
  readonly inputTokens: number;
  readonly body: Record<string, unknown>;
  readonly credential: string | undefined;
  readonly transform: OutputTransform | undefined;
  /**
   * The tenant's masker for upstream text in the operator log (logging mode `redactedPrompts`); undefined: an
   * upstream's error text is logged as length, hash and enum-like type/code only (scrub.ts upstreamTextForLog).
   */
  readonly logMask?: ((text: string) => string) | undefined;
  /** Re-encodes the streamed answer for a client of another API (/v1/responses); undefined: as it comes. */
  readonly encoder?: StreamEncoder | undefined;
}

/** What the relay releases (chat SSE, after the output cap and guardrails) in, the client's SSE out. */
export interface StreamEncoder {
  /** Written right after the headers. */
  start(): Uint8Array;
  push(chunk: Uint8Array): Uint8Array;
  /** Written before the stream closes, however it ended. */
  end(): Uint8Array;
}

/** Log the cause (scrubbed) and map it to the catalog; a client that left is not an upstream failure. */
export function failure(
  deps: UpstreamDeps,
  reqId: string,
  model: string,
  e: unknown,
  reason: AbortReason | undefined,
): GatewayError {
  if (reason === 'client') return new GatewayError('upstream_unavailable', 'Client closed the request.');
  deps.log.warn(
    { reqId, model, err: scrubUpstreamText(describeUpstreamError(e), deps.secrets) },
    'upstream request failed',
  );
  return upstreamFailure(e, reason);
}

/** A cut that stops the upstream: the first reason wins. */
export class Cut {
  readonly controller = new AbortController();
  reason: AbortReason | undefined;
  abort(reason: AbortReason): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller.abort();
  }
}

/** What a relay adds to the outcome it fills in (it fills it in as it goes, so a failure keeps what happened). */
export interface RelayResult {
  okBody?: Buffer | undefined;
  streamed?: boolean;
  code?: string | undefined;
}
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
