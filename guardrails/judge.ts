// The optional prompt-injection judge: a classifier served as an LLMModel (e.g. a Prompt Guard model on vLLM) that
// the gateway asks about the untrusted text of a request, with a timeout and a declared fail mode.
//
// Two wire protocols:
//  - `classify`: vLLM's (and SGLang's) classification API, POST {model, input} → {data: [{probs: [...]}]};
//    class `benignClass` (default 0, as in Prompt Guard 1 and 2) is benign, score = 1 - P(benign);
//  - `chat`: an OpenAI chat completion whose answer starts with a verdict word (Llama Guard style
//    "safe"/"unsafe", or "benign"/"injection"), or a number in [0, 1].
// The HTTP call is a fetch-like function the gateway supplies (its undici pool, upstream credential), so this
// module does no I/O of its own and is tested against a local HTTP server.

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

export interface JudgeOptions {
  /** Full endpoint URL, e.g. http://guard.models.svc:8000/classify or .../v1/chat/completions. */
  url: string;
  /** Served model name sent in the request body. */
  model: string;
  protocol: 'classify' | 'chat';
  timeoutMs: number;
  failMode: 'open' | 'closed';
  fetch: FetchLike;
  /** Extra headers, e.g. the upstream credential. Never logged. */
  headers?: Record<string, string>;
  benignClass?: number;
  /** Longest text sent (classifiers have short contexts; the head and tail are kept). */
  maxChars?: number;
}

export interface JudgeResult {
  /** 0..1; on failure 0 (fail open) or 1 (fail closed). */
  score: number;
  ok: boolean;
  /** Why the judge did not answer (timeout, HTTP status, bad response). */
  error?: string;
  latencyMs: number;
}

export type Judge = (text: string) => Promise<JudgeResult>;

/** The default judge endpoint for a model upstream base URL (…/v1). */
export function judgeUrl(upstream: string, protocol: JudgeOptions['protocol']): string {
  const base = upstream.replace(/\/+$/, '');
  return protocol === 'chat' ? `${base}/chat/completions` : `${base.replace(/\/v1$/, '')}/classify`;
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n…\n${text.slice(text.length - half)}`;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function parseClassify(body: unknown, benignClass: number): number | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  const first = Array.isArray(data) ? (data[0] as { probs?: unknown } | undefined) : undefined;
  const probs = first?.probs;
  if (!Array.isArray(probs) || probs.length < 2 || !probs.every((p) => typeof p === 'number' && Number.isFinite(p))) return undefined;
  const benign = probs[benignClass] as number | undefined;
  return benign === undefined ? undefined : clamp01(1 - benign);
}

export function parseChatVerdict(body: unknown): number | undefined {
  const choices = (body as { choices?: unknown } | null)?.choices;
  const msg = Array.isArray(choices) ? (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content : undefined;
  if (typeof msg !== 'string') return undefined;
  const t = msg.trim().toLowerCase();
  const num = /^(?:score\s*[:=]\s*)?([01](?:\.\d+)?)\b/.exec(t);
  if (num) return clamp01(Number(num[1]));
  if (/^(?:unsafe|injection|jailbreak|malicious|yes)\b/.test(t)) return 1;
  if (/^(?:safe|benign|no)\b/.test(t)) return 0;
  return undefined;
}

export function createJudge(opts: JudgeOptions): Judge {
  const failScore = opts.failMode === 'closed' ? 1 : 0;
  const max = opts.maxChars ?? 8000;
  return async (text) => {
    const started = performance.now();
    const input = clip(text, max);
    const body = opts.protocol === 'classify'
      ? { model: opts.model, input }
      : {
          model: opts.model,
          temperature: 0,
          max_tokens: 8,
          messages: [{ role: 'user', content: input }],
        };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('judge timeout')), opts.timeoutMs);
    const fail = (error: string): JudgeResult => ({ score: failScore, ok: false, error, latencyMs: performance.now() - started });
    try {
      const res = await opts.fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(opts.headers ?? {}) },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (!res.ok) return fail(`judge answered HTTP ${res.status}`);
      const json = await res.json();
      const score = opts.protocol === 'classify' ? parseClassify(json, opts.benignClass ?? 0) : parseChatVerdict(json);
      if (score === undefined) return fail('judge answer not understood');
      return { score, ok: true, latencyMs: performance.now() - started };
    } catch (err) {
      return fail(controller.signal.aborted ? `judge timed out after ${opts.timeoutMs} ms` : `judge call failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  };
}
