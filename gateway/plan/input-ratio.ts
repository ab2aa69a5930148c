// Per-model correction of the input-token estimate, learnt from settlements (issue #16, item 5). The gateway
// counts input with a tiktoken encoding; the engine counts with its own tokenizer and reports `usage`. For
// each served model an EWMA of engine / estimate (input tokens only) is kept, and the *reservation* of a
// request reserves input × that factor — so the reservation tracks what the engine will report and fewer
// settlements overrun (an overrun is charged at the reservation: the tenant is under-charged).
//
// Applied ONLY to the reservation (budget amounts and the tpm amount). Never to the input limits, the
// context check or the effective max_tokens (those stay on the gateway's own count), and never to a charge
// without the engine's usage (that counts what was served, uncorrected).
//
// Bounded, and conservative against a tenant steering it: a sample is taken only from a settlement on the
// engine's usage whose input was counted exactly and is at least MIN_SAMPLE_TOKENS long; each sample is
// clamped to [SAMPLE_MIN, SAMPLE_MAX] before it moves the average by ALPHA; the factor applied is the average
// clamped to [1, FACTOR_MAX] — it can only raise a reservation (a tenant sending text the engine counts
// short cannot lower other tenants' reservations below the gateway's own count, which could let them
// overrun), and by at most ×FACTOR_MAX. At most MAX_MODELS models are tracked (the gauge's cardinality:
// served names from the config). Per replica, in memory: a restart starts again from 1.
export const ALPHA = 0.1;
export const MIN_SAMPLE_TOKENS = 16;
export const SAMPLE_MIN = 0.25;
export const SAMPLE_MAX = 8;
export const FACTOR_MAX = 4;
export const MAX_MODELS = 1024;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The sample a settlement gives: engine / estimate, or undefined when it must not be learnt from. Pure. */
export function ratioSample(s: {
  readonly basis: string;
  readonly inputExact: boolean;
  readonly estimatedInput: number;
  readonly engineInput: number;
}): number | undefined {
  if (s.basis !== 'usage' || !s.inputExact) return undefined;
  if (!(s.estimatedInput >= MIN_SAMPLE_TOKENS) || !Number.isFinite(s.engineInput) || s.engineInput <= 0)
    return undefined;
  return clamp(s.engineInput / s.estimatedInput, SAMPLE_MIN, SAMPLE_MAX);
}

/** The EWMA after one more sample (the first sample starts from 1: no evidence yet). Pure. */
export function nextRatio(prev: number | undefined, sample: number): number {
  const p = prev ?? 1;
  return p + ALPHA * (sample - p);
}

/** The factor a reservation applies for an average `ratio` (undefined: none learnt). Pure. */
export function reserveFactor(ratio: number | undefined): number {
  return ratio === undefined ? 1 : clamp(ratio, 1, FACTOR_MAX);
}

/** Input tokens to reserve for `inputTokens` counted by the gateway, under `factor`. Pure. */
export function reservedInput(inputTokens: number, factor: number): number {
  return factor > 1 ? Math.ceil(inputTokens * factor) : inputTokens;
}

/** The per-model averages of one gateway process; `onChange` publishes one (the gauge). */
export class InputRatios {
  readonly #ratios = new Map<string, number>();
  readonly #onChange: ((model: string, ratio: number) => void) | undefined;

  constructor(onChange?: (model: string, ratio: number) => void) {
    this.#onChange = onChange;
  }

  factor(model: string): number {
    return reserveFactor(this.#ratios.get(model));
  }

  ratio(model: string): number | undefined {
    return this.#ratios.get(model);
  }

  /** Learn from one settlement; returns the new average, or undefined when nothing was learnt. */
  learn(model: string, s: Parameters<typeof ratioSample>[0]): number | undefined {
    const sample = ratioSample(s);
    if (sample === undefined) return undefined;
    const prev = this.#ratios.get(model);
    if (prev === undefined && this.#ratios.size >= MAX_MODELS) return undefined;
    const next = nextRatio(prev, sample);
    this.#ratios.set(model, next);
    this.#onChange?.(model, next);
    return next;
  }
}
