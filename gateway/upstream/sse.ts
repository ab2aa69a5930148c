// Streaming relay for OpenAI-style SSE (`data: {...}\n\n` ... `data: [DONE]`). Each upstream chunk is
// split into events as it arrives and forwarded at once (no buffering beyond one partial event). Along the
// way it records what settlement needs — the upstream `usage` and the generated text (for charging what
// was generated when a stream is cut) — and, when an output transform is plugged in, rewrites each
// choice's text through it (holding back what the transform holds back, flushing at finish_reason).
import { meterToolArguments, type OutputMeter } from './output-cap.ts';
import type { OutputTransform, Verdict } from '../transform.ts';
import { eventData, eventType, findEventEnd, parseChunk, readUsage, type Usage } from './sse-parse.ts';

export { readUsage, type Usage };

interface ChunkChoice {
  index?: number;
  delta?: { content?: unknown; role?: unknown };
  text?: unknown;
  finish_reason?: unknown;
}

export interface RelayOptions {
  /** The client asked for stream_options.include_usage; otherwise the usage-only chunk we requested is dropped. */
  clientWantsUsage: boolean;
  transform: OutputTransform | undefined;
  chat: boolean;
  /** The effective max_tokens per choice, enforced as text streams (issue #10, item 7). */
  meter?: OutputMeter | undefined;
  /** Choices requested (n): the stream is over once all of them reached the cap. */
  n?: number;
  /** prompt_tokens for the usage chunk the gateway writes when it cuts the stream itself. */
  inputTokens?: number;
}

/**
 * What the client sees instead of anything an upstream says in an error: the gateway's catalog entry
 * (issue #10, item 2). The upstream's text goes to the gateway log only, scrubbed.
 */
export const UPSTREAM_STREAM_ERROR = { message: 'The model server failed.', type: 'api_error', param: null, code: 'upstream_error' } as const;

export const enc = new TextEncoder();

export class SseRelay {
  usage: Usage | undefined;
  /** Generated text per choice (upstream side, before transforms). */
  readonly generated: string[] = [];
  generatedChars = 0;
  contentChunks = 0;
  done = false;
  verdict: Verdict | undefined;
  /** The upstream sent an error event mid-stream: its raw data (for the scrubbed operator log only). */
  upstreamError: string | undefined;
  /** Every choice reached the effective max_tokens: the gateway ended the stream; abort the upstream. */
  capReached = false;
  #pending = '';
  readonly #decoder = new TextDecoder();
  readonly #opts: RelayOptions;
  readonly #finished = new Set<number>();

  constructor(opts: RelayOptions) {
    this.#opts = opts;
  }

  /** Feed upstream bytes; returns the bytes to send to the client now (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    this.#pending += this.#decoder.decode(chunk, { stream: true });
    let out = '';
    let start = 0;
    for (;;) {
      const sep = findEventEnd(this.#pending, start);
      if (sep === undefined) break;
      const raw = this.#pending.slice(start, sep.end);
      const terminator = this.#pending.slice(sep.end, sep.next);
      start = sep.next;
      if (this.stopped) continue;
      out += this.#event(raw, terminator);
    }
    this.#pending = this.#pending.slice(start);
    return out === '' ? EMPTY : enc.encode(out);
  }

  /** Nothing more is relayed: blocked by a transform, failed upstream, or cut at the cap. */
  get stopped(): boolean {
    return this.verdict !== undefined || this.upstreamError !== undefined || this.capReached;
  }

  /** Upstream ended: release anything held back (and a trailing partial event). */
  end(): Uint8Array {
    let out = '';
    if (this.#pending.trim() !== '' && !this.stopped) out += this.#event(this.#pending, '\n\n');
    this.#pending = '';
    return out === '' ? EMPTY : enc.encode(out);
  }

  /** Returns the text to emit for one event (the original bytes when nothing needs changing). */
  #event(raw: string, terminator: string): string {
    const data = eventData(raw);
    if (eventType(raw) === 'error') return this.#upstreamFailed(data ?? '');
    if (data === undefined) return raw + terminator; // comments, keep-alives
    if (data === '[DONE]') {
      this.done = true;
      return this.#flushAll() + raw + terminator;
    }
    const chunk = parseChunk(data);
    if (!chunk) return raw + terminator;
    if (Object.hasOwn(chunk, 'error')) return this.#upstreamFailed(data);
    let changed = false;
    const usage = readUsage(chunk.usage);
    if (usage) this.usage = usage;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as ChunkChoice[]) : [];
    if (chunk.usage !== undefined && chunk.usage !== null && !this.#opts.clientWantsUsage) {
      if (choices.length === 0) return '';
      delete chunk.usage;
      changed = true;
    }
    for (const c of choices) {
      if (c === null || typeof c !== 'object') continue;
      if (this.#choice(c)) changed = true;
      if (this.verdict) return errorEvent(this.verdict);
    }
    const emitted = changed ? `data: ${JSON.stringify(chunk)}\n\n` : raw + terminator;
    const meter = this.#opts.meter;
    if (meter && meter.allCapped(this.#opts.n ?? 1)) {
      // The effective max_tokens is reached on every choice: end the stream here whatever the engine does.
      this.capReached = true;
      return emitted + this.#flushAll() + this.#capUsage(chunk) + 'data: [DONE]\n\n';
    }
    return emitted;
  }

  /** One choice of a chunk: metered, recorded, transformed (in place). Returns whether it changed. */
  #choice(c: ChunkChoice): boolean {
    const idx = typeof c.index === 'number' ? c.index : 0;
    const original = this.#opts.chat ? c.delta?.content : c.text;
    const metered = this.#meter(c, idx, original);
    const text = metered.text;
    if (typeof text === 'string' && text.length > 0) {
      this.generated[idx] = (this.generated[idx] ?? '') + text;
      this.generatedChars += text.length;
      this.contentChunks++;
    }
    const t = this.#opts.transform;
    if (!t) return metered.changed;
    let released = typeof text === 'string' ? t.push(idx, text) : '';
    if (c.finish_reason !== undefined && c.finish_reason !== null) {
      released += t.flush(idx);
      this.#finished.add(idx);
    }
    if (!this.#opts.chat) c.text = released;
    else if (typeof text === 'string' || released !== '') c.delta = { ...(c.delta ?? {}), content: released };
    const v = t.verdict();
    if (v) this.verdict = v;
    return true;
  }

  /** The output cap on one choice: its text (and tool-call arguments) cut at the cap, finish_reason "length". */
  #meter(c: ChunkChoice, idx: number, text: unknown): { text: unknown; changed: boolean } {
    const meter = this.#opts.meter;
    if (!meter) return { text, changed: false };
    let changed = false;
    const capped = (): void => {
      if (c.finish_reason === 'length') return;
      c.finish_reason = 'length';
      changed = true;
    };
    if (typeof text === 'string') {
      const wasCapped = meter.isCapped(idx);
      const r = meter.take(idx, text);
      if (r.text !== text) {
        text = r.text;
        if (this.#opts.chat) c.delta = { ...(c.delta ?? {}), content: text };
        else c.text = text;
        changed = true;
      }
      if (r.capped && !wasCapped) capped();
    }
    if (this.#opts.chat && c.delta && typeof c.delta === 'object') {
      // tool-call arguments are output too: metered against the same cap
      const wasCapped = meter.isCapped(idx);
      if (meterToolArguments(meter, idx, c.delta as Record<string, unknown>)) changed = true;
      if (meter.isCapped(idx) && !wasCapped) capped();
    }
    return { text, changed };
  }

  #upstreamFailed(data: string): string {
    this.upstreamError = data.slice(0, 64 * 1024);
    return `data: ${JSON.stringify({ error: UPSTREAM_STREAM_ERROR })}\n\ndata: [DONE]\n\n`;
  }

  #capUsage(chunk: Record<string, unknown>): string {
    if (!this.#opts.clientWantsUsage || !this.#opts.meter) return '';
    const out = this.#opts.meter.total;
    const inTok = this.#opts.inputTokens ?? 0;
    return `data: ${JSON.stringify({ id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model, choices: [], usage: { prompt_tokens: inTok, completion_tokens: out, total_tokens: inTok + out } })}\n\n`;
  }

  #flushAll(): string {
    const t = this.#opts.transform;
    if (!t) return '';
    let out = '';
    for (let i = 0; i < this.generated.length; i++) {
      if (this.#finished.has(i)) continue;
      const rest = t.flush(i);
      const v = t.verdict();
      if (v) {
        this.verdict = v;
        return errorEvent(v);
      }
      if (rest !== '') {
        const choice = this.#opts.chat ? { index: i, delta: { content: rest }, finish_reason: null } : { index: i, text: rest, finish_reason: null };
        out += `data: ${JSON.stringify({ object: this.#opts.chat ? 'chat.completion.chunk' : 'text_completion', choices: [choice] })}\n\n`;
      }
    }
    return out;
  }
}

export const EMPTY = new Uint8Array(0);

/** The SSE events that end a response an output transform refused. */
export function errorEvent(v: Verdict): string {
  return `data: ${JSON.stringify({ error: { message: v.message, type: 'invalid_request_error', param: null, code: v.code } })}\n\ndata: [DONE]\n\n`;
}
