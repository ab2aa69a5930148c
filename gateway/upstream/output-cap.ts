// The effective max_tokens enforced on the way back, whatever the engine does (issue #10, item 7): an engine
// that ignores `max_tokens` cannot make the gateway serve or charge more than the reservation.
//
// Rule (documented in the README): output text — content and tool-call arguments — is counted per choice
// with the same counter as the input (the model's encoding, LLMModel spec.tokenizer), each streamed delta
// counting at least one token. A streamed choice that reaches the effective max_tokens is cut there (its last delta truncated on a token boundary) and closed with
// finish_reason "length"; once every choice is cut the upstream request is aborted and the stream ends
// with [DONE]. A non-streamed choice over the cap is truncated the same way (finish_reason "length") and
// `usage.completion_tokens` reports what was served. Settlement charges at most the reservation.
import { countText, truncateToTokens, type Encoding } from '../tokens.ts';

/**
 * Per-choice output budget for one response. A delta far enough below the cap is not counted when it arrives:
 * its UTF-8 length bounds its token count (every BPE token is at least one byte), so while the counted tokens
 * plus the bounds of the deltas not yet counted stay below the cap, no delta can reach it and the text passes
 * as it is. The deltas are counted (each on its own, as they arrived) only when the bound comes near the cap
 * or the total is asked for; the results are those of counting every delta on arrival
 * (output-cap-lazy.test.ts), and a response that stays well below its cap — the usual one — is never counted.
 */
export class OutputMeter {
  readonly cap: number;
  readonly encoding: Encoding;
  /** Tokens counted per choice (deltas not yet counted excluded). */
  readonly #used = new Map<number, number>();
  /** Deltas admitted and not yet counted, per choice, with the sum of their bounds. */
  readonly #pending = new Map<number, { texts: string[]; bound: number }>();
  readonly #capped = new Set<number>();

  constructor(capPerChoice: number, encoding: Encoding) {
    this.cap = capPerChoice;
    this.encoding = encoding;
  }

  /** Admit `text` for choice `idx`: the part that fits and whether the choice is now at its cap. */
  take(idx: number, text: string): { text: string; capped: boolean } {
    if (this.#capped.has(idx)) return { text: '', capped: true };
    if (text.length === 0) return { text, capped: false };
    const pending = this.#pending.get(idx);
    // >= max(1, tokens of text): a token covers at least one UTF-8 byte
    const bound = Buffer.byteLength(text, 'utf8');
    if ((this.#used.get(idx) ?? 0) + (pending?.bound ?? 0) + bound < this.cap) {
      if (pending) {
        pending.texts.push(text);
        pending.bound += bound;
      } else this.#pending.set(idx, { texts: [text], bound });
      return { text, capped: false };
    }
    this.#count(idx);
    const used = this.#used.get(idx) ?? 0;
    const room = this.cap - used;
    // the cut counts the text as countText would and stops at the room: one encoder pass for a one-unit text
    // (a delta, a short answer), where counting first and then cutting took three
    const t = truncateToTokens(this.encoding, text, room);
    const k = Math.max(1, t.tokens);
    if (!t.truncated && k <= room) {
      this.#used.set(idx, used + k);
      if (used + k >= this.cap) this.#capped.add(idx);
      return { text, capped: used + k >= this.cap };
    }
    this.#used.set(idx, this.cap);
    this.#capped.add(idx);
    return { text: t.text, capped: true };
  }

  /** Count the deltas of `idx` admitted without counting, each as it arrived (at least one token). */
  #count(idx: number): void {
    const pending = this.#pending.get(idx);
    if (!pending) return;
    this.#pending.delete(idx);
    let used = this.#used.get(idx) ?? 0;
    for (const t of pending.texts) used += Math.max(1, countText(this.encoding, t));
    this.#used.set(idx, used);
  }

  isCapped(idx: number): boolean {
    return this.#capped.has(idx);
  }

  /** Every one of `n` choices reached its cap. */
  allCapped(n: number): boolean {
    for (let i = 0; i < n; i++) if (!this.#capped.has(i)) return false;
    return true;
  }

  /** Output tokens counted so far, all choices. */
  get total(): number {
    for (const idx of [...this.#pending.keys()]) this.#count(idx);
    let t = 0;
    for (const v of this.#used.values()) t += v;
    return t;
  }
}
