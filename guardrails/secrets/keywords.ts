// Aho-Corasick over ASCII keywords, case-insensitive: one pass over a text reports every occurrence of every
// keyword, in time linear in the text (plus the number of occurrences), whatever the number of keywords. The
// scanner uses it to decide which secret rules can match at all and where (gitleaks' keyword prefilter).
// States are rows of a dense 128-wide transition table (the automaton is complete: no failure-link walks at scan
// time); a non-ASCII character resets to the root, since every keyword is ASCII.

export interface KeywordHit {
  /** Keyword index (as passed to the constructor). */
  keyword: number;
  /** Offset of the keyword's first character in the scanned text. */
  start: number;
}

const WIDTH = 128;

const lower = (code: number): number => (code >= 65 && code <= 90 ? code + 32 : code);

export class KeywordAutomaton {
  readonly keywords: readonly string[];
  /** Longest keyword, in characters. */
  readonly maxLength: number;
  readonly #next: Int32Array;
  /** Per state: the keywords ending here (own and through suffix links), or undefined. */
  readonly #out: (number[] | undefined)[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const goto: number[][] = [[]];
    const out: (number[] | undefined)[] = [undefined];
    let maxLength = 0;
    keywords.forEach((kw, k) => {
      if (kw.length === 0) throw new Error('empty keyword');
      let s = 0;
      for (let i = 0; i < kw.length; i++) {
        const c = lower(kw.charCodeAt(i));
        if (c >= WIDTH) throw new Error(`keyword ${JSON.stringify(kw)} is not ASCII`);
        const row = goto[s] as number[];
        let t = row[c];
        if (t === undefined) {
          t = goto.length;
          row[c] = t;
          goto.push([]);
          out.push(undefined);
        }
        s = t;
      }
      (out[s] ??= []).push(k);
      maxLength = Math.max(maxLength, kw.length);
    });
    const n = goto.length;
    const next = new Int32Array(n * WIDTH);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let c = 0; c < WIDTH; c++) {
      const t = (goto[0] as number[])[c];
      if (t !== undefined) {
        next[c] = t;
        fail[t] = 0;
        queue.push(t);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi] as number;
      const f = fail[s] as number;
      const inherited = out[f];
      if (inherited) out[s] = [...(out[s] ?? []), ...inherited];
      for (let c = 0; c < WIDTH; c++) {
        const t = (goto[s] as number[])[c];
        if (t !== undefined) {
          next[s * WIDTH + c] = t;
          fail[t] = next[f * WIDTH + c] as number;
          queue.push(t);
        } else next[s * WIDTH + c] = next[f * WIDTH + c] as number;
      }
    }
    this.#next = next;
    this.#out = out;
    this.maxLength = maxLength;
  }

  /** Every occurrence in text[from, to), reported to `onHit(keyword, start)` in order of their end. */
  scan(text: string, from: number, to: number, onHit: (keyword: number, start: number) => void): void {
    this.resume(0, text, from, to, onHit);
  }

  /**
   * The same scan carried on from `state` (what the previous call returned, 0 to start afresh): every occurrence
   * ending in text[from, to) that starts at or after where the scan started, however it was split into calls.
   * Returns the state at `to`.
   */
  resume(
    state: number,
    text: string,
    from: number,
    to: number,
    onHit: (keyword: number, start: number) => void,
  ): number {
    const next = this.#next;
    const out = this.#out;
    const kws = this.keywords;
    let s = state;
    for (let i = from; i < to; i++) {
      const c = lower(text.charCodeAt(i));
      s = c < WIDTH ? (next[s * WIDTH + c] as number) : 0;
      const o = out[s];
      if (o !== undefined) for (const k of o) onHit(k, i + 1 - (kws[k] as string).length);
    }
    return s;
  }

  /** Every occurrence in text (convenience for tests). */
  findAll(text: string): KeywordHit[] {
    const hits: KeywordHit[] = [];
    this.scan(text, 0, text.length, (keyword, start) => hits.push({ keyword, start }));
    return hits;
  }
}

/** Shannon entropy of a string in bits per character (gitleaks' definition: over code points). */
export function shannonEntropy(s: string): number {
  if (s === '') return 0;
  const counts = new Map<number, number>();
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    counts.set(c, (counts.get(c) ?? 0) + 1);
    n++;
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}
