// tollgate guard [-f PATH... [-R] [--tenant NS/NAME] | --policy FILE] [--direction input|output]
//                [--channel user|document] [--stream-chunk-size N] [--jsonl]   text on stdin -> one JSON result
// tollgate guard eval [--full] [--json]                        detection-quality figures
//
// The same engine the gateway runs (guardrails/), so a platform team can test a policy in CI before applying it.
import { createInterface } from 'node:readline';
import type { CfgGuardrails } from '../../api/gateway-config.ts';
import { formatProblem } from '../../api/validate.ts';
import { mergeGuardrails, policyProblems } from '../../operator/compiler/policy.ts';
import { evaluate, formatReport } from '../../guardrails/eval/evaluate.ts';
import {
  compileGuard,
  countFindings,
  STRICT_GUARDRAILS,
  type Guard,
  type OutputResult,
} from '../../guardrails/guard.ts';
import { scoreText, type Channel } from '../../guardrails/injection.ts';
import { injectionVerdict, thresholdFor } from '../../guardrails/request.ts';
import type { Finding } from '../../guardrails/scanner.ts';
import { parse, UsageError } from '../args.ts';
import { compileFromPaths, compileProblems, loadPaths } from '../load.ts';

export const summary =
  'run the guardrails on text from stdin (redaction, exfiltration, canaries, injection score), or measure them';
export const usage = [
  'tollgate guard [-f PATH... [-R] [--tenant NS/NAME] | --policy FILE] [--direction input|output] [--channel user|document] [--stream-chunk-size N] [--jsonl]',
  '       tollgate guard eval [--full] [--json]',
  '',
  'Without -f/--policy every built-in detector (secrets and PII) and exfiltration neutralising are on.',
  'output (default): the text is model output: redaction, exfiltration, canaries (as the gateway filters responses).',
  'input: the text is a prompt: injection score and verdict; the text shown is what a redactedPrompts log keeps.',
  '--channel document scores the text as a tool result or retrieved document (indirect injection weights and threshold).',
  '--stream-chunk-size N feeds the text in N-character deltas through the streaming redactor (same result).',
  '--jsonl reads one JSON string per line and prints one JSON result per line, in order.',
].join('\n');

interface Result {
  text: string;
  findings: Pick<Finding, 'detector' | 'start' | 'end'>[];
  counts: Record<string, number>;
  blocked?: OutputResult['blocked'];
  injection: { score: number; signals: string[]; verdict: string; threshold: number; mode: string; channel: Channel };
}

function guardrailsFrom(values: {
  filename?: string[] | undefined;
  recursive?: boolean | undefined;
  tenant?: string | undefined;
  policy?: string | undefined;
}): CfgGuardrails {
  if (values.policy !== undefined && values.filename !== undefined)
    throw new UsageError('use either -f or --policy, not both');
  if (values.policy !== undefined) {
    const loaded = loadPaths([values.policy]);
    const problems = [
      ...loaded.problems.map(formatProblem),
      ...loaded.manifests.policies.flatMap((p) =>
        policyProblems(p).map((x) => `${values.policy}: LLMPolicy ${p.metadata.name}: ${x}`),
      ),
    ];
    if (problems.length > 0) throw new Error(`the policy does not compile:\n${problems.join('\n')}`);
    if (loaded.manifests.policies.length === 0) throw new Error(`${values.policy}: no LLMPolicy in the file`);
    return mergeGuardrails(loaded.manifests.policies);
  }
  if (values.filename === undefined) return STRICT_GUARDRAILS;
  const { loaded, result } = compileFromPaths(values.filename, {}, {}, values.recursive ?? false);
  if (!result) throw new Error(`the manifests do not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  const problems = compileProblems(result, loaded.sources).filter((p) => p.message.includes('LLMPolicy'));
  if (problems.length > 0) throw new Error(`a policy does not compile:\n${problems.map(formatProblem).join('\n')}`);
  const tenants = result.gatewayConfig.tenants;
  if (values.tenant !== undefined) {
    const t = tenants.find((x) => x.id === values.tenant);
    if (!t) throw new UsageError(`no tenant ${values.tenant}; known: ${tenants.map((x) => x.id).join(', ') || 'none'}`);
    return t.guardrails;
  }
  if (tenants.length === 1) return (tenants[0] as (typeof tenants)[number]).guardrails;
  throw new UsageError(
    `the manifests define ${tenants.length} tenants; choose one with --tenant (${tenants.map((x) => x.id).join(', ')})`,
  );
}

function run1(
  guard: Guard,
  text: string,
  direction: 'input' | 'output',
  chunk: number | undefined,
  channel: Channel = 'user',
): Result {
  let out: { text: string; findings: Finding[]; blocked?: OutputResult['blocked'] };
  if (direction === 'input') out = guard.redact(text);
  else if (chunk === undefined) out = guard.scanOutput(text);
  else {
    const s = guard.streamOutput();
    let t = '';
    const findings: Finding[] = [];
    for (let i = 0; i < text.length; i += chunk) {
      const r = s.push(text.slice(i, i + chunk));
      t += r.text;
      findings.push(...r.findings);
    }
    const e = s.end();
    out = { text: t + e.text, findings: [...findings, ...e.findings], ...(s.blocked ? { blocked: s.blocked } : {}) };
  }
  const inj = scoreText(text, channel);
  const pi = guard.config.promptInjection;
  return {
    text: out.text,
    findings: out.findings.map((f) => ({ detector: f.detector, start: f.start, end: f.end })),
    counts: countFindings(out.findings),
    ...(out.blocked ? { blocked: out.blocked } : {}),
    injection: {
      score: inj.score,
      signals: inj.signals,
      verdict: direction === 'input' ? injectionVerdict(inj.score, pi, channel) : 'not-applied',
      threshold: thresholdFor(pi, channel),
      mode: pi.mode,
      channel,
    },
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function runEval(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    full: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const t0 = performance.now();
  const report = evaluate(values.full ? { everyOffset: true, splits: 10 } : {});
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    console.log(
      `${formatReport(report)}\n\n(${((performance.now() - t0) / 1000).toFixed(1)} s${values.full ? '' : '; --full also streams every positive at every split offset'})`,
    );
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'eval') return runEval(argv.slice(1));
  const args = argv[0] === 'check' ? argv.slice(1) : argv;
  const { values } = parse(args, {
    filename: { type: 'string', short: 'f', multiple: true },
    recursive: { type: 'boolean', short: 'R', default: false },
    tenant: { type: 'string' },
    policy: { type: 'string' },
    direction: { type: 'string', default: 'output' },
    'stream-chunk-size': { type: 'string' },
    jsonl: { type: 'boolean', default: false },
    channel: { type: 'string', default: 'user' },
  });
  const channel = values.channel;
  if (channel !== 'user' && channel !== 'document')
    throw new UsageError(`--channel must be user or document, not "${channel}"`);
  const direction = values.direction;
  if (direction !== 'input' && direction !== 'output')
    throw new UsageError(`--direction must be input or output, not "${direction}"`);
  let chunk: number | undefined;
  if (values['stream-chunk-size'] !== undefined) {
    chunk = Number(values['stream-chunk-size']);
    if (!Number.isInteger(chunk) || chunk < 1) throw new UsageError('--stream-chunk-size must be a positive integer');
  }
  const guard = compileGuard(guardrailsFrom(values));
  if (!values.jsonl) {
    process.stdout.write(`${JSON.stringify(run1(guard, await readStdin(), direction, chunk, channel))}\n`);
    return 0;
  }
  let line = 0;
  for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    line++;
    if (raw.trim() === '') continue;
    let text: unknown;
    try {
      text = JSON.parse(raw);
    } catch {
      throw new Error(`stdin line ${line}: not a JSON string`);
    }
    if (typeof text !== 'string') throw new Error(`stdin line ${line}: not a JSON string`);
    process.stdout.write(`${JSON.stringify(run1(guard, text, direction, chunk, channel))}\n`);
  }
  return 0;
}
