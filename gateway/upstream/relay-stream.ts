// A streamed answer: upstream SSE bytes through the relay (usage, the output cap, transforms) and the output
// judge's gate to the client, as they come. Headers go out at the first byte, so failures after that are
// reported in-band (an error event, then [DONE]) and never retried.
import { once } from 'node:events';
import type { FastifyReply } from 'fastify';
import { upstreamTextForLog } from '../scrub.ts';
import type { Outcome } from '../plan/charge.ts';
import { failure, type Cut, type ForwardRequest, type Mutable, type RelayResult, type UpstreamDeps } from './common.ts';
import { ReviewGate } from './review.ts';
import { countEgress } from '../egress/metrics.ts';
import { EgressRelay } from '../egress/stream-relay.ts';
import { encodingFor } from '../encodings.ts';

export function responseHeaders(reqId: string, contentType: string): Record<string, string> {
  return { 'content-type': contentType, 'x-request-id': reqId, 'cache-control': 'no-cache' };
}

/** An SSE comment: both OpenAI SDKs (and EventSource) skip lines starting with ':'. */
export const KEEP_ALIVE = ': keep-alive\n\n';

/** Whether a stream silent toward the client since `lastWriteMs` gets a keep-alive comment now. */
export function keepAliveDue(lastWriteMs: number, nowMs: number, everyMs: number): boolean {
  return everyMs > 0 && nowMs - lastWriteMs >= everyMs;
}

export async function relayStream(
  deps: UpstreamDeps,
  r: ForwardRequest,
  body: AsyncIterable<Uint8Array>,
  reply: FastifyReply,
  cut: Cut,
  outcome: Mutable<Outcome>,
): Promise<RelayResult> {
  // every event re-serialized from its parsed chunk, every text field capped and scanned (gateway/egress/)
  const relay = new EgressRelay({
    clientWantsUsage: r.wantsStreamUsage,
    transform: r.transform,
    chat: r.endpoint === 'chat.completions',
    n: r.n,
    ...(r.maxOut > 0
      ? { maxOut: r.maxOut, inputTokens: r.inputTokens, encoding: encodingFor(r.model.cfg.tokenizer) }
      : {}),
  });
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, { ...responseHeaders(r.reqId, 'text/event-stream; charset=utf-8'), connection: 'keep-alive' });
  // a client of another API (/v1/responses) gets the same released bytes re-encoded
  const enc = r.encoder;
  const encode = (b: Uint8Array): Uint8Array => (enc ? enc.push(b) : b);
  if (enc) res.write(enc.start());
  outcome.upstreamWorked = true;
  let code: string | undefined;
  // an output judge (transform review) holds what the relay releases until it has judged it
  const gate = new ReviewGate(r.transform);
  const keepAliveMs = deps.upstreams.timeouts.keepAliveMs;
  let lastWrite = Date.now();
  try {
    for await (const chunk of body) {
      let out = encode(await gate.pass(relay.push(chunk), false, relay.verdict !== undefined));
      const now = Date.now();
      if (out.length === 0 && keepAliveDue(lastWrite, now, keepAliveMs)) out = Buffer.from(KEEP_ALIVE);
      if (out.length > 0) lastWrite = now;
      if (out.length > 0 && !res.destroyed && !res.write(out))
        await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (relay.verdict || gate.verdict) {
        cut.abort('blocked');
        break;
      }
      if (relay.capReached) {
        cut.abort('cap'); // the engine went on past max_tokens: close it, nothing more is served or charged
        break;
      }
      if (relay.upstreamError !== undefined || res.destroyed) break;
    }
    if (!relay.verdict && !gate.verdict && !res.destroyed) {
      // the relay's tail (nothing more when it stopped at the cap or an upstream error event), then the
      // output judge's final review of whatever it still holds
      const tail = encode(await gate.pass(relay.stopped ? new Uint8Array(0) : relay.end(), true, false));
      if (tail.length > 0) res.write(tail);
    }
  } catch (e) {
    const reason = cut.reason;
    if (reason !== 'client' && reason !== 'blocked' && reason !== 'cap' && !res.destroyed) {
      // Headers are out: report the failure in-band. Never retried.
      const err = failure(deps, r.reqId, r.model.cfg.servedName, e, reason);
      code = err.code;
      res.write(encode(Buffer.from(`data: ${JSON.stringify(err.body())}\n\n`)));
    }
  } finally {
    outcome.usage = relay.usage;
    outcome.generatedText = relay.generated.join('');
    outcome.countedOut = relay.capReached ? r.n * r.maxOut : undefined;
    countEgress(deps.metrics, r.transform, relay.stats);
    if (relay.upstreamError !== undefined) {
      code = 'upstream_error';
      deps.log.warn(
        {
          reqId: r.reqId,
          model: r.model.cfg.servedName,
          upstreamEvent: upstreamTextForLog(relay.upstreamError, deps.secrets, r.logMask),
        },
        'upstream sent an error event mid-stream',
      );
    }
    const verdict = relay.verdict ?? gate.verdict;
    if (verdict) {
      code = 'output_blocked';
      deps.metrics.outputBlocked.inc({ reason: verdict.reason });
    }
    if (enc && !res.destroyed) {
      const last = enc.end();
      if (last.length > 0) res.write(last);
    }
    if (!res.destroyed) res.end();
  }
  return { streamed: true, code };
}
