// The output transforms applied to what the relay releases: a whole non-streamed body (transformCompletion),
// and for streams the gate that holds released bytes while an asynchronous review (an output judge) decides.
import type { OutputTransform, Verdict } from '../transform.ts';
import { EMPTY, enc, errorEvent } from './sse.ts';

/** Apply a transform to a non-streaming completion body in place; returns true when it changed. */
export function transformCompletion(body: Record<string, unknown>, t: OutputTransform, chat: boolean): { changed: boolean; verdict: Verdict | undefined } {
  const choices = Array.isArray(body.choices) ? (body.choices as Record<string, unknown>[]) : [];
  let changed = false;
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i]!;
    const idx = typeof c.index === 'number' ? c.index : i;
    const msg = chat ? (c.message as Record<string, unknown> | undefined) : c;
    const field = chat ? 'content' : 'text';
    if (!msg || typeof msg[field] !== 'string') continue;
    const out = t.push(idx, msg[field] as string) + t.flush(idx);
    const v = t.verdict();
    if (v) return { changed: true, verdict: v };
    if (out !== msg[field]) {
      msg[field] = out;
      changed = true;
    }
  }
  return { changed, verdict: undefined };
}

/**
 * Streamed: holds the relay's output while the transform's asynchronous review (an output judge) decides, and
 * replaces it with an error event when the review refuses. The identity when the transform has no review.
 */
export class ReviewGate {
  readonly #t: OutputTransform | undefined;
  #held: Uint8Array[] = [];
  verdict: Verdict | undefined;

  constructor(t: OutputTransform | undefined) {
    this.#t = t;
  }

  /** `out`: what the relay produced; `final`: the upstream ended; `stopped`: the relay already blocked (out is its error). */
  async pass(out: Uint8Array, final: boolean, stopped: boolean): Promise<Uint8Array> {
    const t = this.#t;
    if (!t?.review) return out;
    if (stopped) {
      this.#held = [];
      return out;
    }
    if (out.length > 0) this.#held.push(out);
    const d = await t.review(final);
    const v = t.verdict();
    if (v) {
      this.#held = [];
      this.verdict = v;
      return enc.encode(errorEvent(v));
    }
    if (d === 'hold' && !final) return EMPTY;
    const released = this.#held.length === 1 ? (this.#held[0] as Uint8Array) : Buffer.concat(this.#held);
    this.#held = [];
    return released;
  }
}
