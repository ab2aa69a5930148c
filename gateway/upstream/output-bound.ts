// The output bound: the gateway's safety net against an engine that IGNORES max_tokens (issue #10, item 7;
// SDK check 2026-12-03 finding 01). The engine is always sent the effective max_tokens (plan.ts upstreamBody) and
// an engine that honours it is never altered: its text, finish_reason and usage pass as they are. The gateway
// cannot count the engine's tokens (its tokenizer is not the gateway's), so it cuts a choice only when the text,
// counted whole with the model's encoding, is more than any tokenizer measured needs for max_tokens tokens:
//
//   allowance(max_tokens) = TOKENIZER_FACTOR × max_tokens + SINGLE_TOKEN_ALLOWANCE   gateway tokens per choice
//
// Measured (scripts/measure-output-bound.mjs, 2026-12-03): gateway count / engine count on one paragraph each of
// 21 kinds of output (EN, DE, ZH, Chinese JSON, JA, KO, RU, AR, HI, GU, TA, TH, Python, TypeScript, JSON, Markdown,
// digits, emoji, hex, whitespace runs, base64) against the Llama 3, Qwen 3, Gemma 3, DeepSeek V3 and Llama 2
// tokenizers: cl100k_base at most 7.0× (Tamil, Gemma 3), 5.6× (Gujarati), 4.8× (Hindi), 4.1× (Thai, DeepSeek),
// 2.6× (Russian), 2.3× (Chinese), 1.3× (German, Chinese JSON), 1.0× (English, code); o200k_base at most 1.5×. A
// single engine token counts at most 27 cl100k tokens in Gemma 3's vocabulary (a Georgian word), 17 in
// DeepSeek V3's, 15 in Qwen 3's, 64 in Llama 3's (one degenerate run of 32 'џ'); 99.99% of every vocabulary's
// tokens count 20 or fewer. So 8× plus 64 covers every measured text and any single token alone.
//
// What the margin lets a misbehaving engine do: serve up to allowance(max_tokens) gateway tokens per choice (about
// 8× what it was asked) before the choice is cut (finish_reason "length") and, once every choice is cut, the
// upstream aborted. It cannot charge more: settlement charges at most max_tokens × n output tokens (plan/charge.ts,
// N1), and a usage the gateway writes itself reports no more than max_tokens per choice. A gpuSeconds model is
// charged the measured time, so such an engine can spend up to ~8× the time max_tokens would take.
//
// Counting is of the whole text of a choice, never per delta (a delta is not a token): the choice's text up to
// a stable segment boundary (tokens.ts countingUnits, kept STABLE_MARGIN characters from the end, where appending
// text cannot move a pre-tokenizer boundary) is counted once and kept as a number; only the tail after it is
// encoded again. Nothing is encoded while the byte length (an upper bound on the count) is within the allowance,
// which is every English or code answer an honest engine gives.
import { countingUnits, countText, truncateToTokens, type Encoding } from '../tokens.ts';

/** Measured maximum gateway / engine count over whole texts is 7.0 (above); the prompt band uses the same 8. */
export const TOKENIZER_FACTOR = 8;
/** One engine token counts at most 64 gateway tokens in the vocabularies measured (above). */
export const SINGLE_TOKEN_ALLOWANCE = 64;
/**
 * A segment boundary this far from the end of the text stays a boundary whatever is appended: the
 * pre-tokenizer's lookaheads and contractions ('re, 'll) read at most 3 characters past a piece.
 */
export const STABLE_MARGIN = 16;

/** Gateway tokens per choice an honest engine's `maxTokens` tokens may count. */
export function outputAllowance(maxTokens: number): number {
  return maxTokens * TOKENIZER_FACTOR + SINGLE_TOKEN_ALLOWANCE;
}

/**
 * What the bound decides for a choice's whole text: `within` (pass), `count` (the byte bound does not decide:
 * count the text), `over` (provably beyond max_tokens: cut at the allowance). `counted` is the exact count of the
 * whole text when known; `bytes` an upper bound on it (UTF-8 bytes, or a kept count plus the tail's bytes).
 */
export function outputBoundDecision(maxTokens: number, bytes: number, counted?: number): 'within' | 'count' | 'over' {
  const allowance = outputAllowance(maxTokens);
  if (counted !== undefined) return counted > allowance ? 'over' : 'within';
  return bytes > allowance ? 'count' : 'within';
}

/** The cap the output pipe applies to each generated text field of a choice. */
export interface OutputCap {
  /** max_tokens per choice (what the engine was sent). */
  readonly cap: number;
  /** Admit `text` for choice `idx`: the part that is served and whether the choice is now cut. */
  take(idx: number, text: string): { text: string; capped: boolean };
  isCapped(idx: number): boolean;
  allCapped(n: number): boolean;
  /** Output tokens to report when the gateway cut: the whole count of each choice, at most max_tokens each. */
  readonly total: number;
}

interface ChoiceText {
  /** Tokens of the text before `tail` (counted once). */
  stable: number;
  /** Text after the last stable boundary. */
  tail: string;
  tailBytes: number;
}

/** The output bound of one response: every choice's whole text against allowance(max_tokens). */
export class OutputBound implements OutputCap {
  readonly cap: number;
  readonly allowance: number;
  readonly encoding: Encoding;
  readonly #choices = new Map<number, ChoiceText>();
  readonly #capped = new Set<number>();

  constructor(maxTokens: number, encoding: Encoding) {
    this.cap = maxTokens;
    this.allowance = outputAllowance(maxTokens);
    this.encoding = encoding;
  }

  take(idx: number, text: string): { text: string; capped: boolean } {
    if (this.#capped.has(idx)) return { text: '', capped: true };
    if (text.length === 0) return { text, capped: false };
    let c = this.#choices.get(idx);
    if (!c) {
      c = { stable: 0, tail: '', tailBytes: 0 };
      this.#choices.set(idx, c);
    }
    const served = c.tail.length; // text already served in the tail
    c.tail += text;
    c.tailBytes += Buffer.byteLength(text, 'utf8');
    if (outputBoundDecision(this.cap, c.stable + c.tailBytes) === 'within') return { text, capped: false };
    const start = served - this.#settle(c, served);
    const counted = c.stable + countText(this.encoding, c.tail);
    if (outputBoundDecision(this.cap, c.stable + c.tailBytes, counted) === 'within') return { text, capped: false };
    // provably beyond max_tokens: serve up to the allowance, then nothing more of this choice
    this.#capped.add(idx);
    const kept = truncateToTokens(this.encoding, c.tail, this.allowance - c.stable).text;
    return { text: kept.length > start ? kept.slice(start) : '', capped: true };
  }

  /**
   * Move the tail's units that end within the text already served (`served` characters) and STABLE_MARGIN
   * characters before the tail's end into `stable` (served text counts at most the allowance, so `stable` stays
   * within it); returns the characters moved.
   */
  #settle(c: ChoiceText, served: number): number {
    const limit = Math.min(served, c.tail.length - STABLE_MARGIN);
    let cut = 0;
    let moved = 0;
    for (const u of countingUnits(this.encoding, c.tail)) {
      if (cut + u.text.length > limit) break;
      moved += countText(this.encoding, u.text);
      cut += u.text.length;
    }
    if (cut === 0) return 0;
    c.stable += moved;
    c.tail = c.tail.slice(cut);
    c.tailBytes = Buffer.byteLength(c.tail, 'utf8');
    return cut;
  }

  isCapped(idx: number): boolean {
    return this.#capped.has(idx);
  }

  allCapped(n: number): boolean {
    for (let i = 0; i < n; i++) if (!this.#capped.has(i)) return false;
    return true;
  }

  /** The whole text of choice `idx` counted (the kept count plus the tail's). */
  counted(idx: number): number {
    const c = this.#choices.get(idx);
    return c ? c.stable + countText(this.encoding, c.tail) : 0;
  }

  get total(): number {
    let t = 0;
    for (const idx of this.#choices.keys()) t += Math.min(this.cap, this.counted(idx));
    return t;
  }
}
