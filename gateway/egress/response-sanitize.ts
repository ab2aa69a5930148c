// What the gateway sends a client is built from the parsed upstream answer, never relayed from its bytes: an
// allowlist of the OpenAI response shape (chat.completion, text_completion and their stream chunks), every field
// copied by type, every string a client may show passed through the output pipe (the output cap, the gateway's
// credential canaries and the tenant's output guardrails). Unknown fields — engine extras included — are dropped;
// the engine extras kept are numeric (vLLM `stop_reason` when a number, llama.cpp `timings` by their known key
// names, as `usage`) or text scanned like the rest (`reasoning_content`, `reasoning`). Audio payloads
// (`audio.data`) are not relayed; the transcript is. One choice per index: a later duplicate is dropped.
import { isObj, own, type Json } from '../json.ts';
import { encodingFor, type Encoding } from '../encodings.ts';
import { OutputBound } from '../upstream/output-bound.ts';
import { MAX_CHOICE_INDEX, OutputPipe } from './output-pipe.ts';
import { chatLogprobs, completionLogprobs, endLogprobs } from './logprobs.ts';
import type { OutputTransform, Verdict } from '../transform.ts';

export const FINISH_REASONS: ReadonlySet<string> = new Set([
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'function_call',
]);
/** Bounds on list fields taken from an upstream answer (each entry still costs scanning). */
export const MAX_TOOL_CALLS = 128;
/** Text fields of a chat message / delta in generation order (metering order). */
const CHAT_TEXT_FIELDS = ['reasoning_content', 'reasoning', 'content', 'refusal'] as const;

// ---- typed, own-property access ----------------------------------------------------------------------------

export function obj(v: unknown): Json | undefined {
  return isObj(v) ? v : undefined;
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/** A choice index the gateway relays: an integer in [0, n) (an engine ignoring n gets its extra choices dropped). */
export function choiceIndex(c: Json, position: number, n: number): number | undefined {
  const raw = own(c, 'index');
  const i = raw === undefined ? position : int(raw);
  if (i === undefined || i < 0 || i >= n || i >= MAX_CHOICE_INDEX) return undefined;
  return i;
}

export function finishReason(v: unknown): string | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'string') return undefined;
  return FINISH_REASONS.has(v) ? v : 'stop';
}

/** The keys of a numeric object the gateway relays: a number (null) or a nested object of its own shape. */
export type NumericShape = ReadonlyMap<string, NumericShape | null>;

const numbers = (keys: readonly string[]): NumericShape => new Map(keys.map((k) => [k, null]));

/** OpenAI's `usage` (chat, completions, embeddings) and its details; nothing else an engine adds is relayed. */
export const USAGE_SHAPE: NumericShape = new Map<string, NumericShape | null>([
  ['prompt_tokens', null],
  ['completion_tokens', null],
  ['total_tokens', null],
  ['prompt_tokens_details', numbers(['cached_tokens', 'audio_tokens'])],
  [
    'completion_tokens_details',
    numbers(['reasoning_tokens', 'audio_tokens', 'accepted_prediction_tokens', 'rejected_prediction_tokens']),
  ],
]);

/** llama.cpp server `timings` (tools/server: result_timings), numbers only. */
export const TIMINGS_SHAPE: NumericShape = numbers([
  'cache_n',
  'prompt_n',
  'prompt_ms',
  'prompt_per_token_ms',
  'prompt_per_second',
  'predicted_n',
  'predicted_ms',
  'predicted_per_token_ms',
  'predicted_per_second',
  'draft_n',
  'draft_n_accepted',
]);

/**
 * The numbers of `v` at the keys `shape` names (own properties only), nested objects by their own shape: no key
 * of the upstream's choosing reaches the client, and the work is bounded by the shape, not by the input.
 */
export function numbersOnly(v: unknown, shape: NumericShape): Json | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const out: Json = {};
  for (const [k, inner] of shape) {
    const x = own(o, k);
    if (inner === null) {
      const n = num(x);
      if (n !== undefined) out[k] = n;
    } else {
      const nested = numbersOnly(x, inner);
      if (nested) out[k] = nested;
    }
  }
  return out;
}

/** Text of a content value: a string, or the text of an array of parts (refusal parts returned apart). */
export function contentText(v: unknown): { text: string | null | undefined; refusal: string | undefined } {
  if (typeof v === 'string' || v === null) return { text: v, refusal: undefined };
  const parts = arr(v);
  if (!parts) return { text: undefined, refusal: undefined };
  let text = '';
  let refusal: string | undefined;
  for (const p of parts) {
    const o = obj(p);
    if (!o) continue;
    const type = own(o, 'type');
    const t = str(own(o, 'text'));
    if ((type === 'text' || type === 'output_text') && t !== undefined) text += t;
    const r = str(own(o, 'refusal'));
    if (type === 'refusal' && r !== undefined) refusal = (refusal ?? '') + r;
  }
  return { text, refusal };
}

// ---- logprobs: entries mapped onto the scanned token text (logprobs.ts) ------------------------------------

export { chatLogprobs, completionLogprobs, endLogprobs, MAX_TOP_LOGPROBS } from './logprobs.ts';

// ---- messages and deltas -----------------------------------------------------------------------------------

/**
 * Tool calls of a message (whole) or a delta (streamed pieces). Whole: id and name metered and scanned as values.
 * Streamed: id and name pieces are held per call (OutputPipe.hold) and released once, whole, with the call's
 * first arguments piece (or at the end of the choice); the arguments go through the call's channel.
 */
function toolCalls(pipe: OutputPipe, choice: number, v: unknown, whole: boolean): Json[] | undefined {
  const list = arr(v);
  if (!list) return undefined;
  const out: Json[] = [];
  list.slice(0, MAX_TOOL_CALLS).forEach((tc, pos) => {
    const o = obj(tc);
    if (!o) return;
    const k = whole ? pos : (int(own(o, 'index')) ?? pos);
    if (k < 0 || k >= MAX_TOOL_CALLS) return;
    const id = str(own(o, 'id'));
    const fn = obj(own(o, 'function'));
    const name = fn ? str(own(fn, 'name')) : undefined;
    const args = fn ? str(own(fn, 'arguments')) : undefined;
    const field = `tool.${k}.arguments`;
    if (whole) {
      const call: Json = {};
      if (id !== undefined) call.id = pipe.value(choice, id);
      call.type = 'function';
      const f: Json = {};
      if (name !== undefined) f.name = pipe.value(choice, name);
      f.arguments = args !== undefined ? pipe.whole(choice, field, args) : '';
      if (fn) call.function = f;
      out.push(call);
      return;
    }
    pipe.hold(choice, `tool.${k}`, id, name);
    const call: Json = { index: k };
    const r = args !== undefined && args !== '' ? pipe.release(choice, `tool.${k}`) : undefined;
    if (r) {
      if (r.id !== undefined) call.id = r.id;
      call.type = 'function';
      call.function = { ...(r.name !== undefined ? { name: r.name } : {}), arguments: '' };
    }
    if (args !== undefined && args !== '') {
      const f = obj(call.function) ?? {};
      f.arguments = pipe.text(choice, field, args);
      call.function = f;
    }
    if (Object.keys(call).length > 1) out.push(call);
  });
  return out;
}

/** The legacy function_call: whole, the name metered and scanned; streamed, the name held like a tool call's. */
function functionCall(pipe: OutputPipe, choice: number, v: unknown, whole: boolean): Json | null | undefined {
  if (v === null) return null;
  const o = obj(v);
  if (!o) return undefined;
  const f: Json = {};
  const name = str(own(o, 'name'));
  const args = str(own(o, 'arguments'));
  if (whole) {
    if (name !== undefined) f.name = pipe.value(choice, name);
    if (args !== undefined) f.arguments = pipe.whole(choice, 'function_call.arguments', args);
    return f;
  }
  pipe.hold(choice, 'function_call', undefined, name);
  if (args === undefined || args === '') return Object.keys(f).length > 0 ? f : undefined;
  const r = pipe.release(choice, 'function_call');
  if (r?.name !== undefined) f.name = r.name;
  f.arguments = pipe.text(choice, 'function_call.arguments', args);
  return f;
}

function audio(pipe: OutputPipe, choice: number, v: unknown, whole: boolean): Json | null | undefined {
  if (v === null) return null;
  const o = obj(v);
  if (!o) return undefined;
  const a: Json = {};
  const id = str(own(o, 'id'));
  if (id !== undefined) {
    if (whole) a.id = pipe.value(choice, id);
    else {
      // streamed: the first id only (bounded), scanned whole; later id pieces are dropped
      pipe.hold(choice, 'audio', id, undefined);
      const r = pipe.release(choice, 'audio');
      if (r?.id !== undefined) a.id = r.id;
    }
  }
  const exp = int(own(o, 'expires_at'));
  if (exp !== undefined) a.expires_at = exp;
  const t = str(own(o, 'transcript'));
  if (t !== undefined)
    a.transcript = whole ? pipe.whole(choice, 'audio.transcript', t) : pipe.text(choice, 'audio.transcript', t);
  return a;
}

/** A chat message (whole) or delta (streamed), rebuilt. */
export function chatMessage(pipe: OutputPipe, choice: number, m: Json, whole: boolean): Json {
  const out: Json = {};
  const role = own(m, 'role');
  if (whole || role !== undefined) out.role = 'assistant';
  const c = contentText(own(m, 'content'));
  const values: Record<(typeof CHAT_TEXT_FIELDS)[number], string | null | undefined> = {
    reasoning_content: nullableStr(own(m, 'reasoning_content')),
    reasoning: nullableStr(own(m, 'reasoning')),
    content: c.text,
    refusal: joinNullable(nullableStr(own(m, 'refusal')), c.refusal),
  };
  for (const f of CHAT_TEXT_FIELDS) {
    const v = values[f];
    if (v === undefined) continue;
    out[f] = v === null ? null : whole ? pipe.whole(choice, f, v) : pipe.text(choice, f, v);
  }
  if (whole && !Object.hasOwn(out, 'content')) out.content = null;
  const tc = toolCalls(pipe, choice, own(m, 'tool_calls'), whole);
  if (tc !== undefined && (whole || tc.length > 0)) out.tool_calls = tc;
  const fc = functionCall(pipe, choice, own(m, 'function_call'), whole);
  if (fc !== undefined) out.function_call = fc;
  const au = audio(pipe, choice, own(m, 'audio'), whole);
  if (au !== undefined) out.audio = au;
  return out;
}

function nullableStr(v: unknown): string | null | undefined {
  return v === null ? null : str(v);
}

function joinNullable(a: string | null | undefined, b: string | undefined): string | null | undefined {
  if (b === undefined) return a;
  return (typeof a === 'string' ? a : '') + b;
}

/** Text flushed from a choice's channels merged into a chat delta (or completion choice). */
export function mergeFlushed(target: Json, flushed: readonly [string, string][], chat: boolean): { logprobs: string } {
  let logprobs = '';
  for (const [field, text] of flushed) {
    if (field === 'logprobs') {
      logprobs += text;
      continue;
    }
    if (
      !chat ||
      field === 'content' ||
      field === 'text' ||
      field === 'reasoning_content' ||
      field === 'reasoning' ||
      field === 'refusal'
    ) {
      const k = chat ? field : 'text';
      target[k] = (typeof target[k] === 'string' ? (target[k] as string) : '') + text;
      continue;
    }
    const tm = /^tool\.(\d+)\.(arguments|name|id)$/.exec(field);
    if (tm) {
      const k = Number(tm[1]);
      const list = (arr(target.tool_calls) ?? []) as Json[];
      let call = list.find((c) => c.index === k);
      if (!call) {
        call = { index: k };
        list.push(call);
      }
      if (tm[2] === 'id') call.id = text;
      if (tm[2] !== 'arguments') call.type = 'function';
      const fn = obj(call.function) ?? {};
      if (tm[2] === 'name') fn.name = text;
      fn.arguments = (typeof fn.arguments === 'string' ? fn.arguments : '') + (tm[2] === 'arguments' ? text : '');
      call.function = fn;
      target.tool_calls = list;
    } else if (field === 'function_call.arguments' || field === 'function_call.name') {
      const fn = obj(target.function_call) ?? {};
      if (field === 'function_call.name') fn.name = text;
      else fn.arguments = (typeof fn.arguments === 'string' ? fn.arguments : '') + text;
      target.function_call = fn;
    } else if (field === 'audio.transcript') {
      const a = obj(target.audio) ?? {};
      a.transcript = (typeof a.transcript === 'string' ? a.transcript : '') + text;
      target.audio = a;
    }
  }
  return { logprobs };
}

// ---- whole responses ---------------------------------------------------------------------------------------

export interface WholeResult {
  body: Json;
  /** Output tokens counted (when a meter ran), and whether any choice was cut at the cap. */
  cut: boolean;
  verdict: Verdict | undefined;
}

/** Metadata fields common to completions and chunks. */
export function envelope(pipe: OutputPipe, src: Json, object: string): Json {
  const out: Json = {};
  const id = str(own(src, 'id'));
  out.id = id !== undefined ? pipe.atomic(id) : '';
  out.object = object;
  out.created = int(own(src, 'created')) ?? 0;
  const model = str(own(src, 'model'));
  if (model !== undefined) out.model = pipe.atomic(model);
  const fp = own(src, 'system_fingerprint');
  if (fp === null) out.system_fingerprint = null;
  else if (typeof fp === 'string') out.system_fingerprint = pipe.atomic(fp);
  const tier = str(own(src, 'service_tier'));
  if (tier !== undefined) out.service_tier = pipe.atomic(tier);
  return out;
}

export function usageOf(v: unknown): Json | null | undefined {
  if (v === null) return null;
  return numbersOnly(v, USAGE_SHAPE);
}

/** A non-streamed chat.completion / text_completion, rebuilt (the cap, canaries and guardrails applied to every text field). */
export function sanitizeCompletion(
  src: Json,
  pipe: OutputPipe,
  o: { chat: boolean; n: number; meterTotal?: () => number },
): WholeResult {
  const body = envelope(pipe, src, o.chat ? 'chat.completion' : 'text_completion');
  const choices: Json[] = [];
  const list = arr(own(src, 'choices')) ?? [];
  // one choice per index: the first is kept, a later one with the same index is dropped (each would be scanned
  // on its own, and a client joining choices by index would rebuild what no scan saw)
  const seen = new Set<number>();
  list.forEach((c, pos) => {
    const co = obj(c);
    if (!co || pipe.verdict()) return;
    const idx = choiceIndex(co, pos, o.n);
    if (idx === undefined || seen.has(idx)) return;
    seen.add(idx);
    const out: Json = { index: idx };
    if (o.chat) out.message = chatMessage(pipe, idx, obj(own(co, 'message')) ?? {}, true);
    else {
      const t = str(own(co, 'text'));
      out.text = t === undefined ? '' : pipe.whole(idx, 'text', t);
    }
    const lp = o.chat
      ? chatLogprobs(pipe, idx, own(co, 'logprobs'))
      : completionLogprobs(pipe, idx, own(co, 'logprobs'));
    out.logprobs = endLogprobs(pipe, idx, lp, o.chat) ?? null;
    const fr = finishReason(own(co, 'finish_reason'));
    out.finish_reason = pipe.cut.has(idx) ? 'length' : (fr ?? null);
    const sr = own(co, 'stop_reason');
    if (sr === null || int(sr) !== undefined) out.stop_reason = sr;
    choices.push(out);
  });
  body.choices = choices;
  const usage = usageOf(own(src, 'usage'));
  if (usage !== undefined) body.usage = usage;
  const timings = numbersOnly(own(src, 'timings'), TIMINGS_SHAPE);
  if (timings) body.timings = timings;
  const cut = pipe.cut.size > 0;
  if (cut && usage && o.meterTotal) {
    const out = o.meterTotal();
    usage.completion_tokens = out;
    if (typeof usage.prompt_tokens === 'number') usage.total_tokens = usage.prompt_tokens + out;
  }
  return { body, cut, verdict: pipe.verdict() };
}

export interface EgressCompletion {
  body: Json;
  verdict: Verdict | undefined;
  /** Output tokens counted by the cap when a choice was cut (what was served), else undefined. */
  countedOut: number | undefined;
  /** Upstream text of every metered field (settlement when the upstream sent no usage). */
  generatedText: string;
  /** A choice ended with finish_reason "length". */
  finishLength: boolean;
}

/** A whole upstream answer as the client gets it: the cap (maxOut per choice, 0: none) and the transform applied. */
export function egressCompletion(
  src: Json,
  o: {
    chat: boolean;
    n: number;
    maxOut: number;
    transform: OutputTransform | undefined;
    /** The model's encoding the cap counts with (absent: cl100k_base). */
    encoding?: Encoding | undefined;
  },
): EgressCompletion {
  const enc = o.encoding ?? encodingFor(undefined);
  const meter = o.maxOut > 0 ? new OutputBound(o.maxOut, enc) : undefined;
  const pipe = new OutputPipe({
    meter,
    logprobsMeter: meter ? new OutputBound(o.maxOut, enc) : undefined,
    transform: o.transform,
    main: o.chat ? 'content' : 'text',
  });
  const r = sanitizeCompletion(src, pipe, {
    chat: o.chat,
    n: o.n,
    ...(meter ? { meterTotal: () => meter.total } : {}),
  });
  const choices = (r.body.choices as Json[]) ?? [];
  return {
    body: r.body,
    verdict: r.verdict,
    countedOut: r.cut && meter ? meter.total : undefined,
    generatedText: pipe.generated.join(''),
    finishLength: choices.some((c) => c.finish_reason === 'length'),
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An embeddings answer rebuilt: vectors of numbers (or base64 strings), the model name scanned (credential canaries). */
export function egressEmbeddings(src: Json, transform: OutputTransform | undefined): EgressCompletion {
  const pipe = new OutputPipe({ transform, main: 'text' });
  const data: Json[] = [];
  const list = arr(own(src, 'data')) ?? [];
  list.forEach((d, pos) => {
    const o = obj(d);
    if (!o) return;
    const e = own(o, 'embedding');
    let embedding: number[] | string | undefined;
    if (typeof e === 'string' && BASE64.test(e)) embedding = e;
    else if (Array.isArray(e)) {
      embedding = [];
      for (const x of e) {
        const n = num(x);
        if (n === undefined) {
          embedding = undefined;
          break;
        }
        embedding.push(n);
      }
    }
    if (embedding === undefined) return;
    data.push({ object: 'embedding', index: int(own(o, 'index')) ?? pos, embedding });
  });
  const body: Json = { object: 'list', data };
  const model = str(own(src, 'model'));
  if (model !== undefined) body.model = pipe.atomic(model);
  const usage = usageOf(own(src, 'usage'));
  if (usage !== undefined) body.usage = usage;
  return { body, verdict: pipe.verdict(), countedOut: undefined, generatedText: '', finishLength: false };
}
