// MongoDB's kingfisher rules (Apache-2.0, kingfisher/LICENSE) as a second adopted ruleset, next to gitleaks.
// kingfisher/rules.json is upstream's data/rules/*.yml in JSON (shape only, import-kingfisher.ts); kingfisher/
// adoption.json is what the import decided per rule (adopted, or why not) and the compiled form of the adopted ones:
// the pattern in RE2 syntax (Rust's verbose mode `(?x)` has no RE2 equivalent: its whitespace and comments are
// removed, nothing else changes) and keywords derived from the pattern (literals.ts): kingfisher prefilters with
// Vectorscan and ships none, and a rule without a selective keyword costs every scan, so it is not adopted.
import { readFileSync } from 'node:fs';
import type { GitleaksRule } from './types.ts';

export interface KingfisherRule {
  id: string;
  name: string;
  pattern: string;
  min_entropy?: number;
  confidence?: string;
  visible?: boolean;
  examples: string[];
  negative_examples?: string[];
  references?: string[];
}

export interface KingfisherData {
  source: { project: string; license: string; commit: string; version: string; path: string };
  rules: KingfisherRule[];
}

export type AdoptionStatus =
  | 'adopted'
  | 'superseded'
  | 'not-a-secret'
  | 'no-keyword'
  | 'common-keyword'
  | 'examples-not-matched'
  | 'not-pooled'
  | 'touches-lookalike'
  | 'not-compiled';

export interface Adoption {
  /** kingfisher's rule id. */
  upstream: string;
  /** Tollgate's id for the rule (its finding name). */
  id: string;
  status: AdoptionStatus;
  reason?: string;
  regex?: string;
  keywords?: string[];
  entropy?: number;
}

/**
 * The pattern without Rust's verbose-mode syntax: with the `x` flag, unescaped whitespace (also inside classes, as
 * in Rust's regex) and `#` comments to the end of the line are not part of the pattern. The flag is removed from
 * flag groups; `\ ` becomes a space. Patterns without the flag are returned unchanged.
 */
export function stripVerbose(p: string): string {
  if (!/\(\?[a-zA-Z]*x[a-zA-Z]*[):]/.test(p)) return p;
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '\\') {
      const e = p[i + 1] ?? '';
      out += e === ' ' ? ' ' : e === '#' ? '#' : c + e;
      i++;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i);
        out += p.slice(i, end + 2);
        i = end + 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '#') {
      while (i < p.length && p[i] !== '\n') i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a `]` (or `^]`) first in a class is a literal
      let j = i + 1;
      while (j < p.length && /\s/.test(p[j] as string)) j++;
      if (p[j] === '^') {
        out += '^';
        j++;
        while (j < p.length && /\s/.test(p[j] as string)) j++;
      }
      if (p[j] === ']') {
        out += ']';
        j++;
      }
      i = j - 1;
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const m = /^\(\?([a-zA-Z-]*)([):])/.exec(p.slice(i));
      if (m) {
        const flags = (m[1] as string).replace(/x/g, '');
        i += m[0].length - 1;
        if (m[2] === ')') {
          if (flags !== '' && flags !== '-') out += `(?${flags})`;
        } else out += flags === '' || flags === '-' ? '(?:' : `(?${flags}:`;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** A rule id from kingfisher's rule name: lower-case words joined by dashes. */
export const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const DATA = new URL('./kingfisher/', import.meta.url);

export function loadKingfisherData(): KingfisherData {
  return JSON.parse(readFileSync(new URL('rules.json', DATA), 'utf8')) as KingfisherData;
}

export function loadAdoption(): Adoption[] {
  return JSON.parse(readFileSync(new URL('adoption.json', DATA), 'utf8')) as Adoption[];
}

/** The adopted kingfisher rules, in the shape the ruleset compiler takes. */
export function kingfisherRules(adoption: readonly Adoption[] = loadAdoption()): GitleaksRule[] {
  return adoption
    .filter((a) => a.status === 'adopted')
    .map((a) => ({
      id: a.id,
      description: `kingfisher ${a.upstream}`,
      regex: a.regex as string,
      keywords: a.keywords ?? [],
      ...(a.entropy !== undefined ? { entropy: a.entropy } : {}),
      allowlists: [],
    }));
}
