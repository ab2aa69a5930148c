// Per-model correction of the input-token estimate, learnt from settlements (issue #16, item 5). The gateway
// counts input with a tiktoken encoding; the engine counts with its own tokenizer and reports `usage`. An EWMA
// of engine / estimate (input tokens only) is kept, and the *reservation* of a request reserves input × that
// factor — so the reservation tracks what the engine will report and fewer settlements overrun.
//
// Applied ONLY to the reservation (budget amounts and the tpm amount). Never to the input limits, the
// context check or the effective max_tokens (those stay on the gateway's own count), and never to a charge
// (settlement charges the engine's count, or what was served).
//
// It models the tokenizer gap on text, so it learns only from text (red team F9: image requests, whose
// engine count has nothing to do with the tokenizer, drove it to its ceiling for every tenant): a sample is
// taken only from a settlement on the engine's usage whose input was counted exactly, is at least
// MIN_SAMPLE_TOKENS long and holds no media part or token ids (InputText.nonText). Each sample is clamped to
// [SAMPLE_MIN, SAMPLE_MAX] before it moves an average by ALPHA.
//
// One tenant's traffic has a bounded effect on another's reservations. Two averages are kept per model: the
// tenant's own (learnt from its requests only) and the model's (learnt from every tenant's). A tenant's
// reservation applies max(own, min(model, SHARED_FACTOR_MAX)), clamped to [1, FACTOR_MAX]: its own traffic
// can raise its own reservations up to ×FACTOR_MAX, everyone else's by at most ×SHARED_FACTOR_MAX (the real
// tokenizer families measured are within 0.75-1.20 of the estimate, e2e/engines/README.md, so a new tenant
// still starts near the engine's count). The factor only ever raises a reservation (a tenant sending text the
// engine counts short lowers nothing below the gateway's own count). Bounded memory: at most MAX_MODELS
// model averages (the gauge's cardinality: served names from the config) and MAX_PAIRS tenant averages (the
// pair first learnt is dropped first). Per replica, in memory: a restart starts again from 1.
export const ALPHA = 0.1;
export const MIN_SAMPLE_TOKENS = 16;
export const SAMPLE_MIN = 0.25;
export const SAMPLE_MAX = 8;
export const FACTOR_MAX = 4;
/** The most the model's average (every tenant's traffic) raises a tenant's reservation. */
export const SHARED_FACTOR_MAX = 1.5;
export const MAX_MODELS = 1024;
export const MAX_PAIRS = 16_384;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The sample a settlement gives: engine / estimate, or undefined when it must not be learnt from. Pure. */
export function ratioSample(s: {
  readonly basis: string;
  readonly inputExact: boolean;
  readonly estimatedInput: number;
  readonly engineInput: number;
  /** Tokens of the estimate not counted from text (media parts, token ids): such a request teaches nothing. */
  readonly nonText?: number | undefined;
}): number | undefined {
  if (s.basis !== 'usage' || !s.inputExact || (s.nonText ?? 0) > 0) return undefined;
  if (!(s.estimatedInput >= MIN_SAMPLE_TOKENS) || !Number.isFinite(s.engineInput) || s.engineInput <= 0)
    return undefined;
  return clamp(s.engineInput / s.estimatedInput, SAMPLE_MIN, SAMPLE_MAX);
}

/** The EWMA after one more sample (the first sample starts from 1: no evidence yet). Pure. */
export function nextRatio(prev: number | undefined, sample: number): number {
  const p = prev ?? 1;
  return p + ALPHA * (sample - p);
}

/**
 * The factor a reservation applies: `own` the tenant's average, `shared` the model's (undefined: none learnt);
 * the model's counts for at most SHARED_FACTOR_MAX. Pure.
 */
export function reserveFactor(own: number | undefined, shared?: number | undefined): number {
  return clamp(Math.max(own ?? 1, Math.min(shared ?? 1, SHARED_FACTOR_MAX)), 1, FACTOR_MAX);
}

/** Input tokens to reserve for `inputTokens` counted by the gateway, under `factor`. Pure. */
export function reservedInput(inputTokens: number, factor: number): number {
  return factor > 1 ? Math.ceil(inputTokens * factor) : inputTokens;
}

/** The averages of one gateway process, per model and per (model, tenant); `onChange` publishes a model's (the gauge). */
export class InputRatios {
  readonly #ratios = new Map<string, number>();
  readonly #own = new Map<string, number>();
  readonly #onChange: ((model: string, ratio: number) => void) | undefined;
  readonly #maxPairs: number;

  constructor(onChange?: (model: string, ratio: number) => void, maxPairs = MAX_PAIRS) {
    this.#onChange = onChange;
    this.#maxPairs = maxPairs;
  }

  /** The factor for `tenant`'s reservations on `model` (reserveFactor). */
  factor(model: string, tenant: string): number {
    return reserveFactor(this.#own.get(pairKey(model, tenant)), this.#ratios.get(model));
  }

  /** The model's average (every tenant's text), as the gauge shows it. */
  ratio(model: string): number | undefined {
    return this.#ratios.get(model);
  }

  /** The tenant's own average on the model. */
  ownRatio(model: string, tenant: string): number | undefined {
    return this.#own.get(pairKey(model, tenant));
  }

  /** Learn from one of `tenant`'s settlements; returns the model's new average, or undefined when nothing was learnt. */
  learn(model: string, tenant: string, s: Parameters<typeof ratioSample>[0]): number | undefined {
    const sample = ratioSample(s);
    if (sample === undefined) return undefined;
    const prev = this.#ratios.get(model);
    if (prev === undefined && this.#ratios.size >= MAX_MODELS) return undefined;
    const next = nextRatio(prev, sample);
    this.#ratios.set(model, next);
    this.#onChange?.(model, next);
    const key = pairKey(model, tenant);
    const own = this.#own.get(key);
    if (own === undefined && this.#own.size >= this.#maxPairs) {
      const oldest = this.#own.keys().next();
      if (!oldest.done) this.#own.delete(oldest.value);
    }
    this.#own.set(key, nextRatio(own, sample));
    return next;
  }
}

/** Map key of a (model, tenant) pair: served names and tenant ids hold no newline. */
const pairKey = (model: string, tenant: string): string => `${model}\n${tenant}`;
