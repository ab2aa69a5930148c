// POST /v1/chat/completions: the request the gateway accepts, as zod. The parameter allowlist, the route's
// JSON schema and the gateway's validation (gateway/request.ts) all come from here.
import { z } from 'zod';
import {
  boolParam,
  commonSampling,
  intParam,
  LIMITS,
  Metadata,
  model,
  responseFormat,
  streamOptions,
  stringParam,
  type RequestSpec,
} from './common.ts';

export const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;
export const MESSAGE_FIELDS = [
  'role',
  'content',
  'name',
  'tool_calls',
  'tool_call_id',
  'function_call',
  'refusal',
  'reasoning_content',
] as const;
export const PART_TYPES = ['text', 'image_url', 'input_audio'] as const;

const partMessage = 'Each content part needs a type.';
const unknownPartField =
  (type: string) =>
  (iss: { code: string }): string | undefined =>
    iss.code === 'unrecognized_keys' ? `Unknown field in a ${type} content part.` : undefined;

export const TextPart = z.strictObject(
  {
    type: z.literal('text'),
    text: z.string({ error: 'A text part needs a string text.' }),
  },
  { error: unknownPartField('text') },
);
export const ImagePart = z.strictObject(
  { type: z.literal('image_url'), image_url: z.unknown().optional() },
  { error: unknownPartField('image_url') },
);
export const AudioPart = z.strictObject(
  { type: z.literal('input_audio'), input_audio: z.unknown().optional() },
  { error: unknownPartField('input_audio') },
);

/** One content part (by its own `type`; looked up in a Map, so `__proto__` and friends are just unknown types). */
export const ContentPart = z.discriminatedUnion('type', [TextPart, ImagePart, AudioPart], {
  error: (iss) => {
    const code: string = iss.code; // a non-object part is reported as invalid_type at runtime
    if (code === 'invalid_type') return partMessage;
    if (code !== 'invalid_union') return undefined;
    const input = iss.input;
    const typed =
      input !== null &&
      typeof input === 'object' &&
      !Array.isArray(input) &&
      Object.hasOwn(input, 'type') &&
      typeof (input as { type?: unknown }).type === 'string';
    return typed ? 'Unsupported content part type (allowed: text, image_url, input_audio).' : partMessage;
  },
});

const contentMessage = 'content must be a string, an array of parts or null.';
export const MessageContent = z.union(
  [
    z.string(),
    z.array(ContentPart).max(LIMITS.maxParts, { error: `content may hold at most ${LIMITS.maxParts} parts.` }),
    z.null(),
  ],
  { error: contentMessage },
);

export const ChatMessage = z
  .strictObject(
    {
      role: z.enum(ROLES, { error: 'role must be system, developer, user, assistant or tool.' }),
      content: MessageContent.optional(),
      name: z
        .string({ error: 'name must be a string of at most 128 characters.' })
        .max(LIMITS.maxNameChars, { error: 'name must be a string of at most 128 characters.' })
        .optional(),
      tool_calls: z
        .array(z.unknown(), { error: 'tool_calls must be an array on an assistant message.' })
        .max(LIMITS.maxToolCalls, { error: 'tool_calls must be an array on an assistant message.' })
        .optional(),
      // every text-bearing field is counted as input (gateway/request.ts messagesInput): an engine's chat template
      // may render it (Mistral renders tool_call_id, Qwen3/GLM/DeepSeek templates an assistant's reasoning_content)
      tool_call_id: z
        .string({ error: `tool_call_id must be a string of at most ${LIMITS.maxToolCallIdChars} characters.` })
        .max(LIMITS.maxToolCallIdChars, {
          error: `tool_call_id must be a string of at most ${LIMITS.maxToolCallIdChars} characters.`,
        })
        .optional(),
      function_call: z.unknown().optional(),
      refusal: z.string({ error: 'refusal must be a string.' }).nullable().optional(),
      reasoning_content: z.string({ error: 'reasoning_content must be a string.' }).nullable().optional(),
    },
    {
      error: (iss) => {
        if (iss.code === 'unrecognized_keys') return `Unknown message field (allowed: ${MESSAGE_FIELDS.join(', ')}).`;
        if (iss.code === 'invalid_type' && iss.expected === 'object') return 'Each message must be an object.';
        return undefined;
      },
    },
  )
  .superRefine((m, ctx) => {
    if (m.content === null || m.content === undefined) {
      if (m.role !== 'assistant' || (m.tool_calls === undefined && m.function_call === undefined))
        ctx.addIssue({ code: 'custom', message: 'content is required.', path: ['content'] });
    }
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string')
      ctx.addIssue({ code: 'custom', message: 'A tool message needs tool_call_id.', path: ['tool_call_id'] });
    if (m.tool_calls !== undefined && m.role !== 'assistant')
      ctx.addIssue({
        code: 'custom',
        message: 'tool_calls must be an array on an assistant message.',
        path: ['tool_calls'],
      });
  });
export type ChatMessage = z.infer<typeof ChatMessage>;

export const Messages = z
  .array(ChatMessage, { error: 'messages must be a non-empty array.' })
  .min(1, { error: 'messages must be a non-empty array.' })
  .max(LIMITS.maxMessages, { error: `messages may hold at most ${LIMITS.maxMessages} entries.` });

const toolMessage = 'Each tool needs a function name (1-128 characters).';
const functionName = z
  .string({ error: toolMessage })
  .min(1, { error: toolMessage })
  .max(LIMITS.maxNameChars, { error: toolMessage });
/** tools: [{type:'function', function:{name, ...}}]: only function tools (the gateway cannot run built-in ones). */
export const FunctionToolDef = z.looseObject(
  {
    type: z.literal('function', { error: 'Only function tools are supported.' }),
    function: z.looseObject({ name: functionName }, { error: toolMessage }),
  },
  { error: 'Only function tools are supported.' },
);
/** functions (legacy): [{name, ...}]. */
export const LegacyFunctionDef = z.looseObject({ name: functionName }, { error: toolMessage });

const toolsArray = (key: string, item: z.ZodType): z.ZodType =>
  z
    .array(item, { error: `${key} must be an array of at most ${LIMITS.maxTools} tools.` })
    .max(LIMITS.maxTools, { error: `${key} must be an array of at most ${LIMITS.maxTools} tools.` });
const toolChoice = (key: string): z.ZodType =>
  z.union([z.enum(['none', 'auto', 'required']), z.looseObject({})], {
    error: `${key} must be none, auto, required or an object.`,
  });

/**
 * `prediction` (OpenAI Predicted Outputs): text the answer is expected to resemble, a latency hint only — the
 * answer is the same without it. Dropped, so no client text reaches the engine uncounted; bounded anyway.
 */
const predictionMessage = `prediction must be {type: "content", content: a string or up to ${LIMITS.maxParts} text parts}.`;
export const Prediction = z.strictObject(
  {
    type: z.literal('content', { error: predictionMessage }),
    content: z.union(
      [
        z.string(),
        z
          .array(TextPart, { error: predictionMessage })
          .min(1, { error: predictionMessage })
          .max(LIMITS.maxParts, { error: predictionMessage }),
      ],
      { error: predictionMessage },
    ),
  },
  { error: predictionMessage },
);

/**
 * `chat_template_kwargs` (vLLM): variables of the engine's Jinja chat template. Only the thinking switches
 * (`enable_thinking`: Qwen3, `thinking`: DeepSeek/Granite) pass: other variables can replace the template
 * (vLLM GHSA-6fvq-23cw-5628, GHSA-4hw3-g54f-xfrj) or switch in template text (tools, documents) the gateway
 * did not count or check.
 */
export const ChatTemplateKwargs = z.strictObject(
  { enable_thinking: z.boolean().optional(), thinking: z.boolean().optional() },
  {
    error:
      'chat_template_kwargs accepts enable_thinking and thinking (booleans) only: other template variables can change the prompt the gateway counted and checked.',
  },
);

/**
 * The OpenAI `reasoning_effort` values (Python SDK 3.57, Node 7.55); the engine may refuse one it does not
 * implement (answered as `upstream_bad_request`).
 */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;

// Platform hints chat and /v1/responses decide alike (accepted with these values, then dropped: `dropped` below,
// translateRequest for /v1/responses).
export const StoreFalse = z.literal(false, {
  error: 'store: true is not supported: the gateway stores no completions or responses.',
});
export const ServiceTier = z.enum(['auto', 'default'], {
  error: 'service_tier accepts auto or default: the tenant tier sets the priority.',
});
export const PromptCacheRetention = z.enum(['in_memory', '24h'], {
  error: 'prompt_cache_retention must be in_memory or 24h.',
});
export const Verbosity = z.enum(['low', 'medium', 'high'], { error: 'verbosity must be low, medium or high.' });

/**
 * OpenAI chat parameters the gateway knows and refuses, by name, with the reason (`unsupported_parameter`).
 * Fixed names of the API, so naming them echoes nothing of the client's.
 */
export const REFUSED_CHAT_PARAMETERS: ReadonlyMap<string, string> = new Map([
  ['audio', 'Parameter "audio" is not supported: the gateway returns text only.'],
  ['web_search_options', 'Parameter "web_search_options" is not supported: the gateway runs no built-in tools.'],
  ['moderation', 'Parameter "moderation" is not supported: guardrails are set per tenant by the operator.'],
  ['prompt_cache_options', 'Parameter "prompt_cache_options" is not supported: the gateway keeps no prompt cache.'],
]);

export const chatCompletions: RequestSpec = {
  fields: {
    model,
    messages: Messages,
    max_tokens: intParam('max_tokens', 1),
    max_completion_tokens: intParam('max_completion_tokens', 1),
    n: intParam('n', 1),
    stream: boolParam('stream'),
    stream_options: streamOptions,
    logprobs: boolParam('logprobs'),
    top_logprobs: intParam('top_logprobs'),
    tools: toolsArray('tools', FunctionToolDef),
    tool_choice: toolChoice('tool_choice'),
    parallel_tool_calls: boolParam('parallel_tool_calls'),
    response_format: responseFormat,
    functions: toolsArray('functions', LegacyFunctionDef),
    function_call: toolChoice('function_call'),
    ...commonSampling,
    // forwarded: the engine implements them (vLLM: reasoning_effort for gpt-oss; the thinking switch)
    reasoning_effort: z.enum(REASONING_EFFORTS, {
      error: `reasoning_effort must be one of ${REASONING_EFFORTS.join(', ')}.`,
    }),
    chat_template_kwargs: ChatTemplateKwargs,
    // dropped (see `dropped`): OpenAI platform hints the answer does not depend on
    metadata: Metadata,
    store: StoreFalse,
    service_tier: ServiceTier,
    safety_identifier: stringParam('safety_identifier'),
    prompt_cache_key: stringParam('prompt_cache_key'),
    prompt_cache_retention: PromptCacheRetention,
    verbosity: Verbosity,
    modalities: z
      .array(z.literal('text'), { error: 'modalities accepts ["text"] only: the gateway returns no audio.' })
      .min(1, { error: 'modalities accepts ["text"] only: the gateway returns no audio.' })
      .max(1, { error: 'modalities accepts ["text"] only: the gateway returns no audio.' }),
    prediction: Prediction,
  },
  required: ['model', 'messages'],
  content: ['messages'],
  dropped: [
    'metadata', // stored-completion tags: nothing is stored; client text, so kept out of the engine and the logs
    'store', // false only: the gateway stores nothing
    'service_tier', // auto/default only: priority is the tenant tier's
    'safety_identifier', // the gateway identifies the caller by its key (the audit line has the tenant and key)
    'prompt_cache_key', // the engine's prefix cache needs no key
    'prompt_cache_retention', // nothing is cached by the gateway
    'verbosity', // a GPT-5 hint no engine served here implements
    'modalities', // ["text"] only, the default
    'prediction', // a latency hint; dropping it keeps client text from the engine uncounted
  ],
  refused: REFUSED_CHAT_PARAMETERS,
};
