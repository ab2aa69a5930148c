// The BPE encoding the gateway estimates a model's tokens with before inference (LLMModel spec.tokenizer).
// Settlement uses the engine's own `usage`; the estimate only has to be close (reservations, limits, the
// output cap when an engine reports nothing). The encodings are tiktoken's, counted by gpt-tokenizer in the
// gateway and proven identical to tiktoken in gateway/encodings.test.ts.
import { z } from 'zod';

export const TOKENIZERS = ['cl100k_base', 'o200k_base'] as const;
export const Tokenizer = z.enum(TOKENIZERS);
export type Tokenizer = z.infer<typeof Tokenizer>;

/** What an LLMModel without spec.tokenizer is estimated with when no family rule matches. */
export const DEFAULT_TOKENIZER: Tokenizer = 'cl100k_base';

/**
 * Model families whose encoding is known, matched (case-insensitively) against the served name and the
 * model source (Hugging Face repo, Ollama name, OCI reference). First match wins. Chosen by measurement
 * against each family's own tokenizer and chat template (e2e/engines/token-families.ts, figures in
 * e2e/engines/README.md):
 * - gpt-oss ships the o200k_base vocabulary (its "harmony" encoding is o200k_base plus special tokens):
 *   identical counts on ordinary text;
 * - DeepSeek V3/R1's 128k vocabulary is much closer to o200k_base (mean error 9% vs 25% with cl100k_base).
 * Llama 3's vocabulary extends cl100k_base, and Qwen's is as close to either: they keep the default.
 */
export const TOKENIZER_FAMILIES: readonly { readonly family: RegExp; readonly tokenizer: Tokenizer }[] = [
  { family: /gpt-oss/i, tokenizer: 'o200k_base' },
  { family: /deepseek/i, tokenizer: 'o200k_base' },
];

export interface TokenizerHints {
  readonly tokenizer?: Tokenizer | undefined;
  readonly servedName: string;
  readonly model: {
    readonly huggingface?: { readonly repo: string } | undefined;
    readonly ollama?: { readonly name: string } | undefined;
    readonly oci?: { readonly reference: string } | undefined;
  };
}

/** The encoding in force for a model: spec.tokenizer when set, else the family's, else cl100k_base. Pure. */
export function tokenizerFor(spec: TokenizerHints): Tokenizer {
  if (spec.tokenizer !== undefined) return spec.tokenizer;
  const names = [spec.servedName, spec.model.huggingface?.repo, spec.model.ollama?.name, spec.model.oci?.reference];
  for (const { family, tokenizer } of TOKENIZER_FAMILIES)
    if (names.some((n) => n !== undefined && family.test(n))) return tokenizer;
  return DEFAULT_TOKENIZER;
}
