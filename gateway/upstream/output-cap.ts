// The effective max_tokens enforced on the way back, whatever the engine does (issue #10, item 7): an engine
// that ignores `max_tokens` cannot make the gateway serve or charge more than the reservation.
//
// Rule (documented in the README): output text — content and tool-call arguments — is counted per choice
// with the same cl100k counter as the input, each streamed delta counting at least one token. A streamed choice that reaches the
// effective max_tokens is cut there (its last delta truncated on a token boundary) and closed with
// finish_reason "length"; once every choice is cut the upstream request is aborted and the stream ends
// with [DONE]. A non-streamed choice over the cap is truncated the same way (finish_reason "length") and
// `usage.completion_tokens` reports what was served. Settlement charges at most the reservation.
import { countText, truncateToTokens } from '../tokens.ts';

/** Per-choice output budget for one streamed response. */
export class OutputMeter {
  readonly cap: number;
  readonly #used = new Map<number, number>();
  readonly #capped = new Set<number>();

  constructor(capPerChoice: number) {
    this.cap = capPerChoice;
  }

  /** Admit `text` for choice `idx`: the part that fits and whether the choice is now at its cap. */
  take(idx: number, text: string): { text: string; capped: boolean } {
    if (this.#capped.has(idx)) return { text: '', capped: true };
    if (text.length === 0) return { text, capped: false };
    const used = this.#used.get(idx) ?? 0;
    const room = this.cap - used;
    const k = Math.max(1, countText(text));
    if (k <= room) {
      this.#used.set(idx, used + k);
      if (used + k >= this.cap) this.#capped.add(idx);
      return { text, capped: used + k >= this.cap };
    }
    const t = truncateToTokens(text, room);
    this.#used.set(idx, this.cap);
    this.#capped.add(idx);
    return { text: t.text, capped: true };
  }

  isCapped(idx: number): boolean {
    return this.#capped.has(idx);
  }

  /** Every one of `n` choices reached its cap. */
  allCapped(n: number): boolean {
    for (let i = 0; i < n; i++) if (!this.#capped.has(i)) return false;
    return true;
  }

  /** Output tokens counted so far, all choices. */
  get total(): number {
    let t = 0;
    for (const v of this.#used.values()) t += v;
    return t;
  }
}

/** The function-call argument strings of a chat delta or message (tool_calls[].function and function_call). */
function argumentHolders(m: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const calls = m.tool_calls;
  if (Array.isArray(calls)) {
    for (const tc of calls) {
      const fn = tc !== null && typeof tc === 'object' ? (tc as Record<string, unknown>).function : undefined;
      if (fn !== null && typeof fn === 'object' && typeof (fn as Record<string, unknown>).arguments === 'string') out.push(fn as Record<string, unknown>);
    }
  }
  const fc = m.function_call;
  if (fc !== null && typeof fc === 'object' && typeof (fc as Record<string, unknown>).arguments === 'string') out.push(fc as Record<string, unknown>);
  return out;
}

/**
 * Meter the tool-call arguments of one streamed chat delta (they are output too) in place: arguments past
 * the cap are cut. Returns whether the delta changed.
 */
export function meterToolArguments(meter: OutputMeter, idx: number, delta: Record<string, unknown>): boolean {
  let changed = false;
  for (const fn of argumentHolders(delta)) {
    const args = fn.arguments as string;
    const r = meter.take(idx, args);
    if (r.text !== args) {
      fn.arguments = r.text;
      changed = true;
    }
  }
  return changed;
}

/**
 * Apply the cap to a non-streamed completion body in place. Returns the output tokens served (counted)
 * and whether anything was cut. `usage.completion_tokens` is rewritten when a choice was cut.
 */
export function capCompletion(body: Record<string, unknown>, capPerChoice: number, chat: boolean): { changed: boolean; outputTokens: number } {
  const choices = Array.isArray(body.choices) ? (body.choices as unknown[]) : [];
  let changed = false;
  let outputTokens = 0;
  for (const c of choices) {
    if (c === null || typeof c !== 'object') continue;
    const choice = c as Record<string, unknown>;
    const holder = chat ? (choice.message as Record<string, unknown> | undefined) : choice;
    const field = chat ? 'content' : 'text';
    if (!holder || typeof holder !== 'object') continue;
    let room = capPerChoice;
    let cut = false;
    if (typeof holder[field] === 'string') {
      const t = truncateToTokens(holder[field] as string, room);
      room -= t.tokens;
      if (t.truncated) {
        holder[field] = t.text;
        cut = true;
      }
    }
    // tool-call arguments share the choice's budget
    if (chat) {
      for (const fn of argumentHolders(holder)) {
        const t = truncateToTokens(fn.arguments as string, room);
        room -= t.tokens;
        if (t.truncated) {
          fn.arguments = t.text;
          cut = true;
        }
      }
    }
    outputTokens += capPerChoice - room;
    if (cut) {
      choice.finish_reason = 'length';
      changed = true;
    }
  }
  if (changed) {
    const u = body.usage;
    if (u !== null && typeof u === 'object') {
      const usage = u as Record<string, unknown>;
      usage.completion_tokens = outputTokens;
      if (typeof usage.prompt_tokens === 'number') usage.total_tokens = usage.prompt_tokens + outputTokens;
    }
  }
  return { changed, outputTokens };
}
