// Reading the `usage` of an OpenAI-style answer or stream chunk. Pure.

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
}

export function readUsage(v: unknown): Usage | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const u = v as Record<string, unknown>;
  const p = u.prompt_tokens;
  const c = u.completion_tokens ?? 0;
  if (typeof p !== 'number' || typeof c !== 'number' || !Number.isFinite(p) || !Number.isFinite(c) || p < 0 || c < 0)
    return undefined;
  return { prompt_tokens: p, completion_tokens: c };
}
