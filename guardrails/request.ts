// Request-side guardrails (pipeline step 3): the tool allowlist (OWASP LLM06) and the prompt-injection check
// (local scorer, then the judge when one is configured). Pure apart from the judge call the gateway supplies.
import type { CfgGuardrails } from '../api/gateway-config.ts';
import { channelOfSource, planScan, scoreRequestAsync, type Channel, type RequestInjectionScore } from './injection.ts';
import type { Judge, JudgeResult } from './judge.ts';

export interface ToolCheck {
  /** Tool/function names the request declares or forces. */
  declared: string[];
  /** Those outside the allowlist. */
  disallowed: string[];
}

function fnName(x: unknown): string | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const o = x as Record<string, unknown>;
  const f = o['function'];
  if (f !== null && typeof f === 'object' && typeof (f as Record<string, unknown>)['name'] === 'string')
    return (f as Record<string, string>)['name'];
  if (typeof o['name'] === 'string') return o['name'];
  // built-in tool types (web_search, code_interpreter, …) are named by their type
  if (typeof o['type'] === 'string' && o['type'] !== 'function') return o['type'];
  return undefined;
}

/** Declared tools (`tools`, legacy `functions`, a forced `tool_choice`/`function_call`) against the allowlist. */
export function checkTools(body: unknown, allowedTools: readonly string[] | undefined): ToolCheck {
  const declared = new Set<string>();
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const list of [b['tools'], b['functions']]) {
      if (!Array.isArray(list)) continue;
      for (const t of list) declared.add(fnName(t) ?? '(unnamed)');
    }
    for (const choice of [b['tool_choice'], b['function_call']]) {
      const n = typeof choice === 'object' ? fnName(choice) : undefined;
      if (n !== undefined) declared.add(n);
    }
  }
  const all = [...declared].sort();
  return { declared: all, disallowed: allowedTools === undefined ? [] : all.filter((n) => !allowedTools.includes(n)) };
}

export type InjectionVerdict = 'allow' | 'flag' | 'block';

export interface InjectionCheck extends RequestInjectionScore {
  verdict: InjectionVerdict;
  /** The judge's answer when it was asked. */
  judge?: JudgeResult;
}

export interface RequestCheck {
  ok: boolean;
  /** Stable error code for the OpenAI-shaped error (only when !ok). */
  code?: 'tool_not_allowed' | 'prompt_injection' | 'prompt_injection_unscanned';
  /** Human-readable reason, safe to return to the caller (never echoes prompt text). */
  message?: string;
  tools: ToolCheck;
  injection: InjectionCheck;
}

/** Local-only injection verdict (no judge). */
export function injectionVerdict(
  score: number,
  cfg: CfgGuardrails['promptInjection'],
  channel: Channel = 'user',
): InjectionVerdict {
  if (cfg.mode === 'off' || score < thresholdFor(cfg, channel)) return 'allow';
  return cfg.mode;
}

/** The policy's threshold for a channel: documents and tool results have their own (default: the prompt's). */
export function thresholdFor(cfg: CfgGuardrails['promptInjection'], channel: Channel): number {
  return channel === 'document' ? (cfg.documentThreshold ?? cfg.threshold) : cfg.threshold;
}

/** Longest text sent to the judge for one request (its own maxChars clips further); the local scorer reads it all. */
const JUDGE_INPUT_MAX = 64 * 1024;

/**
 * A request that carries input the scorer will not read (planScan: over the scoring budget, token ids, parts nested
 * too deep): in block mode refused before any scoring — forwarding what was not checked would make block mode a
 * matter of size or encoding; in flag mode flagged (signal `unscanned:<why>`, in the audit line) and scored in part.
 */
function unscannedCheck(unscanned: readonly string[], mode: 'flag' | 'block', tools: ToolCheck): RequestCheck {
  const signals = unscanned.map((u) => `unscanned:${u}`);
  const injection: InjectionCheck = { score: 0, signals, verdict: mode };
  if (mode === 'flag') return { ok: true, tools, injection };
  return {
    ok: false,
    code: 'prompt_injection_unscanned',
    message: `request refused: the prompt-injection check cannot read all of it (${unscanned.join(', ')})`,
    tools,
    injection,
  };
}

/**
 * The request-side checks that need no I/O: the tool allowlist and the local injection scorer. The gateway runs
 * them once the request holds its reservation (their CPU is spent under the tenant's rpm and concurrency), then
 * the judge (judgeRequest), a model call, when `wantsJudge` (gateway/stages/admit.ts, gateway/pipeline.ts).
 */
export async function checkRequestLocal(body: unknown, cfg: CfgGuardrails): Promise<RequestCheck> {
  const tools = checkTools(body, cfg.allowedTools);
  const pi = cfg.promptInjection;
  let injection: InjectionCheck = { score: 0, signals: [], verdict: 'allow' };
  if (pi.mode !== 'off') {
    // what will be read is decided before any scoring
    const plan = planScan(body);
    if (plan.unscanned.length > 0 && pi.mode === 'block' && tools.disallowed.length === 0)
      return unscannedCheck(plan.unscanned, pi.mode, tools);
    const local = await scoreRequestAsync(body, { user: pi.threshold, document: thresholdFor(pi, 'document') }, plan);
    injection = { ...local, verdict: injectionVerdict(local.score, pi, local.channel) };
    if (plan.unscanned.length > 0) {
      const flagged = unscannedCheck(plan.unscanned, pi.mode, tools).injection;
      const verdict = injection.verdict === 'allow' ? flagged.verdict : injection.verdict;
      injection = { ...injection, verdict, signals: [...flagged.signals, ...injection.signals] };
    }
  }
  return decide(tools, injection, pi);
}

/** The judge is asked only about a request the local checks admitted, when the policy names one and is not off. */
export function wantsJudge(local: RequestCheck, cfg: CfgGuardrails): boolean {
  const pi = cfg.promptInjection;
  return local.ok && pi.mode !== 'off' && pi.judge !== undefined && local.injection.verdict === 'allow';
}

/**
 * The judge's step on a request `local` (checkRequestLocal) admitted: its score (or its fail-mode score) is
 * combined with the local one by max and compared with the threshold. No untrusted text: no call.
 */
export async function judgeRequest(
  body: unknown,
  cfg: CfgGuardrails,
  local: RequestCheck,
  judge: Judge,
): Promise<RequestCheck> {
  const pi = cfg.promptInjection;
  const segments = planScan(body).segments;
  let text = segments.map((s) => s.text).join('\n\n');
  if (text.length > JUDGE_INPUT_MAX)
    text = `${text.slice(0, JUDGE_INPUT_MAX / 2)}\n${text.slice(-JUDGE_INPUT_MAX / 2)}`;
  if (text === '') return local;
  const inj = local.injection;
  const j = await judge(text);
  const docOnly = segments.every((s) => channelOfSource(s.source) === 'document');
  const channel: Channel = docOnly ? 'document' : 'user';
  const score = Math.max(inj.score, j.score);
  const injection: InjectionCheck = {
    ...inj,
    score,
    judge: j,
    verdict: injectionVerdict(score, pi, j.score > inj.score ? channel : inj.channel),
    ...(j.score > inj.score ? { signals: [...inj.signals, j.ok ? 'judge' : 'judge-unavailable'] } : {}),
  };
  return decide(local.tools, injection, pi);
}

/**
 * All request-side checks: the local ones, then `judge` when wantsJudge says so (a request the tool allowlist or
 * the local scorer refuses is not sent to the judge).
 */
export async function checkRequest(
  body: unknown,
  cfg: CfgGuardrails,
  opts: { judge?: Judge | undefined } = {},
): Promise<RequestCheck> {
  const local = await checkRequestLocal(body, cfg);
  return opts.judge && wantsJudge(local, cfg) ? judgeRequest(body, cfg, local, opts.judge) : local;
}

function decide(tools: ToolCheck, injection: InjectionCheck, pi: CfgGuardrails['promptInjection']): RequestCheck {
  if (tools.disallowed.length > 0) {
    return {
      ok: false,
      code: 'tool_not_allowed',
      message: `tools not allowed by policy: ${tools.disallowed.join(', ')}`,
      tools,
      injection,
    };
  }
  if (injection.verdict === 'block') {
    return {
      ok: false,
      code: 'prompt_injection',
      message: `request refused: prompt-injection score ${injection.score} reached the policy threshold ${injection.threshold ?? pi.threshold}${injection.path ? ` (${injection.path})` : ''}`,
      tools,
      injection,
    };
  }
  return { ok: true, tools, injection };
}
