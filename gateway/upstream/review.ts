// For streams, the gate that holds released bytes while an asynchronous review (an output judge) decides.
import type { OutputTransform, Verdict } from '../transform.ts';
import { EMPTY, enc, errorEvent } from './sse.ts';

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
