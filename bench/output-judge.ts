// Latency cost of the output judge (prints figures; not a test).
//   node bench/output-judge.ts [--tokens N] [--inter-token-ms N] [--runs N] [--judge-delay-ms N]
// A real gateway in front of the built-in simulator (N tokens of ~6 characters, one every inter-token-ms), with
// the local classifier server (guardrails/test/classifier-server.ts) as judge model. For no output check, the
// whole-output check (windowChars 0) and windowed checks, it prints the median time to first byte and to the end
// of a streamed response, and the median latency of a non-streamed one. Everything it starts is stopped on any exit
// (SIGINT included); it notices when the classifier server dies.
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { CfgGuardrails } from '../api/gateway-config.ts';
import { startSimulator } from '../gateway/sim/sim.ts';
import { startGateway } from '../gateway/server.ts';
import { config, model, newKey, tenant } from '../gateway/test/fixtures.ts';
import { startClassifierServer } from '../guardrails/test/classifier-process.ts';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '200' },
    'inter-token-ms': { type: 'string', default: '10' },
    runs: { type: 'string', default: '7' },
    'judge-delay-ms': { type: 'string', default: '0' },
  },
});
const tokens = Array.from({ length: Number(values.tokens) }, (_, i) => `word${i % 10} `);
const runs = Number(values.runs);

const NONE: CfgGuardrails = {
  redaction: { detectors: [], customPatterns: [] },
  promptInjection: { mode: 'off', threshold: 0.7 },
  exfiltration: { mode: 'off', allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: false },
};
const VARIANTS: [string, number | undefined][] = [
  ['no output check', undefined],
  ['whole output', 0],
  ['windows of 200 chars', 200],
  ['windows of 1000 chars', 1000],
];

const clf = await startClassifierServer(
  Number(values['judge-delay-ms']) > 0 ? { delayMs: Number(values['judge-delay-ms']) } : {},
);
const sim = await startSimulator({ tokens, interTokenMs: Number(values['inter-token-ms']) });
const keys = VARIANTS.map(() => newKey());
const gw = await startGateway({
  config: {
    kind: 'static',
    value: config(
      [model('m', sim.url, { maxOutputTokens: 4096 }), model('judge', `${clf.url}/v1`)],
      VARIANTS.map(([, w], i) =>
        tenant({
          name: `t${i}`,
          models: ['m'],
          limits: { maxOutputTokens: 4096 },
          keys: [{ name: 'k', key: keys[i] as string }],
          over: {
            guardrails:
              w === undefined
                ? NONE
                : {
                    ...NONE,
                    outputCheck: {
                      mode: 'block',
                      threshold: 0.999,
                      judge: { model: 'judge', protocol: 'classify', timeoutMs: 5000, failMode: 'closed' },
                      windowChars: w,
                    },
                  },
          },
        }),
      ),
    ),
  },
  host: '127.0.0.1',
  port: 0,
  metricsPort: 0,
  logger: pino({ level: 'silent' }),
});
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await gw.close().catch(() => {});
  await sim.close().catch(() => {});
  await clf.close().catch(() => {});
  process.exit(code);
};
process.once('SIGINT', () => void stop(130));
process.once('SIGTERM', () => void stop(143));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const body = (stream: boolean) =>
  JSON.stringify({
    model: 'm',
    stream,
    max_tokens: tokens.length,
    messages: [{ role: 'user', content: 'Write something.' }],
  });

async function streamed(key: string): Promise<{ ttfb: number; total: number }> {
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body(true),
  });
  const reader = res.body!.getReader();
  let ttfb = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (ttfb < 0 && value.byteLength > 0) ttfb = performance.now() - t0;
  }
  return { ttfb, total: performance.now() - t0 };
}

try {
  console.log(
    `output judge latency: ${tokens.length} tokens (~${tokens.join('').length} chars), one every ${values['inter-token-ms']} ms; judge = local classifier${Number(values['judge-delay-ms']) ? ` + ${values['judge-delay-ms']} ms` : ''}; median of ${runs}`,
  );
  console.log(
    `${'variant'.padEnd(24)}${'stream TTFB'.padStart(12)}${'stream end'.padStart(12)}${'non-stream'.padStart(12)}${'judge calls'.padStart(13)}`,
  );
  for (let i = 0; i < VARIANTS.length; i++) {
    const key = keys[i] as string;
    const before = await clf.requests();
    const s: { ttfb: number; total: number }[] = [];
    const n: number[] = [];
    for (let r = 0; r < runs; r++) {
      s.push(await streamed(key));
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body(false),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${VARIANTS[i]![0]}: HTTP ${res.status}`);
      n.push(performance.now() - t0);
    }
    const calls = ((await clf.requests()) - before) / (2 * runs);
    console.log(
      `${VARIANTS[i]![0].padEnd(24)}${`${median(s.map((x) => x.ttfb)).toFixed(0)} ms`.padStart(12)}${`${median(s.map((x) => x.total)).toFixed(0)} ms`.padStart(12)}${`${median(n).toFixed(0)} ms`.padStart(12)}${calls.toFixed(1).padStart(13)}`,
    );
  }
  await stop(0);
} catch (e) {
  console.error(`bench failed: ${(e as Error).message}`);
  await stop(1);
}
