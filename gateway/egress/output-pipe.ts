// Every generated text field of a response, one channel each, through the output cap and the output transform
// (credential canaries, then the tenant's guardrails). The main text of a choice (chat `content`, completion
// `text`) is channel <choice index>, so structured-output validation and the output judge see it as before; every
// other field gets its own side channel; short values (ids, names, alternatives) are scanned one at a time.
// All fields of a choice share the choice's output cap (issue #10, item 7), tool-call ids and names included;
// logprobs tokens, which repeat the text, are metered against a cap of their own.
// A streamed tool call's id and function name (and a legacy function_call's name) are identities a client
// concatenates (openai-python) or replaces (openai-node) piece by piece: they are held per choice and call,
// bounded, and released once, whole and scanned whole, when the call's arguments start or the choice ends;
// pieces arriving after that are dropped.
import { LIMITS } from '../../api/openai/common.ts';
import type { OutputCap } from '../upstream/output-bound.ts';
import {
  ATOMIC_CHANNEL_BASE,
  JSON_CHANNEL_BASE,
  SIDE_CHANNEL_BASE,
  type OutputTransform,
  type Verdict,
} from '../transform.ts';

/** Choice indices accepted from an upstream (others are dropped): below this, and below the requested n. */
export const MAX_CHOICE_INDEX = 1024;

export interface PipeOptions {
  meter?: OutputCap | undefined;
  /** A separate cap for logprobs token text (the same per-choice cap). */
  logprobsMeter?: OutputCap | undefined;
  transform?: OutputTransform | undefined;
  /** The main field's name: 'content' (chat) or 'text' (completions). */
  main: 'content' | 'text';
}

const MEMO_MAX = 256;
/** Longest streamed function name held (a request may declare names this long) and longest call / audio id. */
export const MAX_HELD_NAME = LIMITS.maxNameChars;
export const MAX_HELD_ID = 128;

/** A streamed call's identity as held so far; `sent` once released (later pieces are dropped). */
interface Held {
  id: string | undefined;
  name: string | undefined;
  sent: boolean;
}

/** A held identity released: each value scanned whole (absent when the upstream sent none). */
export interface Identity {
  id?: string;
  name?: string;
}

export class OutputPipe {
  readonly #o: PipeOptions;
  /** choice -> field -> channel index, in allocation order. */
  readonly #channels = new Map<number, Map<string, number>>();
  #nextSide = SIDE_CHANNEL_BASE;
  #nextJson = JSON_CHANNEL_BASE;
  #nextAtomic = ATOMIC_CHANNEL_BASE;
  readonly #memo = new Map<string, string>();
  /** Upstream text per choice (all metered fields, as admitted by the cap), for settlement of a cut stream. */
  readonly generated: string[] = [];
  generatedChars = 0;
  /** A field was cut at the cap (the response must say finish_reason "length"). */
  readonly cut = new Set<number>();
  /** choice -> call key ('tool.<k>', 'function_call', 'audio') -> identity held, in first-seen order. */
  readonly #held = new Map<number, Map<string, Held>>();
  /** The upstream broke a bound (a held name or id too long): the stream must end with an upstream error. */
  fault: string | undefined;

  constructor(o: PipeOptions) {
    this.#o = o;
  }

  get transform(): OutputTransform | undefined {
    return this.#o.transform;
  }

  verdict(): Verdict | undefined {
    return this.#o.transform?.verdict();
  }

  /** Streamed text of `field` for `choice`: metered, then through the transform; returns what is released now. */
  text(choice: number, field: string, s: string): string {
    const t = this.#metered(choice, field, s);
    const tr = this.#o.transform;
    if (!tr) return t;
    return tr.push(this.#channel(choice, field), t);
  }

  /** As text(), with what the cap admitted of `s` first (logprobs entries map onto it: logprobs.ts). */
  admit(choice: number, field: string, s: string): [string, string] {
    const t = this.#metered(choice, field, s);
    const tr = this.#o.transform;
    return [t, tr ? tr.push(this.#channel(choice, field), t) : t];
  }

  /** A short value of a choice that is whole (a tool call's id or name): metered with its fields, scanned on its own. */
  value(choice: number, s: string): string {
    return this.atomic(this.#metered(choice, 'value', s));
  }

  /**
   * Streamed id / name pieces of call `key` of `choice`, appended to what is held until the call is released
   * (`release`). Pieces after the release are dropped. A name or id over its bound sets `fault`.
   */
  hold(choice: number, key: string, id: string | undefined, name: string | undefined): void {
    let m = this.#held.get(choice);
    if (!m) {
      m = new Map();
      this.#held.set(choice, m);
    }
    let h = m.get(key);
    if (!h) {
      h = { id: undefined, name: undefined, sent: false };
      m.set(key, h);
    }
    if (h.sent) return;
    if (id !== undefined) h.id = (h.id ?? '') + id;
    if (name !== undefined) h.name = (h.name ?? '') + name;
    if ((h.id?.length ?? 0) > MAX_HELD_ID) this.fault ??= `a streamed ${key} id longer than ${MAX_HELD_ID} characters`;
    if ((h.name?.length ?? 0) > MAX_HELD_NAME)
      this.fault ??= `a streamed ${key} name longer than ${MAX_HELD_NAME} characters`;
  }

  /**
   * Call `key` of `choice` released: its held id and name, each metered and scanned whole; undefined once released
   * (or when the choice is at its cap: nothing of it is served any more).
   */
  release(choice: number, key: string): Identity | undefined {
    const h = this.#held.get(choice)?.get(key);
    if (!h || h.sent) return undefined;
    h.sent = true;
    if (this.isCapped(choice)) return undefined;
    const out: Identity = {};
    // a value the cap cut to nothing is left out (no empty name or id for a call past the cap)
    const id = h.id !== undefined ? this.value(choice, h.id) : undefined;
    if (id !== undefined && (id !== '' || !this.isCapped(choice))) out.id = id;
    const name = h.name !== undefined ? this.value(choice, h.name) : undefined;
    if (name !== undefined && (name !== '' || !this.isCapped(choice))) out.name = name;
    h.id = undefined;
    h.name = undefined;
    return out;
  }

  /** A whole field (non-streamed, or a value that arrives in one piece): metered, pushed and flushed. */
  whole(choice: number, field: string, s: string): string {
    const out = this.text(choice, field, s);
    return out + this.flush(choice, field);
  }

  /** End of one field's channel: what it still holds. */
  flush(choice: number, field: string): string {
    const tr = this.#o.transform;
    const m = this.#channels.get(choice);
    const idx = m?.get(field);
    if (!tr || idx === undefined || !m) return '';
    m.delete(field);
    return tr.flush(idx);
  }

  /**
   * The choice ended: identities still held released (`<key>.id`, `<key>.name`; until the choice is at its cap),
   * then every open channel flushed, as [field, text] in the order the fields first appeared.
   */
  finish(choice: number): [string, string][] {
    const out: [string, string][] = [];
    const held = this.#held.get(choice);
    if (held) {
      for (const key of held.keys()) {
        const r = this.release(choice, key);
        if (r?.id !== undefined) out.push([`${key}.id`, r.id]);
        if (r?.name !== undefined) out.push([`${key}.name`, r.name]);
      }
    }
    this.#held.delete(choice);
    const m = this.#channels.get(choice);
    if (!m) return out;
    for (const field of [...m.keys()]) {
      const t = this.flush(choice, field);
      if (t !== '') out.push([field, t]);
    }
    this.#channels.delete(choice);
    return out;
  }

  /** Every choice with open channels or held identities (end of stream), ascending. */
  openChoices(): number[] {
    return [...new Set([...this.#channels.keys(), ...this.#held.keys()])].sort((a, b) => a - b);
  }

  /**
   * A short value scanned on its own (ids, model names, tool names, logprobs alternatives); not metered (each
   * caller bounds how many it passes). Results are memoized per response: a stream repeats its id and model.
   */
  atomic(s: string): string {
    const tr = this.#o.transform;
    if (!tr || s === '') return s;
    const hit = this.#memo.get(s);
    if (hit !== undefined) return hit;
    const idx = this.#nextAtomic++;
    const out = tr.push(idx, s) + tr.flush(idx);
    if (this.#memo.size < MEMO_MAX) this.#memo.set(s, out);
    return out;
  }

  isLogprobsCapped(choice: number): boolean {
    return this.#o.logprobsMeter?.isCapped(choice) ?? false;
  }

  isCapped(choice: number): boolean {
    return this.#o.meter?.isCapped(choice) ?? false;
  }

  /** `s` through the cap of `field` (logprobs: their own cap); what is admitted counts as generated text. */
  #metered(choice: number, field: string, s: string): string {
    const lp = field === 'logprobs' || field === 'logprobs.refusal';
    const meter = lp ? this.#o.logprobsMeter : this.#o.meter;
    let t = s;
    if (meter && t.length > 0) {
      const r = meter.take(choice, t);
      if (r.text !== t && !lp) this.cut.add(choice);
      t = r.text;
    }
    if (!lp && t.length > 0) {
      this.generated[choice] = (this.generated[choice] ?? '') + t;
      this.generatedChars += t.length;
    }
    return t;
  }

  #channel(choice: number, field: string): number {
    let m = this.#channels.get(choice);
    if (!m) {
      m = new Map();
      this.#channels.set(choice, m);
    }
    let idx = m.get(field);
    if (idx === undefined) {
      idx = field === this.#o.main ? choice : jsonField(field) ? this.#nextJson++ : this.#nextSide++;
      m.set(field, idx);
    }
    return idx;
  }
}

/** Fields whose text is JSON (tool-call and legacy function-call arguments): JSON side channels (transform.ts). */
const jsonField = (field: string): boolean => field.endsWith('.arguments');
