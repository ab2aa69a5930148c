// Table tests of the pure request decisions: bounds, the effective max_tokens, the cost estimate, the
// refusals a request can never get past, the reservation and the body sent upstream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgBudgetLine, CfgLimits } from '../../api/gateway-config.ts';
import { GatewayError } from '../errors.ts';
import { checkInputFits, requestBounds, type Bounds, type BoundsInput } from './bounds.ts';
import { estimateCost, gpuCost, type ModelCost } from './cost.ts';
import { planRefusal, planRequest, planUnenforced, upstreamBody, type PlanInput } from './plan.ts';

const TOKENS: ModelCost = {
  unit: 'tokens',
  inputTokenWeight: 1,
  outputTokenWeight: 3,
  gpuSecondWeight: 1,
  gpusPerReplica: 1,
  estimatedOutputTokensPerSecond: 50,
};
const GPU: ModelCost = {
  unit: 'gpuSeconds',
  inputTokenWeight: 1,
  outputTokenWeight: 1,
  gpuSecondWeight: 2,
  gpusPerReplica: 4,
  estimatedOutputTokensPerSecond: 100,
};
const LIMITS: CfgLimits = { budgets: [], maxOutputTokens: 256, maxN: 4, maxRequestBytes: 1 << 20 };
const DAY: CfgBudgetLine = { unit: 'tokens', limit: 10_000, windowSeconds: 86400 };
const MODEL = { contextLength: 1000, maxInputTokens: undefined, maxOutputTokens: undefined, cost: TOKENS };

/** The catalog code a call throws, or its value. */
function outcome<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    if (e instanceof GatewayError) return e.code;
    throw e;
  }
}

const bounds = (over: Partial<BoundsInput> = {}): BoundsInput => ({
  limits: LIMITS,
  budgetLines: [],
  model: MODEL,
  endpoint: 'chat.completions',
  n: 1,
  nFromBestOf: false,
  inputBound: 10,
  ...over,
});

describe('requestBounds', () => {
  const cases: [string, Partial<BoundsInput>, Partial<Bounds> | string][] = [
    [
      'defaults: output cap is the tenant maxOutputTokens',
      {},
      { outCap: 256, maxIn: undefined, context: 1000, countLimit: 999, needExact: false },
    ],
    ['the model caps output below the tenant', { model: { ...MODEL, maxOutputTokens: 100 } }, { outCap: 100 }],
    ['the tenant caps output below the model', { model: { ...MODEL, maxOutputTokens: 900 } }, { outCap: 256 }],
    ['embeddings produce no output', { endpoint: 'embeddings' }, { outCap: 0 }],
    [
      'input limit: the smaller of tenant and model',
      { limits: { ...LIMITS, maxInputTokens: 500 }, model: { ...MODEL, maxInputTokens: 300 } },
      { maxIn: 300, countLimit: 300 },
    ],
    [
      'count limit never past the context',
      { limits: { ...LIMITS, maxInputTokens: 5000 } },
      { maxIn: 5000, countLimit: 999 },
    ],
    ['exact count for a tokens budget', { budgetLines: [DAY] }, { needExact: true }],
    [
      'no exact count for a gpuSeconds model budget',
      { budgetLines: [DAY], model: { ...MODEL, cost: GPU } },
      { needExact: false },
    ],
    ['exact count for tpm', { limits: { ...LIMITS, tokensPerMinute: 5000 } }, { needExact: true }],
    ['exact count when the byte bound may not fit the context', { inputBound: 800 }, { needExact: true }],
    ['n above maxN', { n: 5 }, 'n_too_large'],
    ['n at maxN', { n: 4 }, { outCap: 256 }],
  ];
  for (const [name, over, want] of cases) {
    it(name, () => {
      const got = outcome(() => requestBounds(bounds(over)));
      if (typeof want === 'string') assert.equal(got, want);
      else
        assert.deepEqual(
          Object.fromEntries(Object.keys(want).map((k) => [k, (got as Bounds)[k as keyof Bounds]])),
          want,
        );
    });
  }
  it('a completions prompt batch counts one sequence per prompt × n against maxN, before any counting', () => {
    // red team F1: 100 prompts reserved as one completion; the batch is refused here, before the input is read
    assert.throws(
      () => requestBounds(bounds({ endpoint: 'completions', n: 100, batch: 100 })),
      (e: GatewayError) => e.code === 'n_too_large' && e.param === 'prompt',
    );
    assert.equal(
      outcome(() => requestBounds(bounds({ endpoint: 'completions', n: 4, batch: 2 }))) instanceof Object,
      true,
    );
  });
  it('names best_of when it asked for n', () => {
    assert.throws(
      () => requestBounds(bounds({ n: 9, nFromBestOf: true })),
      (e: GatewayError) => e.param === 'best_of',
    );
  });
});

describe('checkInputFits', () => {
  const b: Bounds = { context: 1000, maxIn: 300, outCap: 256, countLimit: 300, needExact: true };
  const cases: [number, Bounds, string | undefined][] = [
    [300, b, undefined],
    [301, b, 'input_too_long'],
    [999, { ...b, maxIn: undefined }, undefined],
    [1000, { ...b, maxIn: undefined }, 'context_length_exceeded'],
  ];
  for (const [tokens, bb, want] of cases) {
    it(`${tokens} tokens (maxIn ${bb.maxIn}) -> ${want ?? 'fits'}`, () =>
      assert.equal(
        outcome(() => checkInputFits(bb, tokens)),
        want,
      ));
  }
});

describe('estimateCost', () => {
  const cases: [string, ModelCost, number, number, number][] = [
    ['weighted tokens', TOKENS, 100, 50, 100 + 150],
    ['nothing', TOKENS, 0, 0, 0],
    // 100 out / 100 tps + 2000 in / (100 * 20) = 2 s; × 4 GPUs × weight 2
    ['gpu seconds: decode + prefill, per GPU', GPU, 2000, 100, 16],
  ];
  for (const [name, cost, i, o, want] of cases) it(name, () => assert.equal(estimateCost(cost, i, o), want));
  it('gpuCost counts at least one GPU', () => assert.equal(gpuCost({ ...GPU, gpusPerReplica: 0 }, 3), 6));
});

const planInput = (over: Partial<PlanInput> = {}): PlanInput => ({
  limits: LIMITS,
  budgetLines: [],
  cost: TOKENS,
  bounds: { context: 1000, maxIn: undefined, outCap: 256, countLimit: 999, needExact: false },
  endpoint: 'chat.completions',
  n: 1,
  requestedMaxTokens: undefined,
  input: { tokens: 100, exact: true },
  ...over,
});

describe('planRequest: the effective max_tokens and the estimate', () => {
  const cases: [string, Partial<PlanInput>, { maxOut: number; estimate: number; rawTokens: number } | string][] = [
    ['caller omits max_tokens: the cap', {}, { maxOut: 256, estimate: 100 + 3 * 256, rawTokens: 356 }],
    ['caller asks less than the cap', { requestedMaxTokens: 10 }, { maxOut: 10, estimate: 130, rawTokens: 110 }],
    ['caller asks more than the cap', { requestedMaxTokens: 5000 }, { maxOut: 256, estimate: 868, rawTokens: 356 }],
    [
      'the context leaves less than the cap',
      { input: { tokens: 900, exact: true } },
      { maxOut: 100, estimate: 1200, rawTokens: 1000 },
    ],
    ['n multiplies the output', { n: 3, requestedMaxTokens: 10 }, { maxOut: 10, estimate: 190, rawTokens: 130 }],
    [
      'embeddings: input only',
      {
        endpoint: 'embeddings',
        bounds: { context: 1000, maxIn: undefined, outCap: 0, countLimit: 999, needExact: false },
      },
      { maxOut: 0, estimate: 100, rawTokens: 100 },
    ],
    ['no room left for output', { input: { tokens: 1000, exact: true } }, 'context_length_exceeded'],
  ];
  for (const [name, over, want] of cases) {
    it(name, () => {
      const got = outcome(() => planRequest(planInput(over)));
      if (typeof want === 'string') assert.equal(got, want);
      else {
        const p = got as ReturnType<typeof planRequest>;
        assert.deepEqual({ maxOut: p.maxOut, estimate: p.estimate, rawTokens: p.rawTokens }, want);
      }
    });
  }
});

describe('planRefusal: a request that can never fit', () => {
  const cases: [string, Partial<PlanInput>, string | undefined][] = [
    ['under every line', { budgetLines: [DAY] }, undefined],
    ['one request above a budget line', { budgetLines: [{ ...DAY, limit: 500 }] }, 'request_exceeds_budget'],
    ['exactly at the line', { budgetLines: [{ ...DAY, limit: 868 }] }, undefined],
    ['above tpm', { limits: { ...LIMITS, tokensPerMinute: 300 } }, 'request_exceeds_tpm'],
    ['at tpm', { limits: { ...LIMITS, tokensPerMinute: 356 } }, undefined],
  ];
  for (const [name, over, want] of cases)
    it(name, () => assert.equal(planRefusal(planRequest(planInput(over)), 'tokens')?.code, want));
});

describe('upstreamBody', () => {
  const cases: [
    string,
    Record<string, unknown>,
    Parameters<typeof upstreamBody>[1],
    boolean,
    Record<string, unknown>,
  ][] = [
    ['sets max_tokens', { model: 'm', max_tokens: 9999 }, 'chat.completions', false, { model: 'm', max_tokens: 256 }],
    [
      'rewrites max_completion_tokens when given',
      { model: 'm', max_completion_tokens: 9999 },
      'chat.completions',
      false,
      { model: 'm', max_completion_tokens: 256, max_tokens: 256 },
    ],
    [
      "streams ask for usage, keeping the caller's options",
      { model: 'm', stream: true, stream_options: { x: 1 } },
      'completions',
      true,
      { model: 'm', stream: true, stream_options: { x: 1, include_usage: true }, max_tokens: 256 },
    ],
    ['embeddings untouched', { model: 'm', input: 'a' }, 'embeddings', false, { model: 'm', input: 'a' }],
  ];
  for (const [name, body, endpoint, stream, want] of cases) {
    it(name, () => {
      const copy = structuredClone(body);
      assert.deepEqual(upstreamBody(body, endpoint, stream, 256), want);
      assert.deepEqual(body, copy, "the caller's body is not changed");
    });
  }
  it("keeps key order (what the engine sees is the caller's JSON plus the cap)", () => {
    assert.equal(
      JSON.stringify(upstreamBody({ max_tokens: 1, model: 'm' }, 'chat.completions', false, 5)),
      '{"max_tokens":5,"model":"m"}',
    );
  });
});

describe('planUnenforced', () => {
  const cases: [number | undefined, number | undefined, number][] = [
    [undefined, undefined, 256],
    [undefined, 64, 64],
    [10, 64, 10],
  ];
  for (const [req, modelMax, want] of cases)
    it(`requested ${req}, model ${modelMax} -> ${want}`, () =>
      assert.equal(planUnenforced({ maxOutputTokens: modelMax }, req, 1).maxOut, want));
});
