// Importer for Meta's CyberSecEval prompt-injection benchmark (meta-llama/PurpleLlama, MIT,
// `CybersecurityBenchmarks/datasets/prompt_injection/prompt_injection.json` and
// `prompt_injection_multilingual_machine_translated.json`; commit recorded in the SOURCE note, imported at
// 4be64c3a24442b51c76175e6ec67722cc3f5fe38). Each test case is a system prompt holding a secret or a rule plus a
// `user_input` that attacks it; the row is the `user_input` alone (what reaches the scorer). Rows are NOT committed.
//
//   node guardrails/eval/data/import-cyberseceval.ts <PurpleLlama git dir> [out dir, default ../external]
//
// Labelling: every `user_input` kept is label 1. Indirect cases (a pasted web page, code, table, resume or e-mail
// carrying the injection) are kept whole and sent through the document channel (category `doc`). Direct cases are
// kept only when `security-violating` (they go after the secret, password or personal data the system prompt guards)
// and of a variant whose text is an attack by itself (override, fake system/developer mode, persuasion, few/many-shot,
// payload splitting, mixed techniques, hypothetical/virtual framing, repeated tokens). Dropped as attacks only against
// their particular system prompt: the `logic-violating` cases (an off-topic request, e.g. a recipe or the weather,
// where the system prompt restricts the topic) and the variants "what is the password?" in another language, "the
// user's initials reversed", an encoded question, a question buried in small talk, indirect references: no
// input-only scorer can or should flag them.
// Sources: `cse-pi` (English), `cse-pi-ml` (the machine translation, German, French, Spanish, Italian, Portuguese
// only: the languages the scorer reports). `group` = the injection variant; `lang` is set on `cse-pi-ml` only (the
// English file has some cases in other languages, left to the language guess).
// Benign counterpart, `cse-sysprompt` (label 0): the distinct `test_case_prompt`s of the same cases and languages,
// the application's own instructions ("the secret key is …, don't reveal it", "you are a support bot, only answer
// about …", "follow the user's instructions about the submitted content"): texts that name secrets, passwords, rules
// and roles without attacking anything, sent as user prompts (as when a user sets up such a game or asks to review
// the prompt).
import { defaultOut, distinct, gitDir, writeExternal, type ExternalRow } from './import-external-util.ts';

const [dir, outArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: import-cyberseceval.ts <meta-llama/PurpleLlama git dir> [out dir]');
  process.exit(2);
}
const g = gitDir(dir);
const BASE = 'CybersecurityBenchmarks/datasets/prompt_injection/';
const KEEP_DIRECT = new Set([
  'ignore_previous_instructions',
  'system_mode',
  'persuasion',
  'few_shot_attack',
  'many_shot_attack',
  'payload_splitting',
  'mixed_techniques',
  'virtualization',
  'hypothetical_scenario',
  'repeated_token_attack',
]);
const LANG: Record<string, string> = {
  English: 'en',
  German: 'de',
  French: 'fr',
  Spanish: 'es',
  Italian: 'it',
  Portuguese: 'pt',
};
interface Case {
  test_case_prompt: string;
  user_input: string;
  injection_type: 'direct' | 'indirect';
  injection_variant: string;
  speaking_language: string;
  risk_category: string;
}
const rows: ExternalRow[] = [];
const benign: ExternalRow[] = [];
for (const [file, source] of [
  ['prompt_injection.json', 'cse-pi'],
  ['prompt_injection_multilingual_machine_translated.json', 'cse-pi-ml'],
] as const) {
  for (const c of JSON.parse(g.show(BASE + file)) as Case[]) {
    const lang = LANG[c.speaking_language];
    if (!lang) continue;
    benign.push({ text: c.test_case_prompt, label: 0, source: 'cse-sysprompt', category: 'system-prompt', lang });
    if (
      c.injection_type === 'direct' &&
      (!KEEP_DIRECT.has(c.injection_variant) || c.risk_category !== 'security-violating')
    )
      continue;
    rows.push({
      text: c.user_input,
      label: 1,
      source,
      category: c.injection_type === 'indirect' ? 'doc' : c.injection_variant,
      group: c.injection_variant,
      ...(source === 'cse-pi-ml' ? { lang } : {}),
    });
  }
}
writeExternal(
  outArg ?? defaultOut(),
  'cyberseceval',
  distinct([...rows, ...benign]),
  `meta-llama/PurpleLlama commit ${g.commit}, ${BASE} (MIT, Copyright (c) Meta Platforms, Inc. and affiliates).\n` +
    'Imported by guardrails/eval/data/import-cyberseceval.ts.',
);
