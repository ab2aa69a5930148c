// The output judge's release decisions (pure: the judge is a function here; the real classifier server is exercised
// in judge.test.ts and gateway/judge.test.ts): what is held, what each judge call sees, when a verdict is set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CfgTenant } from '../api/gateway-config.ts';
import type { TransformContext } from './transform.ts';
import type { Judge, JudgeInput } from './judge.ts';
import { OutputJudgeTransform, type OutputCheck } from './output-judge.ts';

const ctx = (body: unknown = { messages: [{ role: 'user', content: 'hi' }] }): TransformContext => ({
  requestId: 'r',
  tenant: {} as CfgTenant,
  model: {} as TransformContext['model'],
  endpoint: 'chat.completions',
  stream: true,
  requestBody: body,
});

/** A judge that scores 1 when the text contains "BAD", and records what it saw. */
function recordingJudge(ok = true): { judge: Judge; seen: JudgeInput[] } {
  const seen: JudgeInput[] = [];
  const judge: Judge = async (input) => {
    const i = typeof input === 'string' ? { text: input } : input;
    seen.push(i);
    return ok
      ? { ok: true, score: i.text.includes('BAD') ? 1 : 0, latencyMs: 1 }
      : { ok: false, score: 1, error: 'judge timed out', latencyMs: 1 };
  };
  return { judge, seen };
}

const check = (over: Partial<OutputCheck> = {}): OutputCheck => ({
  mode: 'block',
  threshold: 0.5,
  windowChars: 0,
  judge: { model: 'j', protocol: 'classify', timeoutMs: 100, failMode: 'closed' },
  ...over,
});

describe('output judge transform', () => {
  it('whole output: holds until the end, one judge call with the whole text and the user turn', async () => {
    const { judge, seen } = recordingJudge();
    const t = new OutputJudgeTransform(judge, check(), ctx());
    assert.equal(t.push(0, 'hello '), 'hello ', 'text passes through; the relay holds it');
    assert.equal(await t.review(false), 'hold');
    t.push(0, 'world');
    assert.equal(await t.review(false), 'hold');
    assert.equal(seen.length, 0);
    assert.equal(await t.review(true), 'release');
    assert.deepEqual(seen, [{ text: 'hello world', prompt: 'hi' }]);
    assert.equal(t.verdict(), undefined);
  });

  it('windows: each full window is judged with up to one window of context, the rest at the end', async () => {
    const { judge, seen } = recordingJudge();
    const t = new OutputJudgeTransform(judge, check({ windowChars: 10 }), ctx());
    t.push(0, 'aaaaa');
    assert.equal(await t.review(false), 'hold', 'less than a window');
    t.push(0, 'bbbbbb');
    assert.equal(await t.review(false), 'release');
    t.push(0, 'cccccccccccc');
    assert.equal(await t.review(false), 'release');
    t.push(0, 'dd');
    assert.equal(await t.review(true), 'release');
    assert.deepEqual(
      seen.map((s) => s.text),
      ['aaaaabbbbbb', 'aaaabbbbbbcccccccccccc', 'ccccccccccdd'],
    );
  });

  it('block: a flagged window sets the verdict; flag mode releases and reports', async () => {
    const blocked = new OutputJudgeTransform(recordingJudge().judge, check({ windowChars: 4 }), ctx());
    blocked.push(0, 'fine');
    assert.equal(await blocked.review(false), 'release');
    blocked.push(0, 'BAD!');
    assert.equal(await blocked.review(false), 'hold');
    assert.equal(blocked.verdict()?.reason, 'output_judge');
    assert.equal(blocked.push(0, 'more'), '', 'nothing passes after the verdict');
    const reports: string[] = [];
    const flagged = new OutputJudgeTransform(recordingJudge().judge, check({ mode: 'flag' }), ctx(), {
      onOutputJudge: (_c, _r, action) => reports.push(action),
    });
    flagged.push(0, 'BAD');
    assert.equal(await flagged.review(true), 'release');
    assert.equal(flagged.verdict(), undefined);
    assert.deepEqual(reports, ['flag']);
  });

  it('a failed judge call counts with its fail-mode score (closed: blocked as unavailable)', async () => {
    const t = new OutputJudgeTransform(recordingJudge(false).judge, check(), ctx());
    t.push(0, 'harmless');
    assert.equal(await t.review(true), 'hold');
    assert.equal(t.verdict()?.reason, 'output_judge_unavailable');
  });

  it('choices are judged separately; the release waits for every choice', async () => {
    const { judge, seen } = recordingJudge();
    const t = new OutputJudgeTransform(judge, check({ windowChars: 3 }), ctx({ prompt: 'p' }));
    t.push(0, 'abcd');
    t.push(1, 'x');
    assert.equal(await t.review(false), 'hold', 'choice 1 has less than a window');
    assert.equal(await t.review(true), 'release');
    assert.deepEqual(
      seen.map((s) => [s.text, s.prompt]),
      [
        ['abcd', 'p'],
        ['x', 'p'],
      ],
    );
  });
});
