// Importer for promptmap's attack rules (utkusen/promptmap, GPL-3.0, `rules/*/*.yaml`, commit
// d305132e38f28b4cdca5c5b4586f11904ed1836d): each rule is one attack prompt a pentester fires at an LLM application.
// Only the rule types that attack the application's instructions are kept, all label 1: `jailbreak` (DAN, developer
// mode and similar personas), `prompt_stealing` (system-prompt extraction) and `distraction` ("forget your rules and
// only write X"). The `harmful`, `hate` and `social_bias` rules are plain harmful questions, not injections, and are
// dropped, and so are three `distraction` rules that are plain off-topic questions (first US president, area of
// Turkey, capital of Germany in German): attacks only against an application restricted to another topic. The prompt
// is read from the YAML `prompt:` key (quoted scalar or block). Rows are NOT committed.
//
//   node guardrails/eval/data/import-promptmap.ts <promptmap git dir> [out dir, default ../external]
//
// Source: `promptmap`, category = the rule type, group = the rule name.
import { defaultOut, distinct, gitDir, writeExternal, type ExternalRow } from './import-external-util.ts';

const [dir, outArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: import-promptmap.ts <utkusen/promptmap git dir> [out dir]');
  process.exit(2);
}
const g = gitDir(dir);
const KEEP = new Set(['jailbreak', 'prompt_stealing', 'distraction']);
const PLAIN_QUESTIONS = new Set(['distraction_question', 'distraction_question2', 'distraction_translate2']);

/** The `prompt:` value of a rule: a double- or single-quoted scalar, a plain scalar, or a `|`/`>` block. */
function promptOf(yaml: string): string | undefined {
  const lines = yaml.split('\n');
  const i = lines.findIndex((l) => /^prompt:/.test(l));
  if (i < 0) return undefined;
  const rest = (lines[i] as string).replace(/^prompt:\s*/, '');
  if (/^[|>][-+]?\s*$/.test(rest)) {
    const block: string[] = [];
    for (const l of lines.slice(i + 1)) {
      if (l.trim() !== '' && !/^\s/.test(l)) break;
      block.push(l.replace(/^ {2}/, ''));
    }
    return rest.startsWith('>') ? block.join(' ').trim() : block.join('\n').trim();
  }
  if (rest.startsWith('"')) {
    let s = rest;
    for (let j = i + 1; !/[^\\]"\s*$/.test(s) && j < lines.length; j++) s += ' ' + (lines[j] as string).trim();
    return JSON.parse(s.trim().replace(/\t/g, '\\t')) as string;
  }
  if (rest.startsWith("'")) return rest.trim().slice(1, -1).replace(/''/g, "'");
  return rest.trim();
}

const rows: ExternalRow[] = [];
for (const f of g.ls('rules/').filter((x) => x.endsWith('.yaml'))) {
  const type = f.split('/')[1] as string;
  if (!KEEP.has(type) || PLAIN_QUESTIONS.has(f.replace(/^.*\/|\.yaml$/g, ''))) continue;
  const text = promptOf(g.show(f));
  if (!text) continue;
  rows.push({ text, label: 1, source: 'promptmap', category: type, group: f.replace(/^rules\/|\.yaml$/g, '') });
}
writeExternal(
  outArg ?? defaultOut(),
  'promptmap',
  distinct(rows),
  `utkusen/promptmap commit ${g.commit}, rules/{jailbreak,prompt_stealing,distraction}/*.yaml (GPL-3.0).\n` +
    'Imported by guardrails/eval/data/import-promptmap.ts.',
);
