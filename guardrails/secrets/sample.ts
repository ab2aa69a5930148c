// Random strings that match an RE2 pattern (the subset of RE2 syntax gitleaks' rules use: literals, escapes, classes
// with ranges and POSIX names, groups with flags, alternation, counted and open repetition, assertions). Used to
// derive each rule's keyword offset (ruleset.ts) and by the tests (a true positive per rule). Never used to build the
// evaluation corpora: those come from providers' documented formats, not from the rules under test.

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'set'; chars: string[]; dot?: boolean }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'empty' };

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const DIGITS = '0123456789'.split('');
const WORD = [...'abcdefghijklmnopqrstuvwxyz', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', ...DIGITS, '_'];
const SPACE = [' ', '\t', '\n'];
const POSIX: Record<string, string[]> = {
  alnum: WORD.filter((c) => c !== '_'),
  alpha: WORD.filter((c) => /[A-Za-z]/.test(c)),
  digit: DIGITS,
  lower: WORD.filter((c) => /[a-z]/.test(c)),
  upper: WORD.filter((c) => /[A-Z]/.test(c)),
  xdigit: [...DIGITS, ...'abcdefABCDEF'],
  space: SPACE,
  word: WORD,
  punct: PRINTABLE.filter((c) => /[!-/:-@[-`{-~]/.test(c)),
};

function foldSet(chars: Iterable<string>, fold: boolean): string[] {
  const out = new Set<string>();
  for (const c of chars) {
    out.add(c);
    if (fold) {
      out.add(c.toLowerCase());
      out.add(c.toUpperCase());
    }
  }
  return [...out].filter((c) => c.length === 1);
}

class Parser {
  i = 0;
  readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  parse(): Node {
    const n = this.alt(false, false);
    if (this.i < this.src.length) throw new Error(`sample: unexpected ${this.src[this.i]} at ${this.i}`);
    return n;
  }

  alt(fold: boolean, dotNl: boolean): Node {
    const alts: Node[] = [];
    const flags = { fold, dotNl };
    for (;;) {
      alts.push(this.seq(flags));
      if (this.src[this.i] === '|') {
        this.i++;
        continue;
      }
      return alts.length === 1 ? (alts[0] as Node) : { t: 'alt', alts };
    }
  }

  seq(flags: { fold: boolean; dotNl: boolean }): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      let atom = this.atom(flags);
      if (atom === null) continue;
      atom = this.quant(atom);
      items.push(atom);
    }
    return { t: 'seq', items };
  }

  quant(atom: Node): Node {
    const c = this.src[this.i];
    let min = -1;
    let max = -1;
    if (c === '*') {
      min = 0;
      max = Infinity;
      this.i++;
    } else if (c === '+') {
      min = 1;
      max = Infinity;
      this.i++;
    } else if (c === '?') {
      min = 0;
      max = 1;
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m) {
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length;
      }
    }
    if (min < 0) return atom;
    if (this.src[this.i] === '?') this.i++; // lazy: same language
    return this.quant({ t: 'rep', node: atom, min, max });
  }

  /** One atom; null for a flag group like (?i) that only changes `flags`. */
  atom(flags: { fold: boolean; dotNl: boolean }): Node | null {
    const src = this.src;
    const c = src[this.i] as string;
    if (c === '(') {
      this.i++;
      let fold = flags.fold;
      let dotNl = flags.dotNl;
      if (src[this.i] === '?') {
        const m = /^\?([a-zA-Z]*)(?:-([a-zA-Z]*))?(\)|:)/.exec(src.slice(this.i));
        if (m) {
          const on = m[1] ?? '';
          const off = m[2] ?? '';
          if (on.includes('i')) fold = true;
          if (off.includes('i')) fold = false;
          if (on.includes('s')) dotNl = true;
          if (off.includes('s')) dotNl = false;
          this.i += m[0].length;
          if (m[3] === ')') {
            flags.fold = fold;
            flags.dotNl = dotNl;
            return null;
          }
        } else {
          const close = src.indexOf('>', this.i);
          this.i = close + 1; // (?P<name> / (?<name>
        }
      }
      const inner = this.alt(fold, dotNl);
      if (src[this.i] !== ')') throw new Error('sample: missing )');
      this.i++;
      return inner;
    }
    if (c === '[') return this.cls(flags.fold);
    if (c === '.') {
      this.i++;
      return { t: 'set', chars: flags.dotNl ? [...PRINTABLE, '\n'] : PRINTABLE, dot: true };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'empty' };
    }
    if (c === '\\') {
      const e = this.escape();
      return e === null ? { t: 'empty' } : { t: 'set', chars: foldSet(e, flags.fold) };
    }
    this.i += 1;
    return { t: 'set', chars: foldSet([c], flags.fold) };
  }

  /** Characters of an escape at src[i] === '\\'; null for an assertion. */
  escape(): string[] | null {
    const src = this.src;
    const e = src[this.i + 1] as string;
    this.i += 2;
    switch (e) {
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        return null;
      case 'd':
        return DIGITS;
      case 'D':
        return PRINTABLE.filter((c) => !/\d/.test(c));
      case 'w':
        return WORD;
      case 'W':
        return PRINTABLE.filter((c) => !/\w/.test(c));
      case 's':
        return SPACE;
      case 'S':
        return PRINTABLE.filter((c) => c !== ' ');
      case 'n':
        return ['\n'];
      case 'r':
        return ['\r'];
      case 't':
        return ['\t'];
      case 'x': {
        let hex: string;
        if (src[this.i] === '{') {
          const close = src.indexOf('}', this.i);
          hex = src.slice(this.i + 1, close);
          this.i = close + 1;
        } else {
          hex = src.slice(this.i, this.i + 2);
          this.i += 2;
        }
        return [String.fromCodePoint(Number.parseInt(hex, 16))];
      }
      default:
        return [e];
    }
  }

  cls(fold: boolean): Node {
    const src = this.src;
    this.i++;
    let negated = false;
    if (src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const chars = new Set<string>();
    let first = true;
    while (this.i < src.length && (src[this.i] !== ']' || first)) {
      first = false;
      if (src.startsWith('[:', this.i)) {
        const close = src.indexOf(':]', this.i);
        const name = src.slice(this.i + 2, close);
        for (const c of POSIX[name] ?? []) chars.add(c);
        this.i = close + 2;
        continue;
      }
      let lo: string[];
      if (src[this.i] === '\\') lo = this.escape() ?? [];
      else {
        lo = [src[this.i] as string];
        this.i++;
      }
      if (lo.length === 1 && src[this.i] === '-' && src[this.i + 1] !== ']') {
        this.i++;
        const hi = src[this.i] === '\\' ? ((this.escape() ?? ['\u007f'])[0] as string) : (src[this.i++] as string);
        for (let k = (lo[0] as string).charCodeAt(0); k <= hi.charCodeAt(0); k++) chars.add(String.fromCharCode(k));
      } else for (const c of lo) chars.add(c);
    }
    this.i++;
    const set = foldSet(chars, fold);
    return { t: 'set', chars: negated ? PRINTABLE.filter((c) => !set.includes(c)) : set };
  }
}

/** A seeded generator of strings in the language of `pattern` (open repetitions stop at min + `spread`). */
export function sampler(pattern: string, spread = 8): (rand: () => number) => string {
  const root = new Parser(pattern).parse();
  const gen = (n: Node, rand: () => number): string => {
    switch (n.t) {
      case 'empty':
        return '';
      // a wildcard is often a literal dot spelled loosely (`hooks.slack.com`): produce one half of the time
      case 'set':
        return n.chars.length === 0
          ? ''
          : n.dot && rand() < 0.5
            ? '.'
            : (n.chars[Math.floor(rand() * n.chars.length)] as string);
      case 'seq':
        return n.items.map((x) => gen(x, rand)).join('');
      case 'alt':
        return gen(n.alts[Math.floor(rand() * n.alts.length)] as Node, rand);
      case 'rep': {
        const hi = Math.min(n.max, n.min + spread);
        const k = n.min + Math.floor(rand() * (hi - n.min + 1));
        let s = '';
        for (let j = 0; j < k; j++) s += gen(n.node, rand);
        return s;
      }
    }
  };
  return (rand) => gen(root, rand);
}
