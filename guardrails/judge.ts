// The judge: a classifier served as an LLMModel (a prompt-injection or safety classifier) that the gateway asks about
// untrusted input text or about model output, with a timeout and a declared fail mode.
//
// Wire protocols (the policy names one, or `auto`: classify for vllm, chat otherwise):
//  - `classify`: vLLM's (and SGLang's) classification API, POST <origin>/classify {model, input} →
//    {data: [{probs: [...]}]}; score = 1 - probs[benignClass] (class 0 is benign in Prompt Guard 1 and 2);
//  - `pooling`: vLLM's pooling API with a classification pooler, POST <origin>/pooling {model, input} →
//    {data: [{data: [...]}]} (probabilities, or logits that are soft-maxed); score as for classify;
//  - `tei`: text-embeddings-inference's sequence classification, POST <origin>/predict {inputs} →
//    [{label, score}, …] (all labels); score = 1 - P(labels named benign);
//  - `chat`: an OpenAI chat completion whose answer starts with a verdict word (Llama Guard style "safe"/"unsafe",
//    or "benign"/"injection"), or a number in [0, 1]. For an output check the output is sent as the assistant turn.
// The HTTP call is a fetch-like function the gateway supplies (its upstream credential), so this module does no I/O
// of its own and is tested against a real local classifier server (guardrails/test/classifier-server.ts).
import type { CfgJudge } from '../api/gateway-config.ts';

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

export type JudgeProtocol = 'classify' | 'pooling' | 'tei' | 'chat';

export interface JudgeOptions {
  /** Full endpoint URL, e.g. http://guard.models.svc:8000/classify (see judgeUrl). */
  url: string;
  /** Served model name sent in the request body. */
  model: string;
  protocol: JudgeProtocol;
  timeoutMs: number;
  failMode: 'open' | 'closed';
  fetch: FetchLike;
  /** Extra headers, e.g. the upstream credential. Never logged. */
  headers?: Record<string, string>;
  /** classify / pooling: index of the benign class. */
  benignClass?: number;
  /** tei: label names meaning benign (case-insensitive). */
  benignLabels?: readonly string[];
  /** Longest text sent (classifiers have short contexts; the head and the tail are kept). */
  maxChars?: number;
}

export interface JudgeResult {
  /** 0..1; on failure 0 (fail open) or 1 (fail closed). */
  score: number;
  ok: boolean;
  /** Why the judge did not answer (timeout, HTTP status, bad response). Never contains upstream text. */
  error?: string;
  latencyMs: number;
}

export interface JudgeInput {
  /** The text judged: untrusted input, or model output. */
  text: string;
  /** For an output check: the user turn the output answers (chat protocol only; clipped like the text). */
  prompt?: string;
}

export type Judge = (input: string | JudgeInput) => Promise<JudgeResult>;

export const DEFAULT_BENIGN_LABELS: readonly string[] = [
  'benign',
  'safe',
  'legit',
  'legitimate',
  'label_0',
  'negative',
  'ok',
];

/** `auto` → the protocol the judge model's engine serves. */
export function resolveProtocol(p: CfgJudge['protocol'], engine: string): JudgeProtocol {
  if (p !== 'auto') return p;
  return engine === 'vllm' ? 'classify' : 'chat';
}

/** The judge endpoint for a model upstream base URL (…/v1). */
export function judgeUrl(upstream: string, protocol: JudgeProtocol): string {
  const base = upstream.replace(/\/+$/, '');
  const origin = base.replace(/\/v1$/, '');
  switch (protocol) {
    case 'chat':
      return `${base}/chat/completions`;
    case 'classify':
      return `${origin}/classify`;
    case 'pooling':
      return `${origin}/pooling`;
    case 'tei':
      return `${origin}/predict`;
  }
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n…\n${text.slice(text.length - half)}`;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const isNum = (p: unknown): p is number => typeof p === 'number' && Number.isFinite(p);
const MAX_CLASSES = 64;

/** Probabilities from a class vector: as is when it already is a distribution, soft-maxed when it is logits. */
export function toProbs(v: readonly number[]): number[] {
  const sum = v.reduce((a, b) => a + b, 0);
  if (v.every((p) => p >= 0 && p <= 1) && Math.abs(sum - 1) < 1e-3) return [...v];
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

function firstItem(body: unknown): Record<string, unknown> | undefined {
  const data = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['data'] : undefined;
  const first = Array.isArray(data) ? data[0] : undefined;
  return first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
}

function scoreFromVector(v: unknown, benignClass: number): number | undefined {
  if (!Array.isArray(v) || v.length < 2 || v.length > MAX_CLASSES || !v.every(isNum)) return undefined;
  const benign = toProbs(v)[benignClass];
  return benign === undefined ? undefined : clamp01(1 - benign);
}

/** vLLM /classify: {data: [{probs}]}. */
export function parseClassify(body: unknown, benignClass: number): number | undefined {
  return scoreFromVector(firstItem(body)?.['probs'], benignClass);
}

/** vLLM /pooling: {data: [{data: [p0, p1, …]}]} (a nested [[…]] single row is accepted). */
export function parsePooling(body: unknown, benignClass: number): number | undefined {
  let v = firstItem(body)?.['data'];
  if (Array.isArray(v) && v.length === 1 && Array.isArray(v[0])) v = v[0];
  return scoreFromVector(v, benignClass);
}

/** TEI /predict: [{label, score}, …] or [[…]] for one input; score = 1 - P(benign labels). */
export function parseTei(body: unknown, benignLabels: readonly string[] = DEFAULT_BENIGN_LABELS): number | undefined {
  let list = body;
  if (Array.isArray(list) && list.length === 1 && Array.isArray(list[0])) list = list[0];
  if (!Array.isArray(list) || list.length < 2 || list.length > MAX_CLASSES) return undefined;
  const benign = new Set(benignLabels.map((l) => l.toLowerCase()));
  let pBenign = 0;
  let found = false;
  for (const x of list) {
    if (x === null || typeof x !== 'object') return undefined;
    const { label, score } = x as Record<string, unknown>;
    if (typeof label !== 'string' || !isNum(score)) return undefined;
    if (benign.has(label.toLowerCase())) {
      pBenign += score;
      found = true;
    }
  }
  return found ? clamp01(1 - pBenign) : undefined;
}

export function parseChatVerdict(body: unknown): number | undefined {
  const choices = (body as { choices?: unknown } | null)?.choices;
  const msg = Array.isArray(choices)
    ? (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content
    : undefined;
  if (typeof msg !== 'string') return undefined;
  const t = msg.trim().toLowerCase().slice(0, 64);
  const num = /^(?:score\s*[:=]\s*)?([01](?:\.\d+)?)\b/.exec(t);
  if (num) return clamp01(Number(num[1]));
  if (/^(?:unsafe|injection|jailbreak|malicious|yes)\b/.test(t)) return 1;
  if (/^(?:safe|benign|no)\b/.test(t)) return 0;
  return undefined;
}

function requestBody(opts: JudgeOptions, input: JudgeInput, max: number): unknown {
  const text = clip(input.text, max);
  switch (opts.protocol) {
    case 'classify':
    case 'pooling':
      return { model: opts.model, input: text };
    case 'tei':
      return { inputs: text, truncate: true };
    case 'chat':
      return {
        model: opts.model,
        temperature: 0,
        max_tokens: 8,
        messages:
          input.prompt === undefined
            ? [{ role: 'user', content: text }]
            : [
                { role: 'user', content: clip(input.prompt, Math.max(256, max / 4)) },
                { role: 'assistant', content: text },
              ],
      };
  }
}

function parse(opts: JudgeOptions, json: unknown): number | undefined {
  switch (opts.protocol) {
    case 'classify':
      return parseClassify(json, opts.benignClass ?? 0);
    case 'pooling':
      return parsePooling(json, opts.benignClass ?? 0);
    case 'tei':
      return parseTei(json, opts.benignLabels);
    case 'chat':
      return parseChatVerdict(json);
  }
}

export function createJudge(opts: JudgeOptions): Judge {
  const failScore = opts.failMode === 'closed' ? 1 : 0;
  const max = opts.maxChars ?? 8000;
  return async (arg) => {
    const input = typeof arg === 'string' ? { text: arg } : arg;
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('judge timeout')), opts.timeoutMs);
    const fail = (error: string): JudgeResult => ({
      score: failScore,
      ok: false,
      error,
      latencyMs: performance.now() - started,
    });
    try {
      const res = await opts.fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(opts.headers ?? {}) },
        body: JSON.stringify(requestBody(opts, input, max)),
        signal: controller.signal,
      });
      if (!res.ok) return fail(`judge answered HTTP ${res.status}`);
      const score = parse(opts, await res.json());
      if (score === undefined) return fail('judge answer not understood');
      return { score, ok: true, latencyMs: performance.now() - started };
    } catch {
      return fail(controller.signal.aborted ? `judge timed out after ${opts.timeoutMs} ms` : 'judge call failed');
    } finally {
      clearTimeout(timer);
    }
  };
}

/** A judge that cannot be reached (its model is not in the config): the fail mode decides. */
export function unavailableJudge(spec: Pick<CfgJudge, 'failMode'>, why: string): Judge {
  return async () => ({ ok: false, score: spec.failMode === 'closed' ? 1 : 0, error: why, latencyMs: 0 });
}

/** The judge for a policy's spec, given the judge model's upstream base URL, engine and credential. */
export function judgeFromConfig(
  spec: CfgJudge,
  upstream: { baseUrl: string; engine: string; credential?: string | undefined },
  fetchLike: FetchLike,
): Judge {
  const protocol = resolveProtocol(spec.protocol, upstream.engine);
  return createJudge({
    url: judgeUrl(upstream.baseUrl, protocol),
    model: spec.model,
    protocol,
    timeoutMs: spec.timeoutMs,
    failMode: spec.failMode,
    fetch: fetchLike,
    ...(spec.benignClass !== undefined ? { benignClass: spec.benignClass } : {}),
    ...(spec.benignLabels ? { benignLabels: spec.benignLabels } : {}),
    ...(spec.maxChars !== undefined ? { maxChars: spec.maxChars } : {}),
    ...(upstream.credential ? { headers: { authorization: `Bearer ${upstream.credential}` } } : {}),
  });
}

/** The platform's fetch with the judge's answer read up to `maxBytes` (a judge answer is a few hundred bytes). */
export function boundedFetch(maxBytes = 256 * 1024): FetchLike {
  return async (url, init) => {
    const res = await fetch(url, init);
    return {
      ok: res.ok,
      status: res.status,
      async json() {
        const reader = res.body?.getReader();
        if (!reader) return undefined;
        const parts: Uint8Array[] = [];
        let size = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel();
            throw new Error('judge answer too large');
          }
          parts.push(value);
        }
        return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
      },
    };
  };
}
