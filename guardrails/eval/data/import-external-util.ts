// Shared by the importers of sources Tollgate does not redistribute (import-cyberseceval.ts, import-tensortrust.ts,
// import-promptmap.ts, import-benign-external.ts): read a fetched repository's git dir, sample deterministically, and
// write the rows (and a SOURCE note with the commit and licence) into eval/external/, which is git-ignored. Every row
// there is held out whole by `guard eval` (corpora.ts loadExternalCorpora). Git and Node's standard library only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fnv1a } from '../corpora.ts';

export interface ExternalRow {
  text: string;
  label: 0 | 1;
  source: string;
  /** `doc` sends the row through the document channel (public-injection.ts channelOf); else the user channel. */
  category: string;
  group?: string;
  lang?: string;
}

export interface GitDir {
  commit: string;
  show: (path: string, rev?: string) => string;
  ls: (under: string, rev?: string) => string[];
}

export function gitDir(dir: string): GitDir {
  const git = (...args: string[]): string =>
    execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return {
    commit: git('rev-parse', 'HEAD').trim(),
    show: (path, rev = 'HEAD') => git('show', `${rev}:${path}`),
    ls: (under, rev = 'HEAD') => git('ls-tree', '-r', '--name-only', rev, under).split('\n').filter(Boolean),
  };
}

/** The first `n` rows by FNV-1a of "salt|text": deterministic, independent of the file's order. */
export function sample<T extends { text: string }>(rows: readonly T[], n: number, salt = ''): T[] {
  return [...rows]
    .map((r) => ({ r, h: fnv1a(`${salt}|${r.text}`) }))
    .sort((a, b) => a.h - b.h || (a.r.text < b.r.text ? -1 : 1))
    .slice(0, n)
    .map((x) => x.r);
}

/** Drops empty rows and repeated texts (first kept). */
export function distinct<T extends { text: string }>(rows: readonly T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const t = r.text.trim();
    if (t === '' || seen.has(t)) return false;
    seen.add(t);
    return true;
  });
}

export function writeExternal(out: string, name: string, rows: readonly ExternalRow[], note: string): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(out, `${name}.SOURCE.md`), note + '\nNot redistributed by Tollgate.\n');
  const bySource = new Map<string, [number, number]>();
  for (const r of rows) {
    const c = bySource.get(r.source) ?? [0, 0];
    c[r.label]++;
    bySource.set(r.source, c);
  }
  for (const [s, [neg, pos]] of bySource) console.log(`${name}.jsonl ${s}: ${pos} injections, ${neg} benign`);
}

export const defaultOut = (): string => join(import.meta.dirname, '..', 'external');
