// Pieces shared by the OpenAI request schemas (chat, completions, embeddings, responses): one zod schema
// per parameter, written for a value that is present and not null (the SDKs send explicit nulls for
// "not set"; the gateway drops them before validating). Error messages are part of the schema: they are the
// gateway's own words, never the client's text.
import { z } from 'zod';

/**
 * Banned names that reconfigure the engine rather than redirect the request: the template, its variables,
 * the multimodal processor, adapters and the decoding backend are set per model by the operator.
 * (`chat_template_kwargs` is on the chat allowlist with two switches only: api/openai/chat.ts.)
 */
const ENGINE_SETTINGS: ReadonlySet<string> = new Set([
  'chat_template',
  'chat_template_kwargs',
  'mm_processor_kwargs',
  'lora_request',
  'guided_decoding_backend',
]);

/** Parameters that point the gateway (or a downstream SDK) somewhere else, carry credentials or reconfigure the engine. */
export const BANNED_PARAMETERS: ReadonlySet<string> = new Set([
  'api_base',
  'base_url',
  'api_key',
  'api_version',
  'api_type',
  'azure_endpoint',
  'azure_ad_token',
  'organization',
  'custom_llm_provider',
  'extra_headers',
  'extra_body',
  'extra_query',
  'headers',
  'url',
  'endpoint',
  'host',
  'proxy',
  'proxies',
  'timeout',
  'request_timeout',
  'deployment_id',
  'http_client',
  'litellm_params',
  'aws_access_key_id',
  'aws_secret_access_key',
  'vertex_credentials',
  ...ENGINE_SETTINGS,
]);

/** The refusal message of a banned parameter: a fixed name of the set, never the value. */
export function bannedMessage(key: string): string {
  return ENGINE_SETTINGS.has(key)
    ? `Parameter "${key}" is not allowed: the engine's template and settings are set per model by the operator.`
    : `Parameter "${key}" is not allowed: the gateway decides where requests go.`;
}

/** Size bounds, decided before any per-element work. */
export const LIMITS = {
  maxMessages: 4096,
  maxArrayInputs: 2048,
  maxTokenIdsPerInput: 1_000_000,
  maxParts: 256,
  maxTools: 128,
  maxToolCalls: 128,
  maxNameChars: 128,
  // OpenAI "call_" + 24, vLLM "chatcmpl-tool-" + 32 hex, Mistral 9 characters: 256 is room for any engine's ids
  maxToolCallIdChars: 256,
  maxModelChars: 256,
  maxStringParam: 4096,
  maxStop: 16,
  maxStopChars: 512,
  maxLogitBias: 1024,
} as const;

/** A token id as a JSON object key (logit_bias). Anchored, no nested quantifier: linear. */
export const TOKEN_ID = /^[0-9]{1,9}$/;

export const stringParam = (key: string): z.ZodString =>
  z.string({ error: `${key} must be a string.` }).max(LIMITS.maxStringParam, { error: `${key} must be a string.` });
export const numberParam = (key: string): z.ZodNumber => z.number({ error: `${key} must be a number.` });
export const intParam = (key: string, min?: number): z.ZodInt => {
  const s = z.int({ error: `${key} must be an integer.` });
  return min === undefined ? s : s.min(min, { error: `${key} must be at least ${min}.` });
};
export const boolParam = (key: string): z.ZodBoolean => z.boolean({ error: `${key} must be a boolean.` });

/** The served model name; checked after the allowlist (`missing_model`), so any value passes here. */
export const model = z.string().min(1).max(LIMITS.maxModelChars).describe('Served model name.');

const stopMessage = 'stop must be a string or up to 16 strings.';
export const stop = z.union(
  [z.string().max(LIMITS.maxStopChars), z.array(z.string().max(LIMITS.maxStopChars)).max(LIMITS.maxStop)],
  { error: stopMessage },
);

/**
 * A JSON object used as a map (client-chosen keys), checked over its own keys, count first. Not z.record:
 * zod's record skips an own `__proto__` key, so a map holding one would pass unchecked.
 */
export function ownKeyMap<V>(opts: {
  maxKeys: number;
  key: (k: string) => boolean;
  value: (v: unknown) => v is V;
  error: string;
  jsonSchema: Record<string, unknown>;
}): z.ZodType<Record<string, V>> {
  return z
    .custom<Record<string, V>>(
      (v) => {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
        const keys = Object.keys(v);
        if (keys.length > opts.maxKeys) return false;
        for (const k of keys) if (!opts.key(k) || !opts.value((v as Record<string, unknown>)[k])) return false;
        return true;
      },
      { error: opts.error },
    )
    .meta({ type: 'object', maxProperties: opts.maxKeys, ...opts.jsonSchema });
}

/** OpenAI `metadata`: up to 16 string pairs (keys 64, values 512 characters), as OpenAI bounds it. */
export const Metadata = ownKeyMap({
  maxKeys: 16,
  key: (k) => k.length <= 64,
  value: (v): v is string => typeof v === 'string' && v.length <= 512,
  error: 'metadata must map up to 16 keys (64 characters) to strings (512 characters).',
  jsonSchema: { propertyNames: { maxLength: 64 }, additionalProperties: { type: 'string', maxLength: 512 } },
});

export const logitBias = ownKeyMap({
  maxKeys: LIMITS.maxLogitBias,
  key: (k) => TOKEN_ID.test(k),
  value: (v): v is number => typeof v === 'number' && Number.isFinite(v),
  error: 'logit_bias must map token ids to numbers.',
  jsonSchema: { propertyNames: { pattern: TOKEN_ID.source }, additionalProperties: { type: 'number' } },
});

const streamOptionsMessage =
  'stream_options accepts include_usage, continuous_usage_stats and include_obfuscation (booleans).';
/**
 * stream_options: include_usage and continuous_usage_stats (vLLM) are forwarded; include_obfuscation
 * (OpenAI pads stream chunks against length side channels) is accepted and dropped: the gateway re-encodes
 * every chunk and adds no padding field, whatever its value (as on /v1/responses).
 */
export const streamOptions = z.strictObject(
  {
    include_usage: z.boolean({ error: streamOptionsMessage }).optional(),
    continuous_usage_stats: z.boolean({ error: streamOptionsMessage }).optional(),
    include_obfuscation: z.boolean({ error: streamOptionsMessage }).optional(),
  },
  { error: streamOptionsMessage },
);

export const responseFormat = z.looseObject(
  {
    type: z.enum(['text', 'json_object', 'json_schema'], {
      error: 'response_format.type must be text, json_object or json_schema.',
    }),
  },
  { error: 'response_format.type must be text, json_object or json_schema.' },
);

/** Sampling parameters every text endpoint takes. */
export const commonSampling = {
  temperature: numberParam('temperature'),
  top_p: numberParam('top_p'),
  presence_penalty: numberParam('presence_penalty'),
  frequency_penalty: numberParam('frequency_penalty'),
  seed: intParam('seed'),
  stop,
  user: stringParam('user'),
  logit_bias: logitBias,
  top_k: intParam('top_k'),
  min_p: numberParam('min_p'),
  repetition_penalty: numberParam('repetition_penalty'),
  min_tokens: intParam('min_tokens'),
} satisfies Record<string, z.ZodType>;

/** prompt (completions) or input (embeddings): string | string[] | token ids | token id arrays. */
export const promptLike = (param: string): z.ZodType => {
  const message = `${param} must be a string, an array of strings, or token ids.`;
  const tokenId = z.int({ error: message });
  return z.union(
    [
      z.string(),
      z.array(z.string()).min(1).max(LIMITS.maxArrayInputs),
      z.array(tokenId).min(1).max(LIMITS.maxArrayInputs),
      z.array(z.array(tokenId).max(LIMITS.maxTokenIdsPerInput)).min(1).max(LIMITS.maxArrayInputs),
    ],
    { error: message },
  );
};

/** An endpoint's request: per-parameter schemas (the allowlist), the required ones, and the content field. */
export interface RequestSpec {
  /** Every allowlisted parameter and the schema of its (non-null) value. */
  readonly fields: Readonly<Record<string, z.ZodType>>;
  /** Parameters that must be present (after nulls are dropped). */
  readonly required: readonly string[];
  /** Parameters checked only after `model` (the content: messages, prompt, input). */
  readonly content: readonly string[];
  /**
   * Allowlisted parameters validated and then removed before forwarding: OpenAI platform hints the answer does
   * not depend on (the engine never sees them, nothing logs them).
   */
  readonly dropped?: readonly string[];
  /**
   * Names of this API the gateway knows and refuses (`unsupported_parameter`, the name in `param`), each with
   * its fixed reason. A name here is never on the allowlist.
   */
  readonly refused?: ReadonlyMap<string, string>;
}

/** The whole request body as one zod object (nulls allowed where the SDKs send them): docs and route schemas. */
export function requestObject(spec: RequestSpec): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, s] of Object.entries(spec.fields)) shape[k] = spec.required.includes(k) ? s : s.nullish();
  return z.strictObject(shape);
}
