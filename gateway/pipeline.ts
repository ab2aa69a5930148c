// The request pipeline for model-bound calls, one way, each stage taking what it needs and returning a value:
//   (plugins: onRequest) identity + account -> (preParsing) body size -> (parser) JSON depth + parse
//   -> parse: parameter allowlist and shape, as the route's body validation (plugins/body.ts over request.ts)
//   -> plan: auth layers 3-5, the tenant's compiled guard, input limits, effective max_tokens and cost
//      estimate (stages/admit.ts over the pure plan/)
//   -> reserve: ONE atomic reservation (budgets + rpm + tpm + concurrency) (stages/reserve.ts)
//   -> checks: tool allowlist, the local prompt-injection scorer (CPU) and the policy's input judge (a model
//      call), only for a request holding its reservation; a refusal releases budget, tpm and the slot, the rpm
//      stays taken (the output judge runs in forward, under the same reservation)
//   -> forward: upstream, stream or not, output cap and guardrails on the way back (upstream/)
//   -> settle actual usage, also on abort / failure (plan/charge.ts, stages/settle.ts) -> audit (the route).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Snapshot, RtModel } from './config/snapshot.ts';
import { GatewayError } from './errors.ts';
import { redactForLog } from './audit.ts';
import type { LogRedactor } from './plan/guards.ts';
import { planRefusal, planUnenforced, upstreamBody, type RequestPlan } from './plan/plan.ts';
import { composeReservation } from './store/compose.ts';
import { round3 } from './plan/cost.ts';
import type { RequestContext } from './plugins/context.ts';
import { minTokensRefusal, type ParsedRequest } from './request.ts';
import { admit, type AdmitDeps, type PendingChecks } from './stages/admit.ts';
import type { AnomalyHooks } from './stages/anomaly.ts';
import { judgeFor } from './stages/judges.ts';
import { reserve, type ReserveDeps } from './stages/reserve.ts';
import { applyCharge, charge, type SettleDeps } from './stages/settle.ts';
import { emptyOutcome, type Outcome } from './plan/charge.ts';
import { composeTransforms, type OutputTransform, type OutputTransformFactory } from './transform.ts';
import { canarySetFor, withCanaries } from './egress/canary.ts';
import { forward, type ForwardResult, type UpstreamDeps } from './upstream/forward.ts';
import type { StreamEncoder } from './upstream/common.ts';
import { responseHeaders } from './upstream/relay-stream.ts';
import type { Reservation } from './store/types.ts';

export type { RequestContext } from './plugins/context.ts';
export type { AnomalyHooks } from './stages/anomaly.ts';

export interface PipelineDeps extends AdmitDeps, ReserveDeps, SettleDeps, UpstreamDeps {
  readonly transforms: readonly OutputTransformFactory[];
  readonly enforcement: boolean;
  readonly anomaly?: AnomalyHooks | undefined;
}

interface Planned {
  readonly model: RtModel;
  readonly plan: RequestPlan;
  readonly guard: LogRedactor | undefined;
  readonly checks?: PendingChecks | undefined;
}

async function planFor(
  deps: PipelineDeps,
  ctx: RequestContext,
  snap: Snapshot,
  parsed: ParsedRequest,
  ip: string,
): Promise<Planned> {
  if (deps.enforcement) return admit(deps, ctx, snap, parsed, ip);
  const model = snap.models.get(parsed.model);
  if (!model) throw new GatewayError('model_not_found', undefined, { param: 'model' });
  return { model, plan: planUnenforced(model.cfg, parsed.requestedMaxTokens, parsed.n), guard: undefined };
}

/**
 * The output transform of a request: the tenant's guardrails (none for embeddings or without a key), wrapped
 * in the gateway's own credentials as canaries in every output field, for every tenant (egress/canary.ts).
 */
function transformFor(
  deps: PipelineDeps,
  ctx: RequestContext,
  snap: Snapshot,
  model: RtModel,
  parsed: ParsedRequest,
  body: Record<string, unknown>,
): OutputTransform | undefined {
  const endpoint = parsed.endpoint;
  const key = ctx.key;
  const caller = deps.judgeSlots && key ? { slots: deps.judgeSlots, tenant: key.tenant.cfg.id } : undefined;
  const tenant =
    deps.transforms.length === 0 || endpoint === 'embeddings' || !key
      ? undefined
      : composeTransforms(deps.transforms, {
          requestId: ctx.reqId,
          tenant: key.tenant.cfg,
          model: model.cfg,
          endpoint,
          stream: parsed.stream,
          requestBody: body,
          judgeFor: (spec) => judgeFor(snap, deps.credentials, spec, caller),
        });
  return withCanaries(canarySetFor(deps.secrets), tenant);
}

/** The start of the prompt for a redactedPrompts audit line: the log keeps 4 kB of it. */
function promptForLog(texts: readonly string[]): string {
  let out = '';
  for (const t of texts) {
    out += (out === '' ? '' : '\n') + t.slice(0, 4200 - out.length);
    if (out.length >= 4200) break;
  }
  return out;
}

/** A route whose client speaks another API than the engine (/v1/responses over chat): the answer re-encoded. */
export interface OutputEncoding {
  /** The non-streamed answer (after the output cap and guardrails) -> the bytes to send. */
  body(answer: Buffer): Buffer;
  /** One encoder for a streamed answer. */
  stream(): StreamEncoder;
}

/**
 * Runs one validated inference request to its end; the response is sent (or streamed) here, the audit is the
 * route's.
 */
export async function handleInference(
  deps: PipelineDeps,
  parsed: ParsedRequest,
  request: FastifyRequest,
  reply: FastifyReply,
  encoding?: OutputEncoding,
): Promise<void> {
  const ctx = request.tg;
  const snap = ctx.snap;
  if (!snap) throw new GatewayError('not_ready');
  const endpoint = parsed.endpoint;
  ctx.rec.stream = parsed.stream;
  const { model, plan, guard, checks } = await planFor(deps, ctx, snap, parsed, request.ip);
  ctx.rec.model = model.cfg.servedName;
  if (endpoint !== 'embeddings') {
    const minErr = minTokensRefusal(parsed.body.min_tokens, plan.maxOut, 'the output limit of this request');
    if (minErr) throw minErr; // the tenant's cap or the context lowered max_tokens below it
  }
  const body = upstreamBody(parsed.body, endpoint, parsed.stream, plan.maxOut);
  // Everything that could fail on the tenant's config runs before the reservation (none is left stranded).
  const transform = transformFor(deps, ctx, snap, model, parsed, body);
  // Prompts reach the audit log only when the policy asks, through the same detectors as outputs. Cut
  // before redaction: the log keeps 4 kB, so the detectors never run over a whole 1 MiB prompt.
  const prompt =
    guard && ctx.key?.tenant.cfg.logging === 'redactedPrompts'
      ? redactForLog(guard.redact(promptForLog(parsed.input.texts)).text)
      : undefined;
  // an upstream's error text may quote the prompt: logged on the same terms (upstream/common.ts logMask)
  const logMask =
    guard && ctx.key?.tenant.cfg.logging === 'redactedPrompts'
      ? (t: string): string => redactForLog(guard.redact(t).text)
      : undefined;
  let reservation: Reservation | undefined;
  if (deps.enforcement && ctx.key) {
    ctx.rec.reserved = round3(plan.estimate);
    ctx.rec.costUnit = model.cfg.cost.unit;
    const refusal = planRefusal(plan, model.cfg.cost.unit);
    if (refusal) throw refusal;
    const tenant = ctx.key.tenant;
    // tenant, key, tenant-per-model and global per-model limits: one atomic reservation (store/compose.ts)
    const req = composeReservation({
      id: ctx.reqId,
      tenant,
      keyId: ctx.key.id,
      model: model.cfg,
      estimate: plan.estimate,
      rawTokens: plan.rawTokens,
      leaseMs: deps.upstreams.timeouts.totalMs + 30_000,
    });
    if (req) reservation = await reserve(deps, req, Date.now());
  }
  if (checks) await checkReserved(deps, ctx, model, plan, parsed, reservation, checks);
  if (prompt !== undefined) ctx.rec.prompt = prompt;
  const credential = model.cfg.credentialKey !== undefined ? deps.credentials.get(model.cfg.credentialKey) : undefined;
  const res = await forward(
    deps,
    {
      reqId: ctx.reqId,
      model,
      endpoint,
      stream: parsed.stream,
      wantsStreamUsage: parsed.wantsStreamUsage,
      n: parsed.n,
      maxOut: plan.maxOut,
      inputTokens: plan.inputTokens,
      body,
      credential,
      transform,
      logMask,
      ...(encoding && parsed.stream ? { encoder: encoding.stream() } : {}),
    },
    reply,
  );
  noteForward(ctx, res);
  await settle(deps, ctx, model, plan, parsed, reservation, res.outcome);
  if (res.error !== undefined) throw res.error;
  if (res.okBody !== undefined && !res.streamed) {
    ctx.status = 200;
    reply
      .code(200)
      .headers(responseHeaders(ctx.reqId, 'application/json'))
      .send(encoding ? encoding.body(res.okBody) : res.okBody);
  }
}

/** The request guardrails under the reservation: a refusal (or a failure) releases it, charging nothing. */
async function checkReserved(
  deps: PipelineDeps,
  ctx: RequestContext,
  model: RtModel,
  plan: RequestPlan,
  parsed: ParsedRequest,
  reservation: Reservation | undefined,
  checks: PendingChecks,
): Promise<void> {
  try {
    await checks();
  } catch (e) {
    await settle(deps, ctx, model, plan, parsed, reservation, emptyOutcome());
    throw e;
  }
}

function noteForward(ctx: RequestContext, res: ForwardResult): void {
  if (res.streamed) {
    ctx.status = 200;
    ctx.streamed = true;
  }
  if (res.ttfbMs !== undefined) ctx.rec.ttfbMs = res.ttfbMs;
  ctx.rec.upstreamMs = res.upstreamMs;
  if (res.outcome.abort) ctx.rec.aborted = res.outcome.abort;
  if (res.code !== undefined) ctx.rec.code = res.code;
}

async function settle(
  deps: PipelineDeps,
  ctx: RequestContext,
  model: RtModel,
  plan: RequestPlan,
  parsed: ParsedRequest,
  reservation: Reservation | undefined,
  o: Outcome,
): Promise<void> {
  const c = await charge(model.cfg, plan, parsed.input, reservation, o);
  ctx.rec.tokensIn = c.tokensIn;
  ctx.rec.tokensOut = c.tokensOut;
  if (c.underReportedOut !== undefined) ctx.rec.engineTokensOut = c.underReportedOut;
  if (c.engineTokensIn !== undefined) ctx.rec.engineTokensIn = c.engineTokensIn;
  ctx.rec.cost = round3(c.cost);
  ctx.rec.costUnit = model.cfg.cost.unit;
  if (deps.anomaly && ctx.key && parsed.endpoint !== 'embeddings' && (o.upstreamWorked || o.usage !== undefined))
    deps.anomaly.onResponse(ctx, ctx.key, c.hitCap);
  applyCharge(deps, ctx.reqId, model.cfg, plan, reservation, c, {
    tenant: ctx.key?.tenant.cfg.id,
    nonText: parsed.input.nonText,
  });
}
