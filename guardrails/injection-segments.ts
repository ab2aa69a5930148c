// The untrusted text segments of a chat or completion request: user messages and prompts, tool/function results,
// and document-like content (attached `documents`, content parts of type document/file/tool_result…). System and
// assistant messages are the application's own and are not scored.
//
// A tool or function result that is JSON is scored by its strings, one per line: instructions hidden in a
// field of a search result or an e-mail read like the text they are, not like an escaped JSON string (where line
// starts, quotes and newlines are lost). Every string literal of the raw text is read — values at any depth, keys
// that are more than a name, duplicate keys JSON.parse would drop — in one linear pass; a result over
// MAX_JSON_CHARS is scored as text. What cannot be read as text is reported (`unread`):
// token-id prompts (the gateway has no model tokenizer) and content parts nested deeper than MAX_PART_DEPTH.
export type SegmentSource = 'user' | 'tool' | 'function' | 'prompt' | 'document';

/** Why part of a request is not scored: over the scoring budget, token ids, nesting the segments do not read. */
export type Unscanned = 'budget' | 'token-ids' | 'nesting';

export interface Segment {
  /** Where it came from in the request, e.g. `messages[3]` or `prompt`. */
  path: string;
  source: SegmentSource;
  text: string;
}

/** Content-part types that carry fetched content rather than what the user typed (scored as documents). */
const DOCUMENT_PARTS = new Set(['document', 'file', 'tool_result', 'search_result', 'web_search_result', 'input_file']);

/** Largest tool result parsed as JSON (larger ones are scored as text). */
export const MAX_JSON_CHARS = 512 * 1024;
/** Deepest nesting of content parts read (parts inside parts); deeper text is reported as unread. */
export const MAX_PART_DEPTH = 8;

const own = (o: object, k: string): unknown => (Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined);

/**
 * A JSON key or a message label that is only a short name (letters, digits, `_ $ . -`, at most 24): structure, not
 * text to score. Longer ones are scored: words joined by `_` or `.` can carry an instruction (the views read them).
 */
function isName(k: string): boolean {
  if (k.length > 24) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (!word && c !== 46 && c !== 45) return false;
  }
  return true;
}

/**
 * Every string literal of a JSON text (already known to parse), in the order it is written: values and keys
 * alike (a key that is only a name excepted), duplicate keys included — the model reads the raw text, where an
 * instruction written as a key, or as the first of two equal keys (JSON.parse keeps the last), is as readable
 * as a value. One pass over the text, no recursion.
 */
function jsonStrings(text: string, out: string[]): void {
  const n = text.length;
  for (let i = text.indexOf('"'); i >= 0 && i < n; i = text.indexOf('"', i)) {
    let j = i + 1;
    let escaped = false;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        j += 2;
      } else j++;
    }
    const raw = text.slice(i + 1, j);
    let value = raw;
    if (escaped) {
      try {
        value = JSON.parse(`"${raw}"`) as string;
      } catch {
        // valid JSON has no such literal; read it as written
      }
    }
    let k = j + 1;
    while (k < n && (text[k] === ' ' || text[k] === '\n' || text[k] === '\r' || text[k] === '\t')) k++;
    const isKey = text[k] === ':';
    if (value.trim() !== '' && !(isKey && isName(value))) out.push(value);
    i = j + 1;
  }
}

/** A tool result's text as read: a JSON document's strings one per line, anything else as it is. */
export function toolResultText(content: string): string {
  const t = content.trimStart();
  if (content.length > MAX_JSON_CHARS || (t[0] !== '{' && t[0] !== '[')) return content;
  try {
    JSON.parse(content);
  } catch {
    return content;
  }
  const values: string[] = [];
  jsonStrings(content, values);
  // a value that is itself JSON (double-encoded payloads) is read the same way, once
  return values.map((x) => (/^\s*[{[]/.test(x) && x.length <= MAX_JSON_CHARS / 4 ? nested(x) : x)).join('\n');
}

function nested(x: string): string {
  try {
    JSON.parse(x);
  } catch {
    return x;
  }
  const inner: string[] = [];
  jsonStrings(x, inner);
  return inner.join('\n');
}

const partText = (o: Record<string, unknown>, depth: number, unread: Unscanned[]): string | undefined => {
  const text = own(o, 'text');
  if (typeof text === 'string') return text;
  const content = own(o, 'content');
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const inner = contentText(content, unread, depth + 1);
    return [inner.text, ...inner.documents].filter((x) => x !== '').join('\n');
  }
  const src = own(o, 'source');
  if (src !== null && typeof src === 'object') {
    const data = own(src, 'data');
    if (typeof data === 'string' && own(src, 'type') === 'text') return data;
  }
  return undefined;
};

/** The text of a message's content, split into what the sender wrote and document-like parts. */
function contentText(content: unknown, unread: Unscanned[], depth = 0): { text: string; documents: string[] } {
  if (typeof content === 'string') return { text: content, documents: [] };
  if (!Array.isArray(content)) return { text: '', documents: [] };
  if (depth > MAX_PART_DEPTH) {
    if (content.length > 0) unread.push('nesting');
    return { text: '', documents: [] };
  }
  const parts: string[] = [];
  const documents: string[] = [];
  for (const p of content) {
    if (typeof p === 'string') parts.push(p);
    else if (p !== null && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      const t = partText(o, depth, unread);
      if (t === undefined || t === '') continue;
      const type = own(o, 'type');
      if (typeof type === 'string' && DOCUMENT_PARTS.has(type)) documents.push(t);
      else parts.push(t);
    }
  }
  return { text: parts.join('\n'), documents };
}

/** A message's `name` and `tool_call_id` when they are more than a name (text that can instruct), one per line. */
function labelLines(m: object): string {
  const lines: string[] = [];
  for (const k of ['name', 'tool_call_id']) {
    const v = own(m, k);
    if (typeof v === 'string' && v.trim() !== '' && !isName(v)) lines.push(v);
  }
  return lines.join('\n');
}

/** A token-id prompt: a list of integers, or a batch of such lists. */
const isTokenIds = (p: unknown): boolean =>
  Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'number' || Array.isArray(x));

/**
 * The untrusted text segments of a chat or completion request body: user messages and prompts (and a completion's
 * `suffix`), tool/function results (JSON read by its string values), and document-like content. What carries input
 * the segments cannot hold as text is added to `unread`.
 */
export function untrustedSegments(body: unknown, unread: Unscanned[] = []): Segment[] {
  if (body === null || typeof body !== 'object') return [];
  const out: Segment[] = [];
  const messages = own(body, 'messages');
  if (Array.isArray(messages)) {
    messages.forEach((m, i) => {
      if (m === null || typeof m !== 'object') return;
      const role = own(m, 'role');
      const source: SegmentSource | undefined =
        role === 'user' ? 'user' : role === 'tool' ? 'tool' : role === 'function' ? 'function' : undefined;
      if (!source) return;
      const { text, documents } = contentText(own(m, 'content'), unread);
      // `name` and `tool_call_id` are the sender's text too, and some chat templates show them to the model
      const labels = labelLines(m);
      const read = text === '' ? '' : source === 'user' ? text : toolResultText(text);
      const all = labels === '' ? read : read === '' ? labels : `${labels}\n${read}`;
      if (all !== '') out.push({ path: `messages[${i}]`, source, text: all });
      documents.forEach((d, k) =>
        out.push({ path: `messages[${i}].content.documents[${k}]`, source: 'document', text: toolResultText(d) }),
      );
    });
  }
  const prompt = own(body, 'prompt');
  if (typeof prompt === 'string') out.push({ path: 'prompt', source: 'prompt', text: prompt });
  else if (isTokenIds(prompt)) unread.push('token-ids');
  else if (Array.isArray(prompt))
    prompt.forEach((p, i) => {
      if (typeof p === 'string') out.push({ path: `prompt[${i}]`, source: 'prompt', text: p });
      else if (isTokenIds(p)) unread.push('token-ids');
    });
  // the text a completion model fills in before (vLLM/OpenAI `suffix`): the model reads it like the prompt
  const suffix = own(body, 'suffix');
  if (typeof suffix === 'string' && suffix !== '') out.push({ path: 'suffix', source: 'prompt', text: suffix });
  // retrieved documents some clients attach (e.g. vLLM / Cohere-style `documents`)
  const docs = own(body, 'documents');
  if (Array.isArray(docs)) {
    docs.forEach((d, i) => {
      const c =
        typeof d === 'string'
          ? { text: d, documents: [] }
          : contentText(d !== null && typeof d === 'object' ? [d] : undefined, unread);
      const text = [c.text, ...c.documents].filter((x) => x !== '').join('\n');
      if (text !== '') out.push({ path: `documents[${i}]`, source: 'document', text });
    });
  }
  return out;
}
