// The shape of an optimised adversarial suffix (GCG and its relatives): a natural-language request followed by a run
// of "token soup" — fragments glued to brackets, quotes, operators and markup, camel-cased word joins, stray
// punctuation — that no person types and no code formatter produces. Measured on the text's tail (the suffix is
// appended), in plain loops over at most TAIL characters: bounded and linear.
//
// A token is odd when, after trimming one layer of ordinary punctuation around it, it still mixes letters with
// bracket/operator/markup characters, joins two words in camel case inside a lower-case word, or is a run of two or
// more such symbols. URLs, e-mail addresses, @mentions, #tags, paths, numbers and **bold** are not odd. Code is
// told apart by its shape: several lines, or a fence — adversarial suffixes are a single line after prose.

/** Characters of the tail examined. */
export const TAIL = 600;
/** Tokens at the end of the last line examined (an optimised suffix is about twenty tokens). */
export const WINDOW = 20;
/** Odd tokens needed in the window: MIN_ODD with unbalanced brackets (code closes what it opens), else MANY_ODD. */
export const MIN_ODD = 2;
export const MANY_ODD = 8;
/** Odd tokens for the weak reading (a family that needs another, non-role-play one to count). */
export const SOME_ODD = 3;

const SYMBOLS = /[[\]{}()<>\\|@#$%^*=+~`_";]/;
const ONLY_SYMBOLS = /^[[\]{}()<>\\|@#$%^*=+~`_";!?.,:'-]+$/;
const SYMBOL_RUN = /[[\]{}()<>\\|@#$%^*=+~`_";!?.,:'-]{2,}/;
const LETTER = /\p{L}/u;
const CAMEL = /\p{Ll}{2,}\p{Lu}/u;
const BENIGN = [
  /^(?:https?:\/\/|www\.)\S+$/i, // URLs
  /^[\w.+-]+@[\w-]+\.[\w.]+$/, // e-mail addresses
  /^[@#][\w-]+$/, // @mentions, #tags
  /^(?:\.{0,2}\/|~\/)?[\w.-]+(?:\/[\w.-]+)+\/?$/, // paths
  /^[\d.,:%/$€£+-]+$/, // numbers, times, amounts
  /^\*\*[^*]+\*\*[.,;:!?]?$/, // **bold**
  /^`[^`]+`[.,;:!?]?$/, // `code`
  /^(?:\.{2,}|[-–—]+|[!?]+|[.,;:]+)$/, // ellipses, dashes, !!, ?!
];

/** The token without one layer of ordinary punctuation around it. */
function trim(t: string): string {
  return t.replace(/^["'“‘([]/, '').replace(/[.,;:!?"'”’)\]]$/, '');
}

export function isOddToken(raw: string): boolean {
  const t = trim(raw);
  if (BENIGN.some((re) => re.test(raw) || (t !== '' && re.test(t)))) return false;
  if (ONLY_SYMBOLS.test(raw)) return /[[\]{}()<>\\|@#$%^*=+~`_";]/.test(raw);
  if (SYMBOL_RUN.test(t)) return true;
  if (LETTER.test(t) && SYMBOLS.test(t)) return true;
  return CAMEL.test(t) && !/^\p{Lu}/u.test(t);
}

/** Brackets that do not pair up within the window (code and prose close what they open). */
function unbalanced(s: string): number {
  const open = '([{';
  const close = ')]}';
  const stack: string[] = [];
  let bad = 0;
  for (const ch of s) {
    if (open.includes(ch)) stack.push(ch);
    else if (close.includes(ch)) {
      if (stack.pop() !== open[close.indexOf(ch)]) bad++;
    }
  }
  return bad + stack.length;
}

/** How much the text's end looks like an optimised suffix: 0 not, 1 somewhat (odd tokens), 2 clearly. */
export function suffixShape(text: string): 0 | 1 | 2 {
  const tail = text.length > TAIL ? text.slice(-TAIL) : text;
  if (tail.includes('```')) return 0;
  // the suffix sits on the last line; code and structured text span several lines
  const lastLine = tail.slice(tail.lastIndexOf('\n') + 1);
  const tokens = lastLine.split(/\s+/).filter((x) => x !== '');
  if (tokens.length < WINDOW + 4) return 0;
  // prose before the soup: the line's first tokens are plain words
  const lead = tokens.slice(0, 4);
  if (!lead.every((t) => /^\p{L}[\p{L}'-]*[,.:]?$/u.test(t))) return 0;
  const window = tokens.slice(-WINDOW);
  let odd = 0;
  for (const t of window) if (isOddToken(t)) odd++;
  if (odd >= MIN_ODD && (odd >= MANY_ODD || unbalanced(window.join(' ')) >= 2)) return 2;
  return odd >= SOME_ODD ? 1 : 0;
}

/** True when the text clearly ends in a single-line run of token soup after prose. */
export const adversarialSuffix = (text: string): boolean => suffixShape(text) === 2;
