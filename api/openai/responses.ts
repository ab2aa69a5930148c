// POST /v1/responses: the subset of the OpenAI Responses API the gateway serves, as zod. A Responses request
// is translated into a chat completion request (gateway/responses/translate.ts) and runs through the same
// pipeline. What cannot be served that way (stored state, built-in tools, background runs...) is named here
// and refused with `unsupported_parameter`, never dropped.
import { z } from 'zod';
import { PromptCacheRetention, REASONING_EFFORTS, ServiceTier, StoreFalse, Verbosity } from './chat.ts';
import { boolParam, intParam, LIMITS, Metadata, model, numberParam, stringParam, type RequestSpec } from './common.ts';

/**
 * Responses parameters the gateway knows and refuses: they need state, tools or features it does not have.
 * Parameters chat has too are decided as chat decides them (api/openai/chat.ts, gateway/README.md table):
 * service_tier, prompt_cache_key, prompt_cache_retention, safety_identifier, metadata, store and text.verbosity
 * are accepted as chat accepts them and dropped; reasoning.effort is forwarded as reasoning_effort. top_logprobs
 * and `include` stay refused: the Responses answer carries no logprobs here.
 */
export const UNSUPPORTED_RESPONSES_PARAMETERS: ReadonlySet<string> = new Set([
  'previous_response_id',
  'conversation',
  'background',
  'prompt',
  'include',
  'max_tool_calls',
  'top_logprobs',
  'prompt_cache_options',
  'context_management',
  'image',
  'moderation',
  'access_programs',
]);

/** Input item types translated to chat messages; every other item type is refused (`unsupported_parameter`). */
export const SUPPORTED_ITEM_TYPES: ReadonlySet<string> = new Set(['message', 'function_call', 'function_call_output']);
/** Content part types of input messages. */
export const SUPPORTED_INPUT_PARTS: ReadonlySet<string> = new Set(['input_text', 'input_image', 'input_audio']);
/** Content part types of assistant messages sent back as input (earlier output). */
export const SUPPORTED_OUTPUT_PARTS: ReadonlySet<string> = new Set(['output_text', 'refusal']);
export const SUPPORTED_TEXT_FORMATS: ReadonlySet<string> = new Set(['text', 'json_object', 'json_schema']);

const status = z.enum(['in_progress', 'completed', 'incomplete']).nullish();

export const InputText = z.strictObject({
  type: z.literal('input_text'),
  text: z.string({ error: 'An input_text part needs a string text.' }),
});
export const InputImage = z.strictObject({
  type: z.literal('input_image'),
  image_url: z.string({ error: 'An input_image part needs an image_url (a URL or a data: URL).' }),
  detail: z.enum(['low', 'high', 'auto', 'original']).optional(),
  file_id: z.null().optional(),
});
export const InputAudio = z.strictObject({
  type: z.literal('input_audio'),
  input_audio: z.strictObject({ data: z.string(), format: z.enum(['mp3', 'wav']) }),
});
export const OutputText = z.strictObject({
  type: z.literal('output_text'),
  text: z.string({ error: 'An output_text part needs a string text.' }),
  annotations: z.array(z.unknown()).max(0, { error: 'Annotations are not supported in input.' }).optional(),
  logprobs: z.array(z.unknown()).optional(),
});
export const Refusal = z.strictObject({ type: z.literal('refusal'), refusal: z.string() });

const parts = <T extends z.ZodType>(part: T) =>
  z.array(part).max(LIMITS.maxParts, { error: `content may hold at most ${LIMITS.maxParts} parts.` });

/** A message item (EasyInputMessage or ResponseInputItem.Message, or earlier output sent back). */
export const MessageItem = z.strictObject(
  {
    type: z.literal('message').optional(),
    id: z.string().max(LIMITS.maxStringParam).optional(),
    status,
    phase: z.enum(['commentary', 'final_answer']).nullish(),
    role: z.enum(['user', 'assistant', 'system', 'developer'], {
      error: 'role must be user, assistant, system or developer.',
    }),
    content: z.union(
      [
        z.string(),
        parts(z.discriminatedUnion('type', [InputText, InputImage, InputAudio])),
        parts(z.discriminatedUnion('type', [OutputText, Refusal])),
      ],
      { error: 'content must be a string or an array of content parts.' },
    ),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? 'Unknown field in a message item.' : undefined) },
);
export type MessageItem = z.infer<typeof MessageItem>;

const callId = z.string({ error: 'call_id must be a string of 1-128 characters.' }).min(1).max(LIMITS.maxNameChars);

/** An earlier function call of the model, sent back as input. */
export const FunctionCallItem = z.strictObject(
  {
    type: z.literal('function_call'),
    id: z.string().max(LIMITS.maxStringParam).optional(),
    status,
    call_id: callId,
    name: z.string().min(1).max(LIMITS.maxNameChars),
    arguments: z.string(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? 'Unknown field in a function_call item.' : undefined) },
);
export type FunctionCallItem = z.infer<typeof FunctionCallItem>;

/** The caller's result of a function call. */
export const FunctionCallOutputItem = z.strictObject(
  {
    type: z.literal('function_call_output'),
    id: z.string().max(LIMITS.maxStringParam).nullish(),
    status,
    call_id: callId,
    output: z.union([z.string(), parts(InputText)], {
      error: 'output must be a string or an array of input_text parts.',
    }),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? 'Unknown field in a function_call_output item.' : undefined) },
);
export type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItem>;

export const InputItem = z.union([MessageItem, FunctionCallItem, FunctionCallOutputItem]);
export type InputItem = z.infer<typeof InputItem>;

export const ResponsesInput = z.union(
  [
    z.string(),
    z
      .array(InputItem)
      .min(1, { error: 'input must be a string or a non-empty array of items.' })
      .max(LIMITS.maxMessages, { error: `input may hold at most ${LIMITS.maxMessages} items.` }),
  ],
  { error: 'input must be a string or a non-empty array of items.' },
);

const toolName = z
  .string({ error: 'Each tool needs a name (1-128 characters).' })
  .min(1, { error: 'Each tool needs a name (1-128 characters).' })
  .max(LIMITS.maxNameChars, { error: 'Each tool needs a name (1-128 characters).' });
/** The only tool type served: functions the caller runs (built-in tools would run inside OpenAI). */
export const FunctionTool = z.strictObject(
  {
    type: z.literal('function'),
    name: toolName,
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? 'Unknown field in a function tool.' : undefined) },
);
export type FunctionTool = z.infer<typeof FunctionTool>;

export const ToolChoice = z.union(
  [z.enum(['none', 'auto', 'required']), z.strictObject({ type: z.literal('function'), name: toolName })],
  { error: 'tool_choice must be none, auto, required or {"type":"function","name":...}.' },
);
export type ToolChoice = z.infer<typeof ToolChoice>;

export const TextFormat = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('text') }),
    z.strictObject({ type: z.literal('json_object') }),
    z.strictObject({
      type: z.literal('json_schema'),
      name: z.string().min(1).max(64),
      schema: z.record(z.string(), z.unknown()),
      description: z.string().optional(),
      strict: z.boolean().nullish(),
    }),
  ],
  { error: 'text.format must be text, json_object or json_schema (with name and schema).' },
);
export type TextFormat = z.infer<typeof TextFormat>;

export const TextConfig = z.strictObject(
  {
    format: TextFormat.optional(),
    verbosity: Verbosity.nullish(),
  },
  { error: 'text accepts format and verbosity only.' },
);

/** `reasoning`: the effort is chat's reasoning_effort; summaries are not produced by the engines served here. */
export const ReasoningConfig = z.strictObject(
  {
    effort: z
      .enum(REASONING_EFFORTS, { error: `reasoning.effort must be one of ${REASONING_EFFORTS.join(', ')}.` })
      .nullish(),
    // refused by name before validation (gateway/responses/request.ts): the engines served here write no summaries
    summary: z.null().optional(),
    generate_summary: z.null().optional(),
  },
  { error: 'reasoning accepts effort only.' },
);

export { Metadata };

export const responses: RequestSpec = {
  fields: {
    model,
    input: ResponsesInput,
    instructions: z.string({ error: 'instructions must be a string.' }),
    max_output_tokens: intParam('max_output_tokens', 1),
    temperature: numberParam('temperature'),
    top_p: numberParam('top_p'),
    stream: boolParam('stream'),
    stream_options: z.strictObject(
      { include_obfuscation: z.boolean().optional() },
      { error: 'stream_options accepts include_obfuscation (boolean) only.' },
    ),
    text: TextConfig,
    tools: z
      .array(FunctionTool, { error: `tools must be an array of at most ${LIMITS.maxTools} tools.` })
      .max(LIMITS.maxTools, { error: `tools must be an array of at most ${LIMITS.maxTools} tools.` }),
    tool_choice: ToolChoice,
    parallel_tool_calls: boolParam('parallel_tool_calls'),
    user: stringParam('user'),
    // decided as chat decides them: accepted with chat's values, then dropped (translateRequest copies none)
    safety_identifier: stringParam('safety_identifier'),
    metadata: Metadata,
    /** false only, as on chat: nothing is stored (there is no retrieval or previous_response_id here). */
    store: StoreFalse,
    service_tier: ServiceTier,
    prompt_cache_key: stringParam('prompt_cache_key'),
    prompt_cache_retention: PromptCacheRetention,
    /** Forwarded as chat's reasoning_effort. */
    reasoning: ReasoningConfig,
    truncation: z.literal('disabled', { error: 'Only truncation "disabled" is supported.' }),
  },
  required: ['model', 'input'],
  content: ['input'],
};
