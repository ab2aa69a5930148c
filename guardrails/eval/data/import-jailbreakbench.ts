// Importer for automated-jailbreak prompts from JailbreakBench/artifacts (MIT): the prompts that PAIR (an attacker
// LLM paraphrasing a harmful request into a persuasive scenario), GCG (an optimised adversarial suffix), DSN (same
// family, another loss) and prompt-with-random-search (a fixed template plus a random-search suffix) submitted to the
// benchmark's target models. These rows are NOT committed: the snapshot they come from is a local copy that this
// project does not redistribute. Run this against a git dir of the repository, and `guard eval` picks the output up
// as held-out sources (every row held out; the scorer is never tuned on them).
//
//   node guardrails/eval/data/import-jailbreakbench.ts <artifacts git dir> [out dir, default ../external]
//
// Rows: {"text", "label": 1, "source": "jbb-<method>", "category": <behavior>, "group": <model file>}
// Uses only git and Node's standard library, so it runs from any checkout, whatever node_modules holds.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [gitDir, outArg] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: import-jailbreakbench.ts <JailbreakBench/artifacts git dir> [out dir]');
  process.exit(2);
}
const out = outArg ?? join(import.meta.dirname, '..', 'external');
const git = (...args: string[]): string =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
const commit = git('rev-parse', 'HEAD').trim();

/** Method folder → source name; JBC (one fixed template ×100) and the test artifacts are left out. */
const METHODS: Record<string, string> = {
  PAIR: 'jbb-pair',
  GCG: 'jbb-gcg',
  DSN: 'jbb-dsn',
  prompt_with_random_search: 'jbb-random-search',
};

interface Artifact {
  jailbreaks: { prompt?: string | null; behavior?: string }[];
}
const rows: string[] = [];
const files = git('ls-tree', '-r', '--name-only', 'HEAD', 'attack-artifacts/')
  .split('\n')
  .filter((f) => /^attack-artifacts\/[^/]+\/[^/]+\/[^/]+\.json$/.test(f))
  .sort();
const seen = new Set<string>();
for (const f of files) {
  const source = METHODS[f.split('/')[1] as string];
  if (!source) continue;
  const a = JSON.parse(git('show', `HEAD:${f}`)) as Artifact;
  for (const j of a.jailbreaks) {
    if (typeof j.prompt !== 'string' || j.prompt.trim() === '' || seen.has(j.prompt)) continue;
    seen.add(j.prompt);
    const group = f.replace(/^attack-artifacts\//, '').replace(/\.json$/, '');
    rows.push(JSON.stringify({ text: j.prompt, label: 1, source, category: j.behavior ?? '', group }));
  }
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'jailbreakbench.jsonl'), rows.join('\n') + '\n');
writeFileSync(
  join(out, 'jailbreakbench.SOURCE.md'),
  `JailbreakBench/artifacts commit ${commit} (MIT, Copyright (c) 2024 JailbreakBench Team and artifacts authors).\n` +
    `Imported by guardrails/eval/data/import-jailbreakbench.ts; not redistributed by Tollgate.\n`,
);
console.log(`jailbreakbench.jsonl: ${rows.length} rows from ${commit}`);
