// Table tests of settlement: which charge applies to what happened upstream; an overrun is charged and flagged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chargeBasis,
  chargeFor,
  emptyOutcome,
  inputShape,
  needsInputCount,
  promptBand,
  promptCharged,
  usagePlausible,
  type ChargePlan,
  type InputShape,
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
// one 400-byte message counted 93 + 7 framing: an engine's prompt_tokens plausible in [93 / 8, 400 + 2 + 7 × 4 + 1,024]
const SHAPE: InputShape = { textBytes: 400, texts: 1, overhead: 7, framing: 7, mediaParts: 0, tokenIds: 0 };
const LOW = 11;
const HIGH = 1454;
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
  input: SHAPE,
};
const NONE: Outcome = emptyOutcome();
const o = (over: Partial<Outcome>): Outcome => ({ ...NONE, ...over });
// red team 2026-12-02 F3: an engine serving 400 words reported completion_tokens 1 and was charged 1
const WORDS = Array.from({ length: 400 }, (_, i) => `word${i} `).join('');
const WORDS_COUNT = countText(PLAN.encoding, WORDS);
const ZH = '你好世界，今天天气很好。我们去公园散步吧。'; // 26 tokens in cl100k_base, 63 bytes
// 'hi' (1 token) + 7 framing
const HI: InputShape = { textBytes: 2, texts: 1, overhead: 7, framing: 7, mediaParts: 0, tokenIds: 0 };
const BIG: ChargePlan = { ...PLAN, inputTokens: 8, maxOut: 4000, n: 1, estimate: 1e6, rawTokens: 5000, input: HI };
// a /v1/completions prompt of WORDS, echoed
const ECHO: ChargePlan = {
  ...BIG,
  inputTokens: WORDS_COUNT,
  input: { textBytes: WORDS.length, texts: 1, overhead: 0, framing: 0, mediaParts: 0, tokenIds: 0 },
};
// two images (estimated 2 × 2,048 from their URLs) and 'hi': up to 2 × 16,384 image tokens are plausible
const IMAGES: ChargePlan = { ...BIG, inputTokens: 4104, input: { ...HI, overhead: 4103, mediaParts: 2 } };
const IMAGES_HIGH = 2 + 2 + 28 + 1024 + 2 * 16_384;
// a token-id prompt of 50 ids
const IDS: ChargePlan = {
  ...BIG,
  inputTokens: 50,
  input: { textBytes: 0, texts: 0, overhead: 50, framing: 0, mediaParts: 0, tokenIds: 50 },
};

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
      engineTokensIn?: number;
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
      ECHO,
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
    // red team 2026-12-03 N2: the engine's prompt_tokens was charged as reported, 1e9 emptying a day's budget
    [
      'prompt_tokens 1e9 for a 400-byte message: the high bound charged, the engine figure flagged',
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 1e9, completion_tokens: 20 } }),
      {
        basis: 'usage',
        tokensIn: HIGH,
        tokensOut: 20,
        cost: HIGH + 40,
        overrun: true,
        hitCap: false,
        engineTokensIn: 1e9,
      },
    ],
    [
      'prompt_tokens at the high bound: as reported',
      { ...PLAN, budgeted: false },
      o({ upstreamWorked: true, usage: { prompt_tokens: HIGH, completion_tokens: 20 } }),
      { basis: 'usage', tokensIn: HIGH, tokensOut: 20, cost: HIGH + 40, overrun: false, hitCap: false },
    ],
    [
      'prompt_tokens 1 for 93 counted: the low bound (93 / 8) charged, flagged',
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: 1, completion_tokens: 20 } }),
      {
        basis: 'usage',
        tokensIn: LOW,
        tokensOut: 20,
        cost: LOW + 40,
        overrun: false,
        hitCap: false,
        engineTokensIn: 1,
      },
    ],
    [
      'prompt_tokens at the low bound: as reported',
      PLAN,
      o({ upstreamWorked: true, usage: { prompt_tokens: LOW, completion_tokens: 20 } }),
      { basis: 'usage', tokensIn: LOW, tokensOut: 20, cost: LOW + 40, overrun: false, hitCap: false },
    ],
    [
      'two remote images: an engine counting them at 16,384 each is plausible',
      IMAGES,
      o({ upstreamWorked: true, usage: { prompt_tokens: 32_000, completion_tokens: 1 } }),
      { basis: 'usage', tokensIn: 32_000, tokensOut: 1, cost: 32_002, overrun: false, hitCap: false },
    ],
    [
      'two remote images, 1e6 reported: the high bound with 16,384 an image',
      IMAGES,
      o({ upstreamWorked: true, usage: { prompt_tokens: 1e6, completion_tokens: 1 } }),
      {
        basis: 'usage',
        tokensIn: IMAGES_HIGH,
        tokensOut: 1,
        cost: IMAGES_HIGH + 2,
        overrun: false,
        hitCap: false,
        engineTokensIn: 1e6,
      },
    ],
    [
      'embeddings of 2,000 one-letter inputs: [CLS] and [SEP] around each are plausible',
      {
        ...BIG,
        inputTokens: 2000,
        input: { textBytes: 2000, texts: 2000, overhead: 0, framing: 0, mediaParts: 0, tokenIds: 0 },
      },
      o({ upstreamWorked: true, usage: { prompt_tokens: 6000, completion_tokens: 0 } }),
      { basis: 'usage', tokensIn: 6000, tokensOut: 0, cost: 6000, overrun: false, hitCap: false },
    ],
    [
      'token ids: the engine counts them as they are, fewer is under-reporting',
      IDS,
      o({ upstreamWorked: true, usage: { prompt_tokens: 3, completion_tokens: 1 } }),
      { basis: 'usage', tokensIn: 50, tokensOut: 1, cost: 52, overrun: false, hitCap: false, engineTokensIn: 3 },
    ],
    [
      'token ids and a BOS: as reported',
      IDS,
      o({ upstreamWorked: true, usage: { prompt_tokens: 51, completion_tokens: 1 } }),
      { basis: 'usage', tokensIn: 51, tokensOut: 1, cost: 53, overrun: false, hitCap: false },
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
          ...(c.engineTokensIn !== undefined ? { engineTokensIn: c.engineTokensIn } : {}),
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

describe('needsInputCount: a served charge, or a low prompt_tokens, on a bounded (not counted) input', () => {
  const bounded: ChargePlan = { ...PLAN, inputExact: false, inputTokens: 407 };
  const usage = (prompt: number): Outcome => o({ usage: { prompt_tokens: prompt, completion_tokens: 1 } });
  const cases: [string, ChargePlan, Outcome, boolean][] = [
    ['served, input bounded', bounded, o({ upstreamWorked: true }), true],
    ['served, input exact', PLAN, o({ upstreamWorked: true }), false],
    ['usage at 400 bytes / 8: plausible whatever the count', bounded, usage(50), false],
    ['usage below 400 bytes / 8: counted', bounded, usage(49), true],
    ['usage far above: the high bound needs no count', bounded, usage(1e9), false],
    ['usage low, input exact', PLAN, usage(1), false],
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
  it('a low prompt_tokens is checked against the counted input (93 texts + 7 framing: low 11)', () => {
    const plan: ChargePlan = { ...PLAN, inputExact: false, inputTokens: 407, budgeted: false };
    const c = chargeFor(plan, o({ usage: { prompt_tokens: 1, completion_tokens: 1 } }), 100);
    assert.deepEqual([c.tokensIn, c.engineTokensIn], [LOW, 1]);
    const ok = chargeFor(plan, o({ usage: { prompt_tokens: 12, completion_tokens: 1 } }), 100);
    assert.deepEqual([ok.tokensIn, ok.engineTokensIn], [12, undefined]);
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

describe('promptBand and promptCharged', () => {
  const cases: [string, InputShape, number, { low: number; high: number }][] = [
    ['one message', SHAPE, 93, { low: LOW, high: HIGH }],
    ['two images', IMAGES.input, 1, { low: 0, high: IMAGES_HIGH }],
    ['token ids: no template, a BOS/EOS pair', IDS.input, 0, { low: 50, high: 50 + 2 }],
    [
      'a completions prompt: its bytes and the per-text special tokens, no template allowance',
      inputShape({ texts: ['Hi'], overhead: 0 }),
      1,
      { low: 0, high: 2 + 2 + 2 },
    ],
    ['nothing counted yet: the bytes stand for the count', SHAPE, 400, { low: 50, high: HIGH }],
  ];
  for (const [name, shape, tokens, want] of cases) it(name, () => assert.deepEqual(promptBand(shape, tokens), want));
  const charged: [number, { tokens: number; outside?: 'high' | 'low' }][] = [
    [5, { tokens: 10, outside: 'low' }],
    [10, { tokens: 10 }],
    [15, { tokens: 15 }],
    [20, { tokens: 20 }],
    [21, { tokens: 20, outside: 'high' }],
    [1e9, { tokens: 20, outside: 'high' }],
  ];
  for (const [reported, want] of charged)
    it(`reported ${reported} in [10, 20]`, () =>
      assert.deepEqual(promptCharged(reported, { low: 10, high: 20 }), want));

  it('inputShape: bytes of every text, framing apart from media estimates or token ids', () => {
    assert.deepEqual(inputShape({ texts: ['hi', 'é'], overhead: 4103, nonText: 4096, mediaParts: 2 }), {
      textBytes: 4,
      texts: 2,
      overhead: 4103,
      framing: 7,
      mediaParts: 2,
      tokenIds: 0,
    });
    assert.deepEqual(inputShape({ texts: [], overhead: 50, nonText: 50 }), IDS.input);
  });

  // the low bound's factor: a cl100k_base model served by an engine with a larger vocabulary counts fewer tokens
  const SENTENCES: [string, string][] = [
    ['English', 'The quarterly report shows revenue grew by twelve percent, driven mostly by new customers in Europe.'],
    ['Gujarati', 'ગુજરાતી ભાષા ભારતના ગુજરાત રાજ્યની મુખ્ય ભાષા છે.'],
    ['Telugu', 'తెలుగు భారతదేశంలో ఎక్కువగా మాట్లాడే భాషలలో ఒకటి.'],
    ['Hindi', 'हिन्दी भारत की सबसे अधिक बोली जाने वाली भाषा है और यह देवनागरी लिपि में लिखी जाती है।'],
    ['Chinese', ZH],
  ];
  const o200k = encodingFor('o200k_base');
  for (const [lang, text] of SENTENCES)
    it(`${lang}: an o200k_base engine's honest count is inside a cl100k_base plan's band`, () => {
      const shape = inputShape({ texts: [text], overhead: 0 });
      const band = promptBand(shape, countText(PLAN.encoding, text));
      assert.equal(promptCharged(countText(o200k, text), band).outside, undefined);
    });
});
