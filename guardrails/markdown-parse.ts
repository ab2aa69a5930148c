// markdown-it, instrumented to say WHERE each link, image, bare URL, reference definition and piece of raw HTML
// is in the source, so the exfiltration stage can rewrite exactly those characters. markdown-it itself decides
// what is a link: nothing here re-implements CommonMark. The instrumentation:
// - block rules (paragraph, lheading, heading, table, html_block) record, for each inline token, the source
//   offset of every character of its content (mirroring StateBlock.getLines, which strips container prefixes);
// - reference definitions are recorded with the span of their destination;
// - inline rules (link, image, autolink, html_inline, linkify) record the source span of what they consumed, and
//   text tokens the offset they start at (a text token is always one contiguous run of its inline source);
// - inline content is parsed with the definitions that come BEFORE it in the document only (plus those carried
//   in from earlier output), so the analysis of a block never depends on text that follows it: that is what lets
//   a stream be judged block by block with the same result as the whole text.
// Anything that cannot be located (content the mapping cannot align) is reported as `unmapped`: the caller fails
// closed.
import MarkdownItCtor, { type MarkdownIt } from 'markdown-it';

export interface ParserConfig {
  html: boolean;
  linkify: boolean;
}

/** The client configurations every output is judged under: the most permissive common one and the default. */
export const CONFIGS: readonly ParserConfig[] = [
  { html: true, linkify: true },
  { html: false, linkify: false },
  { html: false, linkify: true },
  { html: true, linkify: false },
];

export type RefMap = Map<string, string>;

/** Source offset of each character of some content (kept as runs: looked up only where a construct is). */
export interface Pos {
  readonly length: number;
  at(i: number): number;
}

/** Runs of content characters: run k covers content [c[k], c[k] + n[k]) from source s[k] (fixed when v[k]). */
class RunPos implements Pos {
  readonly c: number[] = [];
  readonly s: number[] = [];
  readonly n: number[] = [];
  readonly v: boolean[] = [];
  length = 0;

  add(src: number, n: number, virtual = false): void {
    if (n <= 0) return;
    const k = this.c.length - 1;
    if (k >= 0 && !virtual && !this.v[k] && (this.s[k] as number) + (this.n[k] as number) === src)
      this.n[k] = (this.n[k] as number) + n;
    else {
      this.c.push(this.length);
      this.s.push(src);
      this.n.push(n);
      this.v.push(virtual);
    }
    this.length += n;
  }

  at(i: number): number {
    let lo = 0;
    let hi = this.c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.c[mid] as number) <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.v[lo] ? (this.s[lo] as number) : (this.s[lo] as number) + (i - (this.c[lo] as number));
  }
}

/** Characters [off, off + length) of another map. */
function subPos(p: Pos, off: number, length: number): Pos {
  return { length, at: (i) => p.at(off + i) };
}

export type ConstructKind = 'image' | 'link' | 'autolink' | 'bare-url' | 'html-inline' | 'html-block' | 'definition';

/** One construct whose URL(s) must be judged, with source offsets. */
export interface Construct {
  kind: ConstructKind;
  start: number;
  end: number;
  /** link: offset of the closing `]` of the label. */
  labelEnd?: number;
  /** image, link, autolink, bare-url, definition: the URL as markdown-it normalised it. */
  url?: string;
  /** image: alt text (plain). */
  alt?: string;
  /** html-*: the raw HTML and the source offset of each of its characters. */
  html?: string;
  htmlPos?: Pos;
}

export interface BlockSpan {
  start: number;
  end: number;
  /** code (fenced or indented): its lines render as code whatever they contain. */
  code: boolean;
  fence?: string;
}

export interface ParseResult {
  constructs: Construct[];
  /** Top-level blocks, as line ranges. */
  blocks: BlockSpan[];
  /** Line ranges of code blocks at any depth. */
  code: BlockSpan[];
  /** Definitions in document order: label → normalised href (first wins when applied). */
  defs: { line: number; label: string; href: string }[];
  unmapped: boolean;
}

/* ---- minimal views of markdown-it internals used here ---- */
interface Tok {
  type: string;
  content: string;
  markup: string;
  info: string;
  map: [number, number] | null;
  level: number;
  nesting: number;
  children: Tok[] | null;
  meta: unknown;
  attrGet(name: string): string | null;
}
interface BlockState {
  src: string;
  bMarks: number[];
  eMarks: number[];
  tShift: number[];
  bsCount: number[];
  blkIndent: number;
  line: number;
  level: number;
  tokens: Tok[];
}
interface InlineState {
  src: string;
  pos: number;
  posMax: number;
  level: number;
  pending: string;
  tokens: Tok[];
  md: MarkdownIt;
}
type BlockRule = (state: BlockState, startLine: number, endLine: number, silent: boolean) => boolean;
type InlineRule = (state: InlineState, silent: boolean) => boolean;
interface RuleEntry<F> {
  name: string;
  fn: F;
  alt: string[];
}
interface RulerInternals<F> {
  __rules__: RuleEntry<F>[];
  at(name: string, fn: F, opts?: { alt: string[] }): void;
  push(name: string, fn: F): void;
}
interface CoreState {
  src: string;
  tokens: Tok[];
  env: Record<string, unknown>;
  md: MarkdownIt;
}

interface Ctx {
  /** Source offsets of an inline token's content. */
  blockPos: WeakMap<Tok, Pos | null>;
  /** Inline-source spans of link/image/autolink/html_inline/linkify tokens. */
  spans: WeakMap<Tok, { start: number; end: number; labelEnd?: number }>;
  /** Inline-source start of text tokens (-1: unknown). */
  textStart: WeakMap<Tok, number>;
  defs: { line: number; label: string; href: string; destStart: number; destEnd: number; level: number }[];
  carried: RefMap;
  unmapped: boolean;
  urlBad: (url: string, use: 'fetch' | 'link') => boolean;
  constructs: Construct[];
}

const isSpace = (c: number) => c === 0x20 || c === 0x09;

/** StateBlock.getLines, with the source offset of each character (virtual spaces map to the tab they come from). */
function linesWithPos(
  state: BlockState,
  begin: number,
  end: number,
  indent: number,
  keepLastLF: boolean,
): { text: string; pos: RunPos } {
  let text = '';
  const pos = new RunPos();
  for (let line = begin; line < end; line++) {
    let lineIndent = 0;
    const lineStart = state.bMarks[line] as number;
    let first = lineStart;
    const last = line + 1 < end || keepLastLF ? (state.eMarks[line] as number) + 1 : (state.eMarks[line] as number);
    while (first < last && lineIndent < indent) {
      const ch = state.src.charCodeAt(first);
      if (isSpace(ch)) {
        if (ch === 9) lineIndent += 4 - ((lineIndent + (state.bsCount[line] as number)) % 4);
        else lineIndent++;
      } else if (first - lineStart < (state.tShift[line] as number)) lineIndent++;
      else break;
      first++;
    }
    if (lineIndent > indent) {
      text += ' '.repeat(lineIndent - indent);
      pos.add(Math.max(lineStart, first - 1), lineIndent - indent, true);
    }
    const piece = state.src.slice(first, Math.min(last, state.src.length));
    text += piece;
    pos.add(first, piece.length);
  }
  return { text, pos };
}

function rulesOf<F>(ruler: unknown): RulerInternals<F> {
  return ruler as RulerInternals<F>;
}

function wrapRule<F>(ruler: RulerInternals<F>, name: string, wrap: (orig: F) => F): void {
  const entry = ruler.__rules__.find((r) => r.name === name);
  if (!entry) throw new Error(`markdown-it has no rule ${name}`);
  ruler.at(name, wrap(entry.fn), { alt: entry.alt });
}

const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

export class InstrumentedParser {
  readonly md: MarkdownIt;
  readonly config: ParserConfig;
  #ctx: Ctx | undefined;

  constructor(config: ParserConfig) {
    this.config = config;
    this.md = new MarkdownItCtor({ html: config.html, linkify: config.linkify });
    this.#instrumentBlock();
    this.#instrumentInline();
    this.#instrumentCore();
  }

  get #c(): Ctx {
    if (!this.#ctx) throw new Error('InstrumentedParser: no parse in progress');
    return this.#ctx;
  }

  /** Parse `src` (already newline-normalised) with the definitions `carried` from earlier output. */
  parse(src: string, carried: RefMap, urlBad: (url: string, use: 'fetch' | 'link') => boolean): ParseResult {
    const ctx: Ctx = {
      blockPos: new WeakMap(),
      spans: new WeakMap(),
      textStart: new WeakMap(),
      defs: [],
      carried,
      unmapped: false,
      urlBad,
      constructs: [],
    };
    this.#ctx = ctx;
    let tokens: Tok[];
    try {
      tokens = this.md.parse(src, {}) as unknown as Tok[];
    } finally {
      this.#ctx = undefined;
    }
    const blocks: BlockSpan[] = [];
    const code: BlockSpan[] = [];
    for (const t of tokens) {
      if (t.map && (t.type === 'fence' || t.type === 'code_block'))
        code.push({ start: t.map[0], end: t.map[1], code: true, ...(t.type === 'fence' ? { fence: t.markup } : {}) });
      if (t.level === 0 && t.nesting >= 0 && t.map)
        blocks.push({
          start: t.map[0],
          end: t.map[1],
          code: t.type === 'fence' || t.type === 'code_block',
          ...(t.type === 'fence' ? { fence: t.markup } : {}),
        });
      if (t.type === 'html_block') this.#htmlBlock(t, ctx);
      if (t.type === 'inline') this.#inlineConstructs(t, ctx);
    }
    for (const d of ctx.defs) {
      if (d.level === 0) blocks.push({ start: d.line, end: d.line + 1, code: false });
      ctx.constructs.push({ kind: 'definition', start: d.destStart, end: d.destEnd, url: d.href });
    }
    blocks.sort((a, b) => a.start - b.start);
    return {
      constructs: ctx.constructs,
      blocks,
      code,
      defs: ctx.defs.map((d) => ({ line: d.line, label: d.label, href: d.href })),
      unmapped: ctx.unmapped,
    };
  }

  #htmlBlock(t: Tok, ctx: Ctx): void {
    const pos = ctx.blockPos.get(t);
    if (!pos || pos.length !== t.content.length || pos.length === 0) {
      ctx.unmapped = true;
      return;
    }
    ctx.constructs.push({
      kind: 'html-block',
      start: pos.at(0),
      end: pos.at(pos.length - 1) + 1,
      html: t.content,
      htmlPos: pos,
    });
  }

  #inlineConstructs(block: Tok, ctx: Ctx): void {
    const map = ctx.blockPos.get(block);
    if (map === undefined || map === null) {
      if (block.content !== '') ctx.unmapped = true;
      return;
    }
    if (map.length === 0) return;
    const at = (i: number) => (i < map.length ? map.at(i) : map.at(map.length - 1) + 1);
    const endAt = (i: number) => (i > 0 ? map.at(Math.min(i, map.length) - 1) + 1 : map.at(0));
    const children = block.children ?? [];
    for (const t of children) {
      const span = ctx.spans.get(t);
      if (t.type === 'image') {
        if (!span) {
          ctx.unmapped = true;
          continue;
        }
        ctx.constructs.push({
          kind: 'image',
          start: at(span.start),
          end: endAt(span.end),
          url: t.attrGet('src') ?? '',
          alt: this.md.renderer.renderInlineAsText((t.children ?? []) as never, this.md.options, {}),
        });
      } else if (t.type === 'link_open') {
        const url = t.attrGet('href') ?? '';
        if (!span) {
          // core linkify links are located by the bare-URL pass (linkifyText); anything else is unexpected
          if (t.markup !== 'linkify') ctx.unmapped = true;
          continue;
        }
        if (t.markup === 'linkify')
          ctx.constructs.push({ kind: 'bare-url', start: at(span.start), end: endAt(span.end), url });
        else if (t.markup === 'autolink')
          ctx.constructs.push({ kind: 'autolink', start: at(span.start), end: endAt(span.end), url });
        else
          ctx.constructs.push({
            kind: 'link',
            start: at(span.start),
            end: endAt(span.end),
            labelEnd: at(span.labelEnd ?? span.start),
            url,
          });
      } else if (t.type === 'html_inline') {
        if (!span) {
          ctx.unmapped = true;
          continue;
        }
        const html = t.content;
        ctx.constructs.push({
          kind: 'html-inline',
          start: at(span.start),
          end: endAt(span.end),
          html,
          htmlPos: subPos(map, span.start, html.length),
        });
      }
    }
  }

  #instrumentBlock(): void {
    const ruler = rulesOf<BlockRule>(this.md.block.ruler);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- markdown-it calls the rule with its own `this`
    const self = this;
    const afterLines =
      (keepLastLF: boolean) =>
      (orig: BlockRule): BlockRule =>
      (state, startLine, endLine, silent) => {
        const n0 = state.tokens.length;
        const ok = orig(state, startLine, endLine, silent);
        if (ok && !silent && self.#ctx) {
          for (let k = n0; k < state.tokens.length; k++) {
            const t = state.tokens[k] as Tok;
            if ((t.type !== 'inline' && t.type !== 'html_block') || !t.map) continue;
            const { text, pos } = linesWithPos(state, t.map[0], t.map[1], state.blkIndent, keepLastLF);
            const lead = t.content === '' ? 0 : text.indexOf(t.content);
            self.#c.blockPos.set(t, lead < 0 ? null : subPos(pos, lead, t.content.length));
          }
        }
        return ok;
      };
    wrapRule(ruler, 'paragraph', afterLines(false));
    wrapRule(ruler, 'lheading', afterLines(false));
    wrapRule(ruler, 'html_block', afterLines(true));
    wrapRule(ruler, 'heading', (orig) => (state, startLine, endLine, silent) => {
      const n0 = state.tokens.length;
      const ok = orig(state, startLine, endLine, silent);
      if (ok && !silent && self.#ctx) {
        for (let k = n0; k < state.tokens.length; k++) {
          const t = state.tokens[k] as Tok;
          if (t.type !== 'inline') continue;
          const from = (state.bMarks[startLine] as number) + (state.tShift[startLine] as number);
          const idx = t.content === '' ? from : state.src.indexOf(t.content, from);
          const run = new RunPos();
          run.add(idx, t.content.length);
          self.#c.blockPos.set(t, idx < 0 || idx + t.content.length > (state.eMarks[startLine] as number) ? null : run);
        }
      }
      return ok;
    });
    wrapRule(ruler, 'table', (orig) => (state, startLine, endLine, silent) => {
      const n0 = state.tokens.length;
      const ok = orig(state, startLine, endLine, silent);
      if (ok && !silent && self.#ctx) {
        const cursor = new Map<number, number>();
        let line = startLine;
        for (let k = n0; k < state.tokens.length; k++) {
          const t = state.tokens[k] as Tok;
          if (t.type === 'tr_open' && t.map) line = t.map[0];
          if (t.type !== 'inline') continue;
          // cells carry no line of their own: give them their row's (the definitions visible to them depend on it)
          t.map = [line, line + 1];
          const max = state.eMarks[line] as number;
          let p = cursor.get(line) ?? (state.bMarks[line] as number) + (state.tShift[line] as number);
          while (p < max && isSpace(state.src.charCodeAt(p))) p++;
          if (state.src[p] === '|') p++;
          while (p < max && isSpace(state.src.charCodeAt(p))) p++;
          const pos = alignCell(state.src, p, max, t.content);
          self.#c.blockPos.set(t, pos);
          cursor.set(line, pos && pos.length > 0 ? pos.at(pos.length - 1) + 1 : p);
        }
      }
      return ok;
    });
    wrapRule(ruler, 'reference', (orig) => (state, startLine, endLine, silent) => {
      const n0 = state.tokens.length;
      const ok = orig(state, startLine, endLine, silent);
      if (ok && !silent && self.#ctx) {
        const t = state.tokens[n0];
        const label = (t?.meta as { label?: string } | null)?.label;
        const dest =
          t?.type === 'reference_definition' && label !== undefined ? definitionDest(state, startLine, this.md) : null;
        if (!dest || label === undefined) self.#c.unmapped = true;
        else
          self.#c.defs.push({
            line: startLine,
            label,
            href: dest.href,
            destStart: dest.start,
            destEnd: dest.end,
            level: state.level,
          });
      }
      return ok;
    });
  }

  #instrumentInline(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- markdown-it calls the rule with its own `this`
    const self = this;
    const md = this.md;
    const Base = md.inline.State as unknown as new (
      src: string,
      md: MarkdownIt,
      env: unknown,
      out: Tok[],
    ) => InlineState & { pushPending(): Tok };
    class Tracking extends Base {
      /** Where the pending text started (set by the text rules when pending was empty; checked at flush). */
      pendingStart = -1;
      override pushPending(): Tok {
        const start = this.pendingStart;
        const t = super.pushPending();
        // a mismatch (text added by the tokenizer itself past maxNesting) is reported as unknown
        if (self.#ctx) self.#c.textStart.set(t, start >= 0 && this.src.startsWith(t.content, start) ? start : -1);
        this.pendingStart = -1;
        return t;
      }
    }
    (md.inline as unknown as { State: unknown }).State = Tracking;
    const ruler = rulesOf<InlineRule>(md.inline.ruler);
    // the tokenizer's own fallback (`pending += src[pos++]`) moves pos before the text lands: do it as a rule
    ruler.push('tollgate_char', (state, silent) => {
      if (!silent) {
        if (state.pending === '') (state as InlineState & { pendingStart: number }).pendingStart = state.pos;
        state.pending += state.src[state.pos] as string;
      }
      state.pos++;
      return true;
    });
    wrapRule(ruler, 'text', (orig) => (state, silent) => {
      if (!silent && state.pending === '') (state as InlineState & { pendingStart: number }).pendingStart = state.pos;
      return orig(state, silent);
    });
    const record =
      (type: string, labelOf?: (state: InlineState, start: number) => number) =>
      (orig: InlineRule): InlineRule =>
      (state, silent) => {
        const start = state.pos;
        const pendingLength = state.pending.length;
        const labelEnd = !silent && labelOf && state.src.charCodeAt(start) === 0x5b ? labelOf(state, start) : undefined;
        const n0 = state.tokens.length;
        const ok = orig(state, silent);
        if (ok && !silent && self.#ctx) {
          for (let k = n0; k < state.tokens.length; k++) {
            const t = state.tokens[k] as Tok;
            if (t.type !== type || self.#c.spans.has(t)) continue;
            let s = start;
            if (type === 'link_open' && t.markup === 'linkify') {
              // the inline linkify rule runs at "://" and takes the scheme back from the pending text
              const min = start - Math.min(10, pendingLength, start);
              while (s > min && SCHEME_CHAR.test(state.src[s - 1] as string)) s--;
            }
            self.#c.spans.set(t, { start: s, end: state.pos, ...(labelEnd !== undefined ? { labelEnd } : {}) });
            break;
          }
        }
        return ok;
      };
    // delimiter runs (* _ ~) left unmatched stay as one-character text tokens: record where each is
    for (const name of ['emphasis', 'strikethrough']) {
      wrapRule(ruler, name, (orig) => (state, silent) => {
        const start = state.pos;
        const n0 = state.tokens.length;
        const ok = orig(state, silent);
        if (ok && !silent && self.#ctx) {
          let k = 0;
          for (let i = n0; i < state.tokens.length; i++) {
            const t = state.tokens[i] as Tok;
            if (t.type === 'text' && !self.#c.textStart.has(t)) self.#c.textStart.set(t, start + k++);
          }
        }
        return ok;
      });
    }
    // fragments_join merges adjacent text tokens into the later one: carry the earlier one's start over
    wrapRule(rulesOf<(state: InlineState) => void>(md.inline.ruler2), 'fragments_join', (orig) => (state) => {
      if (self.#ctx) {
        const ts = self.#c.textStart;
        const tokens = state.tokens;
        let runLength = -1; // length of the text merged so far into tokens[i] (-1: tokens[i] starts a run)
        for (let i = 0; i + 1 < tokens.length; i++) {
          const a = tokens[i] as Tok;
          const b = tokens[i + 1] as Tok;
          if (a.type !== 'text' || b.type !== 'text') {
            runLength = -1;
            continue;
          }
          const length = runLength < 0 ? a.content.length : runLength;
          const sa = ts.get(a) ?? -1;
          const sb = ts.get(b) ?? -1;
          // an emptied delimiter (content '') adds nothing: the merged text starts where b does
          if (length > 0) ts.set(b, sa >= 0 && sb >= 0 && sa + length === sb ? sa : -1);
          runLength = length + b.content.length;
        }
      }
      orig(state);
    });
    wrapRule(
      ruler,
      'link',
      record('link_open', (state, start) => md.helpers.parseLinkLabel(state as never, start, true)),
    );
    wrapRule(ruler, 'image', record('image'));
    wrapRule(ruler, 'autolink', record('link_open'));
    wrapRule(ruler, 'html_inline', record('html_inline'));
    wrapRule(ruler, 'linkify', record('link_open'));
  }

  #instrumentCore(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- markdown-it calls the rule with its own `this`
    const self = this;
    const md = this.md;
    const ruler = rulesOf<(state: CoreState) => void>(md.core.ruler);
    // inline content sees only the definitions before it (and those carried in), never later ones
    wrapRule(ruler, 'inline', () => (state) => {
      const ctx = self.#c;
      const visible: Record<string, { href: string; title: string }> = Object.create(null) as Record<
        string,
        { href: string; title: string }
      >;
      for (const [label, href] of ctx.carried) visible[label] = { href, title: '' };
      const defs = [...ctx.defs].sort((a, b) => a.line - b.line);
      let d = 0;
      for (const tok of state.tokens) {
        if (tok.type !== 'inline') continue;
        const line = tok.map?.[0] ?? 0;
        for (; d < defs.length && (defs[d]?.line ?? 0) < line; d++) {
          const def = defs[d] as Ctx['defs'][number];
          if (!Object.hasOwn(visible, def.label)) visible[def.label] = { href: def.href, title: '' };
        }
        md.inline.parse(tok.content, md, { references: visible }, (tok.children ?? (tok.children = [])) as never);
      }
    });
    if (this.config.linkify) {
      // bare URLs that the core linkify rule will turn into links, located in their text token
      (md.core.ruler as unknown as { before(b: string, n: string, f: (s: CoreState) => void): void }).before(
        'linkify',
        'tollgate_bare_urls',
        (state) => {
          const ctx = self.#c;
          for (const block of state.tokens) {
            if (block.type !== 'inline' || !md.linkify.test(block.content)) continue;
            const map = ctx.blockPos.get(block);
            let depth = 0;
            for (const t of block.children ?? []) {
              if (t.type === 'link_open') depth++;
              else if (t.type === 'link_close') depth--;
              if (depth > 0 || t.type !== 'text' || !md.linkify.test(t.content)) continue;
              const start = ctx.textStart.get(t) ?? -1;
              for (const m of md.linkify.match(t.content) ?? []) {
                const url = md.normalizeLink(m.url);
                if (!md.validateLink(url) || !ctx.urlBad(url, 'link')) continue;
                if (start < 0 || !map || state.src === undefined) {
                  ctx.unmapped = true;
                  continue;
                }
                if (start + m.lastIndex > map.length) {
                  ctx.unmapped = true;
                  continue;
                }
                ctx.constructs.push({
                  kind: 'bare-url',
                  start: map.at(start + m.index),
                  end: map.at(start + m.lastIndex - 1) + 1,
                  url,
                });
              }
            }
          }
        },
      );
    }
  }
}

/** A table cell's content in its row: `\\|` in the source is `|` in the content. */
function alignCell(src: string, from: number, max: number, content: string): RunPos | null {
  const pos = new RunPos();
  let j = from;
  for (let i = 0; i < content.length; i++) {
    if (src[j] === content[i]) {
      pos.add(j++, 1);
      continue;
    }
    if (content[i] === '|' && src[j] === '\\' && src[j + 1] === '|') {
      pos.add(j + 1, 1);
      j += 2;
      continue;
    }
    return null;
  }
  return j <= max ? pos : null;
}

/** Where a reference definition's destination is (the rule has just accepted the definition at `line`). */
function definitionDest(
  state: BlockState,
  line: number,
  md: MarkdownIt,
): { start: number; end: number; href: string } | null {
  const src = state.src;
  let l = line;
  let pos = (state.bMarks[l] as number) + (state.tShift[l] as number);
  let max = state.eMarks[l] as number;
  if (src[pos] !== '[') return null;
  pos++;
  // label: up to the first unescaped ']' (labels cannot contain unescaped brackets), possibly over several lines
  for (;;) {
    if (pos >= max) {
      l++;
      if (l >= state.eMarks.length) return null;
      pos = (state.bMarks[l] as number) + (state.tShift[l] as number);
      max = state.eMarks[l] as number;
      continue;
    }
    const ch = src[pos];
    if (ch === '\\') {
      pos += 2;
      continue;
    }
    if (ch === ']') break;
    pos++;
  }
  if (src[pos + 1] !== ':') return null;
  pos += 2;
  while (pos < max && isSpace(src.charCodeAt(pos))) pos++;
  if (pos >= max) {
    l++;
    if (l >= state.eMarks.length) return null;
    pos = (state.bMarks[l] as number) + (state.tShift[l] as number);
    max = state.eMarks[l] as number;
  }
  const res = md.helpers.parseLinkDestination(src, pos, max);
  if (!res.ok) return null;
  return { start: pos, end: res.pos, href: md.normalizeLink(res.str) };
}
