// One-off importer for pap-persuasion.jsonl (kept for provenance; CI never runs it): the persuasive adversarial
// prompts (PAP) of CHATS-lab/persuasive_jailbreaker (Apache-2.0, LICENSE.pap) — the "Mutated Adversarial Prompt"
// in-context examples of `PAP_Better_Incontext_Sample/mutation_utils.py`: a harmful request rewritten with one
// persuasion technique (evidence, expert endorsement, authority, misrepresentation, logical appeal). They are how
// PAIR-style persuasion jailbreaks are written, which the signals catch least.
//
//   node guardrails/eval/data/import-pap.ts <persuasive_jailbreaker git dir>
//
// Rows: {"text", "label": 1, "source": "pap", "category": <technique>, "group": <original request>}: one request's
// rewrites are all tuning or all held out.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [repo] = process.argv.slice(2);
if (!repo) {
  console.error('usage: import-pap.ts <persuasive_jailbreaker git dir>');
  process.exit(2);
}
const git = (...args: string[]): string =>
  execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', 'HEAD').trim();
const src = git('show', 'HEAD:PAP_Better_Incontext_Sample/mutation_utils.py');
const rows: string[] = [];
const seen = new Set<string>();
let technique = '';
let original = '';
for (const line of src.split('\n')) {
  const t = /^"([A-Z][A-Za-z -]+)": """/.exec(line);
  if (t?.[1]) technique = t[1];
  const o = /^Original Adversarial Prompt: (.+)$/.exec(line);
  if (o?.[1]) original = o[1].trim();
  const m = /^Mutated Adversarial Prompt \(with the same harmful intention\): (.+)$/.exec(line);
  if (!m?.[1] || original === '') continue;
  const text = m[1].replace(/\\u2019/g, '’').replace(/\\"/g, '"').trim();
  if (text === '' || seen.has(text)) continue;
  seen.add(text);
  rows.push(JSON.stringify({ text, label: 1, source: 'pap', category: technique, group: original }));
}
writeFileSync(join(import.meta.dirname, 'pap-persuasion.jsonl'), `${rows.join('\n')}\n`);
console.log(`persuasive_jailbreaker ${commit}: ${rows.length} rows`);
