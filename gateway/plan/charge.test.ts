// Table tests of settlement: which charge applies to what happened upstream; an overrun is charged and flagged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chargeBasis,
  chargeFor,
  emptyOutcome,
  needsInputCount,
  usagePlausible,
  type ChargePlan,
  type Outcome,
} from './charge.ts';
import { countText } from '../tokens.ts';
import type { ModelCost } from './cost.ts';
import { encodingFor } from '../encodings.ts';

const TOKENS: ModelCost = {
  unit: 'tokens',
  inputTokenWeight: 1,
  outputTokenWeight: 2,
  gpuSecondWeight: 1,
  gpusPerReplica: 1,
  estimatedOutputTokensPerSecond: 50,
};
const GPU: ModelCost = { ...TOKENS, unit: 'gpuSeconds', gpuSecondWeight: 3, gpusPerReplica: 2 };
// 100 in, n 2 × 50 out: reserved 100 + 2 × 100 × 2 = 300 (raw 200)
const PLAN: ChargePlan = {
  cost: TOKENS,
  encoding: encodingFor('cl100k_base'),
  inputTokens: 100,
  inputExact: true,
  reservedInputTokens: 100,
  estimate: 300,
  rawTokens: 200,
  maxOut: 50,
  n: 2,
  budgeted: true,
};
const NONE: Outcome = emptyOutcome();
const o = (over: Partial<Outcome>): Outcome => ({ ...NONE, ...over });
// red team 2026-12-02 F3: an engine serving 400 words reported completion_tokens 1 and was charged 1
const WORDS = Array.from({ length: 400 }, (_, i) => `word${i} `).join('');
const WORDS_COUNT = countText(PLAN.encoding, WORDS);
const ZH = '你好世界，今天天气很好。我们去公园散步吧。'; // 26 tokens in cl100k_base, 63 bytes
const BIG: ChargePlan = { ...PLAN, maxOut: 4000, n: 1, estimate: 1e6, rawTokens: 5000 };

describe('chargeFor', () => {
  const cases: [
    string,
    ChargePlan,
    Outcome,
    {
      basis: string;
      tokensIn: number;
      tokensOut: number;
      cost: number;
      overrun: boolean;
      hitCap: boolean;
      underReportedOut?: number;
    },
  ][] = [
    [
      "the engine's usage",
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 90, completion_tokens: 20 } }),
      { basis: 'usage', tokensIn: 90, tokensOut: 20, cost: 130, overrun: false, hitCap: false },
    ],
    [
      'usage above what the gateway served at the cap: the served count',
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 100, completion_tokens: 400 }, countedOut: 100 }),
      { basis: 'usage', tokensIn: 100, tokensOut: 100, cost: 300, overrun: false, hitCap: true },
    ],
    [
      // red team 2026-12-02 N1: 1e9 completion tokens reported for an answer at max_tokens were charged 1e9
      'usage above max_tokens × n, not cut: no more than the engine was allowed to generate',
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 90, completion_tokens: 1e9 }, generatedText: 'ok ok' }),
      { basis: 'usage', tokensIn: 90, tokensOut: 100, cost: 290, overrun: false, hitCap: true },
    ],
    [
      'usage at max_tokens × n exactly: charged as reported',
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 90, completion_tokens: 100 } }),
      { basis: 'usage', tokensIn: 90, tokensOut: 100, cost: 290, overrun: false, hitCap: true },
    ],
    [
      // red team F6: 8 images an engine counts at 32,000 tokens were charged the 4,187 reserved
      "actual above the reservation: the engine's count is charged, overrun flagged",
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 300, completion_tokens: 10 } }),
      { basis: 'usage', tokensIn: 300, tokensOut: 10, cost: 320, overrun: true, hitCap: false },
    ],
    [
      'no budget lines: charged, no overrun to flag',
      { ...PLAN, budgeted: false },
      o({ upstreamWorked: true, usage: { prompt_tokens: 300, completion_tokens: 10 } }),
      { basis: 'usage', tokensIn: 300, tokensOut: 10, cost: 320, overrun: false, hitCap: false },
    ],
    [
      'client left while the engine worked, nothing to count: the full reservation',
      PLAN,
      o({ upstreamWorked: false, abort: 'client' }),
      { basis: 'reservation', tokensIn: 100, tokensOut: 100, cost: 300, overrun: false, hitCap: true },
    ],
    [
      'timeout, nothing to count: the full reservation',
      PLAN,
      o({ abort: 'timeout' }),
      { basis: 'reservation', tokensIn: 100, tokensOut: 100, cost: 300, overrun: false, hitCap: true },
    ],
    [
      'cut stream without usage: what was served',
      PLAN,
      o({ upstreamWorked: true, abort: 'client', generatedText: 'Hello world' }),
      { basis: 'served', tokensIn: 100, tokensOut: 2, cost: 104, overrun: false, hitCap: false },
    ],
    [
      'cut at the cap: the counted output',
      PLAN,
      o({ upstreamWorked: true, abort: 'cap', generatedText: 'x', countedOut: 100 }),
      { basis: 'served', tokensIn: 100, tokensOut: 100, cost: 300, overrun: false, hitCap: true },
    ],
    [
      'finish_reason length counts as a cap hit',
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 100, completion_tokens: 5 }, finishLength: true }),
      { basis: 'usage', tokensIn: 100, tokensOut: 5, cost: 110, overrun: false, hitCap: true },
    ],
    [
      'usage far below what was served (stream or whole): the served text counted, the engine figure flagged',
      BIG,
      o({ upstreamWorked: true, usage: { prompt_tokens: 5, completion_tokens: 1 }, generatedText: WORDS }),
      {
        basis: 'usage',
        tokensIn: 5,
        tokensOut: WORDS_COUNT,
        cost: 5 + 2 * WORDS_COUNT,
        overrun: false,
        hitCap: false,
        underReportedOut: 1,
      },
    ],
    [
      'usage plausible for what was served: the engine figure, no tokenizing',
      BIG,
      o({ upstreamWorked: true, usage: { prompt_tokens: 5, completion_tokens: 3 }, generatedText: 'Hello world' }),
      { basis: 'usage', tokensIn: 5, tokensOut: 3, cost: 11, overrun: false, hitCap: false },
    ],
    [
      'usage low but at served bytes / 8: the engine figure',
      BIG,
      o({ upstreamWorked: true, usage: { prompt_tokens: 5, completion_tokens: 10 }, generatedText: 'y'.repeat(80) }),
      { basis: 'usage', tokensIn: 5, tokensOut: 10, cost: 25, overrun: false, hitCap: false },
    ],
    [
      'one byte more: counted, the larger charged',
      BIG,
      o({ upstreamWorked: true, usage: { prompt_tokens: 5, completion_tokens: 10 }, generatedText: 'y'.repeat(81) }),
      {
        basis: 'usage',
        tokensIn: 5,
        tokensOut: Math.max(10, countText(PLAN.encoding, 'y'.repeat(81))),
        cost: 5 + 2 * Math.max(10, countText(PLAN.encoding, 'y'.repeat(81))),
        overrun: false,
        hitCap: false,
        underReportedOut: 10,
      },
    ],
    [
      'multi-byte text: bytes, not characters (63 bytes, 21 characters, usage 7)',
      BIG,
      o({ upstreamWorked: true, usage: { prompt_tokens: 5, completion_tokens: 7 }, generatedText: ZH }),
      { basis: 'usage', tokensIn: 5, tokensOut: 26, cost: 57, overrun: false, hitCap: false, underReportedOut: 7 },
    ],
    [
      '/v1/completions with echo: the prompt served back is allowed for (counted as input by the engine)',
      BIG,
      o({
        upstreamWorked: true,
        usage: { prompt_tokens: WORDS_COUNT, completion_tokens: 1 },
        generatedText: WORDS,
        promptEchoed: true,
      }),
      { basis: 'usage', tokensIn: WORDS_COUNT, tokensOut: 1, cost: WORDS_COUNT + 2, overrun: false, hitCap: false },
    ],
    [
      'echo, and far more served than the prompt: the served count less the prompt',
      BIG,
      o({
        upstreamWorked: true,
        usage: { prompt_tokens: 10, completion_tokens: 1 },
        generatedText: WORDS,
        promptEchoed: true,
      }),
      {
        basis: 'usage',
        tokensIn: 10,
        tokensOut: WORDS_COUNT - 10,
        cost: 10 + 2 * (WORDS_COUNT - 10),
        overrun: false,
        hitCap: false,
        underReportedOut: 1,
      },
    ],
    [
      'under-reported and cut at the cap: the served count, no more than the cap',
      PLAN,
      o({
        upstreamWorked: true,
        usage: { prompt_tokens: 100, completion_tokens: 1 },
        generatedText: WORDS,
        countedOut: 100,
      }),
      { basis: 'usage', tokensIn: 100, tokensOut: 100, cost: 300, overrun: false, hitCap: true, underReportedOut: 1 },
    ],
    [
      'refused or unreachable before any work: nothing',
      PLAN,
      NONE,
      { basis: 'nothing', tokensIn: 0, tokensOut: 0, cost: 0, overrun: false, hitCap: false },
    ],
  ];
  for (const [name, plan, outcome, want] of cases) {
    it(name, () => {
      const c = chargeFor(plan, outcome);
      assert.deepEqual(
        {
          basis: c.basis,
          tokensIn: c.tokensIn,
          tokensOut: c.tokensOut,
          cost: c.cost,
          overrun: c.overrun,
          hitCap: c.hitCap,
          ...(c.underReportedOut !== undefined ? { underReportedOut: c.underReportedOut } : {}),
        },
        want,
      );
    });
  }
});

describe('chargeFor: gpuSeconds models settle on the time measured', () => {
  const plan: ChargePlan = { ...PLAN, cost: GPU, estimate: 100 };
  const cases: [string, Outcome, number][] = [
    [
      'worked 2 s: 2 s × 2 GPUs × 3',
      o({ upstreamWorked: true, upstreamSeconds: 2, usage: { prompt_tokens: 1, completion_tokens: 1 } }),
      12,
    ],
    ['cut by the gateway: the time it ran', o({ abort: 'client', upstreamSeconds: 1 }), 6],
    ['never reached: nothing', o({ upstreamSeconds: 0.5 }), 0],
    ['above the reservation: the time measured', o({ upstreamWorked: true, upstreamSeconds: 100 }), 600],
  ];
  for (const [name, outcome, want] of cases) it(name, () => assert.equal(chargeFor(plan, outcome).cost, want));
});

describe('needsInputCount: only a served charge on a bounded (not counted) input', () => {
  const cases: [string, ChargePlan, Outcome, boolean][] = [
    ['served, input bounded', { ...PLAN, inputExact: false }, o({ upstreamWorked: true }), true],
    ['served, input exact', PLAN, o({ upstreamWorked: true }), false],
    ['usage reported', { ...PLAN, inputExact: false }, o({ usage: { prompt_tokens: 1, completion_tokens: 1 } }), false],
    ['nothing happened', { ...PLAN, inputExact: false }, NONE, false],
  ];
  for (const [name, plan, outcome, want] of cases) it(name, () => assert.equal(needsInputCount(plan, outcome), want));
  it("what was served is counted with the model's encoding", () => {
    const zh = '你好世界，今天天气很好。我们去公园散步吧。'; // 26 tokens in cl100k_base, 16 in o200k_base
    const served = o({ upstreamWorked: true, abort: 'client', generatedText: zh });
    assert.equal(chargeFor(PLAN, served).tokensOut, 26);
    assert.equal(chargeFor({ ...PLAN, encoding: encodingFor('o200k_base') }, served).tokensOut, 16);
  });

  it('the counted input is what a served charge uses', () => {
    const c = chargeFor(
      { ...PLAN, inputExact: false, budgeted: false },
      o({ upstreamWorked: true, countedOut: 3 }),
      42,
    );
    assert.deepEqual([c.basis, c.tokensIn, c.tokensOut], ['served', 42, 3]);
  });
  it('chargeBasis: usage wins over everything', () =>
    assert.equal(chargeBasis(o({ usage: { prompt_tokens: 0, completion_tokens: 0 }, abort: 'client' })), 'usage'));
});

describe('usagePlausible: completion_tokens >= served UTF-8 bytes / 8', () => {
  const cases: [string, number, string, boolean][] = [
    ['empty', 0, '', true],
    ['nothing reported for text', 0, 'a', false],
    ['80 ASCII bytes, 10 tokens', 10, 'a'.repeat(80), true],
    ['81 ASCII bytes, 10 tokens', 10, 'a'.repeat(81), false],
    ['63 bytes of Chinese (21 characters), 8 tokens', 8, ZH, true],
    ['63 bytes of Chinese (21 characters), 7 tokens', 7, ZH, false],
    ['an emoji is 4 bytes', 1, '\u{1F600}\u{1F600}', true],
    ['three emoji', 1, '\u{1F600}'.repeat(3), false],
  ];
  for (const [name, tokens, text, want] of cases) it(name, () => assert.equal(usagePlausible(tokens, text), want));
});
