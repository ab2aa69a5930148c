// Admission of an inference request (enforcement on): stacked auth layers 3-5, the tenant's compiled guard,
// request bounds, input counting, then the plan. The request guardrails (tool allowlist, local prompt-injection
// scorer, the judge model when the policy asks it) are handed to the pipeline as one step to run once the
// request holds its reservation: the scorer's CPU (up to ~0.7 s at the 1 MiB budget) is then spent only under
// the tenant's rpm and concurrency, and a refusal counts against rpm like any admitted request.
// Bounded work is decided before expensive work: the count stops at the limit, the scorer runs on input
// already known to fit. Returns the plan; every refusal is a thrown catalog error.
import { scopesNeedExactCount } from '../store/compose.ts';
import { checkContext, checkModel, checkScope } from '../auth.ts';
import type { RtKey, RtModel, Snapshot } from '../config/snapshot.ts';
import { GatewayError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { requestBounds, checkInputFits } from '../plan/bounds.ts';
import { guardrailsModules, loadGuardrails, requestChecksInert } from '../plan/guard-modules.ts';
import { guardFor, loadGuardFor, type LogRedactor } from '../plan/guards.ts';
import type { InputRatios } from '../plan/input-ratio.ts';
import { planRequest, type RequestPlan } from '../plan/plan.ts';
import type { ParsedRequest } from '../request.ts';
import { encodingFor } from '../encodings.ts';
import { countInput, upperBound } from '../tokens.ts';
import type { AnomalyHooks } from './anomaly.ts';
import { judgeFor } from './judges.ts';
import type { JudgeSlots } from './judge-slots.ts';
import type { RequestContext } from '../plugins/context.ts';

export interface AdmitDeps {
  readonly metrics: Metrics;
  readonly credentials: ReadonlyMap<string, string>;
  readonly anomaly?: AnomalyHooks | undefined;
  /** Learnt engine/estimate input factors per model (plan/input-ratio.ts): the reservation only. */
  readonly inputRatios?: InputRatios | undefined;
  /** In-flight caps of the judge models, per model and per tenant (stages/judge-slots.ts). */
  readonly judgeSlots?: JudgeSlots | undefined;
}

export interface Admitted {
  readonly model: RtModel;
  readonly plan: RequestPlan;
  readonly guard: LogRedactor;
  /** The request guardrails, to run once the request holds its reservation (undefined: nothing to check). */
  readonly checks: PendingChecks | undefined;
}

type Rec = RequestContext['rec'];

/** Layers 3-5 (entitlement, scope, time and place); a refusal of a known key feeds anomaly detection. */
async function authorize(
  deps: AdmitDeps,
  ctx: RequestContext,
  snap: Snapshot,
  key: RtKey,
  parsed: ParsedRequest,
  ip: string,
): Promise<RtModel> {
  let model: RtModel;
  try {
    model = checkModel(snap, key, parsed.model, parsed.endpoint);
    ctx.rec.model = model.cfg.servedName;
    checkScope(key, parsed.endpoint);
    checkContext(key, ip, Date.now());
  } catch (e) {
    deps.anomaly?.onAuthFailure(ctx, key, e);
    throw e;
  }
  await deps.anomaly?.onRequest(ctx, key, ip);
  return model;
}

/**
 * The request guardrails of admission: CPU (the local scorer) and a model call (the judge), so the pipeline runs
 * them only once the request holds its reservation (rpm, budgets, tpm, concurrency) and releases the reservation
 * when they refuse (gateway/pipeline.ts). The rpm it took stays taken.
 */
export type PendingChecks = () => Promise<void>;

type RequestModule = NonNullable<ReturnType<typeof guardrailsModules>>['request'];
type RequestCheck = Awaited<ReturnType<RequestModule['checkRequestLocal']>>;

/** The audit fields and metrics of a check; a refusal is thrown as its catalog error. */
function refuseOrNote(deps: AdmitDeps, rec: Rec, guard: RequestCheck): void {
  const inj = guard.injection;
  if (inj.verdict !== 'allow') {
    rec.injection = {
      score: Math.round(inj.score * 1000) / 1000,
      verdict: inj.verdict,
      signals: inj.signals.slice(0, 8),
    };
    deps.metrics.injections.inc({ verdict: inj.verdict });
  }
  if (guard.ok) return;
  // tool names are the client's text: counted, not echoed
  if (guard.code === 'prompt_injection' || guard.code === 'prompt_injection_unscanned')
    throw new GatewayError(guard.code, guard.message);
  throw new GatewayError(
    'tool_not_allowed',
    `${guard.tools.disallowed.length} declared tool(s) are not on the policy allowlist.`,
    { param: 'tools' },
  );
}

/**
 * Tool allowlist, the local injection scorer (no I/O) and, when the policy names one and the local checks
 * admitted the request, the judge model: the step the pipeline runs under the reservation.
 */
function checkInput(
  deps: AdmitDeps,
  rec: Rec,
  snap: Snapshot,
  key: RtKey,
  parsed: ParsedRequest,
): PendingChecks | undefined {
  const cfg = key.tenant.cfg.guardrails;
  // no tool allowlist, injection off: checkRequest would admit without looking (its module is not needed)
  if (requestChecksInert(cfg)) return undefined;
  return async () => {
    const request = (guardrailsModules() ?? (await loadGuardrails())).request;
    const local = await request.checkRequestLocal(parsed.body, cfg);
    refuseOrNote(deps, rec, local);
    const spec = cfg.promptInjection.judge;
    if (spec === undefined || !request.wantsJudge(local, cfg)) return;
    const caller = deps.judgeSlots ? { slots: deps.judgeSlots, tenant: key.tenant.cfg.id } : undefined;
    const judge = judgeFor(snap, deps.credentials, spec, caller);
    refuseOrNote(deps, rec, await request.judgeRequest(parsed.body, cfg, local, judge));
  };
}

export async function admit(
  deps: AdmitDeps,
  ctx: RequestContext,
  snap: Snapshot,
  parsed: ParsedRequest,
  ip: string,
): Promise<Admitted> {
  const key = ctx.key;
  if (!key) throw new GatewayError('missing_api_key');
  const model = await authorize(deps, ctx, snap, key, parsed, ip);
  // compiled at config load; a guard that did not compile refuses here, before anything is reserved
  const compiled = guardFor(snap, key.tenant) ?? (await loadGuardFor(snap, key.tenant));
  if (!compiled.ok) throw new GatewayError('internal_error');
  const tenant = key.tenant;
  const budgetLines = tenant.budgetsByUnit[model.cfg.cost.unit];
  const bounds = requestBounds({
    limits: tenant.cfg.limits,
    budgetLines,
    model: model.cfg,
    endpoint: parsed.endpoint,
    n: parsed.n,
    nFromBestOf: parsed.body.best_of !== undefined,
    batch: parsed.batch,
    inputBound: upperBound(parsed.input),
  });
  // sliced (yields to the event loop), stops at limit + 1, linear in the input (gateway/tokens.ts)
  // key and model token limits also need the exact count (store/compose.ts)
  const needExact = bounds.needExact || scopesNeedExactCount(tenant.cfg, key.id, model.cfg);
  // with the model's encoding (LLMModel spec.tokenizer), loaded only if something is encoded
  const input = await countInput(encodingFor(model.cfg.tokenizer), parsed.input, bounds.countLimit, needExact);
  checkInputFits(bounds, input.tokens);
  const checks = checkInput(deps, ctx.rec, snap, key, parsed);
  const plan = planRequest({
    limits: tenant.cfg.limits,
    budgetLines,
    cost: model.cfg.cost,
    bounds,
    endpoint: parsed.endpoint,
    n: parsed.n,
    requestedMaxTokens: parsed.requestedMaxTokens,
    input,
    inputReserveFactor: deps.inputRatios?.factor(model.cfg.servedName, tenant.cfg.id),
  });
  return { model, plan, guard: compiled.guard, checks };
}
