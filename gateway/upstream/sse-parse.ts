// Reading OpenAI-style SSE: event boundaries, the `event:` and `data:` fields, a chunk's JSON, its usage.
// Pure and linear in the text.

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
  if (typeof p !== 'number' || typeof c !== 'number' || !Number.isFinite(p) || !Number.isFinite(c) || p < 0 || c < 0) return undefined;
  return { prompt_tokens: p, completion_tokens: c };
}

/** The JSON object of a data line (undefined: not an object; passed through as it is). */
export function parseChunk(data: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** End of the next event starting at `from`: `end` excludes the blank line, `next` is after it. */
export function findEventEnd(s: string, from: number): { end: number; next: number } | undefined {
  for (let i = s.indexOf('\n', from); i !== -1; i = s.indexOf('\n', i + 1)) {
    if (s.charCodeAt(i + 1) === 10) return { end: i, next: i + 2 };
    if (s.charCodeAt(i + 1) === 13 && s.charCodeAt(i + 2) === 10) return { end: i, next: i + 3 };
  }
  return undefined;
}

/** The SSE `event:` field of one event (undefined: the default `message`). */
export function eventType(raw: string): string | undefined {
  let type: string | undefined;
  for (const line of raw.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
  }
  return type;
}

export function eventData(raw: string): string | undefined {
  let data: string | undefined;
  for (const line of raw.split('\n')) {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (l.startsWith('data:')) {
      const v = l.charCodeAt(5) === 32 ? l.slice(6) : l.slice(5);
      data = data === undefined ? v : `${data}\n${v}`;
    }
  }
  return data;
}
