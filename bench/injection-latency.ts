// Prompt-injection scorer latency: p50/p99 milliseconds per KB of scored text, over the public corpora's texts
// (guardrails/eval/data) cut or tiled to 0.25, 1, 4 and 16 KB, each text scored as a user prompt and as a tool result.
// Each text is scored three times and its fastest run kept, so the figures are the scorer's cost rather than the
// machine's scheduling noise (on a shared machine single runs stall for milliseconds). A script that prints figures:
// `node bench/injection-latency.ts [--no-learned] [--shapes]`; --shapes: adversarial shapes of text (runs of letters
// and digits, base64/hex-like, escapes, spaced letters, many short lines …) at 64 KiB and 1,023 KiB, ms per KB each.
import { setLearnedModel } from '../guardrails/injection-model.ts';
import { scoreRequest, scoreText } from '../guardrails/injection.ts';
import { loadPublicCorpora } from '../guardrails/eval/corpora.ts';
import { asToolResult } from '../guardrails/eval/injection-derived.ts';

if (process.argv.includes('--no-learned')) setLearnedModel(null);
if (process.argv.includes('--shapes')) {
  shapes();
  process.exit(0);
}

/** Adversarial shapes: the scorer's cost must stay linear and small on any text (red-team F7). */
function shapes(): void {
  const units: [string, string][] = [
    ['prose', 'The quarterly report covers sales in the northern region. '],
    ['letters', 'a'],
    ['digits', '1234567890'],
    ['alternation', 'ab'],
    ['camel case', 'aB'],
    ['base64-like', 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo'],
    ['base64url', 'ab-_cd'],
    ['hex', '0a'],
    ['hex spaced', '0a '],
    ['\\x escapes', '\\x41'],
    ['percent', '%41ab'],
    ['\\u escapes', '\\u0041'],
    ['spaced letters', 'a '],
    ['leetspeak', '1gn0r3 '],
    ['fullwidth', 'ａｂｃ'],
    ['tag chars', '\u{e0041}'],
    ['accented', 'ïgnöré '],
    ['small capitals', 'ᴀᴇɪ '],
    ['short lines', 'a\n'],
    ['deep brackets', '{"a":['],
  ];
  scoreText('warm up');
  // the larger just under the request budget (1 MiB with the segment cost), so it is scored whole
  for (const n of [64 * 1024, 1023 * 1024]) {
    const row: string[] = [];
    for (const [name, u] of units) {
      const body = { messages: [{ role: 'user', content: u.repeat(Math.ceil(n / u.length)).slice(0, n) }] };
      row.push(`${name} ${(fastest(() => scoreRequest(body)) / (n / 1024)).toFixed(3)}`);
    }
    console.log(`${n / 1024} KiB, ms/KB: ${row.join(', ')}`);
  }
}
const texts = loadPublicCorpora().map((r) => r.text);
const sized = (t: string, n: number): string =>
  t.length >= n ? t.slice(0, n) : t.repeat(Math.ceil(n / t.length)).slice(0, n);
const pctl = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
};
/** Milliseconds of the fastest of three runs. */
function fastest(f: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
for (const t of texts.slice(0, 50)) scoreText(t); // warm-up
for (const kb of [0.25, 1, 4, 16]) {
  const n = Math.round(kb * 1024);
  const sample = texts.filter((_, i) => i % Math.max(1, Math.round(kb * 4)) === 0).slice(0, 600);
  const user: number[] = [];
  const tool: number[] = [];
  for (const t of sample) {
    const x = sized(t, n);
    const body = { messages: [{ role: 'tool', tool_call_id: 'c', content: asToolResult(x) }] };
    user.push(fastest(() => scoreText(x, 'user')) / kb);
    tool.push(fastest(() => scoreRequest(body)) / kb);
  }
  console.log(
    `${String(kb).padStart(5)} KB x ${sample.length}: user p50 ${pctl(user, 0.5).toFixed(3)} p99 ${pctl(user, 0.99).toFixed(3)} ms/KB; tool result p50 ${pctl(tool, 0.5).toFixed(3)} p99 ${pctl(tool, 0.99).toFixed(3)} ms/KB`,
  );
}
