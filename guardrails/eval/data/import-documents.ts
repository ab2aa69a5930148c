// Importer for benign documents as a model reads them in retrieval and tool use: project READMEs, which are full of
// imperatives, code to add "to your application", modes, commands to run — everything an injection scorer must not
// take for an injection. Not redistributed (each README keeps its project's licence): the rows go to ../external/ and
// `guard eval` reports them as the `readme` source, scored as documents and as JSON tool results, split by project
// (FNV-1a of the project name, odd = held out).
//
//   node guardrails/eval/data/import-documents.ts <dir> [<dir> …] [--out <dir>]
//
// Every <dir> is searched (depth ≤ 3) for README.md / README.markdown / README files; one per project directory,
// at most 64 KiB each. Any directory of checkouts works; nothing here depends on how a package manager lays them out.
// Rows: {"text", "label": 0, "source": "readme", "category": "doc", "group": <project dir name>}
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? (args[outAt + 1] as string) : join(import.meta.dirname, '..', 'external');
const roots = outAt < 0 ? args : args.filter((_, i) => i !== outAt && i !== outAt + 1);
if (roots.length === 0) {
  console.error('usage: import-documents.ts <dir> [<dir> …] [--out <dir>]');
  process.exit(2);
}
const NAMES = ['README.md', 'readme.md', 'README.markdown', 'README'];
const MAX = 64 * 1024;
const rows: string[] = [];
const seen = new Set<string>();

function visit(dir: string, root: string, depth: number): void {
  const readme = NAMES.map((n) => join(dir, n)).find((p) => existsSync(p) && statSync(p).isFile());
  if (readme && dir !== root) {
    const group = relative(root, dir) || basename(dir);
    const text = readFileSync(readme, 'utf8').slice(0, MAX);
    if (text.trim() !== '' && !seen.has(text)) {
      seen.add(text);
      rows.push(JSON.stringify({ text, label: 0, source: 'readme', category: 'doc', group }));
    }
  }
  if (depth >= 3) return;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)))
    if (e.isDirectory() && !e.name.startsWith('.')) visit(join(dir, e.name), root, depth + 1);
}
for (const r of roots) visit(r, r, 0);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'readmes.jsonl'), rows.join('\n') + '\n');
writeFileSync(
  join(out, 'readmes.SOURCE.md'),
  `READMEs of ${rows.length} projects found under ${roots.length} local directories by ` +
    `guardrails/eval/data/import-documents.ts; each keeps its project's licence; not redistributed by Tollgate.\n`,
);
console.log(`readmes.jsonl: ${rows.length} documents`);
