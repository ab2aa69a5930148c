// Logprobs entries through the output guardrails (finding 06 of the 2026-12-03 SDK check). The token texts of a
// choice are one text channel (the output pipe's 'logprobs' channel: the cap, canaries, the tenant's guardrails),
// and each entry is released once the channel has released the text it covers, mapped onto what was released:
//  - an entry whose text comes back unchanged is served 1:1 (token, logprob, bytes, top_logprobs);
//  - entries covering text a guardrail replaced become ONE entry whose token is the replacement text, whose logprob
//    is the sum of theirs (the log probability of the replaced span) and whose top_logprobs are empty;
//  - an alternative of a served entry is kept only when it equals the entry's token (it is served there) or when
//    the served text before it (CONTEXT_CHARS: 64) followed by the alternative passes the same guardrails unchanged,
//    and so do the alternatives served at its rank before it followed by it (a client reading "the n-th
//    alternative" of each entry); a canary in either blocks the response as anywhere else; otherwise it is dropped.
//    (An engine choosing its alternatives and logprob values can still encode anything in them: a hostile engine
//    is not a threat logprobs can be scanned against.)
// So the tokens a client reassembles are exactly the scanned text, and no alternative completes a secret, canary
// or URL the served text does not show. Nothing is invented: held text delays its entries (they come with the
// text they belong to), and an entry is never served with an empty token for held text.
import { own, type Json } from '../json.ts';
import type { OutputPipe } from './output-pipe.ts';

/** Served text before an alternative that it is scanned with (a secret it would complete starts within this). */
export const CONTEXT_CHARS = 64;
/**
 * Between the probes of one entry scanned together: a paragraph break, which no detector matches across (the
 * credential view keeps newlines; markdown inline constructs end there). A change anywhere: each probe alone.
 */
export const PROBE_SEPARATOR = '\n\n';
/** Characters of unchanged text after a replacement needed to find where it ends (less at the end of the text). */
export const RESYNC_CHARS = 8;
/** A following entry at least this long (and shorter than RESYNC_CHARS), found unchanged, also ends the span. */
export const MIN_NEXT_CHARS = 4;
/** Bounds on what waits for the channel (beyond them everything pending becomes one entry). */
export const MAX_PENDING_ENTRIES = 256;
export const MAX_PENDING_CHARS = 32 * 1024;
/** Alternatives taken per entry. */
export const MAX_TOP_LOGPROBS = 20;

export interface Alternative {
  token: string;
  logprob: number;
  /** The engine's bytes when they are the token's UTF-8 bytes (else recomputed), null when it sent null. */
  bytes: number[] | null;
}

/** One engine entry, its token as pushed through the channel (after the cap). */
export interface LpEntry {
  text: string;
  logprob: number | null;
  bytes: number[] | null;
  /** null: the engine sent no alternatives for this position (legacy null). */
  top: Alternative[] | null;
  /** Legacy text_offset. */
  offset: number;
}

export interface OutEntry extends LpEntry {
  /** False: this entry stands for entries whose text a guardrail replaced. */
  kept: boolean;
}

const utf8 = (s: string): number[] => Array.from(Buffer.from(s, 'utf8'));
const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** The engine's bytes when they are a byte array whose UTF-8 reading is `token` exactly; else the token's own. */
export function entryBytes(raw: unknown, token: string): number[] | null {
  if (raw === null) return null;
  if (Array.isArray(raw) && raw.length <= 4 * token.length + 4) {
    if (raw.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)) {
      const bytes = raw as number[];
      if (Buffer.from(bytes).toString('utf8') === token) return bytes;
    }
  }
  return utf8(token);
}

/**
 * Where the replaced span that starts at the head of `texts` ends: `m`, the last entry it covers, and `o`, the
 * length of the output replacing it — the first entry after which the following input reappears in `out`
 * (RESYNC_CHARS of it, what is left at the end, or the whole next entry when MIN_NEXT_CHARS long). Undefined
 * while that cannot be decided yet (not `final`). Whatever it returns, the tokens served are the output exactly.
 */
export function resync(
  texts: readonly string[],
  out: string,
  final: boolean,
  tried: number[] = [],
): { m: number; o: number } | undefined {
  for (let m = 0; m < texts.length; m++) {
    // the first RESYNC_CHARS of what follows entry m (fixed once there are that many)
    let rest = '';
    for (let k = m + 1; k < texts.length && rest.length < RESYNC_CHARS; k++) rest += texts[k]!;
    if (rest === '') return final ? { m: texts.length - 1, o: out.length } : undefined;
    if (!final && rest.length < RESYNC_CHARS) return undefined;
    const needle = rest.slice(0, RESYNC_CHARS);
    // `tried[m]`: the output already searched for this needle (each output character searched once per entry)
    const from = final ? 0 : Math.max(0, (tried[m] ?? 0) - RESYNC_CHARS + 1);
    const o = out.indexOf(needle, from);
    if (o >= 0) return { m, o };
    // the next entry unchanged, though what follows it is not (two replacements close together)
    const next = texts[m + 1] ?? '';
    const n = next.length >= MIN_NEXT_CHARS && next.length < RESYNC_CHARS ? out.indexOf(next, from) : -1;
    if (n >= 0) return { m, o: n };
    tried[m] = out.length;
  }
  return undefined;
}

/** The entry standing for `group` (whose text a guardrail replaced with `token`); `delta`: offset shift before it. */
function collapsed(group: readonly LpEntry[], token: string, delta: number, chat: boolean): OutEntry {
  let logprob: number | null = 0;
  for (const e of group) logprob = e.logprob === null || logprob === null ? null : logprob + e.logprob;
  if (chat && logprob === null) logprob = 0;
  return {
    text: token,
    logprob,
    bytes: group.every((e) => e.bytes === null) ? null : utf8(token),
    top: chat ? [] : group[0]!.top === null ? null : [],
    offset: group[0]!.offset + delta,
    kept: false,
  };
}

/** Per choice: entries waiting for the logprobs channel, mapped onto the text it releases. */
export class LogprobsAligner {
  readonly #chat: boolean;
  /** A short text through the guardrails, scanned on its own (OutputPipe.atomic). */
  readonly #scan: (s: string) => string;
  #queue: LpEntry[] = [];
  #queued = 0;
  /** Released channel text not yet given to an entry. */
  #out = '';
  /** resync's record of what it searched (reset when the head moves). */
  #tried: number[] = [];
  /** The last CONTEXT_CHARS of the tokens served. */
  #served = '';
  /** Per rank: the last CONTEXT_CHARS of the alternatives served at that rank. */
  readonly #columns: string[] = [];
  /**
   * Per rank as the engine sent them: the last CONTEXT_CHARS of every alternative at that rank, dropped ones too.
   * A dropped piece (a secret's prefix) must stay in the context its continuations are scanned with, else the
   * pieces after it pass one by one (re-check 2026-12-03: 'ghp_' | 12 | 12 | 12 characters at rank 2 — only
   * 'ghp_' was dropped and the 36 characters after it were served).
   */
  readonly #proposed: string[] = [];
  /** Legacy text_offset shift: served code points minus the engine's, over replaced spans so far. */
  #delta = 0;

  constructor(chat: boolean, scan: (s: string) => string) {
    this.#chat = chat;
    this.#scan = scan;
  }

  get pending(): boolean {
    return this.#queue.length > 0 || this.#out !== '';
  }

  /** An entry whose text was pushed through the channel, and what the channel released then. */
  add(e: LpEntry, released: string): OutEntry[] {
    this.#queue.push(e);
    this.#queued += e.text.length;
    this.#out += released;
    const over = this.#queue.length > MAX_PENDING_ENTRIES || this.#queued + this.#out.length > MAX_PENDING_CHARS;
    return this.#resolve(over);
  }

  /** The channel ended: what it still held; every entry is served now. */
  end(tail: string): OutEntry[] {
    this.#out += tail;
    return this.#resolve(true);
  }

  #resolve(final: boolean): OutEntry[] {
    const served: OutEntry[] = [];
    while (this.#queue.length > 0) {
      const e = this.#queue[0]!;
      if (this.#out.startsWith(e.text)) {
        served.push(this.#keep(e));
        this.#take(1, e.text.length);
        continue;
      }
      if (!final && e.text.startsWith(this.#out)) break; // the channel still holds part of it
      const r = resync(
        this.#queue.map((q) => q.text),
        this.#out,
        final,
        this.#tried,
      );
      if (!r) break;
      served.push(this.#collapse(r.m + 1, r.o));
    }
    if (final && this.#out !== '') {
      // text a guardrail released with no entry left: one entry of its own (never an engine's values)
      served.push(this.#collapse(0, this.#out.length));
    }
    return served;
  }

  #take(entries: number, outChars: number): void {
    for (const e of this.#queue.splice(0, entries)) this.#queued -= e.text.length;
    this.#out = this.#out.slice(outChars);
    this.#tried = [];
  }

  #serve(token: string): void {
    this.#served = (this.#served + token).slice(-CONTEXT_CHARS);
  }

  #collapse(entries: number, outChars: number): OutEntry {
    const group = this.#queue.slice(0, entries);
    const token = this.#out.slice(0, outChars);
    const base: LpEntry = { text: '', logprob: 0, bytes: [], top: this.#chat ? [] : null, offset: 0 };
    const c = collapsed(group.length > 0 ? group : [base], token, this.#delta, this.#chat);
    this.#delta += codePoints(token) - group.reduce((n, e) => n + codePoints(e.text), 0);
    this.#take(entries, outChars);
    this.#serve(token);
    return c;
  }

  #keep(e: LpEntry): OutEntry {
    const ctx = this.#served;
    let top: Alternative[] | null = null;
    if (e.top !== null) {
      // one scan for every probe of the entry (a scan's fixed cost dominates); one by one only when it changes
      const all = e.top.flatMap((a, r) =>
        this.#probes(e.text, ctx, [this.#columns[r] ?? '', this.#proposed[r] ?? ''], a.token),
      );
      const clean = all.length === 0 || this.#clean(all.join(PROBE_SEPARATOR));
      top = [];
      for (const [r, a] of e.top.entries()) {
        const k = top.length;
        const col = this.#columns[k] ?? '';
        const sent = this.#proposed[r] ?? '';
        this.#proposed[r] = (sent + a.token).slice(-CONTEXT_CHARS);
        const probes = this.#probes(e.text, ctx, [col, sent], a.token);
        // the joined scan cannot see a probe END inside a secret (the next probe follows it): a probe whose tail
        // could be a secret cut short is scanned alone, where the end-of-text rule redacts a partial secret
        if (!probes.every((p) => (clean && !secretLikeTail(p)) || this.#clean(p))) continue;
        top.push(a);
        this.#columns[k] = (col + a.token).slice(-CONTEXT_CHARS);
      }
    }
    this.#serve(e.text);
    return { ...e, top, offset: e.offset + this.#delta, kept: true };
  }

  /**
   * What alternative `alt` of an entry served as `token` is scanned as: after the served text (unless it is the
   * token itself), and after the alternatives served at its rank before (a client reassembling "the n-th
   * alternative" of each entry reads that column), and after the alternatives the engine sent at its rank (the
   * dropped ones too).
   */
  #probes(token: string, ctx: string, cols: readonly string[], alt: string): string[] {
    const out: string[] = [];
    if (alt !== token) out.push(ctx + alt);
    for (const col of new Set(cols)) if (col !== ctx) out.push(col + alt);
    return out;
  }

  #clean(probe: string): boolean {
    return this.#scan(probe) === probe;
  }
}

/** Characters without whitespace at the end of a probe from which it may end inside a secret (a rule's prefix and more). */
export const SECRET_TAIL_CHARS = 8;

/** Does `s` end in at least SECRET_TAIL_CHARS characters without whitespace? */
export function secretLikeTail(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && n < SECRET_TAIL_CHARS; i--) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) break;
    n++;
  }
  return n >= SECRET_TAIL_CHARS;
}

// ---- the wire shapes ---------------------------------------------------------------------------------------

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** Chat `top_logprobs` of an engine entry (bounded). */
export function chatAlternatives(v: unknown): Alternative[] {
  const out: Alternative[] = [];
  if (!Array.isArray(v)) return out;
  for (const a of v.slice(0, MAX_TOP_LOGPROBS)) {
    const ao = obj(a);
    const t = ao ? str(own(ao, 'token')) : undefined;
    if (!ao || t === undefined) continue;
    out.push({ token: t, logprob: num(own(ao, 'logprob')) ?? 0, bytes: entryBytes(own(ao, 'bytes'), t) });
  }
  return out;
}

/** Legacy `top_logprobs[i]` (a token -> logprob object, bounded), null when absent. */
export function legacyAlternatives(v: unknown): Alternative[] | null {
  const o = obj(v);
  if (!o) return null;
  return Object.keys(o)
    .slice(0, MAX_TOP_LOGPROBS)
    .map((k) => ({ token: k, logprob: num(o[k]) ?? 0, bytes: null }));
}

export function chatEntryJson(e: OutEntry): Json {
  return {
    token: e.text,
    logprob: e.logprob ?? 0,
    bytes: e.bytes === null ? null : e.kept ? e.bytes : utf8(e.text),
    top_logprobs: (e.top ?? []).map((a) => ({ token: a.token, logprob: a.logprob, bytes: a.bytes })),
  };
}

/** Legacy entries as the four parallel lists. */
export function legacyJson(entries: readonly OutEntry[], withTop: boolean): Json {
  return {
    tokens: entries.map((e) => e.text),
    token_logprobs: entries.map((e) => e.logprob),
    top_logprobs: withTop
      ? entries.map((e) => (e.top === null ? null : Object.fromEntries(e.top.map((a) => [a.token, a.logprob]))))
      : null,
    text_offset: entries.map((e) => e.offset),
  };
}

// ---- per response: the aligners of a pipe -----------------------------------------------------------------

const aligners = new WeakMap<OutputPipe, Map<string, LogprobsAligner>>();

/** The aligner of `choice` (and list: 'content' / 'refusal' / 'legacy') of `pipe`. */
export function alignerOf(pipe: OutputPipe, choice: number, list: string, chat: boolean): LogprobsAligner {
  let m = aligners.get(pipe);
  if (!m) {
    m = new Map();
    aligners.set(pipe, m);
  }
  const k = `${choice}.${list}`;
  let a = m.get(k);
  if (!a) {
    a = new LogprobsAligner(chat, (s) => pipe.atomic(s));
    m.set(k, a);
  }
  return a;
}

/** The channel of a logprobs list (its own cap: OutputPipe). */
const fieldOf = (list: string): string => (list === 'refusal' ? 'logprobs.refusal' : 'logprobs');

/** Engine entries of one list pushed through its channel (until the logprobs cap); the entries released now. */
function feed(pipe: OutputPipe, choice: number, list: string, chat: boolean, entries: readonly LpEntry[]): OutEntry[] {
  const a = alignerOf(pipe, choice, list, chat);
  const out: OutEntry[] = [];
  for (const e of entries) {
    if (pipe.isLogprobsCapped(choice)) break;
    const [text, released] = pipe.admit(choice, fieldOf(list), e.text);
    // an entry cut at the cap: what was admitted of it, without its alternatives (they would go past the cap)
    const cut = text !== e.text;
    const top = cut && e.top !== null ? [] : e.top;
    out.push(...a.add({ ...e, text, top, bytes: cut && e.bytes !== null ? utf8(text) : e.bytes }, released));
  }
  return out;
}

function chatEntries(v: readonly unknown[]): LpEntry[] {
  const out: LpEntry[] = [];
  for (const e of v) {
    const o = obj(e);
    const token = o ? str(own(o, 'token')) : undefined;
    if (!o || token === undefined) continue;
    out.push({
      text: token,
      logprob: num(own(o, 'logprob')) ?? 0,
      bytes: entryBytes(own(o, 'bytes'), token),
      top: chatAlternatives(own(o, 'top_logprobs')),
      offset: 0,
    });
  }
  return out;
}

/** A chat choice's (or delta's) logprobs: {content, refusal} lists of {token, logprob, bytes, top_logprobs}. */
export function chatLogprobs(pipe: OutputPipe, choice: number, v: unknown): Json | null | undefined {
  if (v === null) return null;
  const o = obj(v);
  if (!o) return undefined;
  const out: Json = {};
  for (const list of ['content', 'refusal'] as const) {
    const raw = own(o, list);
    if (raw === null) out[list] = null;
    else if (Array.isArray(raw)) out[list] = feed(pipe, choice, list, true, chatEntries(raw)).map(chatEntryJson);
  }
  return out;
}

/** Legacy completions logprobs ({tokens, token_logprobs, top_logprobs, text_offset}). */
export function completionLogprobs(pipe: OutputPipe, choice: number, v: unknown): Json | null | undefined {
  if (v === null) return null;
  const o = obj(v);
  if (!o) return undefined;
  const tokens = Array.isArray(own(o, 'tokens')) ? (own(o, 'tokens') as unknown[]) : [];
  const lps = Array.isArray(own(o, 'token_logprobs')) ? (own(o, 'token_logprobs') as unknown[]) : [];
  const tops = Array.isArray(own(o, 'top_logprobs')) ? (own(o, 'top_logprobs') as unknown[]) : undefined;
  const offs = Array.isArray(own(o, 'text_offset')) ? (own(o, 'text_offset') as unknown[]) : [];
  const entries: LpEntry[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = str(tokens[i]);
    if (t === undefined) continue;
    const off = offs[i];
    entries.push({
      text: t,
      logprob: num(lps[i]) ?? null,
      bytes: null,
      top: tops ? legacyAlternatives(tops[i]) : null,
      offset: typeof off === 'number' && Number.isSafeInteger(off) ? off : 0,
    });
  }
  return legacyJson(feed(pipe, choice, 'legacy', false, entries), tops !== undefined);
}

/**
 * The choice ended: each logprobs channel flushed and its remaining entries added to `lp` (the choice's logprobs
 * of this chunk / answer). Before OutputPipe.finish (which would flush these channels without their entries).
 */
export function endLogprobs(
  pipe: OutputPipe,
  choice: number,
  lp: Json | null | undefined,
  chat: boolean,
): Json | null | undefined {
  const m = aligners.get(pipe);
  if (!m) return lp;
  let out = lp;
  for (const list of chat ? ['content', 'refusal'] : ['legacy']) {
    const a = m.get(`${choice}.${list}`);
    if (!a) continue;
    m.delete(`${choice}.${list}`);
    const rest = a.end(pipe.flush(choice, fieldOf(list)));
    if (rest.length === 0) continue;
    const base = obj(out) ?? {};
    if (chat) {
      const prev = Array.isArray(base[list]) ? (base[list] as Json[]) : [];
      base[list] = [...prev, ...rest.map(chatEntryJson)];
    } else {
      base.top_logprobs ??= null;
      const n = Array.isArray(base.tokens) ? base.tokens.length : 0;
      const withTop = Array.isArray(base.top_logprobs) || rest.some((e) => e.top !== null);
      const more = legacyJson(rest, withTop);
      const prev = (k: string): unknown[] => (Array.isArray(base[k]) ? (base[k] as unknown[]) : []);
      for (const k of ['tokens', 'token_logprobs', 'text_offset'] as const)
        base[k] = [...prev(k), ...(more[k] as unknown[])];
      const prevTop = Array.isArray(base.top_logprobs) ? base.top_logprobs : Array.from({ length: n }, () => null);
      base.top_logprobs = withTop ? [...(prevTop as unknown[]), ...(more.top_logprobs as unknown[])] : null;
    }
    out = base;
  }
  return out;
}
