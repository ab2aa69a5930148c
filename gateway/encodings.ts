// The BPE encodings the gateway estimates tokens with (LLMModel spec.tokenizer, compiled into the config),
// loaded lazily: an encoding's ranks (cl100k_base +11 MB heap / +23 MB RSS, o200k_base +21 / +54 MB) load
// the first time a model using it needs a count (not when the byte bound already decides), once per
// process — a gateway whose models all use one encoding never loads the other, and one that never needs an
// exact count loads none. The load is synchronous (~70 ms for cl100k_base, ~120 ms for o200k_base on the
// shared CI box) and happens on the first request that counts.
//
// Counting is gpt-tokenizer (pure JS, MIT); tiktoken is the reference it is proven identical to, for both
// encodings, in encodings.test.ts (one known exception, U+FEFF: see the gateway README). The split pattern
// is the encoder's own (gpt-tokenizer's constants), so the segmentation in tokens.ts cuts where it does.
import { createRequire } from 'node:module';
import type { GptEncoding } from 'gpt-tokenizer/GptEncoding';
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { DEFAULT_TOKENIZER, type Tokenizer } from '../api/v1alpha1/tokenizer.ts';

export type { Tokenizer };

/** Merge-cache entries per encoding: bounded memory (gpt-tokenizer's default, 100k, is tuned for batch jobs). */
const MERGE_CACHE_SIZE = 20_000;
const OPTS = { disallowedSpecial: new Set<string>() }; // "<|endoftext|>" in user text is just text

export interface Encoding {
  readonly name: Tokenizer;
  /** The encoder's pre-tokenizer pattern (global, unicode). */
  readonly split: RegExp;
  count(text: string): number;
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
}

const SPLIT: Readonly<Record<Tokenizer, RegExp>> = {
  cl100k_base: CL100K_TOKEN_SPLIT_REGEX,
  o200k_base: O200K_TOKEN_SPLIT_REGEX,
};

const require = createRequire(import.meta.url);
const loaded = new Set<Tokenizer>();

/**
 * gpt-tokenizer's `decode` runs one module-wide TextDecoder in streaming mode and never flushes it: the bytes of
 * a UTF-8 character cut by the token list (a truncated output) stay buffered and come out at the start of the
 * *next* decode — of any encoding, in another request. Every decode here flushes it right after: an incomplete
 * trailing character becomes U+FFFD in this result (which truncateToTokens drops) and nothing carries over.
 */
let sharedDecoder: { decode(): string } | undefined;
function flushSharedDecoder(): string {
  sharedDecoder ??= (require('gpt-tokenizer/BytePairEncodingCore') as { decoder: { decode(): string } }).decoder;
  return sharedDecoder.decode();
}

/** The ranks of `name`: loaded by the first count, encode or decode, never before. */
class LazyEncoding implements Encoding {
  readonly name: Tokenizer;
  readonly split: RegExp;
  #api: GptEncoding | undefined;

  constructor(name: Tokenizer) {
    this.name = name;
    this.split = new RegExp(SPLIT[name].source, SPLIT[name].flags);
  }

  get #enc(): GptEncoding {
    if (!this.#api) {
      // the module path is one of the enum's constants, never request data
      const api = (require(`gpt-tokenizer/encoding/${this.name}`) as { default: GptEncoding }).default;
      api.setMergeCacheSize(MERGE_CACHE_SIZE);
      this.#api = api;
      loaded.add(this.name);
    }
    return this.#api;
  }

  count(text: string): number {
    return this.#enc.countTokens(text, OPTS);
  }
  encode(text: string): number[] {
    return this.#enc.encode(text, OPTS);
  }
  decode(tokens: readonly number[]): string {
    const text = this.#enc.decode(tokens);
    return text + flushSharedDecoder();
  }
}

const handles = new Map<Tokenizer, Encoding>();

/** The encoding `name` (absent: the default, cl100k_base). Cheap: its ranks load on its first use. */
export function encodingFor(name: Tokenizer | undefined): Encoding {
  const n = name ?? DEFAULT_TOKENIZER;
  let e = handles.get(n);
  if (!e) {
    if (!Object.hasOwn(SPLIT, n)) throw new Error(`unknown tokenizer ${String(n).slice(0, 40)}`);
    e = new LazyEncoding(n);
    handles.set(n, e);
  }
  return e;
}

/** The encodings whose ranks are loaded so far (tests, diagnostics). */
export function loadedEncodings(): Tokenizer[] {
  return [...loaded];
}
