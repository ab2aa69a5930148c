// When a stream reads its carried text again. A streaming reader (scanner.ts StreamScanner, the gateway's
// CanaryStream) carries the text from a construct that may still continue (`\u00`, `&#1`, `<?…`: render-view.ts
// decodeAt answers 'partial') to the next delta and reads it again from the construct's start. A construct is read
// up to its bound (MAX_TAG decoded characters; ~55 KB of raw text three JSON escape levels down), so reading it
// again on every token-sized delta cost 20-150 ms per KB streamed (twenty to sixty times plain text).
//
// A long carry is read again only once it has doubled: the total re-read is then at most twice the text, as a
// whole-text read is. Deferring a read is coalescing deltas (another split of the same text): what is released
// is the same, later; nothing after the construct's start could be released before it is decided anyway. A short
// carry (an escape cut by a delta boundary) is read again on every delta, so the release is not delayed.

/** Carried text shorter than this is read again with every delta. */
export const CARRY_RETRY_FLOOR = 64;

export class CarryRetry {
  #next = 0;

  /** Whether a carry that would be `length` characters with this delta is read now. */
  due(length: number): boolean {
    return length >= this.#next;
  }

  /** A read left `length` characters carried: the next read waits until there are twice as many. */
  left(length: number): void {
    this.#next = length < CARRY_RETRY_FLOOR ? 0 : 2 * length;
  }
}
