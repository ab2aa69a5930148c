// Parse and bound: JSON depth, the per-endpoint parameter allowlist, and the shape of messages / prompt /
// input. Only parameters on the allowlist reach the upstream; parameters that would redirect or
// reconfigure the upstream are named and refused (`banned_parameter`), anything else unknown is refused
// too (`unknown_parameter`).
import { GatewayError } from './errors.ts';
import { MEDIA_PART_TOKENS, PER_MESSAGE_TOKENS, REPLY_PRIMING_TOKENS, type InputText } from './tokens.ts';

export type Endpoint = 'chat.completions' | 'completions' | 'embeddings';

export const MAX_JSON_DEPTH = 64;

/** Parameters that point the gateway (or a downstream SDK) somewhere else or carry credentials. */
export const BANNED_PARAMETERS: ReadonlySet<string> = new Set([
  'api_base', 'base_url', 'api_key', 'api_version', 'api_type', 'azure_endpoint', 'azure_ad_token', 'organization',
  'custom_llm_provider', 'extra_headers', 'extra_body', 'extra_query', 'headers', 'url', 'endpoint', 'host', 'proxy',
  'proxies', 'timeout', 'request_timeout', 'deployment_id', 'http_client', 'litellm_params', 'aws_access_key_id',
  'aws_secret_access_key', 'vertex_credentials', 'chat_template', 'chat_template_kwargs', 'mm_processor_kwargs',
  'lora_request', 'guided_decoding_backend',
]);

type Kind = 'string' | 'number' | 'int' | 'bool' | 'object' | 'stop' | 'any-array' | 'tools' | 'tool_choice' | 'stream_options' | 'response_format' | 'logit_bias' | 'model' | 'messages' | 'prompt' | 'input';

const COMMON_SAMPLING: Record<string, Kind> = {
  temperature: 'number', top_p: 'number', presence_penalty: 'number', frequency_penalty: 'number', seed: 'int',
  stop: 'stop', user: 'string', logit_bias: 'logit_bias', top_k: 'int', min_p: 'number', repetition_penalty: 'number',
  min_tokens: 'int',
};

// Looked up by client-chosen names: Maps only, so `__proto__`, `constructor`, `toString`... are never
// found on a prototype (issue #10, item 5).
const ALLOW_SPEC: Record<Endpoint, Record<string, Kind>> = {
  'chat.completions': {
    model: 'model', messages: 'messages', max_tokens: 'int', max_completion_tokens: 'int', n: 'int', stream: 'bool',
    stream_options: 'stream_options', logprobs: 'bool', top_logprobs: 'int', tools: 'tools', tool_choice: 'tool_choice',
    parallel_tool_calls: 'bool', response_format: 'response_format', functions: 'tools', function_call: 'tool_choice',
    ...COMMON_SAMPLING,
  },
  completions: {
    model: 'model', prompt: 'prompt', max_tokens: 'int', n: 'int', best_of: 'int', stream: 'bool',
    stream_options: 'stream_options', logprobs: 'int', echo: 'bool', suffix: 'string', ...COMMON_SAMPLING,
  },
  embeddings: { model: 'model', input: 'input', encoding_format: 'string', dimensions: 'int', user: 'string' },
};
const ALLOW: ReadonlyMap<Endpoint, ReadonlyMap<string, Kind>> = new Map(
  (Object.keys(ALLOW_SPEC) as Endpoint[]).map((e) => [e, new Map(Object.entries(ALLOW_SPEC[e]))]),
);

const TOKEN_ID = /^[0-9]{1,9}$/;
/** Fields of each content part type (own keys only are ever looked at). */
const PART_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['text', new Set(['type', 'text'])],
  ['image_url', new Set(['type', 'image_url'])],
  ['input_audio', new Set(['type', 'input_audio'])],
]);
const MESSAGE_FIELDS: ReadonlySet<string> = new Set(['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'function_call', 'refusal', 'reasoning_content']);
const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const MAX_MESSAGES = 4096;
const MAX_ARRAY_INPUTS = 2048;

export interface ParsedRequest {
  readonly endpoint: Endpoint;
  readonly model: string;
  /** The validated body; the pipeline sets max_tokens and stream_options before forwarding. */
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
  /** Choices generated (max of n and best_of). */
  readonly n: number;
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
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new GatewayError('invalid_json', 'Request body must be a JSON object.');
  return v as Record<string, unknown>;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const bad = (param: string, message: string): GatewayError => new GatewayError('invalid_parameter', message, { param });

function checkKind(key: string, kind: Kind, v: unknown): void {
  switch (kind) {
    case 'string':
      if (typeof v !== 'string' || v.length > 4096) throw bad(key, `${key} must be a string.`);
      return;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(key, `${key} must be a number.`);
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(key, `${key} must be an integer.`);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw bad(key, `${key} must be a boolean.`);
      return;
    case 'stop':
      if (typeof v === 'string' ? v.length > 512 : !(Array.isArray(v) && v.length <= 16 && v.every((s) => typeof s === 'string' && s.length <= 512))) {
        throw bad(key, 'stop must be a string or up to 16 strings.');
      }
      return;
    case 'logit_bias':
      if (!isObj(v) || Object.keys(v).length > 1024 || !Object.entries(v).every(([k, x]) => TOKEN_ID.test(k) && typeof x === 'number' && Number.isFinite(x))) {
        throw bad(key, 'logit_bias must map token ids to numbers.');
      }
      return;
    case 'stream_options':
      if (!isObj(v) || !Object.entries(v).every(([k, x]) => (k === 'include_usage' || k === 'continuous_usage_stats') && typeof x === 'boolean')) {
        throw bad(key, 'stream_options accepts include_usage (boolean) only.');
      }
      return;
    case 'response_format':
      if (!isObj(v) || typeof v.type !== 'string' || !['text', 'json_object', 'json_schema'].includes(v.type)) {
        throw bad(key, 'response_format.type must be text, json_object or json_schema.');
      }
      return;
    case 'tool_choice':
      if (!(typeof v === 'string' && ['none', 'auto', 'required'].includes(v)) && !isObj(v)) throw bad(key, `${key} must be none, auto, required or an object.`);
      return;
    case 'tools':
      if (!Array.isArray(v) || v.length > 128) throw bad(key, `${key} must be an array of at most 128 tools.`);
      return;
    case 'object':
    case 'any-array':
    case 'model':
    case 'messages':
    case 'prompt':
    case 'input':
      return;
  }
}

function toolName(t: unknown, key: string, i: number): string {
  // tools: [{type:'function', function:{name}}]; functions (legacy): [{name}]
  const fn = key === 'functions' ? t : isObj(t) ? t.function : undefined;
  if (key === 'tools' && !(isObj(t) && t.type === 'function')) throw bad(`${key}[${i}]`, 'Only function tools are supported.');
  if (!isObj(fn) || typeof fn.name !== 'string' || fn.name.length === 0 || fn.name.length > 128) throw bad(`${key}[${i}]`, 'Each tool needs a function name (1-128 characters).');
  return fn.name;
}

function messagesInput(v: unknown): InputText {
  const fail = (i: number | undefined, message: string): GatewayError =>
    new GatewayError('invalid_messages', message, { param: i === undefined ? 'messages' : `messages[${i}]` });
  if (!Array.isArray(v) || v.length === 0) throw fail(undefined, 'messages must be a non-empty array.');
  if (v.length > MAX_MESSAGES) throw fail(undefined, `messages may hold at most ${MAX_MESSAGES} entries.`);
  const texts: string[] = [];
  let overhead = REPLY_PRIMING_TOKENS;
  for (let i = 0; i < v.length; i++) {
    const m: unknown = v[i];
    if (!isObj(m)) throw fail(i, 'Each message must be an object.');
    for (const k of Object.keys(m)) if (!MESSAGE_FIELDS.has(k)) throw fail(i, `Unknown message field (allowed: ${[...MESSAGE_FIELDS].join(', ')}).`);
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) throw fail(i, 'role must be system, developer, user, assistant or tool.');
    overhead += PER_MESSAGE_TOKENS;
    const c = m.content;
    if (typeof c === 'string') texts.push(c);
    else if (Array.isArray(c)) {
      if (c.length > 256) throw fail(i, 'content may hold at most 256 parts.');
      for (const p of c) {
        if (!isObj(p) || !Object.hasOwn(p, 'type') || typeof p.type !== 'string') throw fail(i, 'Each content part needs a type.');
        const fields = PART_FIELDS.get(p.type);
        if (fields) for (const k of Object.keys(p)) if (!fields.has(k)) throw fail(i, `Unknown field in a ${p.type} content part.`);
        if (p.type === 'text') {
          if (typeof p.text !== 'string') throw fail(i, 'A text part needs a string text.');
          texts.push(p.text);
        } else if (p.type === 'image_url' || p.type === 'input_audio') overhead += MEDIA_PART_TOKENS;
        else throw fail(i, 'Unsupported content part type (allowed: text, image_url, input_audio).');
      }
    } else if (c === null || c === undefined) {
      if (m.role !== 'assistant' || (m.tool_calls === undefined && m.function_call === undefined)) throw fail(i, 'content is required.');
    } else throw fail(i, 'content must be a string, an array of parts or null.');
    if (m.name !== undefined) {
      if (typeof m.name !== 'string' || m.name.length > 128) throw fail(i, 'name must be a string of at most 128 characters.');
      texts.push(m.name);
    }
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string') throw fail(i, 'A tool message needs tool_call_id.');
    if (m.tool_calls !== undefined) {
      if (m.role !== 'assistant' || !Array.isArray(m.tool_calls) || m.tool_calls.length > 128) throw fail(i, 'tool_calls must be an array on an assistant message.');
      texts.push(JSON.stringify(m.tool_calls));
    }
  }
  return { texts, overhead };
}

/** prompt (completions) or input (embeddings): string | string[] | token ids | token id arrays. */
function promptInput(v: unknown, param: string): InputText {
  const fail = (): GatewayError => bad(param, `${param} must be a string, an array of strings, or token ids.`);
  if (typeof v === 'string') return { texts: [v], overhead: 0 };
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_ARRAY_INPUTS) throw fail();
  if (v.every((x) => typeof x === 'string')) return { texts: v as string[], overhead: 0 };
  if (v.every((x) => Number.isSafeInteger(x))) return { texts: [], overhead: v.length };
  let ids = 0;
  for (const x of v) {
    if (!Array.isArray(x) || x.length > 1_000_000 || !x.every((t) => Number.isSafeInteger(t))) throw fail();
    ids += x.length;
  }
  return { texts: [], overhead: ids };
}

/** Validate a parsed body against the endpoint allowlist and shape rules. */
export function validateRequest(endpoint: Endpoint, body: Record<string, unknown>): ParsedRequest {
  const allow = ALLOW.get(endpoint)!;
  for (const key of Object.keys(body)) {
    const kind = allow.get(key);
    if (kind === undefined) {
      if (BANNED_PARAMETERS.has(key)) throw new GatewayError('banned_parameter', `Parameter "${key}" is not allowed: the gateway decides where requests go.`, { param: key });
      // the name is the client's text: never echoed (it could be a key pasted in the wrong place)
      throw new GatewayError('unknown_parameter', 'A parameter is not on the allowlist for this endpoint.');
    }
    const v = body[key];
    if (v === null) {
      delete body[key]; // OpenAI SDKs send explicit nulls for "not set"
      continue;
    }
    checkKind(key, kind, v);
  }
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0 || model.length > 256) throw new GatewayError('missing_model', undefined, { param: 'model' });

  const toolNames: string[] = [];
  for (const key of ['tools', 'functions'] as const) {
    const list = body[key];
    if (Array.isArray(list)) list.forEach((t, i) => toolNames.push(toolName(t, key, i)));
  }

  let input: InputText;
  if (endpoint === 'chat.completions') input = messagesInput(body.messages);
  else if (endpoint === 'completions') {
    if (body.prompt === undefined) throw bad('prompt', 'prompt is required.');
    input = promptInput(body.prompt, 'prompt');
    if (typeof body.suffix === 'string') input = { texts: [...input.texts, body.suffix], overhead: input.overhead };
  } else {
    if (body.input === undefined) throw bad('input', 'input is required.');
    input = promptInput(body.input, 'input');
  }
  if (toolNames.length > 0) {
    const defs = JSON.stringify([body.tools ?? [], body.functions ?? []]);
    input = { texts: [...input.texts, defs], overhead: input.overhead };
  }

  const intParam = (k: string, min: number): number | undefined => {
    const v = body[k];
    if (v === undefined) return undefined;
    if ((v as number) < min) throw bad(k, `${k} must be at least ${min}.`);
    return v as number;
  };
  const n = Math.max(intParam('n', 1) ?? 1, intParam('best_of', 1) ?? 1);
  const mt = intParam('max_tokens', 1);
  const mct = intParam('max_completion_tokens', 1);
  const requestedMaxTokens = mt === undefined ? mct : mct === undefined ? mt : Math.min(mt, mct);
  const stream = body.stream === true;
  if (body.stream_options !== undefined && !stream) throw bad('stream_options', 'stream_options requires stream: true.');
  const so = body.stream_options;
  const wantsStreamUsage = stream && isObj(so) && so.include_usage === true;
  return { endpoint, model, body, stream, n, requestedMaxTokens, input, toolNames, wantsStreamUsage };
}
