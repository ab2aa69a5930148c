// Every generated text field of a response, one channel each, through the output cap and the output transform
// (credential canaries, then the tenant's guardrails). The main text of a choice (chat `content`, completion
// `text`) is channel <choice index>, so structured-output validation and the output judge see it as before; every
// other field gets its own side channel; short values (ids, names, alternatives) are scanned one at a time.
// All fields of a choice share the choice's output cap (issue #10, item 7); logprobs tokens, which repeat the
// text, are metered against a cap of their own.
import type { OutputMeter } from '../upstream/output-cap.ts';
import { ATOMIC_CHANNEL_BASE, SIDE_CHANNEL_BASE, type OutputTransform, type Verdict } from '../transform.ts';

/** Choice indices accepted from an upstream (others are dropped): below this, and below the requested n. */
export const MAX_CHOICE_INDEX = 1024;

export interface PipeOptions {
  meter?: OutputMeter | undefined;
  /** A separate cap for logprobs token text (the same per-choice cap). */
  logprobsMeter?: OutputMeter | undefined;
  transform?: OutputTransform | undefined;
  /** The main field's name: 'content' (chat) or 'text' (completions). */
  main: 'content' | 'text';
}

const MEMO_MAX = 256;

export class OutputPipe {
  readonly #o: PipeOptions;
  /** choice -> field -> channel index, in allocation order. */
  readonly #channels = new Map<number, Map<string, number>>();
  #nextSide = SIDE_CHANNEL_BASE;
  #nextAtomic = ATOMIC_CHANNEL_BASE;
  readonly #memo = new Map<string, string>();
  /** Upstream text per choice (all metered fields, as admitted by the cap), for settlement of a cut stream. */
  readonly generated: string[] = [];
  generatedChars = 0;
  /** A field was cut at the cap (the response must say finish_reason "length"). */
  readonly cut = new Set<number>();

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
    const meter = field === 'logprobs' ? this.#o.logprobsMeter : this.#o.meter;
    let t = s;
    if (meter && t.length > 0) {
      const r = meter.take(choice, t);
      if (r.text !== t && field !== 'logprobs') this.cut.add(choice);
      t = r.text;
    }
    if (field !== 'logprobs' && t.length > 0) {
      this.generated[choice] = (this.generated[choice] ?? '') + t;
      this.generatedChars += t.length;
    }
    const tr = this.#o.transform;
    if (!tr) return t;
    return tr.push(this.#channel(choice, field), t);
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

  /** The choice ended: every open channel flushed, as [field, text] in the order the fields first appeared. */
  finish(choice: number): [string, string][] {
    const m = this.#channels.get(choice);
    if (!m) return [];
    const out: [string, string][] = [];
    for (const field of [...m.keys()]) {
      const t = this.flush(choice, field);
      if (t !== '') out.push([field, t]);
    }
    this.#channels.delete(choice);
    return out;
  }

  /** Every choice with open channels (end of stream), ascending. */
  openChoices(): number[] {
    return [...this.#channels.keys()].sort((a, b) => a - b);
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

  #channel(choice: number, field: string): number {
    let m = this.#channels.get(choice);
    if (!m) {
      m = new Map();
      this.#channels.set(choice, m);
    }
    let idx = m.get(field);
    if (idx === undefined) {
      idx = field === this.#o.main ? choice : this.#nextSide++;
      m.set(field, idx);
    }
    return idx;
  }
}
