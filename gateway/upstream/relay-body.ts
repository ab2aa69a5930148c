// A non-streamed answer: read it whole (bounded), refuse errors dressed as 200, apply the output cap and the
// output transforms, and return the bytes to send.
import { GatewayError } from '../errors.ts';
import { scrubUpstreamText } from '../scrub.ts';
import { reviewCompletion } from '../transform.ts';
import type { Outcome } from '../plan/charge.ts';
import { failure, type Cut, type ForwardRequest, type Mutable, type RelayResult, type UpstreamDeps } from './common.ts';
import { capCompletion } from './output-cap.ts';
import { transformCompletion } from './review.ts';
import { readUsage } from './sse.ts';

const MAX_LOGGED_BYTES = 64 * 1024;

async function readAll(deps: UpstreamDeps, r: ForwardRequest, body: AsyncIterable<Uint8Array>, cut: Cut): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > deps.maxUpstreamBodyBytes) throw new GatewayError('upstream_error', 'The model response is too large.');
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
    deps.log.warn({ reqId: r.reqId, model: r.model.cfg.servedName }, 'upstream returned a body that is not a JSON object');
    throw new GatewayError('upstream_error');
  }
  if (Object.hasOwn(json, 'error') && !Array.isArray(json.choices) && !Array.isArray(json.data)) {
    // an error dressed as a 200: same rule as an error status
    deps.log.warn({ reqId: r.reqId, model: r.model.cfg.servedName, upstreamBody: scrubUpstreamText(buf.toString('utf8', 0, Math.min(buf.length, MAX_LOGGED_BYTES)), deps.secrets) }, 'upstream returned an error object with status 200');
    throw new GatewayError('upstream_error');
  }
  return json;
}

export function completionText(json: Record<string, unknown>, chat: boolean): string {
  const choices = Array.isArray(json.choices) ? (json.choices as Record<string, unknown>[]) : [];
  let t = '';
  for (const c of choices) {
    const v = chat ? (c.message as Record<string, unknown> | undefined)?.content : c.text;
    if (typeof v === 'string') t += v;
  }
  return t;
}

export async function relayBody(deps: UpstreamDeps, r: ForwardRequest, body: AsyncIterable<Uint8Array>, cut: Cut, outcome: Mutable<Outcome>): Promise<RelayResult> {
  let buf = await readAll(deps, r, body, cut);
  outcome.upstreamWorked = true;
  const json = parseObject(deps, r, buf);
  const chat = r.endpoint === 'chat.completions';
  let changed = false;
  if (r.maxOut > 0) {
    // the effective max_tokens, whatever the engine did (documented rule: truncate, finish_reason "length")
    const c = capCompletion(json, r.maxOut, chat);
    if (c.changed) {
      changed = true;
      outcome.countedOut = c.outputTokens;
    }
  }
  outcome.usage = readUsage(json.usage);
  outcome.finishLength = Array.isArray(json.choices) && (json.choices as unknown[]).some((c) => (c as { finish_reason?: unknown } | null)?.finish_reason === 'length');
  if (!outcome.usage) outcome.generatedText = completionText(json, chat);
  if (r.transform) {
    const t = transformCompletion(json, r.transform, chat);
    const verdict = t.verdict ?? (await reviewCompletion(r.transform));
    if (verdict) {
      deps.metrics.outputBlocked.inc({ reason: verdict.reason });
      throw new GatewayError('output_blocked', verdict.message);
    }
    if (t.changed) changed = true;
  }
  if (changed) buf = Buffer.from(JSON.stringify(json));
  return { okBody: buf };
}
