// Server-sent events parsed per the WHATWG HTML spec (§9.2.6 "Interpreting an event stream"), incrementally:
// lines end at LF, CR or CRLF (a CR at the end of one chunk and an LF at the start of the next are one line
// end); `data:` lines of one event are joined with "\n"; a blank line dispatches the event; a leading U+FEFF is
// dropped; one space after the colon is removed. The gateway relays nothing of the raw framing: comments,
// `id:` and `retry:` fields and unknown fields are dropped here (counted), and every relayed event is
// re-serialized by the caller from its parsed data. Linear in the input; the event being assembled is bounded.

export interface SseEvent {
  /** The `event:` field ('message' when absent or empty). */
  readonly type: string;
  /** The `data:` lines joined with "\n". */
  readonly data: string;
}

export interface SseDropped {
  comment: number;
  /** id:, retry: and unknown field lines. */
  field: number;
}

export class SseEventTooLargeError extends Error {
  constructor(limit: number) {
    super(`SSE event larger than ${limit} characters`);
    this.name = 'SseEventTooLargeError';
  }
}

/** Default bound of one event (data + one partial line), in UTF-16 code units. */
export const MAX_EVENT_CHARS = 4 * 1024 * 1024;

export class SseParser {
  readonly dropped: SseDropped = { comment: 0, field: 0 };
  readonly #max: number;
  #line = '';
  #data: string[] = [];
  #dataChars = 0;
  #type = '';
  /** The last chunk ended with CR: an LF at the start of the next one belongs to that line end. */
  #skipLf = false;
  #started = false;

  constructor(maxEventChars = MAX_EVENT_CHARS) {
    this.#max = maxEventChars;
  }

  /** Feed decoded text; returns the events completed by it, in order. */
  feed(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let s = text;
    if (!this.#started && s.length > 0) {
      this.#started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    let i = 0;
    if (this.#skipLf && s.length > 0) {
      if (s.charCodeAt(0) === 10) i = 1;
      this.#skipLf = false;
    }
    const n = s.length;
    while (i < n) {
      let j = i;
      while (j < n) {
        const c = s.charCodeAt(j);
        if (c === 10 || c === 13) break;
        j++;
      }
      if (j === n) {
        this.#line += s.slice(i);
        this.#bound();
        break;
      }
      const line = this.#line + s.slice(i, j);
      this.#line = '';
      if (s.charCodeAt(j) === 13) {
        if (j + 1 < n) {
          i = s.charCodeAt(j + 1) === 10 ? j + 2 : j + 1;
        } else {
          this.#skipLf = true;
          i = n;
        }
      } else i = j + 1;
      const ev = this.#processLine(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  /**
   * The stream ended. Per the spec an event not terminated by a blank line is discarded; upstreams that omit
   * the final blank line are common, so a pending event with data is returned (the caller parses it like any other).
   */
  end(): SseEvent | undefined {
    if (this.#line !== '') {
      const ev = this.#processLine(this.#line);
      this.#line = '';
      if (ev) return ev;
    }
    return this.#dispatch();
  }

  #bound(): void {
    if (this.#line.length + this.#dataChars > this.#max) throw new SseEventTooLargeError(this.#max);
  }

  #processLine(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.charCodeAt(0) === 58) {
      this.dropped.comment++;
      return undefined;
    }
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    if (field === 'data') {
      this.#data.push(value);
      this.#dataChars += value.length + 1;
      this.#bound();
    } else if (field === 'event') this.#type = value;
    else this.dropped.field++;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const type = this.#type === '' ? 'message' : this.#type;
    const had = this.#data.length > 0;
    const data = this.#data.join('\n');
    this.#data = [];
    this.#dataChars = 0;
    this.#type = '';
    if (!had) return undefined;
    return { type, data };
  }
}
