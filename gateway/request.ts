// Parse and bound: JSON depth, the per-endpoint parameter allowlist, and the shape of messages / prompt /
// input. The shapes are the zod schemas in api/openai/ (one spec per endpoint: the allowlist, the route JSON
// schema and this validation come from it). Only parameters on the allowlist reach the upstream, less those
// the spec drops (OpenAI platform hints); parameters that would redirect or reconfigure the upstream are named
// and refused (`banned_parameter`), known OpenAI parameters the gateway cannot honour are named and refused
// (`unsupported_parameter`), anything else unknown is refused without its name (`unknown_parameter`).
import type { z } from 'zod';
import {
  allowlist,
  BANNED_PARAMETERS,
  bannedMessage,
  LIMITS,
  REQUEST_SPECS,
  type ApiEndpoint,
  type Endpoint,
} from '../api/openai/index.ts';
import { Messages, type ChatMessage } from '../api/openai/chat.ts';
import { GatewayError, type ErrorCode } from './errors.ts';
import { isObj } from './json.ts';
import { audioTokens, imageTokens, MAX_MEDIA_PARTS } from './media.ts';
import { PER_MESSAGE_TOKENS, REPLY_PRIMING_TOKENS, type InputText } from './tokens.ts';

export type { Endpoint } from '../api/openai/index.ts';
export { BANNED_PARAMETERS } from '../api/openai/index.ts';

export const MAX_JSON_DEPTH = 64;

export interface ParsedRequest {
  readonly endpoint: Endpoint;
  readonly model: string;
  /** The validated body; the pipeline sets max_tokens and stream_options before forwarding. */
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
  /**
   * Sequences the engine generates: max(n, best_of), times the prompts of a /v1/completions batch (a `prompt`
   * list of strings or of token-id lists is one completion per prompt, as vLLM and OpenAI run it).
   */
  readonly n: number;
  /** Prompts in a /v1/completions batch (1 for anything else): `n` already includes them. */
  readonly batch: number;
  /** min(max_tokens, max_completion_tokens) as the caller sent it. */
  readonly requestedMaxTokens: number | undefined;
  readonly input: InputText;
  /** Tool (function) names declared by the request. */
  readonly toolNames: readonly string[];
  /** The caller asked for the usage chunk at the end of a stream. */
  readonly wantsStreamUsage: boolean;
}

/**
 * Depth of `[`/`{` nesting in raw JSON text, ignoring brackets inside strings; stops at `max + 1`. Linear:
 * a string is skipped with indexOf to its closing quote (a 1 MiB string costs a memchr, not a JS loop).
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) return false; // unterminated string: JSON.parse refuses the body
        let backslashes = 0;
        for (let k = q - 1; k > i && text.charCodeAt(k) === 92 /* \ */; k--) backslashes++;
        if (backslashes % 2 === 0) {
          i = q;
          break;
        }
        from = q + 1;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Parse the raw body text of a POST. */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new GatewayError('json_too_deep');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new GatewayError('invalid_json');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new GatewayError('invalid_json', 'Request body must be a JSON object.');
  return v as Record<string, unknown>;
}

/** Parameters whose errors name the element (`messages[3]`, `tools[0]`): arrays of client-built items. */
const INDEXED_PARAMS: ReadonlySet<string> = new Set(['messages', 'tools', 'functions']);

/**
 * The issue to report: inside a union, the branch that got furthest (an issue below the union, or one that is
 * not a plain type mismatch), else the union's own message. Paths are the gateway's (keys it validated).
 */
export function reportedIssue(issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union') {
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first && (first.path.length > 0 || first.code !== 'invalid_type')) {
        const inner = reportedIssue(first);
        return { path: [...issue.path, ...inner.path], message: inner.message };
      }
    }
  }
  return { path: issue.path, message: issue.message };
}

/** A zod failure of parameter `key` as a catalog error (the message is the schema's, never the client's text). */
export function parameterError(
  key: string,
  error: z.ZodError,
  opts: { code?: ErrorCode; indexed?: boolean } = {},
): GatewayError {
  const first = error.issues[0];
  const { path, message } = first ? reportedIssue(first) : { path: [], message: `${key} is invalid.` };
  const indexed = opts.indexed ?? INDEXED_PARAMS.has(key);
  const param = indexed && typeof path[0] === 'number' ? `${key}[${path[0]}]` : key;
  return new GatewayError(
    opts.code ?? 'invalid_parameter',
    message.startsWith('Invalid input') || message.startsWith('Too ') ? `${param} is invalid.` : message,
    { param },
  );
}

/**
 * Why a known, non-allowlisted name is refused (`unsupported_parameter`): the spec's own reason, or a generic
 * one for a name of `unsupported`; undefined for a name the gateway does not know.
 */
function refusalMessage(
  endpoint: ApiEndpoint,
  key: string,
  unsupported: ReadonlySet<string> | undefined,
): string | undefined {
  const reason = REQUEST_SPECS[endpoint].refused?.get(key);
  if (reason !== undefined) return reason;
  return unsupported?.has(key) ? `Parameter "${key}" is not supported by this gateway.` : undefined;
}

/**
 * The allowlist pass over the top-level keys of a body (own keys only, in order): banned names are named,
 * known refused names named (`unsupported_parameter`), other unknown names refused without echoing them,
 * explicit nulls dropped ("not set"), and every value except `model` and the content (checked after `model`)
 * validated against its schema.
 * `unsupported`: more names of this API the gateway knows and refuses (with a generic reason).
 */
export function checkParameters(
  endpoint: ApiEndpoint,
  body: Record<string, unknown>,
  unsupported?: ReadonlySet<string>,
): void {
  const allow = allowlist(endpoint);
  const content = REQUEST_SPECS[endpoint].content;
  for (const key of Object.keys(body)) {
    const schema = allow.get(key);
    if (schema === undefined) {
      if (BANNED_PARAMETERS.has(key)) throw new GatewayError('banned_parameter', bannedMessage(key), { param: key });
      const refusal = refusalMessage(endpoint, key, unsupported);
      if (refusal !== undefined && body[key] !== null)
        throw new GatewayError('unsupported_parameter', refusal, { param: key });
      if (refusal !== undefined) {
        delete body[key];
        continue;
      }
      // the name is the client's text: never echoed (it could be a key pasted in the wrong place)
      throw new GatewayError('unknown_parameter', 'A parameter is not on the allowlist for this endpoint.');
    }
    const v = body[key];
    if (v === null) {
      delete body[key]; // OpenAI SDKs send explicit nulls for "not set"
      continue;
    }
    if (key === 'model' || content.includes(key)) continue;
    const r = schema.safeParse(v);
    if (!r.success) throw parameterError(key, r.error);
  }
}

/**
 * Remove what the endpoint accepts but does not forward (validated already): the spec's `dropped` parameters
 * and `stream_options.include_obfuscation` (the gateway adds no obfuscation padding, whatever the value).
 */
export function dropAccepted(endpoint: Endpoint, body: Record<string, unknown>): void {
  for (const k of REQUEST_SPECS[endpoint].dropped ?? []) delete body[k];
  const so = body.stream_options;
  if (isObj(so) && Object.hasOwn(so, 'include_obfuscation')) {
    const rest = { ...so };
    delete rest.include_obfuscation;
    body.stream_options = rest;
  }
}

/** `model`: present, a string of 1-256 characters. */
export function checkModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0 || model.length > 256)
    throw new GatewayError('missing_model', undefined, { param: 'model' });
  return model;
}

/** messages: bounds first (no per-message work on an oversized array), then the schema, then the text to count. */
function messagesInput(v: unknown): InputText {
  if (Array.isArray(v) && v.length > LIMITS.maxMessages) {
    throw new GatewayError('invalid_messages', `messages may hold at most ${LIMITS.maxMessages} entries.`, {
      param: 'messages',
    });
  }
  const r = Messages.safeParse(v);
  if (!r.success) throw parameterError('messages', r.error, { code: 'invalid_messages' });
  const messages = v as ChatMessage[];
  const texts: string[] = [];
  let overhead = REPLY_PRIMING_TOKENS;
  let media = 0;
  let nonText = 0;
  for (const m of messages) {
    overhead += PER_MESSAGE_TOKENS;
    const c = m.content;
    if (typeof c === 'string') texts.push(c);
    else if (Array.isArray(c)) {
      for (const p of c) {
        if (p.type === 'text') {
          texts.push(p.text);
          continue;
        }
        // bounded before any part is estimated (media.ts: an estimate decodes up to a header per part)
        if (++media > MAX_MEDIA_PARTS)
          throw new GatewayError(
            'invalid_messages',
            `A request may hold at most ${MAX_MEDIA_PARTS} image or audio parts.`,
            { param: 'messages' },
          );
        const t = p.type === 'image_url' ? imageTokens(p.image_url) : audioTokens(p.input_audio);
        overhead += t;
        nonText += t;
      }
    }
    if (m.name !== undefined) texts.push(m.name);
    if (m.tool_calls !== undefined) texts.push(JSON.stringify(m.tool_calls));
    // forwarded, so counted: a template that renders them makes them prompt (red team re-check 2026-12-03: a
    // 200,000-character reasoning_content passed a 2,000-token input cap and was charged 1,102 of 50,030 tokens)
    if (typeof m.tool_call_id === 'string') texts.push(m.tool_call_id);
    if (m.function_call !== undefined && m.function_call !== null) texts.push(JSON.stringify(m.function_call));
    if (typeof m.refusal === 'string') texts.push(m.refusal);
    if (typeof m.reasoning_content === 'string') texts.push(m.reasoning_content);
  }
  return media > 0 ? { texts, overhead, nonText, mediaParts: media } : { texts, overhead };
}

/** prompt (completions) or input (embeddings): validated by its schema, then the text (or token ids) to count. */
function promptInput(endpoint: Endpoint, v: unknown, param: string): InputText {
  const schema = allowlist(endpoint).get(param)!;
  const r = schema.safeParse(v);
  if (!r.success) throw parameterError(param, r.error, { indexed: false });
  if (typeof v === 'string') return { texts: [v], overhead: 0 };
  const list = v as unknown[];
  if (typeof list[0] === 'string') return { texts: list as string[], overhead: 0 };
  if (typeof list[0] === 'number') return { texts: [], overhead: list.length, nonText: list.length };
  let ids = 0;
  for (const x of list as number[][]) ids += x.length;
  return { texts: [], overhead: ids, nonText: ids };
}

/**
 * Prompts in a validated completions `prompt`: a list of strings or of token-id lists is a batch (the engine
 * runs one completion per prompt); a string or one token-id list is one prompt.
 */
export function promptBatch(prompt: unknown): number {
  if (!Array.isArray(prompt)) return 1;
  return typeof prompt[0] === 'number' ? 1 : prompt.length;
}

/** Validate a parsed body against the endpoint allowlist and shape rules. */
/**
 * min_tokens above the output limit (the caller's max_tokens / max_completion_tokens, whichever is lower; after
 * the plan, the effective limit: the tenant's output cap or the context left) asks for what cannot be produced:
 * refused by name before the reservation, where the engine would refuse it after (the SDK re-check: accepted).
 */
export function minTokensRefusal(
  min: unknown,
  max: number | undefined,
  limit = 'max_tokens',
): GatewayError | undefined {
  if (typeof min !== 'number' || max === undefined || min <= max) return undefined;
  return new GatewayError('invalid_parameter', `min_tokens (${min}) is above ${limit} (${max}).`, {
    param: 'min_tokens',
  });
}

export function validateRequest(endpoint: Endpoint, body: Record<string, unknown>): ParsedRequest {
  checkParameters(endpoint, body);
  const model = checkModel(body);
  dropAccepted(endpoint, body);

  const toolNames: string[] = [];
  if (Array.isArray(body.tools))
    for (const t of body.tools as { function: { name: string } }[]) toolNames.push(t.function.name);
  if (Array.isArray(body.functions)) for (const f of body.functions as { name: string }[]) toolNames.push(f.name);

  let input: InputText;
  if (endpoint === 'chat.completions') input = messagesInput(body.messages);
  else if (endpoint === 'completions') {
    if (body.prompt === undefined)
      throw new GatewayError('invalid_parameter', 'prompt is required.', { param: 'prompt' });
    input = promptInput(endpoint, body.prompt, 'prompt');
    if (typeof body.suffix === 'string') input = { ...input, texts: [...input.texts, body.suffix] };
  } else {
    if (body.input === undefined) throw new GatewayError('invalid_parameter', 'input is required.', { param: 'input' });
    input = promptInput(endpoint, body.input, 'input');
  }
  if (toolNames.length > 0) {
    const defs = JSON.stringify([body.tools ?? [], body.functions ?? []]);
    input = { ...input, texts: [...input.texts, defs] };
  }

  // values were validated (integers >= 1) by checkParameters
  const int = (k: string): number | undefined => body[k] as number | undefined;
  const batch = endpoint === 'completions' ? promptBatch(body.prompt) : 1;
  const n = Math.max(int('n') ?? 1, int('best_of') ?? 1) * batch;
  const mt = int('max_tokens');
  const mct = int('max_completion_tokens');
  const requestedMaxTokens = mt === undefined ? mct : mct === undefined ? mt : Math.min(mt, mct);
  const minErr = minTokensRefusal(body.min_tokens, requestedMaxTokens);
  if (minErr) throw minErr;
  const stream = body.stream === true;
  if (body.stream_options !== undefined && !stream)
    throw new GatewayError('invalid_parameter', 'stream_options requires stream: true.', { param: 'stream_options' });
  const so = body.stream_options;
  const wantsStreamUsage = stream && isObj(so) && so.include_usage === true;
  return { endpoint, model, body, stream, n, batch, requestedMaxTokens, input, toolNames, wantsStreamUsage };
}
