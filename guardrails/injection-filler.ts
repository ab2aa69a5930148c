// Filler runs: one short token repeated many times in a row ("ö ö ö ö …", ")]}) )]}) …"), or one symbol repeated
// without spaces, as guard-hijacking prompts use to push the application's instructions out of the model's attention.
// Ordinary text repeats a word a few times ("very very", "na na na"); markdown rules and table borders repeat "-",
// "=", "*", "_", "#", "|", "~" and "." — those are not counted. Plain loops over at most MAX_SCANNED characters.

/** Characters examined. */
export const MAX_SCANNED = 16 * 1024;
/** Identical whitespace-separated tokens in a row that make a filler run. */
export const MIN_TOKEN_RUN = 16;
/** One non-separator, non-alphanumeric character repeated without spaces. */
export const MIN_CHAR_RUN = 40;
/** Longest token counted as filler (a repeated sentence is something else). */
const MAX_TOKEN = 12;
const SEPARATOR = /^[-=*_#|~.+:\s]+$/;
const ALNUM_ASCII = /[A-Za-z0-9]/;

/** Whether `text` contains a filler run. */
export function hasFillerRun(text: string): boolean {
  const t = text.length > MAX_SCANNED ? text.slice(0, MAX_SCANNED) : text;
  let prev = '';
  let run = 0;
  for (const tok of t.split(/\s+/)) {
    if (tok !== '' && tok === prev && tok.length <= MAX_TOKEN && !SEPARATOR.test(tok)) {
      run++;
      if (run >= MIN_TOKEN_RUN) return true;
    } else {
      prev = tok;
      run = 1;
    }
  }
  let ch = '';
  let chars = 0;
  for (const c of t) {
    if (c === ch && !ALNUM_ASCII.test(c) && !SEPARATOR.test(c)) {
      chars++;
      if (chars >= MIN_CHAR_RUN) return true;
    } else {
      ch = c;
      chars = 1;
    }
  }
  return false;
}
