// Token counting with the tiktoken cl100k_base encoding (gpt-tokenizer: a pure-JS port, ~10x faster and
// lighter than the WASM build). Self-hosted models use other tokenizers, so this is an estimate used for
// limits and reservations; settlement uses the upstream's reported usage.
//
// Cheap bound first: a BPE token covers at least one UTF-8 byte, so `bytes` is an upper bound on tokens.
// When that bound already decides (input limit check, or no control needs the number) the exact count is
// skipped; `isWithinTokenLimit` stops encoding as soon as a limit is crossed.
import { countTokens, isWithinTokenLimit, setMergeCacheSize } from 'gpt-tokenizer/encoding/cl100k_base';

setMergeCacheSize(20_000); // bounded memory; the default (100k entries) is tuned for batch jobs
const OPTS = { disallowedSpecial: new Set<string>() }; // "<|endoftext|>" in user text is just text

/** Tokens OpenAI adds per chat message (role, separators) and for the reply priming. */
export const PER_MESSAGE_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;
/** Estimate for a non-text part (image, audio): reserved, then corrected by the upstream usage. */
export const MEDIA_PART_TOKENS = 512;

/** The countable input of a request: texts plus a fixed overhead (message framing, media parts, token-id inputs). */
export interface InputText {
  readonly texts: readonly string[];
  readonly overhead: number;
}

export function upperBound(input: InputText): number {
  let n = input.overhead;
  for (const t of input.texts) n += Buffer.byteLength(t, 'utf8');
  return n;
}

export function exactCount(input: InputText): number {
  let n = input.overhead;
  for (const t of input.texts) if (t.length > 0) n += countTokens(t, OPTS);
  return n;
}

/**
 * Input tokens, exact only when needed: returns `{ tokens, exact }`. With `needExact` false and a limit
 * the bound already satisfies, no encoding happens. Returns tokens > limit (not necessarily exact) when
 * the limit is exceeded.
 */
export function countInput(input: InputText, limit: number | undefined, needExact: boolean): { tokens: number; exact: boolean } {
  const bound = upperBound(input);
  if (!needExact && (limit === undefined || bound <= limit)) return { tokens: bound, exact: false };
  if (limit !== undefined && !needExact) {
    let n = input.overhead;
    for (const t of input.texts) {
      const r = t.length === 0 ? 0 : isWithinTokenLimit(t, limit - n, OPTS);
      if (r === false) return { tokens: limit + 1, exact: false };
      n += r;
    }
    return { tokens: n, exact: true };
  }
  return { tokens: exactCount(input), exact: true };
}

export function countText(text: string): number {
  return text.length === 0 ? 0 : countTokens(text, OPTS);
}
