// /v1/responses, streamed: the chat SSE stream as the gateway's relay releases it -> Responses SSE events
// (ResponsesStream). Fed with what the relay releases, so the output guardrails (redaction, blocking, the
// output cap) have already applied. Once the chat stream gave the choice's finish_reason, later deltas are
// ignored (the relay drops them already): text is never joined across a finish.
import { LIMITS } from '../../api/openai/common.ts';
import { SseParser } from '../egress/sse-parse.ts';
import { isObj, own, type Json } from '../json.ts';
import { EMPTY, enc } from '../upstream/sse.ts';
import {
  incompleteReason,
  outputText,
  responseObject,
  responseUsage,
  type FunctionCallOutput,
  type IncompleteReason,
  type MessageOutput,
  type OutputItem,
  type ResponseIds,
  type ResponseStatus,
  type ResponseUsage,
} from './object.ts';
import type { ResponseEcho } from './request.ts';

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
  /** The gateway's own SSE (the relay's output, bounded by it): no further bound here. */
  readonly #parser = new SseParser(Number.POSITIVE_INFINITY);
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
    let out = this.#start();
    for (const e of this.#parser.feed(this.#decoder.decode(chunk, { stream: true }))) out += this.#event(e.data);
    return out === '' ? EMPTY : enc.encode(out);
  }

  /** The chat stream ended (normally or not): the terminal event if none was written yet. */
  end(): Uint8Array {
    let out = this.#start();
    const last = this.#parser.end();
    if (last) out += this.#event(last.data);
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

  /** One event's data (comments and other fields never reach here: the relay releases none). */
  #event(data: string): string {
    if (this.finished) return '';
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
      if (this.#finish !== undefined && this.#finish !== null) continue; // the choice ended: nothing joins it
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
