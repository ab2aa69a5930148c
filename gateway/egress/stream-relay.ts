// The streamed answer, rebuilt event by event (replaced the former byte relay, SseRelay): upstream bytes are
// parsed as SSE per the WHATWG spec (sse-parse.ts); only `message` events whose data is `[DONE]` or a JSON object
// are relayed, each re-serialized from the parsed chunk (response-sanitize.ts) after every text field went through
// the output pipe (the cap, credential canaries, the tenant's guardrails). Comments, `id:`/`retry:` fields and other
// event types are dropped (counted); an `error` event, a chunk with `error`, or data that does not parse ends the
// stream with the catalog's upstream_error event. Nothing after `[DONE]` is relayed.
// A choice is one scan from its first delta to the end of the stream: once it ended (its finish_reason, or the
// cap), later chunk entries for its index are dropped (counted as afterFinish) — a fresh channel would scan the
// rest of a secret without its start. A streamed tool-call id or name over its bound (OutputPipe.hold) ends the
// stream with upstream_error. A chunk entry that carries nothing (its text all held back: carries.ts) is not sent,
// and a chunk left without entries is not either.
import { encodingFor, type Encoding } from '../encodings.ts';
import { OutputBound } from '../upstream/output-bound.ts';
import { readUsage, UPSTREAM_STREAM_ERROR, type Usage } from '../upstream/sse.ts';
import type { OutputTransform, Verdict } from '../transform.ts';
import { OutputPipe } from './output-pipe.ts';
import {
  chatLogprobs,
  chatMessage,
  choiceIndex,
  completionLogprobs,
  endLogprobs,
  envelope,
  finishReason,
  mergeFlushed,
  obj,
  usageOf,
} from './response-sanitize.ts';
import { own, type Json } from '../json.ts';
import { SseParser, type SseEvent } from './sse-parse.ts';
import { carries } from './carries.ts';

export interface EgressRelayOptions {
  /** The client asked for stream_options.include_usage; otherwise the usage-only chunk we requested is dropped. */
  clientWantsUsage: boolean;
  transform: OutputTransform | undefined;
  chat: boolean;
  /** The effective max_tokens per choice (issue #10, item 7), over every generated text field. */
  maxOut?: number | undefined;
  /** The model's encoding the cap counts with (absent: cl100k_base). */
  encoding?: Encoding | undefined;
  /** Choices requested (n): choices with other indices are dropped; the stream is over once all n reached the cap. */
  n?: number;
  /** prompt_tokens for the usage chunk the gateway writes when it cuts the stream itself. */
  inputTokens?: number;
}

export interface EgressStats {
  comment: number;
  field: number;
  /** Events of a type other than `message` (and not `error`). */
  event: number;
  unparseable: number;
  afterDone: number;
  /** Choice entries for a choice the upstream had already finished (finish_reason), dropped. */
  afterFinish: number;
}

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);

const sse = (v: unknown): string => `data: ${JSON.stringify(v)}\n\n`;

function errorEvent(v: Verdict): string {
  return `${sse({ error: { message: v.message, type: 'invalid_request_error', param: null, code: v.code } })}data: [DONE]\n\n`;
}

export class EgressRelay {
  usage: Usage | undefined;
  done = false;
  verdict: Verdict | undefined;
  /** The upstream sent an error (event, error chunk or unparseable data): its raw data, for the scrubbed operator log only. */
  upstreamError: string | undefined;
  /** Every choice reached the effective max_tokens: the gateway ended the stream; abort the upstream. */
  capReached = false;
  readonly stats: EgressStats = { comment: 0, field: 0, event: 0, unparseable: 0, afterDone: 0, afterFinish: 0 };
  readonly #o: EgressRelayOptions;
  readonly #parser = new SseParser();
  readonly #decoder = new TextDecoder();
  readonly #pipe: OutputPipe;
  readonly #meter: OutputBound | undefined;
  readonly #n: number;
  /** Choices that ended: true when the upstream said so (finish_reason), false when cut at the cap. */
  readonly #ended = new Map<number, boolean>();
  #last: Json = {};

  constructor(o: EgressRelayOptions) {
    this.#o = o;
    this.#n = o.n ?? 1;
    const enc = o.encoding ?? encodingFor(undefined);
    this.#meter = o.maxOut !== undefined && o.maxOut > 0 ? new OutputBound(o.maxOut, enc) : undefined;
    this.#pipe = new OutputPipe({
      meter: this.#meter,
      logprobsMeter: this.#meter ? new OutputBound(this.#meter.cap, enc) : undefined,
      transform: o.transform,
      main: o.chat ? 'content' : 'text',
    });
  }

  /** Upstream text per choice (what the cap admitted), for settlement when no usage arrives. */
  get generated(): string[] {
    return this.#pipe.generated;
  }

  /** Output tokens the cap counted so far (all choices). */
  get meteredTokens(): number | undefined {
    return this.#meter?.total;
  }

  /** Nothing more is relayed: blocked by a transform, failed upstream, cut at the cap, or [DONE] seen. */
  get stopped(): boolean {
    return this.verdict !== undefined || this.upstreamError !== undefined || this.capReached || this.done;
  }

  /** Feed upstream bytes; returns the bytes to send to the client now (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    return this.#events(this.#parser.feed(this.#decoder.decode(chunk, { stream: true })));
  }

  /** Upstream ended: a trailing event without its blank line, then anything still held back. */
  end(): Uint8Array {
    const tail = this.#parser.feed(this.#decoder.decode());
    const last = this.#parser.end();
    if (last) tail.push(last);
    let out = '';
    const b = this.#events(tail);
    if (b.length > 0) out += Buffer.from(b).toString('utf8');
    if (!this.stopped) out += this.#flushAll();
    this.#syncStats();
    return out === '' ? EMPTY : enc.encode(out);
  }

  #syncStats(): void {
    this.stats.comment = this.#parser.dropped.comment;
    this.stats.field = this.#parser.dropped.field;
  }

  #events(events: SseEvent[]): Uint8Array {
    let out = '';
    for (const ev of events) {
      if (this.stopped) {
        if (this.done) this.stats.afterDone++;
        continue;
      }
      out += this.#event(ev);
    }
    this.#syncStats();
    return out === '' ? EMPTY : enc.encode(out);
  }

  #event(ev: SseEvent): string {
    if (ev.type === 'error') return this.#upstreamFailed(ev.data);
    if (ev.type !== 'message') {
      this.stats.event++;
      return '';
    }
    if (ev.data === '[DONE]') {
      const flushed = this.#flushAll();
      if (this.verdict) return flushed;
      this.done = true;
      return `${flushed}data: [DONE]\n\n`;
    }
    let chunk: Json | undefined;
    try {
      chunk = obj(JSON.parse(ev.data));
    } catch {
      chunk = undefined;
    }
    if (!chunk) {
      this.stats.unparseable++;
      return this.#upstreamFailed(ev.data);
    }
    if (Object.hasOwn(chunk, 'error')) return this.#upstreamFailed(ev.data);
    return this.#chunk(chunk);
  }

  #chunk(src: Json): string {
    const chat = this.#o.chat;
    const pipe = this.#pipe;
    const out = envelope(pipe, src, chat ? 'chat.completion.chunk' : 'text_completion');
    this.#last = out;
    const usage = readUsage(own(src, 'usage'));
    if (usage) this.usage = usage;
    const list = Array.isArray(own(src, 'choices')) ? (own(src, 'choices') as unknown[]) : [];
    const choices: Json[] = [];
    for (let pos = 0; pos < list.length; pos++) {
      const c = obj(list[pos]);
      if (!c) continue;
      const idx = choiceIndex(c, pos, this.#n);
      if (idx === undefined) continue;
      const ended = this.#ended.get(idx);
      if (ended !== undefined) {
        if (ended) this.stats.afterFinish++;
        continue;
      }
      const choice: Json = { index: idx };
      let target: Json;
      if (chat) {
        target = chatMessage(pipe, idx, obj(own(c, 'delta')) ?? {}, false);
        choice.delta = target;
      } else {
        const t = own(c, 'text');
        choice.text = typeof t === 'string' ? pipe.text(idx, 'text', t) : '';
        target = choice;
      }
      let lp = chat ? chatLogprobs(pipe, idx, own(c, 'logprobs')) : completionLogprobs(pipe, idx, own(c, 'logprobs'));
      if (pipe.fault !== undefined) return this.#upstreamFailed(pipe.fault);
      let fr = finishReason(own(c, 'finish_reason'));
      if (pipe.isCapped(idx)) fr = 'length';
      if (fr !== undefined && fr !== null) {
        // the choice ended (or reached the cap): everything its channels hold is released with this chunk, and
        // nothing more of it is relayed
        this.#ended.set(idx, !pipe.isCapped(idx)); // true: the upstream ended it (later entries are counted)
        lp = endLogprobs(pipe, idx, lp, chat); // before finish: entries of what the logprobs channels held
        mergeFlushed(target, pipe.finish(idx), chat);
        if (pipe.isCapped(idx)) fr = 'length'; // a name or id released at the end reached the cap
      }
      if (lp !== undefined) choice.logprobs = lp;
      choice.finish_reason = fr ?? null;
      if (carries(choice)) choices.push(choice); // text held back whole: no entry rather than an empty one
      const v = pipe.verdict();
      if (v) {
        this.verdict = v;
        return errorEvent(v);
      }
    }
    out.choices = choices;
    const u = usageOf(own(src, 'usage'));
    if (u !== undefined) {
      if (this.#o.clientWantsUsage) out.usage = u;
      else if (choices.length === 0) return this.#afterChunk('');
    }
    // only dropped choices, or choices whose text is all held back: no chunk (an empty one reads as a token)
    if (choices.length === 0 && list.length > 0 && u === undefined) return this.#afterChunk('');
    return this.#afterChunk(sse(out));
  }

  #afterChunk(emitted: string): string {
    if (this.#meter && this.#meter.allCapped(this.#n)) {
      // The effective max_tokens is reached on every choice: end the stream here whatever the engine does.
      this.capReached = true;
      const flushed = this.#flushAll();
      if (this.verdict) return emitted + flushed;
      return emitted + flushed + this.#capUsage() + 'data: [DONE]\n\n';
    }
    return emitted;
  }

  #upstreamFailed(data: string): string {
    this.upstreamError = data.slice(0, 64 * 1024);
    return `${sse({ error: UPSTREAM_STREAM_ERROR })}data: [DONE]\n\n`;
  }

  #capUsage(): string {
    if (!this.#o.clientWantsUsage || !this.#meter) return '';
    const outTok = this.#meter.total;
    const inTok = this.#o.inputTokens ?? 0;
    const l = this.#last;
    return sse({
      id: l.id,
      object: l.object,
      created: l.created,
      model: l.model,
      choices: [],
      usage: { prompt_tokens: inTok, completion_tokens: outTok, total_tokens: inTok + outTok },
    });
  }

  /** Every open channel of every choice flushed, one chunk per choice; an error event instead when that blocks. */
  #flushAll(): string {
    const pipe = this.#pipe;
    const chat = this.#o.chat;
    let out = '';
    for (const idx of pipe.openChoices()) {
      const lp = endLogprobs(pipe, idx, undefined, chat);
      const flushed = pipe.finish(idx);
      const v = pipe.verdict();
      if (v) {
        this.verdict = v;
        return errorEvent(v);
      }
      if (flushed.length === 0 && lp === undefined) continue;
      const choice: Json = { index: idx };
      const target: Json = chat ? {} : choice;
      if (chat) choice.delta = target;
      mergeFlushed(target, flushed, chat);
      if (lp !== undefined && lp !== null) choice.logprobs = lp;
      choice.finish_reason = null;
      if (!carries(choice)) continue;
      const l = this.#last;
      out += sse({
        id: l.id ?? '',
        object: chat ? 'chat.completion.chunk' : 'text_completion',
        created: l.created ?? 0,
        ...(l.model !== undefined ? { model: l.model } : {}),
        choices: [choice],
      });
    }
    return out;
  }
}
