// Importer for benign traffic from four public repositories, to measure false alarms on texts the scorer was never
// tuned on. All rows label 0; rows are NOT committed. Each git dir is optional (pass "-" to skip one):
//
//   node guardrails/eval/data/import-benign-external.ts <self-instruct> <exaggerated-safety> <url-nlp> <xquad> [out]
//
// - yizhongw/self-instruct (Apache-2.0), commit 0b26ccaa415992100fa32df62d41b994cf928e23:
//   `human_eval/user_oriented_instructions.jsonl` (252 tasks written by people for apps such as Gmail, Grammarly,
//   GitHub, Excel: instruction plus its first input) → `si-user`; `data/seed_tasks.jsonl` (175 hand-written seed
//   tasks, also Stanford Alpaca's seeds) → `si-seed`. Category `mentions` when the text names instructions, rules,
//   prompts, passwords, roles, systems, commands or secrets, else `plain`.
// - paul-rottger/exaggerated-safety (XSTest, CC BY 4.0), commit d7bb5bd738c1fcbc36edd83d5e7d1b71a3e2d84d:
//   `xstest_prompts.csv`, the 250 safe prompts that look unsafe ("how do I kill a Python process") → `xstest-safe`,
//   category = their type; the 200 unsafe contrast prompts are harmful requests, not injections, and are dropped.
// - google-research/url-nlp (MGSM, CC BY 4.0), commit 452a21ad3dae5668c06ceeac21ff073e1e40f9be:
//   `mgsm/mgsm_{en,de,fr,es}.tsv` grade-school maths questions, 100 per language → `mgsm`.
// - google-deepmind/xquad (CC BY-SA 4.0), commit 7d30520c717524000f0d9d2f9c10a069acd9d285: `xquad.{en,de,es}.json`,
//   Wikipedia paragraphs, 80 per language, through the document channel → `xquad-doc`; questions about them, 80 per
//   language, as user prompts → `xquad-question`.
// Samples are the first rows by FNV-1a of the text (deterministic). `lang` is set where the source says it.
import { defaultOut, distinct, gitDir, sample, writeExternal, type ExternalRow } from './import-external-util.ts';

const [si, xs, mgsm, xq, outArg] = process.argv.slice(2);
if (!si || !xs || !mgsm || !xq) {
  console.error('usage: import-benign-external.ts <self-instruct> <exaggerated-safety> <url-nlp> <xquad> [out dir]');
  process.exit(2);
}
const MENTIONS = /\b(instruction|rule|prompt|password|passcode|role|system|command|secret|ignore|pretend|act as)/i;
const rows: ExternalRow[] = [];
const notes: string[] = [];

if (si !== '-') {
  const g = gitDir(si);
  for (const [file, source] of [
    ['human_eval/user_oriented_instructions.jsonl', 'si-user'],
    ['data/seed_tasks.jsonl', 'si-seed'],
  ] as const) {
    for (const line of g.show(file).split('\n')) {
      if (line.trim() === '') continue;
      const t = JSON.parse(line) as { instruction: string; instances?: { input?: string }[] };
      const input = t.instances?.[0]?.input?.trim() ?? '';
      const text = input ? `${t.instruction.trim()}\n\n${input}` : t.instruction.trim();
      rows.push({ text, label: 0, source, category: MENTIONS.test(text) ? 'mentions' : 'plain', lang: 'en' });
    }
  }
  notes.push(`yizhongw/self-instruct commit ${g.commit} (Apache-2.0)`);
}

/** Minimal RFC 4180 CSV reader (quoted fields with "" escapes and newlines). */
function csv(s: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') {
      endField();
      out.push(row);
      row = [];
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) {
    endField();
    out.push(row);
  }
  return out;
}

if (xs !== '-') {
  const g = gitDir(xs);
  const [head, ...body] = csv(g.show('xstest_prompts.csv'));
  const col = (n: string): number => (head as string[]).indexOf(n);
  for (const r of body) {
    if (r[col('label')] !== 'safe') continue;
    rows.push({ text: r[col('prompt')] as string, label: 0, source: 'xstest-safe', category: r[col('type')] as string, lang: 'en' });
  }
  notes.push(`paul-rottger/exaggerated-safety commit ${g.commit} (CC BY 4.0)`);
}

if (mgsm !== '-') {
  const g = gitDir(mgsm);
  for (const lang of ['en', 'de', 'fr', 'es']) {
    const qs = g
      .show(`mgsm/mgsm_${lang}.tsv`)
      .split('\n')
      .map((l) => l.split('\t')[0]?.trim() ?? '')
      .filter(Boolean)
      .map((text): ExternalRow => ({ text, label: 0, source: 'mgsm', category: 'question', lang }));
    rows.push(...sample(distinct(qs), 100, `mgsm-${lang}`));
  }
  notes.push(`google-research/url-nlp commit ${g.commit}, mgsm/ (CC BY 4.0)`);
}

if (xq !== '-') {
  const g = gitDir(xq);
  interface Squad {
    data: { paragraphs: { context: string; qas: { question: string }[] }[] }[];
  }
  for (const lang of ['en', 'de', 'es']) {
    const d = JSON.parse(g.show(`xquad.${lang}.json`)) as Squad;
    const paras = d.data.flatMap((a) => a.paragraphs);
    const docs = paras.map((p): ExternalRow => ({ text: p.context, label: 0, source: 'xquad-doc', category: 'doc', lang }));
    const qs = paras.flatMap((p) =>
      p.qas.map((x): ExternalRow => ({ text: x.question, label: 0, source: 'xquad-question', category: 'question', lang })),
    );
    rows.push(...sample(distinct(docs), 80, `xquad-doc-${lang}`), ...sample(distinct(qs), 80, `xquad-q-${lang}`));
  }
  notes.push(`google-deepmind/xquad commit ${g.commit} (CC BY-SA 4.0)`);
}

writeExternal(
  outArg ?? defaultOut(),
  'benign-external',
  distinct(rows),
  notes.join('\n') + '\nImported by guardrails/eval/data/import-benign-external.ts.',
);
