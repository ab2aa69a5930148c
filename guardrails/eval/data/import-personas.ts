// One-off importer for fabric-personas.jsonl (kept for provenance; CI never runs it): benign persona / system-prompt
// instructions from danielmiessler/fabric's prompt patterns (MIT, LICENSE.fabric), so that the learned injection
// family sees role-play and "you are an expert …" instructions that are NOT attacks.
//
//   node guardrails/eval/data/import-personas.ts <fabric git dir>
//
// Per pattern (data/patterns/<name>/system.md), three benign rows sharing `group` = the pattern name, so the
// held-out split (corpora.ts: FNV-1a of the group, odd = held out) keeps every form of one pattern on one side:
//   persona   the identity paragraph as written ("You are an expert at …"), a user prompt
//   act-as    the same paragraph with its opening "You are" rephrased as a role-play request ("Act as …", "Pretend to
//             be …", "I want you to act as …"; the verb chosen by the pattern name's hash), a user prompt
//   system-prompt  the whole system prompt (identity, steps, output instructions) pasted as a user prompt
//   quoted    the identity paragraph quoted in a prompt-library page (one of a few fixed wrappers), document channel
// (The whole system prompt as a retrieved document is left out on purpose: a document that tells its reader what to
// output, step by step, is what an indirect injection looks like, and flagging it there is the scorer's job.)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [fabric] = process.argv.slice(2);
if (!fabric) {
  console.error('usage: import-personas.ts <fabric git dir>');
  process.exit(2);
}
const git = (...args: string[]): string => execFileSync('git', ['--git-dir', fabric, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', 'HEAD').trim();
const files = git('ls-tree', '-r', '--name-only', 'HEAD', 'data/patterns/').split('\n').filter((f) => /^data\/patterns\/[^/]+\/system\.md$/.test(f)).sort();

const fnv = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
};
const WRAPPERS: ((name: string, id: string) => string)[] = [
  (n, id) => `Prompt library: ${n.replace(/_/g, ' ')}\n\n> ${id}\n\nPaste the prompt above into your assistant's system prompt, then send your input.`,
  (n, id) => `# ${n}\n\nThis pattern gives the model a role before it reads your input. Its identity section reads:\n\n"${id}"\n\nSee the pattern's README for examples.`,
  (n, id) => `Team wiki / AI prompts / ${n}\nOwner: docs team. Last reviewed: March.\nSystem prompt used by our internal assistant: ${id}\nQuestions about this prompt go to the #ai-tools channel.`,
];
const VERBS = ['Act as', 'I want you to act as', 'Please act as', 'Pretend to be', 'Play the role of', 'Take on the role of', 'Roleplay as', 'From now on, act as'];

/** The identity paragraph: the first paragraph under an IDENTITY heading, else the first one that says "You are". */
function identity(md: string): string | undefined {
  const paras = md.replace(/\r/g, '').split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== '');
  const h = paras.findIndex((p) => /^#+\s*identity/i.test(p));
  const after = h >= 0 ? paras.slice(h + 1).find((p) => !p.startsWith('#')) : undefined;
  const p = after ?? paras.find((x) => /^you are\b/i.test(x));
  return p === undefined ? undefined : p.replace(/\s+/g, ' ').slice(0, 800);
}

interface Row { text: string; label: 0; source: string; category: string; group: string }
const rows: Row[] = [];
for (const f of files) {
  const name = f.split('/')[2] as string;
  const md = git('show', `HEAD:${f}`).trim();
  if (md.length < 40) continue;
  const id = identity(md);
  if (id !== undefined && /^you are\b/i.test(id)) {
    rows.push({ text: id, label: 0, source: 'fabric-persona', category: 'persona', group: name });
    const verb = VERBS[fnv(name) % VERBS.length] as string;
    rows.push({ text: `${verb} ${id.replace(/^you are\s+/i, '')}`, label: 0, source: 'fabric-persona', category: 'act-as', group: name });
    const wrap = WRAPPERS[(fnv(name) >>> 8) % WRAPPERS.length] as (n: string, id: string) => string;
    rows.push({ text: wrap(name, id), label: 0, source: 'fabric-persona', category: 'quoted', group: name });
  }
  rows.push({ text: md, label: 0, source: 'fabric-persona', category: 'system-prompt', group: name });
}
writeFileSync(join(import.meta.dirname, 'fabric-personas.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`fabric-personas.jsonl: ${rows.length} rows from ${files.length} patterns (fabric commit ${commit})`);
