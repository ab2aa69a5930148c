// RE2 calls per KB of output with the full ruleset (prints figures; not a test): a load-independent measure of the
// redaction cost, next to CPU ms per KB measured back to back on the same answers. Every RE2 entry point (exec, test,
// match, replace, RE2.Set match/test) is counted, and each call is charged to the rule whose method made it (or to the
// scanner's own set passes). Answers and guard are bench/guardrails-redaction.ts's.
//   node bench/guardrails-calls.ts [--answers N] [--top K] [--without rule-id,rule-id]
import { parseArgs } from 'node:util';
import RE2 from 're2';
import { answers, KINDS, measure, quantile, REDACTION_GUARD, warmUp } from './guardrails-redaction.ts';
import type { Rule } from '../guardrails/rules.ts';

const { values } = parseArgs({
  options: {
    answers: { type: 'string', default: '40' },
    top: { type: 'string', default: '8' },
    without: { type: 'string', default: '' },
  },
});

let calls = 0;
let current = '(scanner)';
const byRule = new Map<string, number>();
const count = () => {
  calls++;
  byRule.set(current, (byRule.get(current) ?? 0) + 1);
};
type Fn = (...a: unknown[]) => unknown;
function wrapProto(proto: Record<string, unknown>, names: string[]): void {
  for (const n of names) {
    const f = proto[n];
    if (typeof f !== 'function') continue;
    proto[n] = function (this: unknown, ...a: unknown[]) {
      count();
      return (f as Fn).apply(this, a);
    };
  }
}
wrapProto(RE2.prototype as unknown as Record<string, unknown>, ['exec', 'test', 'match', 'replace', 'search']);
wrapProto(RE2.Set.prototype as unknown as Record<string, unknown>, ['match', 'test']);

const guard = REDACTION_GUARD();
const skip = new Set(values.without.split(',').filter((x) => x !== ''));
for (const rule of guard.outputRules as Rule[]) {
  const r = rule as unknown as Record<string, unknown>;
  for (const m of ['find', 'findWindow', 'excludesWindow', 'continueAt', 'accept']) {
    const f = r[m];
    if (typeof f !== 'function') continue;
    r[m] = (...a: unknown[]) => {
      if (skip.has(rule.name) && (m === 'findWindow' || m === 'find')) return null;
      if (skip.has(rule.name) && m === 'excludesWindow') return true;
      const prev = current;
      current = rule.name;
      try {
        return (f as Fn).apply(rule, a);
      } finally {
        current = prev;
      }
    };
  }
}
warmUp(guard);

const n = Number(values.answers);
console.log(
  `RE2 calls per KB and CPU ms per KB, ${guard.outputRules.length} output rules, ${n} answers of 1-8 KB per kind${skip.size > 0 ? `, without ${[...skip].join(', ')}` : ''}`,
);
console.log(
  `${'kind'.padEnd(7)}${'calls/KB whole'.padStart(16)}${'calls/KB 5-char'.padStart(17)}${'CPU ms/KB whole p50/p99'.padStart(26)}${'5-char p50/p99'.padStart(18)}`,
);
const total = new Map<string, number>();
for (const kind of KINDS) {
  const texts = answers(kind, n);
  const kb = texts.reduce((s, t) => s + t.length, 0) / 1024;
  byRule.clear();
  calls = 0;
  for (const t of texts) guard.scanOutput(t);
  const whole = calls / kb;
  calls = 0;
  for (const t of texts) {
    const s = guard.streamOutput();
    for (let i = 0; i < t.length; i += 5) s.push(t.slice(i, i + 5));
    s.end();
  }
  const streamed = calls / kb;
  for (const [k, v] of byRule) total.set(k, (total.get(k) ?? 0) + v / kb);
  const m = measure(guard, texts);
  const f = (xs: number[], q: number) => quantile(xs, q).toFixed(3);
  console.log(
    `${kind.padEnd(7)}${whole.toFixed(1).padStart(16)}${streamed.toFixed(1).padStart(17)}${`${f(m.whole, 0.5)} / ${f(m.whole, 0.99)}`.padStart(26)}${`${f(m.streamed, 0.5)} / ${f(m.streamed, 0.99)}`.padStart(18)}`,
  );
}
console.log(`most RE2 calls per KB (whole + 5-char stream, summed over kinds), top ${values.top}:`);
for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  console.log(`  ${k.padEnd(34)}${v.toFixed(1).padStart(8)}`);
