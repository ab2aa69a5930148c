// /v1/responses over the chat pipeline, as pure translations:
//   Responses request  -> the chat completion request the pipeline already enforces (translateRequest)
//   chat completion    -> Responses object (responseFromCompletion)
//   chat SSE stream    -> Responses SSE events (ResponsesStream), fed with what the chat relay releases, so the
//                         output guardrails (redaction, blocking, the output cap) have already applied.
// Nothing is stored: previous_response_id, conversations and retrieval are refused (`unsupported_parameter`),
// like built-in tools and every other feature that cannot be served through chat completions.
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
import { checkModel, checkParameters, parameterError } from '../request.ts';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: Json, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

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
    if (own(text, 'verbosity') !== undefined && own(text, 'verbosity') !== null)
      throw unsupported('text.verbosity', 'text.verbosity is not supported.');
  }
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
  const user = (body.user ?? body.safety_identifier) as string | undefined;
  if (user !== undefined) chat.user = user;

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

// ---- responses --------------------------------------------------------------------------------------------

/** Identity and clock of one response (ids derive from the gateway's request id). */
export interface ResponseIds {
  /** `resp_...` */
  readonly id: string;
  /** Seconds since the epoch. */
  readonly createdAt: number;
  /** Item ids: `msg_...` / `fc_...`, unique within the response. */
  item(kind: 'msg' | 'fc', n: number): string;
}

export function responseIds(requestId: string, nowMs: number): ResponseIds {
  const hex = requestId
    .replace(/[^0-9a-fA-F]/g, '')
    .slice(0, 32)
    .toLowerCase();
  return {
    id: `resp_${hex}`,
    createdAt: Math.floor(nowMs / 1000),
    item: (kind, n) => `${kind}_${hex}${n.toString(16).padStart(4, '0')}`,
  };
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

/** Chat `usage` -> Responses `usage` (undefined when the upstream sent none). */
export function responseUsage(u: unknown): ResponseUsage | undefined {
  if (!isObj(u) || typeof own(u, 'prompt_tokens') !== 'number') return undefined;
  const input = count(own(u, 'prompt_tokens'));
  const output = count(own(u, 'completion_tokens'));
  const pd = own(u, 'prompt_tokens_details');
  const cd = own(u, 'completion_tokens_details');
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: isObj(pd) ? count(own(pd, 'cached_tokens')) : 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: isObj(cd) ? count(own(cd, 'reasoning_tokens')) : 0 },
    total_tokens: input + output,
  };
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';
type IncompleteReason = 'max_output_tokens' | 'content_filter';

/** Chat finish_reason -> why a response is incomplete (undefined: it completed). */
export function incompleteReason(finish: unknown): IncompleteReason | undefined {
  if (finish === 'length') return 'max_output_tokens';
  if (finish === 'content_filter') return 'content_filter';
  return undefined;
}

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}
export interface OutputRefusal {
  type: 'refusal';
  refusal: string;
}
export interface MessageOutput {
  id: string;
  type: 'message';
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: (OutputText | OutputRefusal)[];
}
export interface FunctionCallOutput {
  id: string;
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}
export type OutputItem = MessageOutput | FunctionCallOutput;

/** The Responses object: the caller's settings, the output, the status and why. */
export function responseObject(
  ids: ResponseIds,
  echo: ResponseEcho,
  r: {
    status: ResponseStatus;
    output: OutputItem[];
    usage: ResponseUsage | undefined;
    incomplete?: IncompleteReason | undefined;
    error?: { code: string; message: string } | undefined;
  },
): Json {
  return {
    id: ids.id,
    object: 'response',
    created_at: ids.createdAt,
    status: r.status,
    error: r.error ?? null,
    incomplete_details: r.incomplete !== undefined ? { reason: r.incomplete } : null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    model: echo.model,
    output: r.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: null,
    reasoning: null,
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: 'disabled',
    usage: r.usage ?? null,
    metadata: echo.metadata,
    ...(echo.user !== undefined ? { user: echo.user } : {}),
    ...(echo.safety_identifier !== undefined ? { safety_identifier: echo.safety_identifier } : {}),
  };
}

const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [], logprobs: [] });

/** A (non-streamed) chat completion, after the gateway's output guardrails -> the Responses object. */
export function responseFromCompletion(completion: Json, ids: ResponseIds, echo: ResponseEcho): Json {
  const choices = own(completion, 'choices');
  const choice = Array.isArray(choices) && isObj(choices[0]) ? choices[0] : {};
  const message = isObj(own(choice, 'message')) ? (own(choice, 'message') as Json) : {};
  const incomplete = incompleteReason(own(choice, 'finish_reason'));
  const itemStatus = incomplete !== undefined ? 'incomplete' : 'completed';
  const output: OutputItem[] = [];
  const content = own(message, 'content');
  const refusal = own(message, 'refusal');
  const calls = own(message, 'tool_calls');
  const hasCalls = Array.isArray(calls) && calls.length > 0;
  const parts: (OutputText | OutputRefusal)[] = [];
  if (typeof content === 'string' && (content !== '' || (!hasCalls && typeof refusal !== 'string')))
    parts.push(outputText(content));
  if (typeof refusal === 'string' && refusal !== '') parts.push({ type: 'refusal', refusal });
  if (parts.length === 0 && !hasCalls) parts.push(outputText(''));
  if (parts.length > 0)
    output.push({ id: ids.item('msg', 0), type: 'message', role: 'assistant', status: itemStatus, content: parts });
  if (hasCalls) {
    (calls as unknown[]).forEach((c, i) => {
      const fn = isObj(c) && isObj(own(c, 'function')) ? (own(c, 'function') as Json) : {};
      const callId =
        isObj(c) && typeof own(c, 'id') === 'string'
          ? (own(c, 'id') as string)
          : ids.item('fc', i + 1).replace(/^fc_/, 'call_');
      output.push({
        id: ids.item('fc', i + 1),
        type: 'function_call',
        call_id: callId,
        name: typeof own(fn, 'name') === 'string' ? (own(fn, 'name') as string) : '',
        arguments: typeof own(fn, 'arguments') === 'string' ? (own(fn, 'arguments') as string) : '',
        status: itemStatus,
      });
    });
  }
  return responseObject(ids, echo, {
    status: incomplete !== undefined ? 'incomplete' : 'completed',
    output,
    usage: responseUsage(own(completion, 'usage')),
    incomplete,
  });
}

// ---- streaming ----------------------------------------------------------------------------------------------

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);

interface OpenText {
  kind: 'output_text' | 'refusal';
  index: number;
  text: string;
}
interface OpenMessage {
  item: MessageOutput;
  outputIndex: number;
  part: OpenText | undefined;
}
interface OpenCall {
  item: FunctionCallOutput;
  outputIndex: number;
}

/**
 * Chat completion SSE (as the gateway's relay releases it: redacted, capped, or ended by an error event) ->
 * Responses SSE events with sequence numbers. `push` takes bytes and returns bytes; `end` closes the response
 * (`response.completed`, `response.incomplete` or `response.failed`) if the chat stream did not.
 */
export class ResponsesStream {
  readonly #ids: ResponseIds;
  readonly #echo: ResponseEcho;
  readonly #decoder = new TextDecoder();
  #pending = '';
  #seq = 0;
  #started = false;
  /** A terminal event was written: nothing more is. */
  finished = false;
  /** The status of the terminal event. */
  status: ResponseStatus = 'in_progress';
  readonly #output: OutputItem[] = [];
  #message: OpenMessage | undefined;
  readonly #calls = new Map<number, OpenCall>();
  #finish: unknown;
  #usage: ResponseUsage | undefined;
  #items = 0;

  constructor(ids: ResponseIds, echo: ResponseEcho) {
    this.#ids = ids;
    this.#echo = echo;
  }

  /** response.created + response.in_progress (written once, before anything else). */
  start(): Uint8Array {
    return this.#started ? EMPTY : enc.encode(this.#start());
  }

  push(chunk: Uint8Array): Uint8Array {
    this.#pending += this.#decoder.decode(chunk, { stream: true });
    let out = this.#start();
    let from = 0;
    for (;;) {
      const sep = nextEventEnd(this.#pending, from);
      if (sep === undefined) break;
      out += this.#event(this.#pending.slice(from, sep.end));
      from = sep.next;
    }
    this.#pending = this.#pending.slice(from);
    return out === '' ? EMPTY : enc.encode(out);
  }

  /** The chat stream ended (normally or not): the terminal event if none was written yet. */
  end(): Uint8Array {
    let out = this.#start();
    if (this.#pending.trim() !== '') out += this.#event(this.#pending);
    this.#pending = '';
    if (!this.finished) {
      // no [DONE] and no finish_reason: the stream was cut
      out +=
        this.#finish === undefined || this.#finish === null
          ? this.#fail('upstream_error', 'The response stream ended before the model finished.')
          : this.#complete();
    }
    return out === '' ? EMPTY : enc.encode(out);
  }

  #emit(type: string, fields: Json): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.#seq++, ...fields })}\n\n`;
  }

  #snapshot(
    status: ResponseStatus,
    extra: { incomplete?: IncompleteReason | undefined; error?: { code: string; message: string } } = {},
  ): Json {
    return responseObject(this.#ids, this.#echo, {
      status,
      output: status === 'in_progress' ? [] : structuredClone(this.#output),
      usage: status === 'in_progress' ? undefined : this.#usage,
      ...extra,
    });
  }

  #start(): string {
    if (this.#started) return '';
    this.#started = true;
    return (
      this.#emit('response.created', { response: this.#snapshot('in_progress') }) +
      this.#emit('response.in_progress', { response: this.#snapshot('in_progress') })
    );
  }

  #event(raw: string): string {
    if (this.finished) return '';
    const data = sseData(raw);
    if (data === undefined) return raw.trimStart().startsWith(':') ? `${raw}\n\n` : ''; // comments keep the connection alive
    if (data === '[DONE]') return this.#complete();
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return '';
    }
    if (!isObj(chunk)) return '';
    const err = own(chunk, 'error');
    if (err !== undefined) {
      const e = isObj(err) ? err : {};
      const code = typeof own(e, 'code') === 'string' ? (own(e, 'code') as string) : 'upstream_error';
      const message =
        typeof own(e, 'message') === 'string' ? (own(e, 'message') as string) : 'The model server failed.';
      return this.#fail(code, message);
    }
    const usage = responseUsage(own(chunk, 'usage'));
    if (usage) this.#usage = usage;
    let out = '';
    const choices = own(chunk, 'choices');
    if (!Array.isArray(choices)) return out;
    for (const c of choices) {
      if (!isObj(c) || (own(c, 'index') ?? 0) !== 0) continue; // one choice (n is not a Responses parameter)
      const delta = own(c, 'delta');
      if (isObj(delta)) {
        const text = own(delta, 'content');
        if (typeof text === 'string' && text !== '') out += this.#text('output_text', text);
        const refusal = own(delta, 'refusal');
        if (typeof refusal === 'string' && refusal !== '') out += this.#text('refusal', refusal);
        const calls = own(delta, 'tool_calls');
        if (Array.isArray(calls)) for (const tc of calls) if (isObj(tc)) out += this.#toolCall(tc);
      }
      const finish = own(c, 'finish_reason');
      if (finish !== undefined && finish !== null) this.#finish = finish;
    }
    return out;
  }

  /** The open message and its open part of this kind (opened, with their events, when they are not). */
  #openPart(kind: OpenText['kind']): { out: string; m: OpenMessage; part: OpenText } {
    let out = '';
    if (!this.#message) {
      const item: MessageOutput = {
        id: this.#ids.item('msg', this.#items++),
        type: 'message',
        role: 'assistant',
        status: 'in_progress',
        content: [],
      };
      this.#message = { item, outputIndex: this.#output.length, part: undefined };
      this.#output.push(item);
      out += this.#emit('response.output_item.added', {
        output_index: this.#message.outputIndex,
        item: structuredClone(item),
      });
    }
    const m = this.#message;
    if (m.part && m.part.kind !== kind) out += this.#closePart(m);
    if (!m.part) {
      m.part = { kind, index: m.item.content.length, text: '' };
      const part = kind === 'output_text' ? outputText('') : { type: 'refusal' as const, refusal: '' };
      m.item.content.push(part);
      out += this.#emit('response.content_part.added', {
        item_id: m.item.id,
        output_index: m.outputIndex,
        content_index: m.part.index,
        part,
      });
    }
    return { out, m, part: m.part };
  }

  #text(kind: OpenText['kind'], delta: string): string {
    const { out, m, part } = this.#openPart(kind);
    part.text += delta;
    const where = { item_id: m.item.id, output_index: m.outputIndex, content_index: part.index };
    return (
      out +
      (kind === 'output_text'
        ? this.#emit('response.output_text.delta', { ...where, delta, logprobs: [] })
        : this.#emit('response.refusal.delta', { ...where, delta }))
    );
  }

  #closePart(m: OpenMessage): string {
    const p = m.part;
    if (!p) return '';
    m.part = undefined;
    const where = { item_id: m.item.id, output_index: m.outputIndex, content_index: p.index };
    const part = p.kind === 'output_text' ? outputText(p.text) : { type: 'refusal' as const, refusal: p.text };
    m.item.content[p.index] = part;
    const done =
      p.kind === 'output_text'
        ? this.#emit('response.output_text.done', { ...where, text: p.text, logprobs: [] })
        : this.#emit('response.refusal.done', { ...where, refusal: p.text });
    return done + this.#emit('response.content_part.done', { ...where, part });
  }

  #closeMessage(status: MessageOutput['status']): string {
    const m = this.#message;
    if (!m) return '';
    this.#message = undefined;
    const out = this.#closePart(m);
    m.item.status = status;
    return (
      out + this.#emit('response.output_item.done', { output_index: m.outputIndex, item: structuredClone(m.item) })
    );
  }

  #toolCall(tc: Json): string {
    const index = typeof own(tc, 'index') === 'number' ? (own(tc, 'index') as number) : 0;
    const fn = isObj(own(tc, 'function')) ? (own(tc, 'function') as Json) : {};
    let out = '';
    let call = this.#calls.get(index);
    if (!call) {
      if (this.#calls.size >= LIMITS.maxToolCalls) return '';
      out += this.#closeMessage('completed'); // text before the calls is a finished message
      const n = this.#items++;
      const callId =
        typeof own(tc, 'id') === 'string'
          ? (own(tc, 'id') as string)
          : this.#ids.item('fc', n).replace(/^fc_/, 'call_');
      const item: FunctionCallOutput = {
        id: this.#ids.item('fc', n),
        type: 'function_call',
        call_id: callId,
        name: typeof own(fn, 'name') === 'string' ? (own(fn, 'name') as string) : '',
        arguments: '',
        status: 'in_progress',
      };
      call = { item, outputIndex: this.#output.length };
      this.#calls.set(index, call);
      this.#output.push(item);
      out += this.#emit('response.output_item.added', { output_index: call.outputIndex, item: structuredClone(item) });
    } else if (call.item.name === '' && typeof own(fn, 'name') === 'string') call.item.name = own(fn, 'name') as string;
    const args = own(fn, 'arguments');
    if (typeof args === 'string' && args !== '') {
      call.item.arguments += args;
      out += this.#emit('response.function_call_arguments.delta', {
        item_id: call.item.id,
        output_index: call.outputIndex,
        delta: args,
      });
    }
    return out;
  }

  #closeCalls(status: FunctionCallOutput['status']): string {
    let out = '';
    for (const call of [...this.#calls.values()].sort((a, b) => a.outputIndex - b.outputIndex)) {
      call.item.status = status;
      out += this.#emit('response.function_call_arguments.done', {
        item_id: call.item.id,
        output_index: call.outputIndex,
        name: call.item.name,
        arguments: call.item.arguments,
      });
      out += this.#emit('response.output_item.done', {
        output_index: call.outputIndex,
        item: structuredClone(call.item),
      });
    }
    this.#calls.clear();
    return out;
  }

  #complete(): string {
    if (this.finished) return '';
    this.finished = true;
    const incomplete = incompleteReason(this.#finish);
    const itemStatus = incomplete !== undefined ? 'incomplete' : 'completed';
    // an empty answer is still a message with one (empty) output_text part
    let out = this.#output.length === 0 ? this.#openPart('output_text').out : '';
    out += this.#closeMessage(itemStatus) + this.#closeCalls(itemStatus);
    this.status = incomplete !== undefined ? 'incomplete' : 'completed';
    out += this.#emit(incomplete !== undefined ? 'response.incomplete' : 'response.completed', {
      response: this.#snapshot(this.status, { incomplete }),
    });
    return out;
  }

  /** An error mid-stream (output blocked, upstream failure): `error`, then `response.failed`. */
  #fail(code: string, message: string): string {
    if (this.finished) return '';
    this.finished = true;
    this.status = 'failed';
    // what was streamed stays as it was, marked incomplete; the terminal event carries the error
    let out = this.#emit('error', { code, message, param: null });
    if (this.#message) {
      const p = this.#message.part;
      if (p)
        this.#message.item.content[p.index] =
          p.kind === 'output_text' ? outputText(p.text) : { type: 'refusal', refusal: p.text };
      this.#message.part = undefined;
      this.#message.item.status = 'incomplete';
      this.#message = undefined;
    }
    for (const c of this.#calls.values()) c.item.status = 'incomplete';
    this.#calls.clear();
    out += this.#emit('response.failed', { response: this.#snapshot('failed', { error: { code, message } }) });
    return out;
  }
}

/** End of the next SSE event starting at `from` (blank line, LF or CRLF). */
function nextEventEnd(s: string, from: number): { end: number; next: number } | undefined {
  for (let i = s.indexOf('\n', from); i !== -1; i = s.indexOf('\n', i + 1)) {
    if (s.charCodeAt(i + 1) === 10) return { end: i, next: i + 2 };
    if (s.charCodeAt(i + 1) === 13 && s.charCodeAt(i + 2) === 10) return { end: i, next: i + 3 };
  }
  return undefined;
}

function sseData(raw: string): string | undefined {
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
