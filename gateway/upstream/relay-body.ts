// A non-streamed answer: read it whole (bounded), refuse errors dressed as 200, apply the output cap and the
// output transforms, and return the bytes to send.
import { GatewayError } from '../errors.ts';
import { upstreamTextForLog } from '../scrub.ts';
import { reviewCompletion } from '../transform.ts';
import type { Outcome } from '../plan/charge.ts';
import { failure, type Cut, type ForwardRequest, type Mutable, type RelayResult, type UpstreamDeps } from './common.ts';
import { countEgress } from '../egress/metrics.ts';
import { egressCompletion, egressEmbeddings } from '../egress/response-sanitize.ts';
import { readUsage } from './sse.ts';
import { encodingFor } from '../encodings.ts';

const MAX_LOGGED_BYTES = 64 * 1024;

async function readAll(
  deps: UpstreamDeps,
  r: ForwardRequest,
  body: AsyncIterable<Uint8Array>,
  cut: Cut,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > deps.maxUpstreamBodyBytes)
        throw new GatewayError('upstream_error', 'The model response is too large.');
      parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw failure(deps, r.reqId, r.model.cfg.servedName, e, cut.reason);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function parseObject(deps: UpstreamDeps, r: ForwardRequest, buf: Buffer): Record<string, unknown> {
  let json: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    json = v as Record<string, unknown>;
  } catch {
    deps.log.warn(
      { reqId: r.reqId, model: r.model.cfg.servedName },
      'upstream returned a body that is not a JSON object',
    );
    throw new GatewayError('upstream_error');
  }
  if (Object.hasOwn(json, 'error') && !Array.isArray(json.choices) && !Array.isArray(json.data)) {
    // an error dressed as a 200: same rule as an error status
    deps.log.warn(
      {
        reqId: r.reqId,
        model: r.model.cfg.servedName,
        upstreamBody: upstreamTextForLog(
          buf.toString('utf8', 0, Math.min(buf.length, MAX_LOGGED_BYTES)),
          deps.secrets,
          r.logMask,
        ),
      },
      'upstream returned an error object with status 200',
    );
    throw new GatewayError('upstream_error');
  }
  return json;
}

export async function relayBody(
  deps: UpstreamDeps,
  r: ForwardRequest,
  body: AsyncIterable<Uint8Array>,
  cut: Cut,
  outcome: Mutable<Outcome>,
): Promise<RelayResult> {
  const buf = await readAll(deps, r, body, cut);
  outcome.upstreamWorked = true;
  const json = parseObject(deps, r, buf);
  // never the upstream's bytes: the answer rebuilt from its parsed value, every text field capped and scanned
  const e =
    r.endpoint === 'embeddings'
      ? egressEmbeddings(json, r.transform)
      : egressCompletion(json, {
          chat: r.endpoint === 'chat.completions',
          n: r.n,
          maxOut: r.maxOut,
          transform: r.transform,
          encoding: encodingFor(r.model.cfg.tokenizer),
        });
  outcome.countedOut = e.countedOut;
  outcome.usage = readUsage(json.usage);
  outcome.finishLength = e.finishLength;
  outcome.generatedText = e.generatedText; // counted without usage, checked against it with (plan/charge.ts)
  countEgress(deps.metrics, r.transform, undefined);
  const verdict = e.verdict ?? (r.transform ? await reviewCompletion(r.transform) : undefined);
  if (verdict) {
    deps.metrics.outputBlocked.inc({ reason: verdict.reason });
    throw new GatewayError('output_blocked', verdict.message);
  }
  return { okBody: Buffer.from(JSON.stringify(e.body)) };
}
