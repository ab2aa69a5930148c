// Prompt-injection scorer latency: p50/p99 milliseconds per KB of scored text, over the public corpora's texts
// (guardrails/eval/data) cut or tiled to 0.25, 1, 4 and 16 KB, each text scored as a user prompt and as a tool result.
// A script that prints figures (run it on a quiet machine): `node bench/injection-latency.ts [--no-learned]`.
import { setLearnedModel } from '../guardrails/injection-model.ts';
import { scoreRequest, scoreText } from '../guardrails/injection.ts';
import { loadPublicCorpora } from '../guardrails/eval/corpora.ts';
import { asToolResult } from '../guardrails/eval/injection-derived.ts';

if (process.argv.includes('--no-learned')) setLearnedModel(null);
const texts = loadPublicCorpora().map((r) => r.text);
const sized = (t: string, n: number): string =>
  t.length >= n ? t.slice(0, n) : t.repeat(Math.ceil(n / t.length)).slice(0, n);
const pctl = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
};
for (const t of texts.slice(0, 50)) scoreText(t); // warm-up
for (const kb of [0.25, 1, 4, 16]) {
  const n = Math.round(kb * 1024);
  const sample = texts.filter((_, i) => i % Math.max(1, Math.round(kb * 4)) === 0).slice(0, 600);
  const user: number[] = [];
  const tool: number[] = [];
  for (const t of sample) {
    const x = sized(t, n);
    let t0 = performance.now();
    scoreText(x, 'user');
    user.push((performance.now() - t0) / kb);
    const body = { messages: [{ role: 'tool', tool_call_id: 'c', content: asToolResult(x) }] };
    t0 = performance.now();
    scoreRequest(body);
    tool.push((performance.now() - t0) / kb);
  }
  console.log(
    `${String(kb).padStart(5)} KB x ${sample.length}: user p50 ${pctl(user, 0.5).toFixed(3)} p99 ${pctl(user, 0.99).toFixed(3)} ms/KB; tool result p50 ${pctl(tool, 0.5).toFixed(3)} p99 ${pctl(tool, 0.99).toFixed(3)} ms/KB`,
  );
}
