// The error catalog: every rejection the gateway makes has a stable `code`, an HTTP status and an OpenAI
// error `type`. Bodies use the OpenAI error shape `{ error: { message, type, param, code } }` and never carry
// a stack trace, an upstream address or any part of a credential.

export interface ErrorSpec {
  status: number;
  type:
    | 'invalid_request_error'
    | 'authentication_error'
    | 'permission_error'
    | 'not_found_error'
    | 'rate_limit_error'
    | 'insufficient_quota'
    | 'api_error';
  /** Default human message; call sites may give a more specific one. */
  message: string;
  /** Documentation: when it happens. */
  when: string;
}

const spec = (status: number, type: ErrorSpec['type'], message: string, when: string): ErrorSpec => ({
  status,
  type,
  message,
  when,
});

export const ERRORS = {
  // --- parse and bound -------------------------------------------------------------------------------
  request_too_large: spec(
    413,
    'invalid_request_error',
    'Request body is larger than allowed.',
    'Body exceeds the tenant maxRequestBytes (or the server cap).',
  ),
  invalid_json: spec(
    400,
    'invalid_request_error',
    'Request body is not valid JSON.',
    'Body does not parse as a JSON object.',
  ),
  unsupported_media_type: spec(
    415,
    'invalid_request_error',
    'Content-Type must be application/json.',
    'POST without a JSON content type.',
  ),
  json_too_deep: spec(
    400,
    'invalid_request_error',
    'Request body is nested too deeply.',
    'JSON nesting deeper than the server limit (64).',
  ),
  banned_parameter: spec(
    400,
    'invalid_request_error',
    'Parameter is not allowed.',
    'A parameter that would redirect or reconfigure the upstream (api_base, base_url, api_key, extra_headers, ...).',
  ),
  unknown_parameter: spec(
    400,
    'invalid_request_error',
    'Unknown parameter.',
    'A top-level parameter not on the endpoint allowlist.',
  ),
  unsupported_parameter: spec(
    400,
    'invalid_request_error',
    'This gateway does not support that parameter or value.',
    'A known OpenAI parameter or value the gateway cannot serve (on `/v1/responses`: stored state such as previous_response_id, built-in tools, background runs): refused, never silently dropped.',
  ),
  invalid_parameter: spec(
    400,
    'invalid_request_error',
    'Invalid parameter.',
    'A parameter of the wrong type or out of range.',
  ),
  invalid_messages: spec(
    400,
    'invalid_request_error',
    'Invalid messages.',
    '`messages` missing, empty, too long or malformed.',
  ),
  missing_model: spec(
    400,
    'invalid_request_error',
    'The model parameter is required.',
    '`model` absent or not a string.',
  ),
  n_too_large: spec(
    400,
    'invalid_request_error',
    'n is larger than allowed.',
    '`n` (or `best_of`), times the prompts of a /v1/completions prompt batch, above the tenant maxN.',
  ),
  context_length_exceeded: spec(
    400,
    'invalid_request_error',
    'Input does not fit the model context.',
    'Input tokens leave no room for output within the model context length.',
  ),
  input_too_long: spec(
    400,
    'invalid_request_error',
    'Input has more tokens than allowed.',
    'Input tokens above maxInputTokens (tenant or model).',
  ),
  request_exceeds_budget: spec(
    400,
    'invalid_request_error',
    'This request can never fit the budget.',
    'The estimated cost of one request is above a budget limit; lower max_tokens or n.',
  ),
  request_exceeds_tpm: spec(
    400,
    'invalid_request_error',
    'This request can never fit the tokens-per-minute limit.',
    'Estimated tokens of one request above tpm; lower max_tokens or n.',
  ),
  prompt_injection: spec(
    400,
    'invalid_request_error',
    'The request was refused by the prompt-injection check.',
    'The policy blocks prompt injection and the request scored at or above its threshold (local scorer or judge model).',
  ),
  prompt_injection_unscanned: spec(
    400,
    'invalid_request_error',
    'The request carries input the prompt-injection check cannot read.',
    'The policy blocks prompt injection and the request has untrusted input the local scorer does not read: more than its budget (1 MiB of untrusted text, 256 characters per segment included), token-id prompts, or content parts nested more than 8 deep.',
  ),
  tool_not_allowed: spec(
    400,
    'invalid_request_error',
    'Tool is not on the allowlist.',
    'A declared tool (function) is not in the policy tool allowlist.',
  ),
  // --- stacked auth ---------------------------------------------------------------------------------
  missing_api_key: spec(
    401,
    'authentication_error',
    'Missing API key. Send "Authorization: Bearer <key>".',
    'No Authorization bearer credential.',
  ),
  invalid_api_key: spec(
    401,
    'authentication_error',
    'Invalid API key.',
    'Malformed key, bad checksum, or no key with that hash.',
  ),
  expired_api_key: spec(401, 'authentication_error', 'API key has expired.', 'The key is past its expiresAt.'),
  revoked_api_key: spec(401, 'authentication_error', 'API key has been revoked.', 'The key is revoked.'),
  tenant_suspended: spec(
    403,
    'permission_error',
    'This account is suspended.',
    'The LLMTenant is suspended (or blocked by policy).',
  ),
  model_not_found: spec(404, 'not_found_error', 'The model does not exist.', 'No model with that served name.'),
  model_not_entitled: spec(
    403,
    'permission_error',
    'Your tier is not entitled to this model.',
    'The model exists but is not granted to the tenant.',
  ),
  model_capability: spec(
    400,
    'invalid_request_error',
    'The model does not serve this endpoint.',
    'e.g. embeddings on a chat-only model.',
  ),
  scope_not_allowed: spec(
    403,
    'permission_error',
    'This API key is not allowed to call this endpoint.',
    'The key scopes do not include the endpoint.',
  ),
  outside_access_window: spec(
    403,
    'permission_error',
    'Requests are not allowed at this time.',
    'Outside every access window of a selecting policy.',
  ),
  ip_not_allowed: spec(
    403,
    'permission_error',
    'Requests from this address are not allowed.',
    'Client address outside an IP allowlist.',
  ),
  // --- limits (pre-flight reservation) ---------------------------------------------------------------
  insufficient_quota: spec(
    429,
    'insufficient_quota',
    'This request does not fit the budget left in the current window.',
    "The reservation does not fit a budget window that resets in more than 60 s. OpenAI's answer for an exhausted quota (the SDKs raise `RateLimitError`), with `x-should-retry: false` and no Retry-After: a retry cannot succeed soon and the SDKs obey that header before their 429 rule. The message says what the request needed and what is left, `x-tollgate-budget-reset` gives the reset time.",
  ),
  budget_window_full: spec(
    429,
    'rate_limit_error',
    'This request does not fit the budget left in the current window.',
    'The reservation does not fit a budget window that resets within 60 s; Retry-After names the window end.',
  ),
  rate_limit_requests: spec(
    429,
    'rate_limit_error',
    'Requests-per-minute limit reached.',
    'rpm window full; Retry-After names the window end.',
  ),
  rate_limit_tokens: spec(
    429,
    'rate_limit_error',
    'Tokens-per-minute limit reached.',
    'tpm window full; Retry-After names the window end.',
  ),
  concurrency_limit: spec(
    429,
    'rate_limit_error',
    'Too many requests in flight.',
    'All concurrency slots busy; Retry-After: 1.',
  ),
  store_unavailable: spec(
    503,
    'api_error',
    'Limits cannot be checked right now; request refused.',
    'The shared store (Redis) is unreachable and the control fails closed.',
  ),
  // --- upstream ---------------------------------------------------------------------------------------
  upstream_unavailable: spec(
    502,
    'api_error',
    'The model server is unavailable.',
    'Connect failure or reset before a response.',
  ),
  upstream_timeout: spec(504, 'api_error', 'The model server timed out.', 'Connect, first-byte or total timeout.'),
  upstream_error: spec(
    502,
    'api_error',
    'The model server failed.',
    'Upstream 5xx/401/403/408/429, an SSE error event or an unreadable response: a generic message with the upstream status (details only in gateway logs, scrubbed).',
  ),
  upstream_bad_request: spec(
    400,
    'invalid_request_error',
    'The model server rejected the request.',
    'Upstream 400/404/413/422: a generic message with the upstream status; the upstream text only in the gateway log, scrubbed.',
  ),
  output_blocked: spec(
    400,
    'invalid_request_error',
    'The response was blocked by an output guardrail.',
    'An output transform refused the response (not 5xx/429: a retry would run the model again for the same refusal).',
  ),
  // --- routing / server --------------------------------------------------------------------------------
  not_found: spec(404, 'not_found_error', 'Unknown route.', 'Any path or method the gateway does not serve.'),
  not_ready: spec(503, 'api_error', 'Gateway has no valid configuration loaded.', 'Before the first valid config.'),
  internal_error: spec(
    500,
    'api_error',
    'Internal error.',
    'A bug; details only in gateway logs, keyed by request id.',
  ),
  // --- shared store state (appended; gateway/store/generation.ts) ----------------------------------------
  store_state_lost: spec(
    503,
    'api_error',
    'Budgets cannot be enforced right now: the shared store lost its state; request refused.',
    'The store (Redis) restarted empty or lost data; budget-limited tenants are refused until the data is restored or an operator runs `tollgate store ack-reset`.',
  ),
  // --- HTTP framing and connection (appended: requests the parser, the router or the server refuses) ------
  bad_request: spec(
    400,
    'invalid_request_error',
    'The HTTP request is malformed.',
    "Node's HTTP parser or the router refused the request before it reached a route: request line, header bytes, framing (Content-Length with Transfer-Encoding, bad chunking), an undecodable path. The connection is closed.",
  ),
  request_timeout: spec(
    408,
    'invalid_request_error',
    'The request did not arrive in time.',
    'Headers not received within 10 s, or the whole request (headers and body) not within 30 s of its first byte (`requestTimeoutMs`). The connection is closed.',
  ),
  headers_too_large: spec(
    431,
    'invalid_request_error',
    'Request headers are larger than allowed.',
    "Request line and headers above Node's 16 KiB limit. The connection is closed.",
  ),
  shutting_down: spec(
    503,
    'api_error',
    'The gateway is shutting down; retry the request.',
    'A request that arrives while this replica drains (SIGTERM); another replica serves the retry.',
  ),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: ErrorCode };
}

/** A rejection on the request path: thrown or returned, turned into an OpenAI-shape response. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  /** Extra response headers (e.g. the budget reset time). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    code: ErrorCode,
    message?: string,
    opts: { param?: string; retryAfterSeconds?: number; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.param = opts.param ?? null;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.headers = opts.headers ?? {};
  }
  /** Whether a client retry can succeed (OpenAI SDKs honour `x-should-retry`). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: ERRORS[this.code].type, param: this.param, code: this.code } };
  }
}

/** Refusals a short retry can fix; every other refusal says `x-should-retry: false`. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'budget_window_full',
  'rate_limit_requests',
  'rate_limit_tokens',
  'concurrency_limit',
  'store_unavailable',
  'upstream_unavailable',
  'upstream_timeout',
  'upstream_error',
  'not_ready',
  'internal_error',
  'request_timeout',
  'shutting_down',
]);

/** A budget window resetting within this many seconds is worth a Retry-After; later ones are not. */
export const SHORT_RETRY_SECONDS = 60;

export interface BudgetRefusal {
  /** Estimated cost of this request, in `unit`. */
  readonly needed: number;
  readonly unit: string;
  readonly limit: number;
  readonly windowSeconds: number;
  /** Spent in the current window (undefined: the store could not tell). */
  readonly spent: number | undefined;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
  readonly nowMs: number;
}

/**
 * The refusal for a budget line that does not admit a request (issue #10, item 8): what the request needed
 * and what is left; a window resetting soon -> 429 + Retry-After (`budget_window_full`), later -> 429
 * `insufficient_quota` with `x-should-retry: false` and without Retry-After (SDKs would sleep or retry for
 * nothing) and the reset time in headers.
 */
export function budgetRefusal(r: BudgetRefusal): GatewayError {
  const num = (n: number): string => String(Math.round(n * 1000) / 1000);
  const reset = new Date(r.nowMs + Math.ceil(r.resetSeconds) * 1000).toISOString();
  const left = r.spent === undefined ? undefined : Math.max(0, r.limit - r.spent);
  const leftText =
    left === undefined
      ? `the budget is ${num(r.limit)} ${r.unit}`
      : `${num(left)} of ${num(r.limit)} ${r.unit} are left`;
  const message =
    `This request needs an estimated ${num(r.needed)} ${r.unit}; ${leftText} in the current ${r.windowSeconds}-second window, which resets at ${reset}.` +
    (left !== undefined && left > 0 ? ' A smaller request (lower max_tokens or n) may fit now.' : '');
  const headers: Record<string, string> = { 'x-tollgate-budget-reset': reset, 'x-tollgate-budget-limit': num(r.limit) };
  if (left !== undefined) headers['x-tollgate-budget-remaining'] = num(left);
  if (r.resetSeconds <= SHORT_RETRY_SECONDS)
    return new GatewayError('budget_window_full', message, { retryAfterSeconds: r.resetSeconds, headers });
  return new GatewayError('insufficient_quota', message, { headers });
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/** Markdown table for the README (kept next to the catalog so it cannot drift). */
export function errorCatalogMarkdown(): string {
  const rows = Object.entries(ERRORS).map(([code, s]) => `| \`${code}\` | ${s.status} | ${s.type} | ${s.when} |`);
  return ['| code | HTTP | type | when |', '|---|---|---|---|', ...rows].join('\n');
}
