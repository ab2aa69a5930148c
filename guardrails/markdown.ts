// The exfiltration stage: finds links, images, bare URLs, reference definitions and raw HTML the way a chat UI
// renders them — with markdown-it (markdown-parse.ts), under four client configurations (html on/off × linkify
// on/off) — and rewrites every one whose target is not allowed, in the text the gateway emits, whole or streamed.
//
// Rewrites (each keeps the line structure, never creates a container or a fence):
//   image            ![alt](url), ![alt][ref]     → \[image: alt\]
//   link             [text](url), [text][ref]     → [text] \[link removed\]   (the `[` stays: a line never changes kind)
//   autolink         <https://…>                   → \[link removed\]
//   bare URL         https://evil.example/x        → https\:\/\/evil\.example\/x   (same text, no longer a link)
//   definition       [ref]: https://evil.example   → [ref]: #link-removed
//   raw HTML         a construct that fails markdown-html.ts (default-deny) → each `<` in it becomes `&lt;` (text)
// The output of each piece is parsed again under every configuration; anything still found is rewritten again
// (three rounds), and if that does not converge the piece is replaced by a notice (fail closed).
//
// Streams. Text is cut into pieces at block boundaries that no later text can move: a blank line followed by a
// line that starts a top-level block, with no block spanning the blank line, under every configuration. A piece
// is rewritten once it is complete, with the definitions of earlier pieces; inline content only ever sees the
// definitions before it, and a definition pointing outside the allowlist is itself rewritten, so a definition
// arriving after its use can never make released text render a remote target. Inside an unfinished piece, a
// prefix of lines that nothing can turn into a link is released early: lines inside code blocks (under every
// configuration) and lines without `[`, `<`, `` ` `` or anything linkify recognises; and of the line being
// written, the complete words if none has those, plus the last one up to its first `:`, `.`, `@`, `/`, `!` or
// backslash (a rewrite reaching back into it — a bare URL made unlinkable — only escapes those; a URL needs `//`
// or `:` to start), or, in an open top-level fence, the whole line unless it may be the closing fence. Carriage
// returns are normalised as markdown-it does (CRLF and CR become LF, NUL becomes U+FFFD) in the emitted text.
// The piece held back is bounded: a piece that reaches MAX_PIECE characters without a boundary is cut at the end
// of the line crossing the bound (or at 2 × MAX_PIECE inside a line), rewritten as if the text ended there, and
// followed by a terminator (closing fence if one is open, a blank line and a notice line), so the client also
// starts afresh: fail closed, never released raw. Because the cut points, the definitions seen and the rewrites
// depend only on the text, a stream gives the same output as the whole text for any split into deltas.
import type { UrlUse } from './exfiltration.ts';
import { htmlProblems } from './markdown-html.ts';
import { CONFIGS, InstrumentedParser, type Construct, type ParseResult, type RefMap } from './markdown-parse.ts';

export type ExfilDetector = 'markdown-image' | 'markdown-link' | 'bare-url' | 'html';

export interface ExfilFinding {
  detector: ExfilDetector;
  /** Offsets in the stage's input text (over the whole stream). */
  start: number;
  end: number;
}

export interface ExfilChunk {
  text: string;
  findings: ExfilFinding[];
}

/** A piece longer than this without a block boundary is cut (fail closed). */
export const MAX_PIECE = 64 * 1024;
/** Below this many characters a held piece is re-parsed at every new line; above, when it has grown by 1/4. */
const EAGER_PARSE = 2 * 1024;
const REWRITE_ROUNDS = 3;

export const REMOVED_NOTICE = '\\[content removed by the exfiltration guardrail\\]';
export const CUT_NOTICE = `\\[exfiltration guardrail: a block longer than ${MAX_PIECE / 1024} KiB was cut here\\]`;

interface Edit {
  start: number;
  end: number;
  text: string;
  detector: ExfilDetector;
}

const escapeMd = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[!-/:-@[-`{-~]/g, '\\$&');
const defang = (s: string) => s.replace(/[:/.@\\]/g, '\\$&');

/**
 * How rewrites are written into the channel. `markdown`: as above. `json`: the channel's text is JSON (tool-call
 * arguments, content under a JSON response_format) and a construct starts inside one of its string literals, so a
 * rewrite must keep the JSON valid: every edit is widened to whole JSON escape sequences (`\n`, `\"`, `\/`,
 * `\uXXXX`); the markdown rewrite is written as JSON string content (its backslashes escaped: the parsed value is
 * what the markdown channel would serve); a bare URL keeps its JSON escapes, with `\\` (a backslash in the value)
 * before each ASCII punctuation character of the value — the value shows the URL as before, no longer a link. A construct that runs on past
 * its string (linkify reads `"…"` as part of a URL's path) keeps the JSON between the strings it crosses: the
 * strings after the first are emptied (removed) or defanged (bare URL), quotes and punctuation between them stay.
 */
export type ExfilSyntax = 'markdown' | 'json';

interface Writer {
  /** The span [a, b) of `src` replaced by a rewrite's own text `s` (markdown), as the channel carries it. */
  replace(s: string, src: string, a: number, b: number): string;
  /** The span [a, b) of `src` (a bare URL, or the start of one) made unlinkable. */
  defang(src: string, a: number, b: number): string;
  /** A bare URL [a, b) of `src` whose end [mid, b) overlaps another rewrite: its start defanged, then removed. */
  cutBareUrl(src: string, a: number, mid: number, b: number): string;
  /** The nearest JSON escape boundary at or before (`dir` -1) / after (+1) `i`: `i` itself in markdown. */
  boundary(src: string, i: number, dir: -1 | 1): number;
}

const REMOVED = '\\[removed\\]';

const MARKDOWN: Writer = {
  replace: (s) => s,
  defang: (src, a, b) => defang(src.slice(a, b)),
  cutBareUrl: (src, a, mid) => defang(src.slice(a, mid)) + REMOVED,
  boundary: (_src, i) => i,
};

/** `s` as the content of a JSON string literal. */
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

/** Whether src[i] starts a JSON escape: a backslash after an even run of backslashes. */
function escapeAt(src: string, i: number): boolean {
  if (src.charCodeAt(i) !== 0x5c) return false;
  let k = i - 1;
  while (k >= 0 && src.charCodeAt(k) === 0x5c) k--;
  return (i - 1 - k) % 2 === 0;
}

/** Length of the JSON escape starting at i (`\uXXXX`: 6, else 2; cut at the end of `src`). */
const escapeLength = (src: string, i: number) => Math.min(src[i + 1] === 'u' ? 6 : 2, src.length - i);

/** The escape sequence containing position i strictly inside it (start, end), or undefined. */
function escapeAround(src: string, i: number): [number, number] | undefined {
  for (let k = i - 1; k >= Math.max(0, i - 5); k--) {
    if (!escapeAt(src, k)) continue;
    const end = k + escapeLength(src, k);
    return end > i ? [k, end] : undefined;
  }
  return undefined;
}

/** The character a JSON string's piece (a character, or a whole escape sequence) stands for. */
function jsonValueOf(p: string): string {
  if (p.length === 1 || p[0] !== '\\') return p;
  if (p[1] === 'u') return String.fromCharCode(Number.parseInt(p.slice(2), 16) || 0);
  return JSON_ESCAPES[p[1] as string] ?? (p[1] as string);
}
const JSON_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * A piece of a JSON string inside a bare URL made inert: a value character that is ASCII punctuation gets a markdown
 * backslash in the value (`\\` in the JSON) — not only `:` `/` `.` `@` as in markdown, since the value is not read
 * again the way the JSON text is: `![x](…)` inside the URL must not become an image once the URL is unlinked.
 */
function defangJson(p: string): string {
  const c = jsonValueOf(p);
  return c.length === 1 && /[!-/:-@[-`{-~]/.test(c) ? `\\\\${jsonInner(c)}` : p;
}

/**
 * The span [a, b) of a JSON text, from inside a string literal (or outside: `inString` false), walked token by
 * token: `inside` maps a string's content (a character, or a whole escape sequence), the JSON between strings
 * (quotes included) is kept. Returns the text and whether the span ends inside a string.
 */
function walkJson(src: string, a: number, b: number, inside: (piece: string) => string, inString = true) {
  let out = '';
  let within = inString;
  for (let i = a; i < b; i++) {
    const c = src[i] as string;
    if (c === '"') {
      // an unescaped quote (escapes are consumed whole below): a string ends or starts
      out += c;
      within = !within;
    } else if (!within) out += c;
    else if (c === '\\') {
      const n = escapeLength(src, i);
      out += inside(src.slice(i, i + n));
      i += n - 1;
    } else out += inside(c);
  }
  return { out, inString: within };
}

const JSON_WRITER: Writer = {
  replace(s, src, a, b) {
    // the first string's part becomes the rewrite; the content of every later string it crosses is removed
    return jsonInner(s) + walkJson(src, a, b, () => '').out;
  },
  defang(src, a, b) {
    return walkJson(src, a, b, defangJson).out;
  },
  cutBareUrl(src, a, mid, b) {
    const head = walkJson(src, a, mid, defangJson);
    const rest = walkJson(src, mid, b, () => '', head.inString).out;
    return head.out + (head.inString ? jsonInner(REMOVED) : '') + rest;
  },
  boundary(src, i, dir) {
    const e = escapeAround(src, i);
    return e ? (dir < 0 ? e[0] : e[1]) : i;
  },
};

const writerFor = (syntax: ExfilSyntax | undefined): Writer => (syntax === 'json' ? JSON_WRITER : MARKDOWN);

let parsers: InstrumentedParser[] | undefined;
function allParsers(): InstrumentedParser[] {
  parsers ??= CONFIGS.map((c) => new InstrumentedParser(c));
  return parsers;
}

/** Judges a URL for a use (exfiltration.ts `urlAllowed`): true when it must be rewritten. */
export type UrlBad = (url: string, use: UrlUse) => boolean;

/**
 * The rewrite of one construct whose URL or HTML fails the policy, or null when it passes. A reference definition
 * is judged as fetched when an image may use it: when `![` occurs before it in the stream (`bangBefore`: in earlier
 * pieces; `firstBang`: in `src`) — a client that sees the whole text renders an image written before its
 * definition, which the stage, reading in order, saw as text. Definitions after every image are links.
 */
function editFor(c: Construct, src: string, urlBad: UrlBad, w: Writer, bangBefore: boolean, firstBang: number): Edit[] {
  switch (c.kind) {
    case 'image':
      return urlBad(c.url ?? '', 'fetch')
        ? [{ start: c.start, end: c.end, text: `\\[image: ${escapeMd(c.alt ?? '')}\\]`, detector: 'markdown-image' }]
        : [];
    case 'link':
      return urlBad(c.url ?? '', 'link')
        ? [{ start: c.labelEnd ?? c.start, end: c.end, text: '] \\[link removed\\]', detector: 'markdown-link' }]
        : [];
    case 'autolink':
      return urlBad(c.url ?? '', 'link')
        ? [{ start: c.start, end: c.end, text: '\\[link removed\\]', detector: 'markdown-link' }]
        : [];
    case 'bare-url':
      return urlBad(c.url ?? '', 'link') ? [{ start: c.start, end: c.end, text: '', detector: 'bare-url' }] : [];
    case 'definition':
      // a definition serves links in any case, and images too when `![` occurs before it (an inline data: image is
      // fine fetched but not as a link target: both uses must pass)
      return urlBad(c.url ?? '', 'link') ||
        ((bangBefore || (firstBang >= 0 && firstBang < c.start)) && urlBad(c.url ?? '', 'fetch'))
        ? [{ start: c.start, end: c.end, text: '#link-removed', detector: 'markdown-link' }]
        : [];
    case 'html-inline':
    case 'html-block': {
      const pos = c.htmlPos;
      if (!pos) return [];
      // every `<` inside a failing construct: a tag swallowed by its attribute value must not surface once the
      // outer `<` is escaped
      const html = c.html ?? '';
      const edits: Edit[] = [];
      for (const p of htmlProblems(html, (u, use) => !urlBad(u, use))) {
        for (let k = p.start; k < p.end; k = html.indexOf('<', k + 1)) {
          if (k < 0) break;
          const at = pos.at(k);
          edits.push({ start: at, end: at + 1, text: '&lt;', detector: 'html' });
        }
      }
      return edits;
    }
  }
}

/**
 * Sorted, non-overlapping edits: a contained edit is dropped, a partial overlap becomes one removal. A removal that
 * starts with a bare URL keeps that URL's beginning, defanged as its own rewrite would (up to where the overlap
 * starts): a stream may already have released the URL's first characters (#releaseTail), and every rewrite must
 * leave released text as it is, or streamed output would differ from whole output.
 */
function mergeEdits(edits: Edit[], src: string, w: Writer): Edit[] {
  for (const e of edits) {
    // whole JSON escapes only (json syntax); a bare URL's text is its span, defanged
    e.start = w.boundary(src, e.start, -1);
    e.end = w.boundary(src, e.end, 1);
    e.text = e.detector === 'bare-url' ? w.defang(src, e.start, e.end) : w.replace(e.text, src, e.start, e.end);
  }
  edits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: (Edit & { merged?: boolean })[] = [];
  for (const e of edits) {
    const last = out[out.length - 1];
    if (!last || e.start >= last.end) out.push({ ...e });
    else if (e.end > last.end) {
      if (!last.merged)
        last.text =
          last.detector === 'bare-url'
            ? w.cutBareUrl(src, last.start, e.start, e.end)
            : w.replace(REMOVED, src, last.start, e.end);
      last.merged = true;
      last.end = e.end;
    }
  }
  return out;
}

function applyEdits(src: string, edits: readonly Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += src.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + src.slice(at);
}

interface Analysis {
  results: ParseResult[];
  edits: Edit[];
  unmapped: boolean;
  lines?: LineInfo;
}

/** Per line, over every configuration: starts a top-level block in all; inside a block spanning lines in any; code in all. */
interface LineInfo {
  blockStartAll: Uint8Array;
  spannedAny: Uint8Array;
  codeAll: Uint8Array;
}

function lineInfo(analysis: Analysis, lines: number): LineInfo {
  if (analysis.lines && analysis.lines.codeAll.length >= lines) return analysis.lines;
  const n = lines + 1;
  const blockStartAll = new Uint8Array(n).fill(1);
  const spannedAny = new Uint8Array(n);
  const codeAll = new Uint8Array(n).fill(1);
  for (const r of new Set(analysis.results)) {
    const starts = new Uint8Array(n);
    const code = new Uint8Array(n);
    for (const b of r.blocks) {
      if (b.start < n) starts[b.start] = 1;
      for (let l = b.start; l < Math.min(b.end, n); l++) if (l > b.start || b.end - b.start > 1) spannedAny[l] = 1;
    }
    for (const c of r.code) for (let l = c.start; l < Math.min(c.end, n); l++) code[l] = 1;
    for (let l = 0; l < n; l++) {
      if (!starts[l]) blockStartAll[l] = 0;
      if (!code[l]) codeAll[l] = 0;
    }
  }
  analysis.lines = { blockStartAll, spannedAny, codeAll };
  return analysis.lines;
}

/**
 * Parse under every client configuration. Configurations that cannot differ on `src` share one parse: html on and
 * off only differ where a `<` is, linkify on and off only where linkify-it finds something (in the whole text, so
 * in every part of it).
 */
function analyse(src: string, carried: readonly RefMap[], policy: ExfilPolicy, bangBefore: boolean): Analysis {
  const urlBad = policy.urlBad;
  const htmlMatters = src.includes('<');
  const linkifyMatters = linkifyTest(src);
  const done: { key: string; refs: RefMap; r: ParseResult }[] = [];
  const results = allParsers().map((p, i) => {
    // definitions differ per configuration (a definition inside an HTML block exists only with html off)
    const refs = carried[i] ?? new Map<string, string>();
    const key = `${htmlMatters && p.config.html},${linkifyMatters && p.config.linkify}`;
    const same = done.find((d) => d.key === key && sameRefs(d.refs, refs));
    if (same) return same.r;
    const r = p.parse(src, refs, urlBad);
    done.push({ key, refs, r });
    return r;
  });
  const firstBang = src.indexOf('![');
  const w = writerFor(policy.syntax);
  const edits = mergeEdits(
    results.flatMap((r) => r.constructs.flatMap((c) => editFor(c, src, urlBad, w, bangBefore, firstBang))),
    src,
    w,
  );
  return { results, edits, unmapped: results.some((r) => r.unmapped) };
}

function sameRefs(a: RefMap, b: RefMap): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Line start offsets of `src` (one more entry than lines: the end). */
function lineStarts(src: string): number[] {
  const starts = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
  if (starts[starts.length - 1] !== src.length) starts.push(src.length);
  return starts;
}

const isBlank = (src: string, a: number, b: number) => /^[ \t]*\n?$/.test(src.slice(a, b));

/** Lines L (0 < L < lines) where a new piece can start: see the header comment. */
function boundaries(src: string, starts: readonly number[], analysis: Analysis, completeLines: number): number[] {
  const info = lineInfo(analysis, starts.length - 1);
  const out: number[] = [];
  for (let L = 1; L < completeLines; L++) {
    // the blank line before L belongs to no block (a block over it would be "spanned")
    if (info.blockStartAll[L] && !info.spannedAny[L - 1] && isBlank(src, starts[L - 1] as number, starts[L] as number))
      out.push(L);
  }
  return out;
}

/** End of the longest run of lines from `fromLine` (before `toLine`) that nothing can turn into a link: code under every config, or plain. */
function inertPrefix(
  src: string,
  starts: readonly number[],
  analysis: Analysis,
  fromLine: number,
  toLine: number,
): number {
  const info = lineInfo(analysis, starts.length - 1);
  let line = fromLine;
  for (; line < toLine; line++) {
    if (info.codeAll[line]) continue;
    const text = src.slice(starts[line] as number, starts[line + 1] as number);
    if (!/[[<`]/.test(text) && !linkifyTest(text)) continue;
    break;
  }
  return starts[line] as number;
}

/**
 * The analysis of a view restricted to the piece [a, b) (lines [la, lb)), in the piece's offsets. Pieces are taken
 * in order: `cursor` walks the (sorted) edits and definitions once over all pieces.
 */
function restrict(
  analysis: Analysis,
  a: number,
  b: number,
  la: number,
  lb: number,
  cursor: { edit: number; defs: number[] },
): Analysis {
  const edits: Edit[] = [];
  while (cursor.edit < analysis.edits.length && (analysis.edits[cursor.edit] as Edit).start < b) {
    const e = analysis.edits[cursor.edit++] as Edit;
    if (e.start >= a) edits.push({ ...e, start: e.start - a, end: Math.min(e.end, b) - a });
  }
  const results = analysis.results.map((r, i) => {
    const defs: ParseResult['defs'] = [];
    let k = cursor.defs[i] ?? 0;
    for (; k < r.defs.length && (r.defs[k] as ParseResult['defs'][number]).line < lb; k++) {
      const d = r.defs[k] as ParseResult['defs'][number];
      if (d.line >= la) defs.push(d);
    }
    cursor.defs[i] = k;
    return { ...r, defs };
  });
  return { results, edits, unmapped: false };
}

interface PieceOut {
  text: string;
  findings: ExfilFinding[];
  /** Definitions of this piece per configuration, original and as output (for later pieces). */
  defs: { label: string; href: string }[][];
  outDefs: { label: string; href: string }[][];
}

export interface ExfilPolicy {
  /** true: rewrite; false: report only (flag mode). */
  rewrite: boolean;
  urlBad: UrlBad;
  /** How rewrites are written (default markdown; json for a channel whose text is JSON). */
  syntax?: ExfilSyntax;
}

/** Rewrite one complete piece: edits from the analysis, then re-check the output (fail closed). */
function rewritePiece(
  src: string,
  analysis: Analysis,
  inert: number,
  policy: ExfilPolicy,
  outCarried: readonly RefMap[],
  base: number,
  bangBefore: boolean,
): PieceOut {
  const findings: ExfilFinding[] = analysis.edits.map((e) => ({
    detector: e.detector,
    start: base + e.start,
    end: base + e.end,
  }));
  if (analysis.unmapped && findings.length === 0)
    findings.push({ detector: 'markdown-link', start: base, end: base + src.length });
  const defs = analysis.results.map((r) => r.defs);
  if (!policy.rewrite) return { text: src, findings, defs, outDefs: defs };
  if (analysis.edits.length === 0 && !analysis.unmapped) return { text: src, findings, defs, outDefs: defs };
  let text = applyEdits(src, analysis.edits);
  let check = analyse(text, outCarried, policy, bangBefore);
  for (let round = 1; round < REWRITE_ROUNDS && !check.unmapped && check.edits.length > 0; round++) {
    text = applyEdits(text, check.edits);
    check = analyse(text, outCarried, policy, bangBefore);
  }
  if (analysis.unmapped || check.unmapped || check.edits.length > 0) {
    const ending = /\n\n$/.test(src) ? '\n\n' : src.endsWith('\n') ? '\n' : '';
    // what may already be released stays (it holds nothing a renderer turns into a link): the inert lines and the
    // most of the next line the streaming rule could have let out — the same whatever the split
    const lineEnd = src.indexOf('\n', inert);
    inert += partialPrefix(src.slice(inert, lineEnd < 0 ? src.length : lineEnd));
    text = src.slice(0, inert) + REMOVED_NOTICE + ending;
    check = analyse(text, outCarried, policy, bangBefore);
    if (check.edits.length > 0 || check.unmapped) text = src.slice(0, inert) + (inert > 0 ? '' : ending);
    if (findings.length === 0) findings.push({ detector: 'markdown-link', start: base, end: base + src.length });
  }
  return { text, findings, defs, outDefs: check.results.map((r) => r.defs) };
}

/** The terminator after a forced cut: close an open top-level fence, end every container, say why. */
function terminator(out: string, analysis: Analysis): string {
  const starts = lineStarts(out);
  const lines = starts.length - 1;
  let close = '';
  for (const r of analysis.results) {
    const last = r.blocks[r.blocks.length - 1];
    if (!last?.fence || last.end < lines) continue;
    const lastLine = out.slice(starts[lines - 1] as number, starts[lines] as number).trim();
    const ch = last.fence[0] as string;
    const closed =
      last.end - last.start > 1 && lastLine.length >= last.fence.length && [...lastLine].every((c) => c === ch);
    if (!closed) close = `${ch.repeat(Math.max(3, last.fence.length))}\n`;
  }
  return `${out.endsWith('\n') || out === '' ? '' : '\n'}${close}\n${CUT_NOTICE}\n\n`;
}

/**
 * The stage for one stream (one response choice). `push` deltas, then `end`. Scanning a whole text is one push
 * followed by end: for any split into deltas the concatenated output is the same.
 */
export class ExfilStream {
  readonly #policy: ExfilPolicy;
  /** Text of the current piece and what follows it (newline-normalised). */
  #seg = '';
  /** Characters of #seg already released (an inert prefix). */
  #released = 0;
  /** Offset of #seg in the stage's input. */
  #base = 0;
  #carriedCR = false;
  #parsedAt = 0;
  /** Offset of the last newline in #seg (-1: none). */
  #lastNl = -1;
  /** Definitions seen so far, per configuration: in the input, and in the output. */
  readonly #refs: RefMap[] = CONFIGS.map(() => new Map());
  readonly #outRefs: RefMap[] = CONFIGS.map(() => new Map());
  #done = false;
  /** `![` occurred in the pieces done so far (a later definition may be an image's: see editFor). */
  #bang = false;
  /** The line being written, when every line before it is out: how far it was scanned, where its word starts. */
  #tail: { fence: boolean; scan: number; word: number; blocked: boolean; dirty?: boolean } | undefined = {
    fence: false,
    scan: 0,
    word: 0,
    blocked: false,
  };

  constructor(policy: ExfilPolicy) {
    this.#policy = policy;
  }

  get held(): number {
    return this.#seg.length - this.#released;
  }

  push(delta: string): ExfilChunk {
    if (this.#done) throw new Error('ExfilStream: push after end');
    // A long text at once (a whole answer) goes in as slices: the held piece then stays within a few MAX_PIECE
    // and each character is parsed a bounded number of times. In one piece, every forced cut parsed the whole
    // remainder again (1 MiB without a boundary: 19 s). The output is the same: streamed equals whole at every split.
    if (delta.length > MAX_PIECE) return this.#pushSlices(delta);
    this.#append(delta);
    const complete = this.#lastNl + 1;
    const grown = complete - this.#parsedAt;
    if (grown > 0 && this.#seg.length < 2 * MAX_PIECE) {
      // new lines that can neither start a piece (no line after a blank one) nor need the parse to be released
      // (plain lines, everything before them out): release them without parsing
      const quick = this.#plainLines(complete);
      if (quick !== undefined) return { text: quick, findings: [] };
    }
    const due = grown > 0 && (complete <= EAGER_PARSE || grown * 4 >= complete);
    if (!due && this.#seg.length < 2 * MAX_PIECE) return { text: this.#releaseTail(), findings: [] };
    return this.#process(false);
  }

  end(last = ''): ExfilChunk {
    if (this.#done) return { text: '', findings: [] };
    if (last.length > MAX_PIECE) {
      const head = this.#pushSlices(last);
      const tail = this.end();
      return { text: head.text + tail.text, findings: [...head.findings, ...tail.findings] };
    }
    this.#append(last);
    if (this.#carriedCR) {
      this.#lastNl = this.#seg.length;
      this.#seg += '\n';
      this.#carriedCR = false;
    }
    const out = this.#process(true);
    this.#done = true;
    return out;
  }

  #pushSlices(text: string): ExfilChunk {
    let out = '';
    const findings: ExfilFinding[] = [];
    for (let i = 0; i < text.length;) {
      let j = Math.min(text.length, i + MAX_PIECE);
      // not between the two halves of a surrogate pair
      if (j < text.length && (text.charCodeAt(j - 1) & 0xfc00) === 0xd800) j--;
      const c = this.push(text.slice(i, j));
      out += c.text;
      findings.push(...c.findings);
      i = j;
    }
    return { text: out, findings };
  }

  #append(delta: string): void {
    let s = (this.#carriedCR ? '\r' : '') + delta;
    this.#carriedCR = s.endsWith('\r');
    if (this.#carriedCR) s = s.slice(0, -1);
    // markdown-it's own normalisation, done here so offsets stay those of the text we emit
    const n = s.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
    const nl = n.lastIndexOf('\n');
    if (nl >= 0) this.#lastNl = this.#seg.length + nl;
    this.#seg += n;
  }

  #process(final: boolean): ExfilChunk {
    let text = '';
    const findings: ExfilFinding[] = [];
    const emit = (piece: string, analysis: Analysis, inert: number) => {
      const out = this.#emitPiece(piece, analysis, inert);
      const released = Math.min(this.#released, piece.length);
      if (out.text.slice(0, released) === piece.slice(0, released)) text += out.text.slice(released);
      else {
        // cannot happen by construction (released text is inert); if it does, fail closed after what is out
        text += `\n\n${REMOVED_NOTICE}\n\n`;
        out.findings.push({ detector: 'markdown-link', start: this.#base, end: this.#base + piece.length });
      }
      findings.push(...out.findings);
      this.#advance(piece.length);
      return out;
    };
    for (;;) {
      const seg = this.#seg;
      const limit = final ? seg.length : seg.lastIndexOf('\n') + 1;
      const cut = forcedCut(seg);
      const view = seg.slice(0, cut !== undefined ? Math.max(limit, cut) : limit);
      if (view === '') break;
      const analysis = analyse(view, this.#refs, this.#policy, this.#bang);
      const starts = lineStarts(view);
      const lines = starts.length - 1;
      const completeLines = final || view.endsWith('\n') ? lines : lines - 1;
      const bounds = boundaries(view, starts, analysis, completeLines);
      const firstBound = bounds[0] === undefined ? undefined : (starts[bounds[0]] as number);
      if (cut !== undefined && (firstBound === undefined || !lineEndsBefore(view, firstBound, cut))) {
        // fail closed: the piece is rewritten as if the text ended at the cut, then the client is made to start afresh
        const piece = view.slice(0, cut);
        const pa = analyse(piece, this.#refs, this.#policy, this.#bang);
        const ps = lineStarts(piece);
        const out = emit(piece, pa, inertPrefix(piece, ps, pa, 0, ps.length - 1));
        if (this.#policy.rewrite)
          text += terminator(out.text, analyse(out.text, this.#outRefs, this.#policy, this.#bang));
        continue;
      }
      // every complete piece of the view, each judged with the view's analysis restricted to it (or on its own
      // when something could not be located: that is then confined to its piece)
      let prevLine = 0;
      const cursor = { edit: 0, defs: [] as number[] };
      const pieceEnds = final ? [...bounds, lines] : bounds;
      for (const L of pieceEnds) {
        const a = starts[prevLine] as number;
        const b = starts[L] as number;
        const piece = view.slice(a, b);
        if (analysis.unmapped) {
          const pa = analyse(piece, this.#refs, this.#policy, this.#bang);
          const ps = lineStarts(piece);
          emit(piece, pa, inertPrefix(piece, ps, pa, 0, ps.length - 1));
        } else {
          emit(
            piece,
            restrict(analysis, a, b, prevLine, L, cursor),
            inertPrefix(view, starts, analysis, prevLine, L) - a,
          );
        }
        prevLine = L;
      }
      if (final) break;
      if (prevLine > 0 && forcedCut(this.#seg) !== undefined) continue;
      // no boundary in what is left: release the inert prefix of the held piece (only lines wholly below MAX_PIECE)
      const a = starts[prevLine] as number;
      let inert = inertPrefix(view, starts, analysis, prevLine, completeLines) - a;
      if (inert > MAX_PIECE) inert = lastLineStartAtOrBelow(this.#seg, MAX_PIECE);
      if (inert > this.#released) {
        text += this.#seg.slice(this.#released, inert);
        this.#released = inert;
      }
      this.#parsedAt = this.#seg.lastIndexOf('\n') + 1;
      // every complete line is out: part of the line being written may go too
      this.#tail =
        inert === limit - a && cut === undefined
          ? {
              fence: openFence(view, starts, analysis.results, completeLines),
              scan: inert,
              word: inert,
              blocked: false,
            }
          : undefined;
      text += this.#releaseTail();
      break;
    }
    return { text, findings };
  }

  /**
   * The new complete lines [#parsedAt, complete) released without a parse, or undefined when a parse is needed:
   * every earlier character is out, and each new line is plain (what inertPrefix accepts without the parse) and
   * is not a non-blank line right after a blank one (where a piece boundary could be).
   */
  #plainLines(complete: number): string | undefined {
    const seg = this.#seg;
    // a line ending at or past MAX_PIECE is where a forced cut may fall: leave that to #process
    if (this.#released < this.#parsedAt || complete >= MAX_PIECE) return undefined;
    let prevBlank = this.#parsedAt >= 2 && seg[this.#parsedAt - 2] === '\n';
    for (let a = this.#parsedAt; a < complete;) {
      const e = seg.indexOf('\n', a) + 1;
      const line = seg.slice(a, e);
      const blank = /^[ \t]*\n$/.test(line);
      if ((!blank && prevBlank) || /[[<`]/.test(line) || linkifyTest(line)) return undefined;
      prevBlank = blank;
      a = e;
    }
    const start = this.#released;
    this.#released = complete;
    this.#parsedAt = complete;
    this.#tail = { fence: false, scan: complete, word: complete, blocked: false };
    return seg.slice(start, complete);
  }

  /**
   * Release what can go of the line being written (see partial-line rules in the header): incremental, each
   * character is looked at once; a word is checked by linkify once, when it ends.
   */
  #releaseTail(): string {
    const t = this.#tail;
    if (!t || t.blocked) return '';
    const seg = this.#seg;
    const lineEnd = seg.indexOf('\n', t.scan);
    const end = lineEnd < 0 ? seg.length : lineEnd;
    let release = this.#released;
    if (t.fence) {
      // an open top-level fence: the line is code unless it may be the closing fence
      const m = /^ {0,3}(\S)/.exec(seg.slice(this.#parsedAt, end));
      if (m && m[1] !== '`' && m[1] !== '~') release = end;
      t.scan = end;
    } else {
      let i = t.scan;
      for (; i < end; i++) {
        const c = seg[i] as string;
        if (c === '[' || c === '<' || c === '`') {
          t.blocked = true;
          break;
        }
        if (c === ' ' || c === '\t') {
          if (i > t.word && linkifyTest(seg.slice(t.word, i))) {
            t.blocked = true;
            break;
          }
          t.word = i + 1;
          t.dirty = false;
        } else if (c === ':' || c === '.' || c === '@' || c === '!' || c === '\\' || c === '/') t.dirty = true;
      }
      t.scan = i;
      // complete words (checked above) go; so does the word being written if it cannot be part of a rewrite
      release = Math.max(release, t.blocked || t.dirty ? t.word : i);
    }
    if (release <= this.#released) return '';
    const out = seg.slice(this.#released, release);
    this.#released = release;
    return out;
  }

  #emitPiece(piece: string, analysis: Analysis, inert: number): PieceOut {
    const out = rewritePiece(piece, analysis, inert, this.#policy, this.#outRefs, this.#base, this.#bang);
    const add = (maps: RefMap[], defs: PieceOut['defs']) =>
      defs.forEach((ds, i) => {
        const m = maps[i];
        if (m) for (const d of ds) if (!m.has(d.label)) m.set(d.label, d.href);
      });
    add(this.#refs, out.defs);
    add(this.#outRefs, out.outDefs);
    return out;
  }

  #advance(n: number): void {
    if (!this.#bang && this.#seg.slice(0, n).includes('![')) this.#bang = true;
    this.#tail = undefined;
    this.#lastNl = Math.max(-1, this.#lastNl - n);
    this.#seg = this.#seg.slice(n);
    this.#base += n;
    this.#released = Math.max(0, this.#released - n);
    this.#parsedAt = 0;
  }
}

let linkifyParser: InstrumentedParser | undefined;
/**
 * Whether linkify could find a link anywhere in `s` or in any part of it. linkify-it's test() alone is not enough:
 * it wants a boundary before the scheme, which a part (a text token after a code span, the inline linkify rule at
 * "://") does not. Every linkify link needs "//" (http, https, ftp, protocol-relative) or an "@" (mailto, allowed).
 */
export function linkifyTest(s: string): boolean {
  if (s.includes('//')) return true;
  linkifyParser ??= allParsers().find((p) => p.config.linkify);
  return linkifyParser?.md.linkify.test(s) ?? true;
}

/**
 * The most of a line (no newline) the streaming rule for the line being written (#releaseTail) can ever have let out:
 * complete words that pass, then the clean beginning of the first word that does not (up to its first `:` `.` `@`
 * `/` `!` or backslash, or up to `[` `<` backtick). The fail-closed notice keeps this much, so a stream and the
 * whole text agree there too.
 */
function partialPrefix(line: string): number {
  let word = 0;
  let firstDirty = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '[' || c === '<' || c === '`') return firstDirty >= 0 ? firstDirty : i;
    if (c === ' ' || c === '\t') {
      if (i > word && linkifyTest(line.slice(word, i))) return firstDirty >= 0 ? firstDirty : word;
      word = i + 1;
      firstDirty = -1;
    } else if (firstDirty < 0 && (c === ':' || c === '.' || c === '@' || c === '!' || c === '\\' || c === '/'))
      firstDirty = i;
  }
  return firstDirty >= 0 ? firstDirty : line.length;
}

/** Whether the text ends inside a top-level fenced code block, under every configuration. */
function openFence(
  view: string,
  starts: readonly number[],
  results: readonly ParseResult[],
  completeLines: number,
): boolean {
  if (completeLines === 0) return false;
  const lastLine = view.slice(starts[completeLines - 1] as number, starts[completeLines] as number).trim();
  return results.every((r) => {
    const last = r.blocks[r.blocks.length - 1];
    if (last?.fence === undefined || last.end < completeLines) return false;
    const ch = last.fence[0] as string;
    const closed =
      last.end - last.start > 1 && lastLine.length >= last.fence.length && [...lastLine].every((c) => c === ch);
    return !closed;
  });
}

/** Where a piece without a boundary is cut: end of the line crossing MAX_PIECE, or 2 × MAX_PIECE in a line. */
function forcedCut(seg: string): number | undefined {
  const nl = seg.indexOf('\n', MAX_PIECE - 1);
  if (nl >= 0 && nl < 2 * MAX_PIECE) return nl + 1;
  if (seg.length >= 2 * MAX_PIECE) {
    let at = 2 * MAX_PIECE;
    const c = seg.charCodeAt(at - 1);
    if (c >= 0xd800 && c <= 0xdbff) at--;
    return at;
  }
  return undefined;
}

/** A boundary line starting at `b` counts against a cut at `cut` only if it ends (its newline) before the cut. */
function lineEndsBefore(view: string, b: number, cut: number): boolean {
  const nl = view.indexOf('\n', b);
  return nl >= 0 && nl < cut;
}

function lastLineStartAtOrBelow(view: string, at: number): number {
  const nl = view.lastIndexOf('\n', at - 1);
  return nl < 0 ? 0 : nl + 1;
}

/** The whole-text form: the end of a stream with no earlier delta (the same output as any split of the text). */
export function neutralizeMarkdown(text: string, policy: ExfilPolicy): ExfilChunk {
  return new ExfilStream(policy).end(text);
}
