// Necessary literals of an RE2 pattern: a set of strings one of which occurs (case-folded) in every match. Rulesets
// that prefilter with a regex engine of their own (kingfisher: Vectorscan) ship no keyword list; this derives one
// from the pattern, so such a rule joins the one Aho-Corasick pass like a gitleaks rule does (keywords.ts).
// Analysis as in code search's trigram queries (Russ Cox, "Regular Expression Matching with a Trigram Index"): per
// node, the set of strings it matches exactly when that set is small, else the best necessary set found inside it.
// Case is folded (the keyword pass is case-insensitive), so the result is necessary for the pattern whatever its flags.

/** Largest exact set kept, and the longest string in it: past these, a node is summarised by its necessary set. */
const MAX_SET = 64;
const MAX_LEN = 40;

interface Info {
  /** Every string the node matches (lower case), when there are few; '' for zero-width nodes. */
  exact?: Set<string>;
  /** A set one of whose strings occurs in every match; undefined when nothing useful is known. */
  req?: Set<string>;
}

const score = (s: Set<string>): number => {
  let min = Infinity;
  for (const x of s) min = Math.min(min, x.length);
  return min === Infinity ? 0 : min * 100 - s.size;
};

const better = (a: Set<string> | undefined, b: Set<string> | undefined): Set<string> | undefined =>
  !a || a.has('') ? (b && !b.has('') ? b : undefined) : !b || b.has('') ? a : score(b) > score(a) ? b : a;

function product(a: Set<string>, b: Set<string>): Set<string> | undefined {
  if (a.size * b.size > MAX_SET) return undefined;
  const out = new Set<string>();
  for (const x of a) for (const y of b) if ((x + y).length <= MAX_LEN) out.add(x + y);
  return out.size === a.size * b.size ? out : undefined;
}

const ESCAPED_LITERAL = /[^A-Za-z0-9]/;
const CLASS_ESCAPES: Readonly<Record<string, boolean>> = { d: true, D: true, w: true, W: true, s: true, S: true };

class Parser {
  i = 0;
  readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  alt(): Info {
    const parts = [this.concat()];
    while (this.src[this.i] === '|') {
      this.i++;
      parts.push(this.concat());
    }
    if (parts.length === 1) return parts[0] as Info;
    let exact: Set<string> | undefined = new Set();
    let req: Set<string> | undefined = new Set();
    for (const p of parts) {
      if (exact && p.exact) for (const x of p.exact) exact.add(x);
      else exact = undefined;
      const r = better(p.req, p.exact);
      if (req && r) for (const x of r) req.add(x);
      else req = undefined;
    }
    if (exact && exact.size > MAX_SET) exact = undefined;
    return { ...(exact ? { exact } : {}), ...(req ? { req } : {}) };
  }

  concat(): Info {
    let run: Set<string> | undefined = new Set(['']);
    let allExact = true;
    let best: Set<string> | undefined;
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const n = this.repeat();
      const joined: Set<string> | undefined = run && n.exact ? product(run, n.exact) : undefined;
      if (joined) {
        run = joined;
        continue;
      }
      best = better(best, run);
      allExact = false;
      best = better(best, n.req);
      run = n.exact ? new Set(n.exact) : new Set(['']);
    }
    best = better(best, run);
    return { ...(allExact && run ? { exact: run } : {}), ...(best ? { req: best } : {}) };
  }

  repeat(): Info {
    const a = this.atom();
    const c = this.src[this.i];
    let min = 1;
    let max = 1;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.i));
      if (m) {
        this.i += m[0].length;
        min = Number(m[1]);
        max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
      }
    } else return a;
    if (this.src[this.i] === '?') this.i++; // lazy
    if (min === 0 && max === 1 && a.exact) return { exact: new Set([...a.exact, '']) };
    if (min === 0) return {};
    const r = better(a.req, a.exact);
    if (min === 1 && max === 1) return a;
    return r ? { req: r } : {};
  }

  atom(): Info {
    const c = this.src[this.i] as string;
    if (c === '(') {
      this.i++;
      if (this.src[this.i] === '?') {
        const flags = /^\?(?:P?<[A-Za-z_]\w*>|[a-zA-Z-]*:|[a-zA-Z-]*\))/.exec(this.src.slice(this.i));
        if (!flags) throw new Error(`unsupported group at ${this.i}`);
        this.i += flags[0].length;
        if (flags[0].endsWith(')')) return { exact: new Set(['']) }; // a flag setting such as (?i)
      }
      const inner = this.alt();
      if (this.src[this.i] !== ')') throw new Error(`unbalanced group at ${this.i}`);
      this.i++;
      return inner;
    }
    if (c === '[') return this.klass();
    if (c === '\\') {
      const e = this.src[this.i + 1] as string;
      this.i += 2;
      if ('bBAz'.includes(e)) return { exact: new Set(['']) };
      if (CLASS_ESCAPES[e] || e === 'p' || e === 'P') {
        if ((e === 'p' || e === 'P') && this.src[this.i] === '{') this.i = this.src.indexOf('}', this.i) + 1;
        else if (e === 'p' || e === 'P') this.i++;
        return {};
      }
      if (e === 'x') {
        const m = /^(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{2}))/.exec(this.src.slice(this.i));
        if (!m) throw new Error('bad \\x escape');
        this.i += m[0].length;
        return { exact: new Set([String.fromCodePoint(Number.parseInt(m[1] ?? m[2] ?? '0', 16)).toLowerCase()]) };
      }
      if (e === 'n' || e === 'r' || e === 't' || e === 'f' || e === 'v') return {};
      if (ESCAPED_LITERAL.test(e)) return { exact: new Set([e.toLowerCase()]) };
      return {};
    }
    this.i++;
    if (c === '^' || c === '$') return { exact: new Set(['']) };
    if (c === '.') return {};
    return { exact: new Set([c.toLowerCase()]) };
  }

  klass(): Info {
    // a small class ([_-], [Aa]) is an exact set; anything wider is just skipped
    let j = this.i + 1;
    const negated = this.src[j] === '^';
    if (negated) j++;
    const chars = new Set<string>();
    let wide = negated;
    let first = true;
    while (j < this.src.length && (this.src[j] !== ']' || first)) {
      first = false;
      if (this.src.startsWith('[:', j)) {
        wide = true;
        j = this.src.indexOf(':]', j) + 2;
        continue;
      }
      let ch = this.src[j] as string;
      if (ch === '\\') {
        const e = this.src[j + 1] as string;
        j += 2;
        if (ESCAPED_LITERAL.test(e)) ch = e;
        else {
          wide = true;
          if ((e === 'p' || e === 'P') && this.src[j] === '{') j = this.src.indexOf('}', j) + 1;
          else if (e === 'x') j = /^\{/.test(this.src.slice(j)) ? this.src.indexOf('}', j) + 1 : j + 2;
          continue;
        }
      } else j++;
      if (this.src[j] === '-' && this.src[j + 1] !== ']' && j + 1 < this.src.length) {
        wide = true; // a range
        j += this.src[j + 1] === '\\' ? 3 : 2;
        continue;
      }
      chars.add(ch.toLowerCase());
    }
    this.i = j + 1;
    return !wide && chars.size > 0 && chars.size <= 3 ? { exact: chars } : {};
  }
}

/**
 * A set of literals (lower case) one of which every match of `pattern` contains, or undefined when the pattern has
 * none of at least `minLength` characters. Each literal is cut to its longest run of keyword characters
 * ([a-z0-9._-]: the scanner pools such keyword rules), which keeps it necessary.
 */
export function necessaryLiterals(pattern: string, minLength = 4): string[] | undefined {
  const p = new Parser(pattern);
  const info = p.alt();
  if (p.i !== pattern.length) throw new Error(`unexpected ) at ${p.i}`);
  const set = better(info.req, info.exact);
  if (!set) return undefined;
  const out = new Set<string>();
  for (const s of set) {
    const runs = s.match(/[a-z0-9._-]+/g) ?? [];
    const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
    // three characters only with a digit or punctuation in them (r8_, oy2, sl.): a word of three letters is everywhere
    if (longest.length < minLength && !(longest.length === 3 && /[0-9._-]/.test(longest))) return undefined;
    out.add(longest);
  }
  // a literal containing another one adds nothing: the shorter is found wherever the longer is
  const list = [...out];
  return list.filter((x) => !list.some((y) => y !== x && x.includes(y))).sort();
}
