// Shared by the JSON-channel tests (markdown-json.test.ts, markdown-json-writeback.test.ts): a guard with only the
// exfiltration stage (neutralize, one allowed host), its streamed output at a fixed delta size, and every string of
// a parsed JSON value.
import { compileGuard, STRICT_GUARDRAILS } from '../guard.ts';

export const ALLOWED = ['docs.example.com'];
export const DATA = 'aGVsbG8gd29ybGQgdGhpcyBpcyBh';

export const guard = compileGuard({
  ...STRICT_GUARDRAILS,
  redaction: { detectors: [], customPatterns: [] },
  exfiltration: { mode: 'neutralize', allowedHosts: ALLOWED },
});

/** The JSON channel's output for `text` pushed in deltas of `n` characters. */
export function streamed(text: string, n: number): string {
  const s = guard.streamOutput('json');
  let out = '';
  for (let i = 0; i < text.length; i += n) out += s.push(text.slice(i, i + n)).text;
  return out + s.end().text;
}

/** Every string in a parsed JSON value (keys included). */
export function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
  return [];
}
