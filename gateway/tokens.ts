// Token counting with a tiktoken encoding (cl100k_base or o200k_base, the model's LLMModel spec.tokenizer;
// gateway/encodings.ts loads each lazily). Self-hosted models use other tokenizers, so this is an estimate
// used for limits and reservations; settlement uses the upstream's reported usage.
//
// Admission cost is linear in the input and bounded (issue #10, item 1):
// - `bytes` is a proven upper bound on tokens (every BPE token covers at least one UTF-8 byte). When the
//   bound already decides (the input limit is not reached, no control needs the number) nothing is encoded.
// - Counting stops as soon as the answer is known: at `limit + 1`.
// - BPE is superlinear in the length of one pre-tokenizer piece (a 40,000-character run of one letter, one
//   punctuation mark or one CJK character takes seconds). The text is cut into *segments* at the
//   boundaries of the encoding's pre-tokenizer itself (its own split regex), only where the character before
//   the cut is not whitespace — so encoding the segments one by one gives exactly the tokens of encoding
//   the whole text (the patterns have no lookbehind, and their lookahead and `$` apply to whitespace pieces
//   only, which cannot end at such a cut). A piece longer than MAX_PIECE_CHARS (pathological: no
//   natural-language word is that long) is counted in chunks of MAX_PIECE_CHARS characters: an estimate for
//   that piece only, still <= its byte length. Everything else is exact (tokens.test.ts: against the
//   unbounded count on a corpus; encodings.test.ts: against tiktoken, cut at every possible place).
// - Work is done in slices of SLICE_CHARS characters and the async counters yield to the event loop
//   between slices, so one huge input cannot hold the loop for more than a slice.
import type { Encoding } from './encodings.ts';

export type { Encoding };

/** Tokens OpenAI adds per chat message (role, separators) and for the reply priming. */
export const PER_MESSAGE_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;
/** Longest pre-tokenizer piece encoded whole; longer pieces are counted in chunks of this size. */
export const MAX_PIECE_CHARS = 128;
/** Characters encoded between two yields to the event loop (async counters). */
export const SLICE_CHARS = 4096;
/** Segments are grouped up to about this many characters per encoder call (fewer calls, same result). */
const SEGMENT_CHARS = 1024;

/** The countable input of a request: texts plus a fixed overhead (message framing, media parts, token-id inputs). */
export interface InputText {
  readonly texts: readonly string[];
  readonly overhead: number;
  /** The part of `overhead` that is not counted from text (media part estimates, token ids); absent: 0. */
  readonly nonText?: number;
  /** Image and audio parts (their estimates are the whole nonText: a request has media or token ids, not both); absent: 0. */
  readonly mediaParts?: number;
}

export function upperBound(input: InputText): number {
  let n = input.overhead;
  for (const t of input.texts) n += Buffer.byteLength(t, 'utf8');
  return n;
}

const isWs = (c: number): boolean =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0x85 ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;

/** The split regex runs over windows of this many characters, so no single regex call scans a whole run. */
const WINDOW_CHARS = 64 * MAX_PIECE_CHARS;

/**
 * Units of work for `text`, in order: `{ text, whole }` segments encoded as they are (their tokens equal
 * those of the same span inside the whole text), and chunks of over-long pieces (`whole: false`).
 * Pure and linear: the split regex runs over bounded windows. A piece that ends before its window's end is
 * exactly the piece of the whole text (the pattern has no lookbehind; its `$` and lookahead can only make a
 * difference at the window's end); a piece touching the window's end is scanned again from its start in the
 * next window; a piece filling a whole window is over-long by definition and is chunked.
 */
export function* countingUnits(
  enc: Encoding,
  text: string,
  maxPiece = MAX_PIECE_CHARS,
  segmentChars = SEGMENT_CHARS,
  windowChars = WINDOW_CHARS,
): Generator<{ text: string; whole: boolean }> {
  if (isOneUnit(text, maxPiece, segmentChars, windowChars)) {
    if (text.length > 0) yield { text, whole: true };
    return;
  }
  yield* scanUnits(enc, text, maxPiece, segmentChars, windowChars);
}

/** @internal countingUnits without its one-unit shortcut (tokens.test.ts proves the shortcut exact). */
export function* scanUnits(
  enc: Encoding,
  text: string,
  maxPiece = MAX_PIECE_CHARS,
  segmentChars = SEGMENT_CHARS,
  windowChars = WINDOW_CHARS,
): Generator<{ text: string; whole: boolean }> {
  let segStart = 0; // start of the segment being grouped
  let lastSafe = 0; // last cut position inside it (a piece boundary after a non-whitespace character)
  const re = new RegExp(enc.split.source, enc.split.flags);
  const chunks = function* (from: number, to: number): Generator<{ text: string; whole: boolean }> {
    for (let i = from; i < to;) {
      let j = Math.min(to, i + maxPiece);
      if (j < to && isHighSurrogate(text.charCodeAt(j - 1))) j--; // never split a surrogate pair
      yield { text: text.slice(i, j), whole: false };
      i = j;
    }
  };
  let pos = 0;
  while (pos < text.length) {
    const winEnd = Math.min(text.length, pos + windowChars);
    const last = winEnd === text.length;
    const win = text.slice(pos, winEnd);
    re.lastIndex = 0;
    let next = winEnd; // where the next window starts
    for (let m = re.exec(win); m !== null; m = re.exec(win)) {
      const start = pos + m.index;
      const end = start + m[0].length;
      if (start > 0 && !isWs(text.charCodeAt(start - 1))) lastSafe = start;
      if (end >= winEnd && !last) {
        if (start > pos) {
          next = start; // not trusted: scan it again from its start
          break;
        }
        // one piece fills the whole window: over-long, chunk this window's part of it
        if (lastSafe === start) {
          if (start > segStart) yield { text: text.slice(segStart, start), whole: true };
          yield* chunks(start, winEnd);
        } else {
          if (lastSafe > segStart) yield { text: text.slice(segStart, lastSafe), whole: true };
          yield* chunks(lastSafe, winEnd);
        }
        segStart = winEnd;
        lastSafe = winEnd;
        next = winEnd;
        break;
      }
      if (end - start > maxPiece) {
        if (lastSafe === start) {
          if (start > segStart) yield { text: text.slice(segStart, start), whole: true };
          yield* chunks(start, end);
        } else {
          // a long whitespace-led piece after whitespace: cut the group at the last safe point, chunk the rest
          if (lastSafe > segStart) yield { text: text.slice(segStart, lastSafe), whole: true };
          yield* chunks(lastSafe, end);
        }
        segStart = end;
        lastSafe = end;
        continue;
      }
      if (end - segStart >= segmentChars && lastSafe > segStart) {
        yield { text: text.slice(segStart, lastSafe), whole: true };
        segStart = lastSafe;
      }
    }
    pos = next;
  }
  if (segStart < text.length) yield { text: text.slice(segStart), whole: true };
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/**
 * A text no longer than a piece may be, shorter than a segment and within one window is one whole unit: no
 * piece of it can be over-long and no segment boundary can fall inside it, so the scan would yield exactly
 * `{ text, whole: true }` (countingUnits skips it; the counters below skip the generator too). Most texts a
 * request carries (a chat message, a completion of a few dozen tokens) are such.
 */
function isOneUnit(
  text: string,
  maxPiece = MAX_PIECE_CHARS,
  segmentChars = SEGMENT_CHARS,
  windowChars = WINDOW_CHARS,
): boolean {
  return text.length <= maxPiece && text.length < segmentChars && text.length <= windowChars;
}

function unitTokens(enc: Encoding, u: { text: string }): number {
  return u.text.length === 0 ? 0 : enc.count(u.text);
}

/**
 * Counting state over an input: `step(maxChars)` encodes about `maxChars` more characters and returns the
 * running count; `done` when every text is counted. Pure CPU, no I/O: the async wrappers slice it.
 */
export class TokenCounter {
  count: number;
  done = false;
  /** Some over-long piece was counted in chunks (the count is an estimate, still <= the byte bound). */
  estimated = false;
  readonly #enc: Encoding;
  readonly #texts: readonly string[];
  #ti = 0;
  #units: Generator<{ text: string; whole: boolean }> | undefined;

  constructor(enc: Encoding, input: InputText) {
    this.#enc = enc;
    this.count = input.overhead;
    this.#texts = input.texts;
  }

  step(maxChars: number): number {
    let budget = maxChars;
    while (budget > 0) {
      if (!this.#units) {
        if (this.#ti >= this.#texts.length) {
          this.done = true;
          return this.count;
        }
        const t = this.#texts[this.#ti++]!;
        if (isOneUnit(t)) {
          this.count += unitTokens(this.#enc, { text: t });
          budget -= t.length;
          continue;
        }
        this.#units = countingUnits(this.#enc, t);
      }
      const r = this.#units.next();
      if (r.done) {
        this.#units = undefined;
        continue;
      }
      if (!r.value.whole) this.estimated = true;
      this.count += unitTokens(this.#enc, r.value);
      budget -= r.value.text.length;
    }
    return this.count;
  }
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Count `input`, stopping once the count exceeds `limit`; yields to the event loop between slices. */
export async function countUpTo(
  enc: Encoding,
  input: InputText,
  limit: number,
): Promise<{ tokens: number; exact: boolean }> {
  const c = new TokenCounter(enc, input);
  for (;;) {
    c.step(SLICE_CHARS);
    if (c.count > limit) return { tokens: c.count, exact: false };
    if (c.done) return { tokens: c.count, exact: !c.estimated };
    await yieldToLoop();
  }
}

/** The whole count (sliced, yielding). */
export function countAll(enc: Encoding, input: InputText): Promise<{ tokens: number; exact: boolean }> {
  return countUpTo(enc, input, Infinity);
}

/** Synchronous count of a short text (output deltas, tests); same segmentation, no yields. */
export function countText(enc: Encoding, text: string): number {
  const c = new TokenCounter(enc, { texts: [text], overhead: 0 });
  while (!c.done) c.step(1 << 30);
  return c.count;
}

/**
 * Input tokens, exact only when needed: returns `{ tokens, exact }`. With `needExact` false and a limit
 * the byte bound already satisfies, no encoding happens. Counting stops at `limit + 1` (the result is then
 * > limit, not necessarily exact). Work is sliced and yields to the event loop.
 */
export async function countInput(
  enc: Encoding,
  input: InputText,
  limit: number | undefined,
  needExact: boolean,
): Promise<{ tokens: number; exact: boolean }> {
  const bound = upperBound(input);
  if (limit !== undefined && bound <= limit && !needExact) return { tokens: bound, exact: false };
  if (limit === undefined && !needExact) return { tokens: bound, exact: false };
  return countUpTo(enc, input, limit ?? Infinity);
}

/**
 * `text` cut to at most `cap` tokens (same segmentation as the counters, so it is linear and stops at the
 * cap): `{ text, tokens, truncated }`. The cut falls on a token boundary; a dangling partial UTF-8
 * character at the cut is dropped.
 */
export function truncateToTokens(
  enc: Encoding,
  text: string,
  cap: number,
): { text: string; tokens: number; truncated: boolean } {
  if (isOneUnit(text)) return truncateOneUnit(enc, text, cap);
  let tokens = 0;
  let out = '';
  for (const u of countingUnits(enc, text)) {
    const k = unitTokens(enc, u);
    if (tokens + k <= cap) {
      tokens += k;
      out += u.text;
      continue;
    }
    const room = cap - tokens;
    if (room > 0) {
      const part = enc.decode(enc.encode(u.text).slice(0, room)).replace(/\uFFFD+$/, '');
      out += part;
      tokens += room;
    }
    return { text: out, tokens, truncated: true };
  }
  return { text, tokens, truncated: false };
}

/**
 * truncateToTokens of a one-unit text (isOneUnit): encoded once, its token ids are both its count and, over the
 * cap, its cut (the count and the encoding agree: encodings.test.ts).
 */
function truncateOneUnit(
  enc: Encoding,
  text: string,
  cap: number,
): { text: string; tokens: number; truncated: boolean } {
  const ids = text.length === 0 ? [] : enc.encode(text);
  if (ids.length <= cap) return { text, tokens: ids.length, truncated: false };
  if (cap <= 0) return { text: '', tokens: 0, truncated: true };
  return { text: enc.decode(ids.slice(0, cap)).replace(/\uFFFD+$/, ''), tokens: cap, truncated: true };
}
