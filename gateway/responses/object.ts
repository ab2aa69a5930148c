// /v1/responses, the answer: a (non-streamed) chat completion, after the gateway's output guardrails -> the
// Responses object (responseFromCompletion), and the pieces the streamed events share with it: ids, usage,
// status, output items (responseObject).
import { isObj, own, type Json } from '../json.ts';
import type { ResponseEcho } from './request.ts';

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
export type IncompleteReason = 'max_output_tokens' | 'content_filter';

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

export const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [], logprobs: [] });

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
