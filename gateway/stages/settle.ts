// Settlement: the charge (plan/charge.ts, pure) applied — metrics, anomaly's capHit, and the store corrected
// from the reservation to the actual cost (also above it: an overrun is charged, logged and counted).
import type { Logger } from 'pino';
import type { CfgModel } from '../../api/gateway-config.ts';
import type { Metrics } from '../metrics.ts';
import type { InputRatios } from '../plan/input-ratio.ts';
import { chargeFor, chargePlanOf, inputShape, needsInputCount, type Charge, type Outcome } from '../plan/charge.ts';
import { round3 } from '../plan/cost.ts';
import type { RequestPlan } from '../plan/plan.ts';
import type { Reservation } from '../store/types.ts';
import { encodingFor } from '../encodings.ts';
import { countAll, type InputText } from '../tokens.ts';
import { describeUpstreamError } from '../upstream/errors.ts';

export interface SettleDeps {
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Learns each model's engine/estimate input ratio from settlements on the engine's usage. */
  readonly inputRatios?: InputRatios | undefined;
}

export async function charge(
  model: CfgModel,
  plan: RequestPlan,
  input: InputText,
  reservation: Reservation | undefined,
  o: Outcome,
): Promise<Charge> {
  const enc = encodingFor(model.tokenizer);
  const p = chargePlanOf(
    plan,
    model.cost,
    enc,
    reservation !== undefined && reservation.budgets.length > 0,
    inputShape(input),
  );
  const counted = needsInputCount(p, o) ? (await countAll(enc, input)).tokens : undefined;
  return chargeFor(p, o, counted);
}

/** Who the request was for and what its input held: what the learnt input ratio may learn from it. */
export interface LearnFrom {
  /** The tenant's id (undefined: no key, nothing is learnt). */
  readonly tenant: string | undefined;
  /** InputText.nonText: media estimates and token ids teach nothing about the tokenizer. */
  readonly nonText: number | undefined;
}

/** Metrics and the store's correction; the store write is not awaited (a failure leaves the reservation charged). */
export function applyCharge(
  deps: SettleDeps,
  reqId: string,
  model: CfgModel,
  plan: RequestPlan,
  reservation: Reservation | undefined,
  c: Charge,
  from: LearnFrom,
): void {
  const name = model.servedName;
  deps.metrics.tokens.inc({ model: name, direction: 'input' }, c.tokensIn);
  deps.metrics.tokens.inc({ model: name, direction: 'output' }, c.tokensOut);
  deps.metrics.cost.inc({ model: name, unit: model.cost.unit }, c.cost);
  // an engine's input count outside the plausible band teaches the reservations nothing
  if (from.tenant !== undefined && c.engineTokensIn === undefined)
    deps.inputRatios?.learn(name, from.tenant, {
      basis: c.basis,
      inputExact: plan.inputExact,
      estimatedInput: plan.inputTokens,
      engineInput: c.tokensIn,
      nonText: from.nonText,
    });
  if (c.underReportedOut !== undefined) {
    // the engine reported fewer output tokens than it served (plan/charge.ts usagePlausible): charged the count
    deps.metrics.settleUnderReported.inc({ model: name });
    deps.log.warn(
      { reqId, model: name, engineTokensOut: c.underReportedOut, tokensOut: c.tokensOut },
      "engine's completion_tokens implausibly low against the served output; charged the served count",
    );
  }
  if (c.engineTokensIn !== undefined) {
    // the engine's prompt_tokens outside the plausible band for the input sent (plan/charge.ts promptBand):
    // charged the bound it crossed; numbers only in the log (the figure is the engine's, but a number)
    const side = c.engineTokensIn > c.tokensIn ? 'high' : 'low';
    deps.metrics.settlePromptImplausible.inc({ model: name, side });
    deps.log.warn(
      { reqId, model: name, side, engineTokensIn: c.engineTokensIn, tokensIn: c.tokensIn },
      "engine's prompt_tokens implausible for the input sent; charged the bound",
    );
  }
  const res = reservation;
  if (!res) return;
  if (c.overrun) {
    deps.metrics.settleOverrun.inc({ model: name });
    deps.log.warn(
      {
        reqId,
        tenant: res.tenant,
        model: name,
        reserved: round3(plan.estimate),
        actual: round3(c.actual),
        cost: round3(c.cost),
      },
      'actual cost above the reservation; charged the actual cost',
    );
  }
  void res.store.settle(res, { cost: c.cost, tokens: c.tokensIn + c.tokensOut }).catch((e: unknown) => {
    deps.metrics.storeErrors.inc({ op: 'settle' });
    deps.log.error(
      { reqId, tenant: res.tenant, err: describeUpstreamError(e) },
      'settle failed; the reservation stays charged',
    );
  });
}
