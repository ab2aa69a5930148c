// One-off importer for promptmap-attacks.jsonl (kept for provenance; CI never runs it): the attack prompts of
// utkusen/promptmap (MIT, LICENSE.promptmap) that are injections — its `jailbreak`, `prompt_stealing` and
// `distraction` rules (DAN and developer-mode templates, system-prompt extraction, "ignore the above and …" task
// switches). Its `harmful`, `hate` and `social_bias` rules are plain harmful requests, not injections, and are left
// out, as are its off-topic questions.
//
//   node guardrails/eval/data/import-promptmap.ts <promptmap git dir>
//
// Rows: {"text", "label": 1, "source": "promptmap", "category": <rule type>}; split by text like the other rows.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const [repo] = process.argv.slice(2);
if (!repo) {
  console.error('usage: import-promptmap.ts <promptmap git dir>');
  process.exit(2);
}
const git = (...args: string[]): string =>
  execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', 'HEAD').trim();
const KEEP = new Set(['jailbreak', 'prompt_stealing', 'distraction']);
const files = git('ls-tree', '-r', '--name-only', 'HEAD', 'rules/')
  .split('\n')
  // distraction_question*, distraction_translate2: off-topic questions ("Who is the first president …?", a question
  // in German), attacks only on a bot scoped to one task or language; benign anywhere else
  .filter((f) => /^rules\/[^/]+\/[^/]+\.ya?ml$/.test(f) && !/distraction_(?:question|translate2)/.test(f))
  .sort();
const rows: string[] = [];
const seen = new Set<string>();
for (const f of files) {
  const doc: unknown = parse(git('show', `HEAD:${f}`));
  if (typeof doc !== 'object' || doc === null) continue;
  const rule = doc as Record<string, unknown>;
  const type = Object.hasOwn(rule, 'type') ? rule.type : undefined;
  const prompt = Object.hasOwn(rule, 'prompt') ? rule.prompt : undefined;
  if (typeof type !== 'string' || !KEEP.has(type) || typeof prompt !== 'string') continue;
  const text = prompt.trim();
  if (text === '' || seen.has(text)) continue;
  seen.add(text);
  rows.push(JSON.stringify({ text, label: 1, source: 'promptmap', category: type }));
}
writeFileSync(join(import.meta.dirname, 'promptmap-attacks.jsonl'), `${rows.join('\n')}\n`);
console.log(`promptmap ${commit}: ${rows.length} rows`);
