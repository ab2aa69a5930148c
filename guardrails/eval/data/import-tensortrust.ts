// Importer for the Tensor Trust benchmarks (HumanCompatibleAI/tensor-trust-data, commit
// e2385ea9cf448c9641b96e2e39f113ed4979a5b0; the repository carries no licence file, the data were published with the
// Tensor Trust paper for research; used here locally for evaluation only). Players of the Tensor Trust game wrote
// attacks against other players' defences (a pre-prompt guarding an access code): `hijacking-robustness` holds
// attacks that make the model say "Access Granted", `extraction-robustness` attacks that make it leak the pre-prompt
// or the access code. The row is the `attack` text alone (what a user would send); every row is label 1, the
// defences are not imported. 300 of each benchmark, the first by FNV-1a of the text (deterministic). Rows are NOT
// committed.
//
//   node guardrails/eval/data/import-tensortrust.ts <tensor-trust-data git dir> [out dir, default ../external]
//
// Sources: `tt-hijack`, `tt-extract`.
import { defaultOut, distinct, gitDir, sample, writeExternal, type ExternalRow } from './import-external-util.ts';

const [dir, outArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: import-tensortrust.ts <HumanCompatibleAI/tensor-trust-data git dir> [out dir]');
  process.exit(2);
}
const g = gitDir(dir);
const PER_SOURCE = 300;
const rows: ExternalRow[] = [];
for (const [file, source] of [
  ['benchmarks/hijacking-robustness/v1/hijacking_robustness_dataset.jsonl', 'tt-hijack'],
  ['benchmarks/extraction-robustness/v1/extraction_robustness_dataset.jsonl', 'tt-extract'],
] as const) {
  const all = distinct(
    g
      .show(file)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { attack: string })
      .map((a): ExternalRow => ({ text: a.attack, label: 1, source, category: source })),
  );
  rows.push(...sample(all, PER_SOURCE, source));
}
writeExternal(
  outArg ?? defaultOut(),
  'tensortrust',
  distinct(rows),
  `HumanCompatibleAI/tensor-trust-data commit ${g.commit} (no licence file; research data of the Tensor Trust paper).\n` +
    'Imported by guardrails/eval/data/import-tensortrust.ts.',
);
