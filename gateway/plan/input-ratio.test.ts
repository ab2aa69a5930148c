// Table tests of the learnt input-token correction: what a settlement teaches, how the average moves and is
// bounded, and that it scales the reservation only — never the input limits, max_tokens or a charge made
// without the engine's usage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgLimits } from '../../api/gateway-config.ts';
import { encodingFor } from '../encodings.ts';
import { chargeFor, chargePlanOf, type ChargePlan, type Outcome } from './charge.ts';
import type { ModelCost } from './cost.ts';
import {
  ALPHA,
  FACTOR_MAX,
  InputRatios,
  MAX_MODELS,
  MIN_SAMPLE_TOKENS,
  nextRatio,
  ratioSample,
  reservedInput,
  reserveFactor,
  SAMPLE_MAX,
  SAMPLE_MIN,
  SHARED_FACTOR_MAX,
} from './input-ratio.ts';
import { planRequest, type PlanInput } from './plan.ts';

describe('ratioSample: what a settlement teaches', () => {
  const base: Parameters<typeof ratioSample>[0] = {
    basis: 'usage',
    inputExact: true,
    estimatedInput: 100,
    engineInput: 150,
  };
  const cases: [string, Partial<Parameters<typeof ratioSample>[0]>, number | undefined][] = [
    ["the engine's usage on an exact count: engine / estimate", {}, 1.5],
    ['engine counts fewer', { engineInput: 80 }, 0.8],
    ['no usage (served text counted): nothing', { basis: 'served' }, undefined],
    ['charged the reservation: nothing', { basis: 'reservation' }, undefined],
    ['input only bounded by bytes: nothing', { inputExact: false }, undefined],
    ['too short to say anything', { estimatedInput: MIN_SAMPLE_TOKENS - 1, engineInput: 100 }, undefined],
    ['shortest sample taken', { estimatedInput: MIN_SAMPLE_TOKENS, engineInput: MIN_SAMPLE_TOKENS * 2 }, 2],
    ['engine reports zero: nothing', { engineInput: 0 }, undefined],
    ['engine reports garbage: nothing', { engineInput: Number.NaN }, undefined],
    ['absurdly high: clamped', { engineInput: 100_000 }, SAMPLE_MAX],
    ['absurdly low: clamped', { engineInput: 1 }, SAMPLE_MIN],
    // red team F9: image requests (engine 16,000 vs a flat estimate) drove the model's ratio to its ceiling
    ['media parts in the input: nothing', { nonText: 512, engineInput: 16_000 }, undefined],
    ['token ids in the input: nothing', { nonText: 40 }, undefined],
    ['no non-text part: learnt', { nonText: 0 }, 1.5],
  ];
  for (const [name, over, want] of cases) it(name, () => assert.equal(ratioSample({ ...base, ...over }), want));
});

describe('nextRatio and reserveFactor: an EWMA, applied within [1, FACTOR_MAX]', () => {
  it('the first sample moves from 1 by ALPHA', () => assert.equal(nextRatio(undefined, 2), 1 + ALPHA));
  it('converges to a steady ratio', () => {
    let r: number | undefined;
    for (let i = 0; i < 200; i++) r = nextRatio(r, 1.8);
    assert.ok(Math.abs(r! - 1.8) < 1e-6, String(r));
  });
  const cases: [string, number | undefined, number | undefined, number][] = [
    ['nothing learnt', undefined, undefined, 1],
    ['engine counts more', 1.7, undefined, 1.7],
    ['engine counts fewer: never below the own count', 0.6, undefined, 1],
    ['far more: at most FACTOR_MAX', 7, undefined, FACTOR_MAX],
    ["the model's average alone", undefined, 1.2, 1.2],
    ["the model's average counts at most SHARED_FACTOR_MAX", undefined, 7, SHARED_FACTOR_MAX],
    ['own above the model: own', 3, 1.2, 3],
    ['own below the model: the model (bounded)', 1.1, 7, SHARED_FACTOR_MAX],
    ['both low: 1', 0.5, 0.7, 1],
  ];
  for (const [name, own, shared, want] of cases) it(name, () => assert.equal(reserveFactor(own, shared), want));
  const reserve: [number, number, number][] = [
    [100, 1, 100],
    [100, 1.25, 125],
    [101, 1.5, 152], // rounded up
    [0, 3, 0],
  ];
  for (const [tokens, factor, want] of reserve)
    it(`reservedInput(${tokens}, ${factor}) = ${want}`, () => assert.equal(reservedInput(tokens, factor), want));
});

describe('InputRatios: per model and tenant, bounded, published', () => {
  it('learns per model and publishes each change', () => {
    const seen: [string, number][] = [];
    const r = new InputRatios((m, v) => seen.push([m, v]));
    const s = { basis: 'usage', inputExact: true, estimatedInput: 100, engineInput: 300 };
    assert.equal(r.learn('a', 't', s), 1 + ALPHA * 2);
    assert.equal(r.learn('b', 't', { ...s, basis: 'served' }), undefined);
    assert.equal(r.factor('a', 't'), 1 + ALPHA * 2);
    assert.equal(r.factor('b', 't'), 1);
    assert.deepEqual(seen, [['a', 1 + ALPHA * 2]]);
  });

  it(`tracks at most ${MAX_MODELS} models (the gauge's cardinality)`, () => {
    const r = new InputRatios();
    const s = { basis: 'usage', inputExact: true, estimatedInput: 100, engineInput: 200 };
    for (let i = 0; i < MAX_MODELS; i++) assert.notEqual(r.learn(`m${i}`, 't', s), undefined);
    assert.equal(r.learn('one-more', 't', s), undefined);
    assert.notEqual(r.learn('m0', 't', s), undefined, 'known models keep learning');
  });

  it('tracks at most maxPairs tenant averages: the pair first learnt goes first', () => {
    const r = new InputRatios(undefined, 2);
    const s = { basis: 'usage', inputExact: true, estimatedInput: 100, engineInput: 300 };
    for (const t of ['t1', 't2', 't3']) for (let i = 0; i < 50; i++) r.learn('m', t, s);
    assert.equal(r.ownRatio('m', 't1'), undefined);
    assert.ok(r.ownRatio('m', 't2')! > 2.9 && r.ownRatio('m', 't3')! > 2.9);
    assert.equal(r.factor('m', 't1'), SHARED_FACTOR_MAX, 'a dropped tenant falls back to the bounded model average');
  });

  it('a tenant cannot lower the reservation of a model: steady short counts leave the factor at 1', () => {
    const r = new InputRatios();
    for (let i = 0; i < 100; i++)
      r.learn('m', 't', { basis: 'usage', inputExact: true, estimatedInput: 100, engineInput: 10 });
    assert.equal(r.ratio('m')! < 0.3, true);
    assert.equal(r.factor('m', 't'), 1);
    assert.equal(r.factor('m', 'other'), 1);
  });

  it("one tenant's traffic moves another tenant's reservation by at most SHARED_FACTOR_MAX (red team F9)", () => {
    const r = new InputRatios();
    // the attacker's text, counted by the engine at the sample ceiling, as often as it likes
    for (let i = 0; i < 1000; i++)
      r.learn('m', 'attacker', { basis: 'usage', inputExact: true, estimatedInput: 100, engineInput: 100_000 });
    assert.equal(r.factor('m', 'attacker'), FACTOR_MAX, 'its own reservations: up to FACTOR_MAX');
    assert.equal(r.factor('m', 'victim'), SHARED_FACTOR_MAX);
    const victim = planRequest(planInput({ inputReserveFactor: r.factor('m', 'victim') }));
    assert.equal(victim.reservedInputTokens, 200 * SHARED_FACTOR_MAX, 'the same 200-token request, at most ×1.5');
    // a victim whose own traffic shows a real gap keeps its own (higher) factor
    for (let i = 0; i < 100; i++)
      r.learn('m', 'victim', { basis: 'usage', inputExact: true, estimatedInput: 100, engineInput: 220 });
    assert.ok(Math.abs(r.factor('m', 'victim') - 2.2) < 0.01, String(r.factor('m', 'victim')));
    // other models are untouched
    assert.equal(r.factor('m2', 'victim'), 1);
  });

  it("image requests teach nothing: another tenant's text reservation stays at the gateway's count", () => {
    const r = new InputRatios();
    for (let i = 0; i < 30; i++)
      r.learn('m', 'guard', {
        basis: 'usage',
        inputExact: true,
        estimatedInput: 2064,
        engineInput: 16_000,
        nonText: 2048,
      });
    assert.equal(r.ratio('m'), undefined);
    assert.equal(r.factor('m', 'plain'), 1);
    assert.equal(r.factor('m', 'guard'), 1);
  });
});

const TOKENS: ModelCost = {
  unit: 'tokens',
  inputTokenWeight: 1,
  outputTokenWeight: 2,
  gpuSecondWeight: 1,
  gpusPerReplica: 1,
  estimatedOutputTokensPerSecond: 50,
};
const LIMITS: CfgLimits = { budgets: [], maxOutputTokens: 100, maxN: 4, maxRequestBytes: 1 << 20 };
const planInput = (over: Partial<PlanInput> = {}): PlanInput => ({
  limits: { ...LIMITS, tokensPerMinute: 100_000 },
  budgetLines: [{ unit: 'tokens', limit: 10_000, windowSeconds: 60 }],
  cost: TOKENS,
  bounds: { context: 1000, maxIn: undefined, outCap: 100, countLimit: 999, needExact: true },
  endpoint: 'chat.completions',
  n: 1,
  requestedMaxTokens: undefined,
  input: { tokens: 200, exact: true },
  ...over,
});

describe('planRequest: the factor scales the reservation only', () => {
  const cases: [
    string,
    Partial<PlanInput>,
    { maxOut: number; inputTokens: number; reservedInputTokens: number; estimate: number; rawTokens: number },
  ][] = [
    [
      'no factor: as before',
      {},
      { maxOut: 100, inputTokens: 200, reservedInputTokens: 200, estimate: 200 + 200, rawTokens: 300 },
    ],
    [
      'factor 1.5: input reserved × 1.5, max_tokens unchanged',
      { inputReserveFactor: 1.5 },
      { maxOut: 100, inputTokens: 200, reservedInputTokens: 300, estimate: 300 + 200, rawTokens: 400 },
    ],
    [
      'the context cap uses the own count, not the corrected one',
      { inputReserveFactor: 4, input: { tokens: 950, exact: true } },
      { maxOut: 50, inputTokens: 950, reservedInputTokens: 3800, estimate: 3800 + 100, rawTokens: 3850 },
    ],
  ];
  for (const [name, over, want] of cases) {
    it(name, () => {
      const p = planRequest(planInput(over));
      const got = {
        maxOut: p.maxOut,
        inputTokens: p.inputTokens,
        reservedInputTokens: p.reservedInputTokens,
        estimate: p.estimate,
        rawTokens: p.rawTokens,
      };
      assert.deepEqual(got, want);
      assert.equal(p.budgets[0]!.amount, want.estimate, 'the budget line reserves the corrected estimate');
      assert.equal(p.tpm!.amount, want.rawTokens, 'tpm reserves the corrected tokens');
    });
  }
});

describe('chargeFor under a correction', () => {
  const plan = planRequest(planInput({ inputReserveFactor: 1.5 }));
  // 200 tokens of text in 800 bytes
  const cp: ChargePlan = chargePlanOf(plan, TOKENS, encodingFor('cl100k_base'), true, {
    textBytes: 800,
    texts: 1,
    overhead: 0,
    framing: 0,
    mediaParts: 0,
    tokenIds: 0,
  });
  const o = (over: Partial<Outcome>): Outcome => ({
    usage: undefined,
    generatedText: '',
    upstreamWorked: true,
    upstreamSeconds: 1,
    abort: undefined,
    finishLength: false,
    countedOut: undefined,
    ...over,
  });
  const cases: [string, Outcome, { tokensIn: number; tokensOut: number; cost: number; overrun: boolean }][] = [
    [
      "the engine's usage, above the own estimate: within the corrected reservation, no overrun",
      o({ usage: { prompt_tokens: 290, completion_tokens: 100, total_tokens: 390 } }),
      { tokensIn: 290, tokensOut: 100, cost: 490, overrun: false },
    ],
    [
      'no usage: what was served, with the own (uncorrected) input count',
      o({ abort: 'client', generatedText: 'Hello world' }),
      { tokensIn: 200, tokensOut: 2, cost: 204, overrun: false },
    ],
    [
      'cut with nothing to count: the reservation in full, split as reserved',
      o({ abort: 'timeout' }),
      { tokensIn: 300, tokensOut: 100, cost: 500, overrun: false },
    ],
  ];
  for (const [name, out, want] of cases) {
    it(name, () => {
      const c = chargeFor(cp, out);
      assert.deepEqual({ tokensIn: c.tokensIn, tokensOut: c.tokensOut, cost: c.cost, overrun: c.overrun }, want);
    });
  }
});
