// A pre-check in plain JS before a rule's head (head.ts) is searched with RE2: a necessary condition of a head match,
// read off the head by hand, so that the common case (a keyword in prose with no assignment after it) costs no RE2
// call. In a stream the head is searched again on every chunk while a keyword occurrence is pending; the gate is
// asked on the window's few dozen characters only.
//
// A gate says: some operator character at p, then, within `gap` characters, a run of `run` value characters. It is
// looser than the head (any characters may fill the gap), never stricter: a closed gate means no head match, so the
// output is the same with or without it (gate.test.ts checks each gate against its head on generated text).

import { WIDE_TERMINATOR } from './terminator.ts';

export interface ValueGate {
  /** Characters an assignment operator can start with. */
  ops: string;
  /** Most characters between the operator's first character and the value (rest of the operator, quotes, spaces). */
  gap: number;
  /** Whether a UTF-16 code unit can be a character of the value (a superset of the head's value class). */
  value: (c: number) => boolean;
  /** Value characters the head requires in a row. */
  run: number;
}

/** Whether [lo, hi) of view holds an operator character followed, within gate.gap, by gate.run value characters. */
export function gateOpen(g: ValueGate, view: string, lo: number, hi: number): boolean {
  const end = Math.min(hi, view.length);
  for (let p = Math.max(0, lo); p + 1 + g.run <= end; p++) {
    if (g.ops.indexOf(view[p] as string) < 0) continue;
    for (let q = p + 1; q <= p + 1 + g.gap && q + g.run <= end; q++) {
      let k = 0;
      while (k < g.run && g.value(view.charCodeAt(q + k))) k++;
      if (k === g.run) return true;
    }
  }
  return false;
}

// [\w.=+/-] and, leniently, anything beyond ASCII (case folding under (?i) can bring in K, ſ)
const valueChar = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  c === 46 ||
  c === 61 ||
  c === 43 ||
  c === 47 ||
  c === 45 ||
  c > 127;

// [A-Za-z0-9!#%&*+,./:;=?@^_|~-] (case-sensitive inside the head)
const symbolValueChar = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  '!#%&*+,./:;=?@^_|~-'.includes(String.fromCharCode(c));

/**
 * Gates by rule id, each with the head it was read from: a rule whose head differs (a new gitleaks release) gets no
 * gate until it is read again.
 */
export const GATES: Readonly<Record<string, { head: string; gate: ValueGate }>> = {
  // keyword [ \t\w.-]{0,20}[\s'"]{0,3} (=|>|:{1,3}=|\|\||:|=>|\?=|,) [\x60'"\s=]{0,5} then 6 of [\w.=-] or
  // [a-z0-9][a-z0-9+/]{5}: the operator starts with one of = > : | ? , and its rest (3 at most) and the quotes (5)
  // come before the value
  'generic-api-key': {
    head: '(?i)(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \\t\\w.-]{0,20})[\\s\'"]{0,3}(?:=|>|:{1,3}=|\\|\\||:|=>|\\?=|,)[\\x60\'"\\s=]{0,5}(?:(?:(?:[\\w.=-]){6}|[a-z0-9](?:[a-z0-9+/]){5}))',
    gate: { ops: '=>:|?,', gap: 8, value: valueChar, run: 6 },
  },
  // keyword ["'\x60]?[ \t]{0,3} (=|:=|=>|:[ \t]) [ \t]{0,3}["'\x60]? then 12 value characters: the operator starts with
  // = or :, its rest (1), the spaces (3) and the quote (1) come before the value
  'secret-assignment-mixed': {
    head: '(?i)(?:secret|token|api[_-]?key|private[_-]?key|access[_-]?key|passphrase|pass)["\'\\x60]?[ \\t]{0,3}(?:=|:=|=>|:[ \\t])[ \\t]{0,3}["\'\\x60]?(?:(?:(?-i:[A-Za-z0-9!#%&*+,./:;=?@^_|~-])){12})',
    gate: { ops: '=:', gap: 5, value: symbolValueChar, run: 12 },
  },
};

/** The gate of a rule whose head is the one the gate was read from, else undefined. */
export function gateFor(id: string, head: string | undefined): ValueGate | undefined {
  const g = Object.hasOwn(GATES, id) ? GATES[id] : undefined;
  return g && g.head === head ? g.gate : undefined;
}

// [A-Za-z0-9_+/=-] and, leniently, anything beyond ASCII (under (?i) the class folds in K and ſ)
const literalChar = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  c === 43 ||
  c === 47 ||
  c === 61 ||
  c === 45 ||
  c > 127;

const CALL_VALUE = String.raw`["'\x60]([A-Za-z0-9_+/=-]{16,128})["'\x60]`;
const CALL_GATE: ValueGate = { ops: '"\'`', gap: 0, value: literalChar, run: 16 };

/**
 * Gates on a rule's whole match (asked before its pattern is searched in a window), by rule id, each with the tail
 * the rule's pattern must end with (a mandatory last item of its top-level concatenation).
 */
export const MATCH_GATES: Readonly<Record<string, { tail: string; gate: ValueGate }>> = {
  // the quoted literal argument (tollgate-rules-calls.ts): a quote, then 16 literal characters
  'credential-call-argument': { tail: CALL_VALUE, gate: CALL_GATE },
  'client-call-argument': { tail: CALL_VALUE, gate: CALL_GATE },
  // the whole pattern (the tail is all of it): the head's operator, then a value of 10 ([\w.=-]{10,150} or
  // [a-z0-9][a-z0-9+/]{11,256}) where the head asks for 6
  'generic-api-key': {
    tail: String.raw`(?i)(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,256}={0,3})${WIDE_TERMINATOR}`,
    gate: { ops: '=>:|?,', gap: 8, value: valueChar, run: 10 },
  },
};

/** The match gate of a rule whose pattern ends with the tail the gate was read from, else undefined. */
export function matchGateFor(id: string, source: string): ValueGate | undefined {
  const g = Object.hasOwn(MATCH_GATES, id) ? MATCH_GATES[id] : undefined;
  return g && source.endsWith(g.tail) ? g.gate : undefined;
}
