// The request pipeline for model-bound calls, in order:
//   (onRequest) identity + account  ->  (preParsing) body size  ->  (parser) JSON depth + parse
//   -> parameter allowlist and shape -> model entitlement -> key scope -> access window / IP
//   -> input limits and tool allowlist -> effective max_tokens -> cost estimate
//   -> ONE atomic reservation (budgets + rpm + tpm + concurrency) -> upstream (stream or not)
//   -> output transforms -> settle actual usage (also on abort / failure) -> audit + metrics.
import { once } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CfgModel } from '../api/gateway-config.ts';
import { checkContext, checkModel, checkScope } from './auth.ts';
import type { RtKey, RtModel, Snapshot } from './config/snapshot.ts';
import { budgetRefusal, GatewayError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { describeUpstreamError, upstreamFailure, upstreamStatusToError, type AbortReason, type Upstreams } from './proxy.ts';
import { scrubUpstreamText, type SecretSet } from './scrub.ts';
import { validateRequest, type Endpoint, type ParsedRequest } from './request.ts';
import { readUsage, ReviewGate, type Usage } from './sse.ts';
import { CanaryTransform, canarySetFor, withCanaries } from './egress/canary.ts';
import { egressCompletion, egressEmbeddings } from './egress/response-sanitize.ts';
import { EgressRelay, type EgressStats } from './egress/stream-relay.ts';
import { StoreStateLostError, StoreUnavailableError, type BudgetCharge, type Reservation, type ReserveRequest, type Store } from './store/types.ts';
import { countAll, countInput, countText, upperBound } from './tokens.ts';
import { composeTransforms, reviewCompletion, type OutputTransform, type OutputTransformFactory } from './transform.ts';
import { redactForLog, type AuditRecord } from './audit.ts';
import type { CfgJudge } from '../api/gateway-config.ts';
import { compileGuard } from '../guardrails/guard.ts';
import { boundedFetch, judgeFromConfig, unavailableJudge, type Judge } from '../guardrails/judge.ts';
import { checkRequest } from '../guardrails/request.ts';

export interface RequestContext {
  readonly reqId: string;
  readonly start: number;
  endpoint: string;
  status: number | undefined;
  /** The reply was hijacked for streaming: the pipeline writes the audit line itself. */
  streamed: boolean;
  snap: Snapshot | undefined;
  key: RtKey | undefined;
  audited: boolean;
  rec: Omit<AuditRecord, 'reqId' | 'endpoint' | 'method' | 'status' | 'latencyMs'>;
}

export interface PipelineDeps {
  readonly store: Store;
  /** Per-replica limiter used for rpm/tpm/concurrency when the shared store is down and mode is `local`. */
  readonly fallbackStore: Store | undefined;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly upstreams: Upstreams;
  readonly transforms: readonly OutputTransformFactory[];
  readonly credentials: ReadonlyMap<string, string>;
  /** Every credential the gateway holds (upstream keys, Redis password): scrubbed from what upstreams say. */
  readonly secrets: SecretSet;
  readonly enforcement: boolean;
  /** Upstream response bodies larger than this (non-streaming) are refused. */
  readonly maxUpstreamBodyBytes: number;
  /** Per-key anomaly detection (no-ops for tenants without an enabled `anomaly` policy). */
  readonly anomaly?: AnomalyHooks | undefined;
  /** Audit + metrics for a streamed (hijacked) response, called once after settlement. */
  readonly finishStreamed: (ctx: RequestContext) => void;
}

export interface AnomalyHooks {
  /** After auth succeeded; throws revoked_api_key when this request got the key revoked. */
  onRequest(ctx: RequestContext, key: RtKey, clientIp: string | undefined): Promise<void>;
  /** At settlement; hitCap: the output stopped at the effective max_tokens. */
  onResponse(ctx: RequestContext, key: RtKey, hitCap: boolean): void;
  /** A known key was refused by a later auth layer (entitlement, scope, window, IP); `err` is the refusal. */
  onAuthFailure(ctx: RequestContext, key: RtKey, err: unknown): void;
}

const MAX_UPSTREAM_ERROR_BYTES = 64 * 1024;

/** The classifier model a policy names as judge (input or output check), called with its upstream credential. */
function judgeFor(deps: PipelineDeps, snap: Snapshot, spec: CfgJudge): Judge {
  const model = snap.models.get(spec.model);
  if (!model) return unavailableJudge(spec, 'judge model not in the config');
  const credential = model.cfg.credentialKey !== undefined ? deps.credentials.get(model.cfg.credentialKey) : undefined;
  return judgeFromConfig(spec, { baseUrl: `${model.origin}${model.basePath}`, engine: model.cfg.engine, credential }, boundedFetch());
}

const judgeForSnap = (deps: PipelineDeps, snap: Snapshot) => (spec: CfgJudge): Judge => judgeFor(deps, snap, spec);

interface Plan {
  parsed: ParsedRequest;
  model: RtModel;
  inputTokens: number;
  inputExact: boolean;
  maxOut: number;
  estimate: number;
  rawTokens: number;
  reservation: Reservation | undefined;
}

export async function handleInference(deps: PipelineDeps, endpoint: Endpoint, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const ctx = request.tg;
  const snap = ctx.snap;
  if (!snap) throw new GatewayError('not_ready');
  const body = request.body as Record<string, unknown>;
  const parsed = validateRequest(endpoint, body);
  ctx.rec.stream = parsed.stream;
  const plan = deps.enforcement ? await enforce(deps, snap, ctx, parsed, request.ip) : unenforced(snap, parsed, ctx);
  ctx.rec.model = plan.model.cfg.servedName;
  const key = ctx.key;
  // Prompts reach the audit log only when the policy asks, through the same detectors as outputs.
  // Cut before redaction: the log keeps 4 kB, so the detectors never run over a whole 1 MiB prompt.
  if (key?.tenant.cfg.logging === 'redactedPrompts') ctx.rec.prompt = redactForLog(compileGuard(key.tenant.cfg.guardrails).redact(promptForLog(parsed.input.texts)).text);
  await forward(deps, ctx, plan, request, reply);
}

function unenforced(snap: Snapshot, parsed: ParsedRequest, ctx: RequestContext): Plan {
  const model = snap.models.get(parsed.model);
  if (!model) throw new GatewayError('model_not_found', undefined, { param: 'model' });
  ctx.rec.model = model.cfg.servedName;
  const maxOut = parsed.requestedMaxTokens ?? model.cfg.maxOutputTokens ?? 256;
  if (parsed.endpoint !== 'embeddings') parsed.body.max_tokens = maxOut;
  if (parsed.stream) parsed.body.stream_options = { ...(parsed.body.stream_options as object | undefined), include_usage: true };
  return { parsed, model, inputTokens: 0, inputExact: false, maxOut, estimate: 0, rawTokens: 0, reservation: undefined };
}

async function enforce(deps: PipelineDeps, snap: Snapshot, ctx: RequestContext, parsed: ParsedRequest, ip: string): Promise<Plan> {
  const key = ctx.key;
  if (!key) throw new GatewayError('missing_api_key');
  const tenant = key.tenant;
  const now = Date.now();
  // stacked auth, layers 3-5
  let model: RtModel;
  try {
    model = checkModel(snap, key, parsed.model, parsed.endpoint);
    ctx.rec.model = model.cfg.servedName;
    checkScope(key, parsed.endpoint);
    checkContext(key, ip, now);
  } catch (e) {
    deps.anomaly?.onAuthFailure(ctx, key, e);
    throw e;
  }
  await deps.anomaly?.onRequest(ctx, key, ip);

  // input guardrails and request bounds
  const lim = tenant.cfg.limits;
  if (parsed.n > lim.maxN) throw new GatewayError('n_too_large', `n may be at most ${lim.maxN}.`, { param: parsed.body.best_of !== undefined ? 'best_of' : 'n' });
  const m = model.cfg;
  const context = m.contextLength;
  const maxIn = minDefined(lim.maxInputTokens, m.maxInputTokens);
  const outCap = parsed.endpoint === 'embeddings' ? 0 : minDefined(lim.maxOutputTokens, m.maxOutputTokens) ?? lim.maxOutputTokens;
  const unit = m.cost.unit;
  const budgetLines = tenant.budgetsByUnit[unit];
  // Exact counting only when a number we reserve or check depends on it; otherwise the byte bound decides.
  const bound = upperBound(parsed.input);
  const needExact = (unit === 'tokens' && budgetLines.length > 0) || lim.tokensPerMinute !== undefined || bound + Math.max(outCap, 1) > context;
  const limit = Math.min(maxIn ?? Infinity, context - 1);
  // sliced (yields to the event loop), stops at limit + 1, linear in the input (gateway/tokens.ts)
  const counted = await countInput(parsed.input, Number.isFinite(limit) ? limit : undefined, needExact);
  const inputTokens = counted.tokens;
  if (maxIn !== undefined && inputTokens > maxIn) throw new GatewayError('input_too_long', `Input has more than ${maxIn} tokens.`);
  if (inputTokens >= context) throw new GatewayError('context_length_exceeded', `Input does not fit the ${context}-token context.`);

  // The guardrails run on input already known to fit (the scorer is linear but ~0.7 µs/byte: bounded work
  // first, expensive work after).
  // Tool allowlist (tools, legacy functions, forced tool_choice) and the prompt-injection check: the local
  // scorer, then the policy's judge model when one is configured (guardrails/request.ts).
  const pi = tenant.cfg.guardrails.promptInjection;
  const guard = await checkRequest(parsed.body, tenant.cfg.guardrails, { judge: pi.judge && pi.mode !== 'off' ? judgeFor(deps, snap, pi.judge) : undefined });
  if (guard.injection.verdict !== 'allow') {
    ctx.rec.injection = { score: Math.round(guard.injection.score * 1000) / 1000, verdict: guard.injection.verdict, signals: guard.injection.signals.slice(0, 8) };
    deps.metrics.injections.inc({ verdict: guard.injection.verdict });
  }
  if (!guard.ok) {
    // tool names are the client's text: counted, not echoed
    if (guard.code === 'prompt_injection') throw new GatewayError('prompt_injection', guard.message);
    throw new GatewayError('tool_not_allowed', `${guard.tools.disallowed.length} declared tool(s) are not on the policy allowlist.`, { param: 'tools' });
  }

  let maxOut = 0;
  if (parsed.endpoint !== 'embeddings') {
    maxOut = Math.min(parsed.requestedMaxTokens ?? outCap, outCap, context - inputTokens);
    if (maxOut < 1) throw new GatewayError('context_length_exceeded', `Input leaves no room for output in the ${context}-token context.`);
    parsed.body.max_tokens = maxOut;
    if (parsed.body.max_completion_tokens !== undefined) parsed.body.max_completion_tokens = maxOut;
  }
  if (parsed.stream) parsed.body.stream_options = { ...(parsed.body.stream_options as object | undefined), include_usage: true };

  // pre-flight cost
  const outTokens = parsed.n * maxOut;
  const estimate = estimateCost(m, inputTokens, outTokens);
  const rawTokens = inputTokens + outTokens;
  ctx.rec.reserved = round(estimate);
  ctx.rec.costUnit = unit;
  const budgets: BudgetCharge[] = budgetLines.map((b) => ({ unit, windowSeconds: b.windowSeconds, limit: b.limit, amount: estimate }));
  for (const b of budgets) {
    if (b.amount > b.limit) throw new GatewayError('request_exceeds_budget', `The estimated cost (${round(estimate)} ${unit}) is above the budget of ${b.limit} per ${b.windowSeconds}s; lower max_tokens or n.`);
  }
  if (lim.tokensPerMinute !== undefined && rawTokens > lim.tokensPerMinute) {
    throw new GatewayError('request_exceeds_tpm', `The estimated ${rawTokens} tokens are above the limit of ${lim.tokensPerMinute} per minute; lower max_tokens or n.`);
  }
  let reservation: Reservation | undefined;
  if (tenant.needsStore) {
    const req: ReserveRequest = {
      id: ctx.reqId,
      tenant: tenant.cfg.id,
      budgets,
      rpm: lim.requestsPerMinute,
      tpm: lim.tokensPerMinute === undefined ? undefined : { limit: lim.tokensPerMinute, amount: rawTokens },
      concurrency: lim.concurrency === undefined ? undefined : { limit: lim.concurrency, leaseMs: deps.upstreams.timeouts.totalMs + 30_000 },
    };
    reservation = await reserve(deps, req, now);
  }
  return { parsed, model, inputTokens, inputExact: counted.exact, maxOut, estimate, rawTokens, reservation };
}

async function reserve(deps: PipelineDeps, req: ReserveRequest, nowMs: number): Promise<Reservation> {
  let result;
  try {
    result = await deps.store.reserve(req);
  } catch (e) {
    if (!(e instanceof StoreUnavailableError)) throw e;
    // issue #15: the store lost its state -> budget-limited tenants fail closed until restored/acknowledged
    if (e instanceof StoreStateLostError) throw new GatewayError('store_state_lost', undefined, { retryAfterSeconds: 30 });
    deps.metrics.storeErrors.inc({ op: 'reserve' });
    // Budgets always fail closed. Rate limits and concurrency may degrade to per-replica checks.
    if (req.budgets.length > 0 || !deps.fallbackStore) throw new GatewayError('store_unavailable', undefined, { retryAfterSeconds: 1 });
    deps.metrics.storeFallbacks.inc({ control: 'rate' });
    result = await deps.fallbackStore.reserve(req);
  }
  if (result.ok) return result.reservation;
  const retryAfterSeconds = result.retryAfterSeconds;
  switch (result.reason) {
    case 'budget': {
      const line = req.budgets[result.budgetIndex ?? 0];
      if (!line) throw new GatewayError('budget_exceeded');
      // What is left, for the message (one more read, on refusals only; not part of the decision).
      const spent = await deps.store.spent(req.tenant, line.unit, line.windowSeconds).catch(() => undefined);
      throw budgetRefusal({ needed: line.amount, unit: line.unit, limit: line.limit, windowSeconds: line.windowSeconds, spent, resetSeconds: retryAfterSeconds, nowMs });
    }
    case 'rpm':
      throw new GatewayError('rate_limit_requests', undefined, { retryAfterSeconds });
    case 'tpm':
      throw new GatewayError('rate_limit_tokens', undefined, { retryAfterSeconds });
    case 'concurrency':
      throw new GatewayError('concurrency_limit', undefined, { retryAfterSeconds });
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Budget units for a request (or for its actual usage). */
export function estimateCost(m: CfgModel, inputTokens: number, outputTokens: number): number {
  const c = m.cost;
  if (c.unit === 'tokens') return inputTokens * c.inputTokenWeight + outputTokens * c.outputTokenWeight;
  // GPU time: decode at the model's estimated throughput, prefill ~20x faster.
  const seconds = outputTokens / c.estimatedOutputTokensPerSecond + inputTokens / (c.estimatedOutputTokensPerSecond * 20);
  return seconds * Math.max(1, c.gpusPerReplica) * c.gpuSecondWeight;
}

function gpuCost(m: CfgModel, seconds: number): number {
  return seconds * Math.max(1, m.cost.gpusPerReplica) * m.cost.gpuSecondWeight;
}

// ---- forwarding ----------------------------------------------------------------------------------------

interface Outcome {
  usage: Usage | undefined;
  /** Output produced before a cut (streams), when no usage arrived. */
  generatedText: string;
  /** The upstream was reached and did work (false: connect failure, refused before any output). */
  upstreamWorked: boolean;
  upstreamSeconds: number;
  /** Why the request was cut short, if it was. */
  abort: AbortReason | undefined;
  /** A (non-streamed) choice ended with finish_reason "length". */
  finishLength: boolean;
  /** Output tokens the gateway counted while relaying (what was served); undefined when not counted. */
  countedOut: number | undefined;
}

async function forward(deps: PipelineDeps, ctx: RequestContext, plan: Plan, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { parsed, model } = plan;
  const m = model.cfg;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': ctx.reqId };
  if (m.credentialKey !== undefined) {
    const cred = deps.credentials.get(m.credentialKey);
    if (cred !== undefined) headers.authorization = `Bearer ${cred}`;
  }
  if (parsed.stream) headers.accept = 'text/event-stream';
  const tenantTransform = deps.transforms.length > 0 && parsed.endpoint !== 'embeddings' && ctx.key
    ? composeTransforms(deps.transforms, { requestId: ctx.reqId, tenant: ctx.key.tenant.cfg, model: m, endpoint: parsed.endpoint, stream: parsed.stream, requestBody: parsed.body, ...(ctx.snap ? { judgeFor: judgeForSnap(deps, ctx.snap) } : {}) })
    : undefined;
  // the gateway's own credentials are canaries in every output field, for every tenant (gateway/egress/canary.ts)
  const transform = withCanaries(canarySetFor(deps.secrets), tenantTransform);

  const ac = new AbortController();
  let abortReason: AbortReason | undefined;
  const abort = (reason: AbortReason): void => {
    if (abortReason === undefined) {
      abortReason = reason;
      ac.abort();
    }
  };
  const totalTimer = setTimeout(() => abort('timeout'), deps.upstreams.timeouts.totalMs);
  const onClose = (): void => {
    if (!reply.raw.writableFinished) abort('client');
  };
  reply.raw.once('close', onClose);
  deps.metrics.inflight.inc();
  const outcome: Outcome = { usage: undefined, generatedText: '', upstreamWorked: false, upstreamSeconds: 0, abort: undefined, finishLength: false, countedOut: undefined };
  const t0 = performance.now();
  let settledError: unknown;
  let okBody: Buffer | undefined;
  try {
    const path = `${model.basePath}/${parsed.endpoint === 'chat.completions' ? 'chat/completions' : parsed.endpoint}`;
    let res;
    try {
      res = await deps.upstreams.request(model.origin, path, JSON.stringify(parsed.body), headers, ac.signal);
    } catch (e) {
      throw failure(deps, ctx, e, abortReason);
    }
    const ttfb = performance.now() - t0;
    ctx.rec.ttfbMs = round(ttfb);
    deps.metrics.timeToFirstByte.observe({ model: m.servedName }, ttfb / 1000);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      outcome.upstreamWorked = false;
      throw await upstreamStatusError(deps, ctx, res.statusCode, res.body);
    }
    const ctype = String(res.headers['content-type'] ?? '');
    if (parsed.stream && ctype.includes('text/event-stream')) {
      await relayStream(deps, ctx, plan, transform, res.body, reply, outcome, abort, () => abortReason);
    } else {
      okBody = await relayBody(deps, ctx, plan, transform, res.body, outcome, () => abortReason);
    }
  } catch (e) {
    settledError = e;
  } finally {
    clearTimeout(totalTimer);
    reply.raw.off('close', onClose);
    deps.metrics.inflight.dec();
    outcome.upstreamSeconds = (performance.now() - t0) / 1000;
    ctx.rec.upstreamMs = round(outcome.upstreamSeconds * 1000);
    deps.metrics.upstreamDuration.observe({ model: m.servedName }, outcome.upstreamSeconds);
    outcome.abort = abortReason;
    if (abortReason) {
      ctx.rec.aborted = abortReason;
      deps.metrics.upstreamAborts.inc({ reason: abortReason });
    }
    await settle(deps, ctx, plan, outcome);
    if (ctx.streamed) deps.finishStreamed(ctx);
  }
  if (settledError !== undefined) throw settledError;
  if (okBody !== undefined && !ctx.streamed) {
    ctx.status = 200;
    reply.code(200).headers(responseHeaders(ctx, 'application/json')).send(okBody);
  }
}

function failure(deps: PipelineDeps, ctx: RequestContext, e: unknown, reason: AbortReason | undefined): GatewayError {
  if (reason === 'client') return new GatewayError('upstream_unavailable', 'Client closed the request.');
  deps.log.warn({ reqId: ctx.reqId, model: ctx.rec.model, err: scrubUpstreamText(describeUpstreamError(e), deps.secrets) }, 'upstream request failed');
  return upstreamFailure(e, reason);
}

async function upstreamStatusError(deps: PipelineDeps, ctx: RequestContext, status: number, body: AsyncIterable<Uint8Array> & { destroy?: () => void }): Promise<GatewayError> {
  let text = '';
  try {
    let size = 0;
    const parts: Buffer[] = [];
    for await (const chunk of body) {
      size += chunk.length;
      if (size > MAX_UPSTREAM_ERROR_BYTES) break;
      parts.push(Buffer.from(chunk));
    }
    text = Buffer.concat(parts).toString('utf8');
  } catch {
    // unreadable error body: keep the status only
  }
  // The upstream's words stay on the operator side, scrubbed of every credential the gateway holds.
  deps.log.warn({ reqId: ctx.reqId, model: ctx.rec.model, upstreamStatus: status, upstreamBody: scrubUpstreamText(text, deps.secrets) }, 'upstream returned an error status');
  return upstreamStatusToError(status);
}

function responseHeaders(ctx: RequestContext, contentType: string): Record<string, string> {
  return { 'content-type': contentType, 'x-request-id': ctx.reqId, 'cache-control': 'no-cache' };
}

async function relayStream(
  deps: PipelineDeps,
  ctx: RequestContext,
  plan: Plan,
  transform: OutputTransform | undefined,
  body: AsyncIterable<Uint8Array>,
  reply: FastifyReply,
  outcome: Outcome,
  abort: (r: AbortReason) => void,
  abortReason: () => AbortReason | undefined,
): Promise<void> {
  const relay = new EgressRelay({
    clientWantsUsage: plan.parsed.wantsStreamUsage, transform, chat: plan.parsed.endpoint === 'chat.completions', n: plan.parsed.n,
    ...(plan.maxOut > 0 ? { maxOut: plan.maxOut, inputTokens: plan.inputTokens } : {}),
  });
  const res = reply.raw;
  reply.hijack();
  ctx.status = 200;
  ctx.streamed = true;
  res.writeHead(200, { ...responseHeaders(ctx, 'text/event-stream; charset=utf-8'), connection: 'keep-alive' });
  outcome.upstreamWorked = true;
  // an output judge (transform review) holds what the relay releases until it has judged it
  const gate = new ReviewGate(transform);
  try {
    for await (const chunk of body) {
      const pushed = relay.push(chunk);
      const out = await gate.pass(pushed, false, relay.verdict !== undefined);
      if (out.length > 0 && !res.destroyed && !res.write(out)) {
        await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      if (relay.verdict || gate.verdict) {
        abort('blocked');
        break;
      }
      if (relay.capReached) {
        abort('cap'); // the engine went on past max_tokens: close it, nothing more is served or charged
        break;
      }
      if (relay.upstreamError !== undefined) break;
      if (res.destroyed) break;
    }
    if (!relay.verdict && !gate.verdict && !res.destroyed) {
      // the relay's tail (nothing more when it stopped at the cap or an upstream error event), then the
      // output judge's final review of whatever it still holds
      const end = relay.stopped ? new Uint8Array(0) : relay.end();
      const tail = await gate.pass(end, true, false);
      if (tail.length > 0) res.write(tail);
    }
  } catch (e) {
    const reason = abortReason();
    if (reason !== 'client' && reason !== 'blocked' && reason !== 'cap' && !res.destroyed) {
      // Headers are out: report the failure in-band. Never retried.
      const err = failure(deps, ctx, e, reason);
      ctx.rec.code = err.code;
      res.write(`data: ${JSON.stringify(err.body())}\n\n`);
    }
  } finally {
    outcome.usage = relay.usage;
    outcome.generatedText = relay.generated.join('');
    outcome.countedOut = relay.capReached ? plan.parsed.n * plan.maxOut : undefined;
    countEgress(deps, transform, relay.stats);
    if (relay.upstreamError !== undefined) {
      ctx.rec.code = 'upstream_error';
      deps.log.warn({ reqId: ctx.reqId, model: ctx.rec.model, upstreamEvent: scrubUpstreamText(relay.upstreamError, deps.secrets) }, 'upstream sent an error event mid-stream');
    }
    const verdict = relay.verdict ?? gate.verdict;
    if (verdict) {
      ctx.rec.code = 'output_blocked';
      deps.metrics.outputBlocked.inc({ reason: verdict.reason });
    }
    if (!res.destroyed) res.end();
  }
}

async function relayBody(
  deps: PipelineDeps,
  ctx: RequestContext,
  plan: Plan,
  transform: OutputTransform | undefined,
  body: AsyncIterable<Uint8Array>,
  outcome: Outcome,
  abortReason: () => AbortReason | undefined,
): Promise<Buffer> {
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
    throw failure(deps, ctx, e, abortReason());
  }
  outcome.upstreamWorked = true;
  const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  let json: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    json = v as Record<string, unknown>;
  } catch {
    deps.log.warn({ reqId: ctx.reqId, model: ctx.rec.model }, 'upstream returned a body that is not a JSON object');
    throw new GatewayError('upstream_error');
  }
  if (Object.hasOwn(json, 'error') && !Array.isArray(json.choices) && !Array.isArray(json.data)) {
    // an error dressed as a 200: same rule as an error status
    deps.log.warn({ reqId: ctx.reqId, model: ctx.rec.model, upstreamBody: scrubUpstreamText(buf.toString('utf8', 0, Math.min(buf.length, MAX_UPSTREAM_ERROR_BYTES)), deps.secrets) }, 'upstream returned an error object with status 200');
    throw new GatewayError('upstream_error');
  }
  // never the upstream's bytes: the answer rebuilt from its parsed value, every text field capped and scanned
  const e = plan.parsed.endpoint === 'embeddings' ? egressEmbeddings(json, transform) : egressCompletion(json, { chat: plan.parsed.endpoint === 'chat.completions', n: plan.parsed.n, maxOut: plan.maxOut, transform });
  outcome.countedOut = e.countedOut;
  outcome.usage = readUsage(json.usage);
  outcome.finishLength = e.finishLength;
  if (!outcome.usage) outcome.generatedText = e.generatedText;
  countEgress(deps, transform, undefined);
  const verdict = e.verdict ?? (transform ? await reviewCompletion(transform) : undefined);
  if (verdict) {
    deps.metrics.outputBlocked.inc({ reason: verdict.reason });
    throw new GatewayError('output_blocked', verdict.message);
  }
  return Buffer.from(JSON.stringify(e.body));
}

/** Egress counters of one response: credentials redacted from output, SSE framing dropped. */
function countEgress(deps: PipelineDeps, transform: OutputTransform | undefined, stats: EgressStats | undefined): void {
  if (transform instanceof CanaryTransform && transform.hits > 0) deps.metrics.outputCredentialRedactions.inc(transform.hits);
  if (!stats) return;
  for (const kind of ['comment', 'field', 'event', 'unparseable', 'afterDone'] as const) {
    if (stats[kind] > 0) deps.metrics.upstreamSseDropped.inc({ kind }, stats[kind]);
  }
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

// ---- settlement ----------------------------------------------------------------------------------------

async function settle(deps: PipelineDeps, ctx: RequestContext, plan: Plan, o: Outcome): Promise<void> {
  const m = plan.model.cfg;
  let inTok: number;
  let outTok: number;
  if (o.usage) {
    inTok = o.usage.prompt_tokens;
    outTok = o.countedOut !== undefined ? Math.min(o.usage.completion_tokens, o.countedOut) : o.usage.completion_tokens;
  } else if (o.generatedText.length === 0 && (o.abort === 'client' || o.abort === 'timeout')) {
    // Cut while the engine was working, with nothing to count (e.g. a non-streaming request whose client
    // hung up): the work done is unknown, so the reservation is charged in full — budgets never overspend.
    inTok = plan.inputTokens;
    outTok = plan.rawTokens - plan.inputTokens;
  } else if (o.upstreamWorked || o.generatedText.length > 0) {
    // No usage report (cut stream, or an upstream that does not send one): count what we served.
    inTok = plan.inputExact ? plan.inputTokens : (await countAll(plan.parsed.input)).tokens;
    outTok = o.countedOut ?? countText(o.generatedText);
  } else {
    // Refused or unreachable before doing any work: nothing to charge.
    inTok = 0;
    outTok = 0;
  }
  const actual = m.cost.unit === 'tokens' ? estimateCost(m, inTok, outTok) : o.upstreamWorked || o.abort !== undefined ? gpuCost(m, o.upstreamSeconds) : 0;
  // Never charged more than reserved (issue #10, item 7): the overrun is logged and counted, not billed.
  const res0 = plan.reservation;
  const cost = res0 && res0.budgets.length > 0 ? Math.min(actual, plan.estimate) : actual;
  ctx.rec.tokensIn = inTok;
  ctx.rec.tokensOut = outTok;
  ctx.rec.cost = round(cost);
  ctx.rec.costUnit = m.cost.unit;
  deps.metrics.tokens.inc({ model: m.servedName, direction: 'input' }, inTok);
  deps.metrics.tokens.inc({ model: m.servedName, direction: 'output' }, outTok);
  deps.metrics.cost.inc({ model: m.servedName, unit: m.cost.unit }, cost);
  if (deps.anomaly && ctx.key && plan.parsed.endpoint !== 'embeddings' && (o.upstreamWorked || o.usage !== undefined)) {
    // The output stopped at the capped max_tokens (finish_reason "length", or every choice used all of it).
    const hitCap = o.finishLength || (plan.maxOut > 0 && outTok >= plan.maxOut * plan.parsed.n);
    deps.anomaly.onResponse(ctx, ctx.key, hitCap);
  }
  const res = plan.reservation;
  if (!res) return;
  if (actual > plan.estimate + 1e-9 && res.budgets.length > 0) {
    deps.metrics.settleOverrun.inc({ model: m.servedName });
    deps.log.warn({ reqId: ctx.reqId, tenant: res.tenant, model: m.servedName, reserved: round(plan.estimate), actual: round(actual), cost: round(cost) }, 'actual cost above the reservation; charged the reservation');
  }
  void res.store.settle(res, { cost, tokens: inTok + outTok }).catch((e: unknown) => {
    deps.metrics.storeErrors.inc({ op: 'settle' });
    deps.log.error({ reqId: ctx.reqId, tenant: res.tenant, err: describeUpstreamError(e) }, 'settle failed; the reservation stays charged');
  });
}
