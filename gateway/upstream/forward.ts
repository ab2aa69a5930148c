// The upstream stage: send the planned request to the model's pool, relay the answer (SSE stream or one
// body) through the output transforms, and report what happened as a value. Settlement is the caller's.
import type { FastifyReply } from 'fastify';
import type { GatewayError } from '../errors.ts';
import type { Outcome } from '../plan/charge.ts';
import { round3 } from '../plan/cost.ts';
import { upstreamTextForLog } from '../scrub.ts';
import { emptyOutcome } from '../plan/charge.ts';
import { Cut, failure, type ForwardRequest, type RelayResult, type UpstreamDeps } from './common.ts';
import { upstreamStatusToError } from './errors.ts';
import { relayBody } from './relay-body.ts';
import { relayStream } from './relay-stream.ts';

export interface ForwardResult {
  readonly outcome: Outcome;
  /** Non-streamed success: the (possibly rewritten) body to send. */
  readonly okBody: Buffer | undefined;
  /** The failure to report (a catalog error, or a bug); after a stream started it was reported in-band. */
  readonly error: unknown;
  /** The response was streamed: headers went out from here (the reply is hijacked). */
  readonly streamed: boolean;
  /** Catalog code to audit for a stream that failed or was blocked in-band. */
  readonly code: string | undefined;
  readonly ttfbMs: number | undefined;
  readonly upstreamMs: number;
}

function requestHeaders(r: ForwardRequest): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': r.reqId };
  if (r.credential !== undefined) h.authorization = `Bearer ${r.credential}`;
  if (r.stream) h.accept = 'text/event-stream';
  return h;
}

function upstreamPath(r: ForwardRequest): string {
  return `${r.model.basePath}/${r.endpoint === 'chat.completions' ? 'chat/completions' : r.endpoint}`;
}

/** Send, relay, and report. Never throws: a failure is in the result (settlement runs either way). */
export async function forward(deps: UpstreamDeps, r: ForwardRequest, reply: FastifyReply): Promise<ForwardResult> {
  const m = r.model.cfg.servedName;
  const cut = new Cut();
  const totalTimer = setTimeout(() => cut.abort('timeout'), deps.upstreams.timeouts.totalMs);
  const onClose = (): void => {
    if (!reply.raw.writableFinished) cut.abort('client');
  };
  reply.raw.once('close', onClose);
  deps.metrics.inflight.inc();
  const t0 = performance.now();
  let ttfbMs: number | undefined;
  const filled = emptyOutcome();
  filled.promptEchoed = r.endpoint === 'completions' && r.body.echo === true;
  let relayed: RelayResult = {};
  let error: unknown;
  try {
    let res;
    try {
      res = await deps.upstreams.send({
        origin: r.model.origin,
        path: upstreamPath(r),
        body: JSON.stringify(r.body),
        headers: requestHeaders(r),
        signal: cut.controller.signal,
      });
    } catch (e) {
      throw failure(deps, r.reqId, m, e, cut.reason);
    }
    const ttfb = performance.now() - t0;
    ttfbMs = round3(ttfb);
    deps.metrics.timeToFirstByte.observe({ model: m }, ttfb / 1000);
    if (res.statusCode < 200 || res.statusCode >= 300) throw await statusError(deps, r, res.statusCode, res.body);
    const ctype = String(res.headers['content-type'] ?? '');
    relayed =
      r.stream && ctype.includes('text/event-stream')
        ? await relayStream(deps, r, res.body, reply, cut, filled)
        : await relayBody(deps, r, res.body, cut, filled);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(totalTimer);
    reply.raw.off('close', onClose);
    deps.metrics.inflight.dec();
  }
  const upstreamSeconds = (performance.now() - t0) / 1000;
  deps.metrics.upstreamDuration.observe({ model: m }, upstreamSeconds);
  if (cut.reason) deps.metrics.upstreamAborts.inc({ reason: cut.reason });
  const outcome: Outcome = { ...filled, upstreamSeconds, abort: cut.reason };
  return {
    outcome,
    okBody: relayed.okBody,
    error,
    streamed: relayed.streamed === true,
    code: relayed.code,
    ttfbMs,
    upstreamMs: round3(upstreamSeconds * 1000),
  };
}

const MAX_UPSTREAM_ERROR_BYTES = 64 * 1024;

/** An error status: what the upstream said goes to the log (upstreamTextForLog), the client gets the catalog entry. */
async function statusError(
  deps: UpstreamDeps,
  r: ForwardRequest,
  status: number,
  body: AsyncIterable<Uint8Array>,
): Promise<GatewayError> {
  const text = await readBounded(body, MAX_UPSTREAM_ERROR_BYTES);
  deps.log.warn(
    {
      reqId: r.reqId,
      model: r.model.cfg.servedName,
      upstreamStatus: status,
      upstreamBody: upstreamTextForLog(text, deps.secrets, r.logMask),
    },
    'upstream returned an error status',
  );
  return upstreamStatusToError(status);
}

async function readBounded(body: AsyncIterable<Uint8Array>, max: number): Promise<string> {
  try {
    let size = 0;
    const parts: Buffer[] = [];
    for await (const chunk of body) {
      size += chunk.length;
      if (size > max) break;
      parts.push(Buffer.from(chunk));
    }
    return Buffer.concat(parts).toString('utf8');
  } catch {
    return ''; // unreadable error body: keep the status only
  }
}

export type { ForwardRequest, UpstreamDeps } from './common.ts';
