// How many UTS #39 look-alikes of each ASCII letter and digit a detection view folds to that letter (red team
// 2026-12-03, N4). The universe: every non-ASCII code point whose skeleton, combining marks removed, is one ASCII
// letter or digit (scripts/gen-confusables.ts bareSkeleton), whatever the table keeps; folded: guardrails/text.ts
// foldCodePoint, lower-cased, gives that character (the I/l/1 class of UTS #39 counts i or l).
//   node scripts/lookalike-sweep.ts CONFUSABLES(.txt|.json) [path/to/guardrails/text.ts]
// The optional text.ts is another checkout's (the fold before a change).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bareSkeleton, parseConfusables } from './gen-confusables.ts';

type Fold = (cp: number) => string;

const ALNUM = /^[A-Za-z0-9]$/;

/** Per lower-cased ASCII letter or digit: [look-alikes, folded to it]. */
export function sweep(proto: ReadonlyMap<string, string>, fold: Fold): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (let cp = 0x80; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    if (/^\p{M}$/u.test(ch)) continue;
    const t = bareSkeleton(ch, proto);
    if (!ALNUM.test(t)) continue;
    const key = t.toLowerCase();
    const f = fold(cp).toLowerCase();
    const hit = f === key || (key === 'l' && f === 'i');
    const row = out.get(key) ?? [0, 0];
    row[0]++;
    if (hit) row[1]++;
    out.set(key, row);
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  const [data, textTs] = argv;
  if (data === undefined) throw new Error('usage: node scripts/lookalike-sweep.ts CONFUSABLES [text.ts]');
  const mod = (await import(
    pathToFileURL(resolve(textTs ?? new URL('../guardrails/text.ts', import.meta.url).pathname)).href
  )) as { foldCodePoint: Fold };
  const rows = sweep(parseConfusables(readFileSync(data, 'utf8')), mod.foldCodePoint);
  let all = 0;
  let folded = 0;
  const keys = [...rows.keys()].sort();
  for (const k of keys) {
    const [n, f] = rows.get(k)!;
    all += n;
    folded += f;
    console.log(`${k}\t${f}/${n}`);
  }
  console.log(`all\t${folded}/${all}`);
  const probe = [0x1e30, 0x261, 0x57d].map((cp) => `U+${cp.toString(16).toUpperCase()} -> ${mod.foldCodePoint(cp)}`);
  console.log(probe.join('; '));
}

await main(process.argv.slice(2));
