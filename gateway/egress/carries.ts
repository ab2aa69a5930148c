// Whether a rebuilt stream entry carries anything for the client (SDK finding 04). The output pipe holds text
// back (a secret's prefix must not be released before the rest of it is seen), and a chunk whose only text was
// held became `delta.content: ""`: 29 of 40 chunks in the newcomer's stream, which clients that count chunks as
// tokens (or append per chunk) miscount. Such an entry is not sent at all.
// Carries something: a non-empty string (content, a role, a name, an id, a finish_reason), a number or boolean
// other than a list position (`index`), or a list/object holding one of these. Nothing: "", null, absent,
// empty lists and objects, and objects whose only member is `index` (a tool call whose arguments were held).
export function carries(v: unknown): boolean {
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.some(carries);
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k !== 'index' && carries(x)) return true;
  }
  return false;
}
