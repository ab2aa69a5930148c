// The output safety check: a classifier judge (judge.ts) asked about what the model generated, before the client
// sees it. As an output transform (gateway/transform.ts) it passes text through unchanged and records it per choice;
// its asynchronous review() decides when the relay may send what it holds:
//
//  - windowChars 0: the whole output is judged once, at the end of the response. Latency: the client receives
//    nothing until generation has finished and the judge has answered (time to first token = generation time +
//    one judge call); non-streamed responses pay one judge call.
//  - windowChars N: the output is released in windows of N characters; each window is judged together with up to
//    N characters before it, and released when the judge has answered. Latency: the first bytes wait for N
//    characters plus one judge call; thereafter each window waits one judge call (the upstream is not read while a
//    window is being judged, so memory stays bounded by one window).
//
// Judge failures (timeout, HTTP error, an answer not understood) take the policy's fail mode: closed counts as a
// score of 1, open as 0. Mode block stops the response with output_blocked; mode flag releases it and reports.
import type { CfgGuardrails } from '../api/gateway-config.ts';
import type { OutputTransform, TransformContext, Verdict } from './transform.ts';
import type { Judge, JudgeResult } from './judge.ts';

export type OutputCheck = NonNullable<CfgGuardrails['outputCheck']>;

export interface OutputJudgeHooks {
  /** Every judge answer on output (for metrics and the audit line). Never carries text. */
  onOutputJudge?: (ctx: TransformContext, result: JudgeResult, action: 'pass' | 'flag' | 'block') => void;
}

interface ChoiceText {
  text: string;
  /** Characters already judged. */
  judged: number;
}

const MESSAGE = 'The response was blocked by an output guardrail: the safety judge flagged it.';

/** The user turn an output answers (chat protocol judges read it as context). */
function lastUserText(body: unknown): string | undefined {
  const msgs = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['messages'] : undefined;
  if (Array.isArray(msgs)) {
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i] as Record<string, unknown> | null;
      if (m && m['role'] === 'user' && typeof m['content'] === 'string') return m['content'];
    }
  }
  const p = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['prompt'] : undefined;
  return typeof p === 'string' ? p : undefined;
}

export class OutputJudgeTransform implements OutputTransform {
  readonly #judge: Judge;
  readonly #cfg: OutputCheck;
  readonly #ctx: TransformContext;
  readonly #hooks: OutputJudgeHooks;
  readonly #choices = new Map<number, ChoiceText>();
  readonly #prompt: string | undefined;
  #verdict: Verdict | undefined;

  constructor(judge: Judge, cfg: OutputCheck, ctx: TransformContext, hooks: OutputJudgeHooks = {}) {
    this.#judge = judge;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.#prompt = lastUserText(ctx.requestBody);
  }

  push(index: number, text: string): string {
    if (this.#verdict) return '';
    const c = this.#choices.get(index);
    if (c) c.text += text;
    else this.#choices.set(index, { text, judged: 0 });
    return text;
  }

  flush(): string {
    return '';
  }

  verdict(): Verdict | undefined {
    return this.#verdict;
  }

  async review(final: boolean): Promise<'release' | 'hold'> {
    if (this.#verdict) return 'hold';
    const w = this.#cfg.windowChars;
    let hold = false;
    for (const c of this.#choices.values()) {
      const pending = c.text.length - c.judged;
      if (pending === 0) continue;
      if (!final && (w === 0 || pending < w)) {
        hold = true;
        continue;
      }
      const from = w === 0 ? 0 : Math.max(0, c.judged - w);
      const text = c.text.slice(from);
      c.judged = c.text.length;
      const r = await this.#judge(this.#prompt === undefined ? { text } : { text, prompt: this.#prompt });
      if (r.score >= this.#cfg.threshold) {
        const action = this.#cfg.mode === 'block' ? 'block' : 'flag';
        this.#hooks.onOutputJudge?.(this.#ctx, r, action);
        if (action === 'block') {
          this.#verdict = {
            code: 'output_blocked',
            message: MESSAGE,
            reason: r.ok ? 'output_judge' : 'output_judge_unavailable',
          };
          return 'hold';
        }
      } else this.#hooks.onOutputJudge?.(this.#ctx, r, 'pass');
    }
    return hold ? 'hold' : 'release';
  }
}
