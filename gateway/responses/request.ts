// /v1/responses, the request: a Responses request -> the chat completion request the pipeline already enforces
// (translateRequest), and what the answer echoes back of it (ResponseEcho). Nothing is stored:
// previous_response_id, conversations and retrieval are refused (`unsupported_parameter`), like built-in tools
// and every other feature that cannot be served through chat completions.
import { LIMITS } from '../../api/openai/common.ts';
import {
  ResponsesInput,
  SUPPORTED_INPUT_PARTS,
  SUPPORTED_ITEM_TYPES,
  SUPPORTED_OUTPUT_PARTS,
  SUPPORTED_TEXT_FORMATS,
  UNSUPPORTED_RESPONSES_PARAMETERS,
  type FunctionCallItem,
  type FunctionCallOutputItem,
  type FunctionTool,
  type InputItem,
  type MessageItem,
  type TextFormat,
  type ToolChoice,
} from '../../api/openai/responses.ts';
import { GatewayError } from '../errors.ts';
import { isObj, own, type Json } from '../json.ts';
import { checkModel, checkParameters, parameterError } from '../request.ts';

/** What the Responses object echoes back of the request (the caller's settings, as OpenAI returns them). */
export interface ResponseEcho {
  readonly model: string;
  readonly instructions: string | null;
  readonly max_output_tokens: number | null;
  readonly temperature: number | null;
  readonly top_p: number | null;
  readonly tools: readonly FunctionTool[];
  readonly tool_choice: ToolChoice;
  readonly parallel_tool_calls: boolean;
  readonly text: { format: TextFormat };
  readonly metadata: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly safety_identifier?: string;
}

export interface TranslatedRequest {
  /** A chat completion request body (validated again by the pipeline as any chat request). */
  readonly chat: Json;
  readonly stream: boolean;
  readonly echo: ResponseEcho;
}

const unsupported = (param: string, message: string): GatewayError =>
  new GatewayError('unsupported_parameter', message, { param });

/**
 * Known values the gateway cannot serve, found before the shape is validated (so a built-in tool is refused as
 * unsupported, not as malformed). Own-property lookups, bounded by the array limits.
 */
function refuseUnsupportedValues(body: Json): void {
  const tools = own(body, 'tools');
  if (Array.isArray(tools) && tools.length <= LIMITS.maxTools) {
    tools.forEach((t, i) => {
      if (isObj(t) && typeof own(t, 'type') === 'string' && own(t, 'type') !== 'function')
        throw unsupported(
          `tools[${i}]`,
          'Only function tools are supported: built-in tools (web search, file search, code interpreter, MCP, ...) do not run behind this gateway.',
        );
    });
  }
  const choice = own(body, 'tool_choice');
  if (isObj(choice) && typeof own(choice, 'type') === 'string' && own(choice, 'type') !== 'function')
    throw unsupported('tool_choice', 'tool_choice may force a function only.');
  const text = own(body, 'text');
  if (isObj(text)) {
    const format = own(text, 'format');
    if (
      isObj(format) &&
      typeof own(format, 'type') === 'string' &&
      !SUPPORTED_TEXT_FORMATS.has(own(format, 'type') as string)
    )
      throw unsupported('text.format', 'text.format must be text, json_object or json_schema.');
  }
  const reasoning = own(body, 'reasoning');
  if (isObj(reasoning))
    for (const k of ['summary', 'generate_summary'])
      if (own(reasoning, k) !== undefined && own(reasoning, k) !== null)
        throw unsupported(
          `reasoning.${k}`,
          `reasoning.${k} is not supported: the engines served here write no summaries.`,
        );
  if (own(body, 'truncation') === 'auto')
    throw unsupported('truncation', 'truncation "auto" is not supported: the gateway never drops input.');
  if (own(body, 'stream_options') !== undefined && own(body, 'stream') !== true && own(body, 'stream_options') !== null)
    throw new GatewayError('invalid_parameter', 'stream_options requires stream: true.', { param: 'stream_options' });
  const input = own(body, 'input');
  if (Array.isArray(input) && input.length <= LIMITS.maxMessages) {
    input.forEach((item, i) => {
      if (!isObj(item)) return;
      const type = own(item, 'type');
      if (typeof type === 'string' && !SUPPORTED_ITEM_TYPES.has(type))
        throw unsupported(
          `input[${i}]`,
          'Only message, function_call and function_call_output input items are supported (no reasoning, item references or built-in tool calls).',
        );
      const content = own(item, 'content');
      if (Array.isArray(content) && content.length <= LIMITS.maxParts) {
        for (const p of content) {
          const pt = isObj(p) ? own(p, 'type') : undefined;
          if (typeof pt === 'string' && !SUPPORTED_INPUT_PARTS.has(pt) && !SUPPORTED_OUTPUT_PARTS.has(pt))
            throw unsupported(
              `input[${i}]`,
              'Only input_text, input_image (by URL) and input_audio content parts are supported (no files).',
            );
          if (pt === 'input_image' && isObj(p) && own(p, 'file_id') !== undefined && own(p, 'file_id') !== null)
            throw unsupported(`input[${i}]`, 'Images by file_id are not supported: send image_url.');
        }
      }
    });
  }
}

const PART_DETAILS: ReadonlySet<string> = new Set(['low', 'high', 'auto']);

function chatParts(
  content: Exclude<MessageItem['content'], string>,
  assistant: boolean,
  i: number,
): { parts: Json[]; text: string; refusal: string | undefined } {
  const parts: Json[] = [];
  let text = '';
  let refusal: string | undefined;
  for (const p of content) {
    switch (p.type) {
      case 'input_text':
      case 'output_text':
        parts.push({ type: 'text', text: p.text });
        text += p.text;
        break;
      case 'refusal':
        refusal = (refusal ?? '') + p.refusal;
        break;
      case 'input_image':
        if (assistant)
          throw new GatewayError('invalid_parameter', 'An assistant message cannot hold images.', {
            param: `input[${i}]`,
          });
        parts.push({
          type: 'image_url',
          image_url: {
            url: p.image_url,
            ...(p.detail !== undefined && PART_DETAILS.has(p.detail) ? { detail: p.detail } : {}),
          },
        });
        break;
      case 'input_audio':
        if (assistant)
          throw new GatewayError('invalid_parameter', 'An assistant message cannot hold audio.', {
            param: `input[${i}]`,
          });
        parts.push({ type: 'input_audio', input_audio: { data: p.input_audio.data, format: p.input_audio.format } });
        break;
    }
  }
  return { parts, text, refusal };
}

function itemType(item: InputItem): 'message' | 'function_call' | 'function_call_output' {
  return item.type ?? 'message';
}

/** Input items -> chat messages (function calls join the assistant message before them). */
function chatMessages(instructions: string | undefined, input: string | InputItem[]): Json[] {
  const messages: Json[] = [];
  if (instructions !== undefined) messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: input });
    return messages;
  }
  let openAssistant: Json | undefined; // the assistant message function calls attach to
  input.forEach((item, i) => {
    switch (itemType(item)) {
      case 'message': {
        const m = item as MessageItem;
        const assistant = m.role === 'assistant';
        let msg: Json;
        if (typeof m.content === 'string') msg = { role: m.role, content: m.content };
        else {
          const { parts, text, refusal } = chatParts(m.content, assistant, i);
          // assistant turns as plain text (what every engine's chat template takes)
          msg = assistant
            ? { role: 'assistant', content: text, ...(refusal !== undefined ? { refusal } : {}) }
            : { role: m.role, content: parts };
        }
        messages.push(msg);
        openAssistant = assistant ? msg : undefined;
        return;
      }
      case 'function_call': {
        const c = item as FunctionCallItem;
        const call = { id: c.call_id, type: 'function', function: { name: c.name, arguments: c.arguments } };
        if (!openAssistant) {
          openAssistant = { role: 'assistant', content: null, tool_calls: [] };
          messages.push(openAssistant);
        }
        const calls = (openAssistant.tool_calls ?? []) as Json[];
        if (calls.length >= LIMITS.maxToolCalls)
          throw new GatewayError('invalid_parameter', `At most ${LIMITS.maxToolCalls} function calls per turn.`, {
            param: `input[${i}]`,
          });
        openAssistant.tool_calls = [...calls, call];
        return;
      }
      case 'function_call_output': {
        const o = item as FunctionCallOutputItem;
        const content = typeof o.output === 'string' ? o.output : o.output.map((p) => p.text).join('');
        messages.push({ role: 'tool', tool_call_id: o.call_id, content });
        openAssistant = undefined;
        return;
      }
    }
  });
  return messages;
}

/**
 * A Responses request -> the chat request the pipeline enforces. Refusals use the catalog: banned and unknown
 * parameters as on every endpoint, `unsupported_parameter` for what exists in the Responses API but cannot be
 * served here, `invalid_parameter` for malformed values. `body` is the parsed JSON (nulls are dropped from it).
 */
export function translateRequest(body: Json): TranslatedRequest {
  refuseUnsupportedValues(body);
  checkParameters('responses', body, UNSUPPORTED_RESPONSES_PARAMETERS);
  const model = checkModel(body);
  if (body.input === undefined) throw new GatewayError('invalid_parameter', 'input is required.', { param: 'input' });
  if (Array.isArray(body.input) && body.input.length > LIMITS.maxMessages)
    throw new GatewayError('invalid_parameter', `input may hold at most ${LIMITS.maxMessages} items.`, {
      param: 'input',
    });
  const parsed = ResponsesInput.safeParse(body.input);
  if (!parsed.success) throw parameterError('input', parsed.error, { indexed: true });
  // Validated: the values below have the schema's types. Objects the caller owns (tool parameters, JSON
  // schemas) are passed on as they came (zod's output would drop a `__proto__` key of a JSON schema).
  const input = body.input as string | InputItem[];
  const instructions = body.instructions as string | undefined;
  const stream = body.stream === true;
  const tools = (body.tools ?? []) as FunctionTool[];
  const toolChoice = body.tool_choice as ToolChoice | undefined;
  const format = (body.text as { format?: TextFormat } | undefined)?.format;

  const chat: Json = { model, messages: chatMessages(instructions, input) };
  if (body.max_output_tokens !== undefined) chat.max_tokens = body.max_output_tokens;
  if (body.temperature !== undefined) chat.temperature = body.temperature;
  if (body.top_p !== undefined) chat.top_p = body.top_p;
  if (stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true }; // the Responses usage comes from the last chunk
  }
  if (format !== undefined && format.type !== 'text') {
    chat.response_format =
      format.type === 'json_object'
        ? { type: 'json_object' }
        : {
            type: 'json_schema',
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.description !== undefined ? { description: format.description } : {}),
              ...(format.strict !== undefined && format.strict !== null ? { strict: format.strict } : {}),
            },
          };
  }
  if (tools.length > 0) {
    chat.tools = tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description !== undefined && t.description !== null ? { description: t.description } : {}),
        ...(t.parameters !== undefined && t.parameters !== null ? { parameters: t.parameters } : {}),
        ...(t.strict !== undefined && t.strict !== null ? { strict: t.strict } : {}),
      },
    }));
  }
  if (toolChoice !== undefined)
    chat.tool_choice =
      typeof toolChoice === 'string' ? toolChoice : { type: 'function', function: { name: toolChoice.name } };
  if (body.parallel_tool_calls !== undefined) chat.parallel_tool_calls = body.parallel_tool_calls;
  // safety_identifier is dropped, as on chat (the gateway identifies the caller by its key)
  if (typeof body.user === 'string') chat.user = body.user;
  const effort = (body.reasoning as { effort?: string | null } | undefined)?.effort;
  if (typeof effort === 'string') chat.reasoning_effort = effort;

  const echo: ResponseEcho = {
    model,
    instructions: instructions ?? null,
    max_output_tokens: (body.max_output_tokens as number | undefined) ?? null,
    temperature: (body.temperature as number | undefined) ?? null,
    top_p: (body.top_p as number | undefined) ?? null,
    tools: tools.map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters ?? null,
      strict: t.strict ?? null,
    })),
    tool_choice: toolChoice ?? 'auto',
    parallel_tool_calls: (body.parallel_tool_calls as boolean | undefined) ?? true,
    text: { format: format ?? { type: 'text' } },
    metadata: (body.metadata as Record<string, string> | undefined) ?? {},
    ...(typeof body.user === 'string' ? { user: body.user } : {}),
    ...(typeof body.safety_identifier === 'string' ? { safety_identifier: body.safety_identifier } : {}),
  };
  return { chat, stream, echo };
}
