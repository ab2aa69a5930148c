// One structured line per request (pino). It names the tenant and the key by their non-secret ids, never
// the key or any fragment of it. Prompt text appears only when the tenant's policy says
// `redactedPrompts`, and then passes through redactForLog first.
import pino, { type DestinationStream, type Logger } from 'pino';

export interface AuditRecord {
  reqId: string;
  clientRequestId?: string | undefined;
  endpoint: string;
  method: string;
  /** Only for rejections of unknown routes: the path, truncated and stripped of control characters. */
  path?: string | undefined;
  status: number;
  /** Error code (the catalog) when refused or failed; absent on success. */
  code?: string | undefined;
  tenant?: string | undefined;
  keyId?: string | undefined;
  model?: string | undefined;
  stream?: boolean | undefined;
  tokensIn?: number | undefined;
  tokensOut?: number | undefined;
  /** The engine's completion_tokens when implausibly low against what was served (tokensOut is the served count). */
  engineTokensOut?: number | undefined;
  /** The engine's prompt_tokens when outside the plausible band for the input sent (tokensIn is the bound charged). */
  engineTokensIn?: number | undefined;
  cost?: number | undefined;
  costUnit?: string | undefined;
  reserved?: number | undefined;
  latencyMs: number;
  upstreamMs?: number | undefined;
  ttfbMs?: number | undefined;
  aborted?: string | undefined;
  ip?: string | undefined;
  prompt?: string | undefined;
  /** Prompt-injection check result when it flagged or blocked (score, verdict, signal names; never text). */
  injection?: { score: number; verdict: string; signals: string[] } | undefined;
  /** Per-key anomaly score when it reached the policy threshold (flag or revoke). */
  anomaly?:
    | {
        score: number;
        action: string;
        components: { burst: number; capHit: number; network: number; failedAuth: number };
      }
    | undefined;
}

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  const options = {
    level: opts.level ?? 'info',
    base: { svc: 'tollgate-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // belt and braces: these never get logged, but if a future change logs a request object they are cut
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        '*.authorization',
        'apiKey',
        'key',
      ],
      censor: '[redacted]',
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options, pino.destination({ dest: 1, sync: false }));
}

const SECRET_PATTERNS: readonly RegExp[] = [
  /\btgk_[0-9A-Za-z]{8,}/g, // tollgate keys (also partial)
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, // OpenAI-style keys
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, // e-mail
];

/** Minimal built-in log redaction (the policy redaction engine arrives with output guardrails). */
export function redactForLog(text: string, maxChars = 4096): string {
  let t = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  for (const re of SECRET_PATTERNS) t = t.replace(re, '[redacted]');
  return t;
}

/** Path for logging a refused route: bounded, printable ASCII only. */
export function loggablePath(url: string): string {
  const p = url.slice(0, 200).replace(/[^\x21-\x7e]/g, '?');
  // a query string might carry a credential (?api_key=...): keep only the path
  const q = p.indexOf('?');
  return q === -1 ? p : `${p.slice(0, q)}?…`;
}
