// Figures on secrets-wild-3.ts per class (generic, prose, webhook, saas) for both halves, whole and streamed in
// 5-character deltas, with every built-in detector on (`secrets` + `pii`). Only the `tune` half's misses can be
// listed; the `held` half is figures only.
//   node guardrails/eval/secrets-eval-3.ts [--misses] [--per N]
import { parseArgs } from 'node:util';
import { redactionRules } from '../guard.ts';
import type { Rule } from '../rules.ts';
import { scanText } from '../scanner.ts';
import { streamed } from './secrets-eval.ts';
import { type Half, wild3 } from './secrets-wild-3.ts';

export interface ClassFigures {
  cls: string;
  samples: number;
  whole: number;
  streamed: number;
}

export interface Report3 {
  half: Half;
  byClass: ClassFigures[];
  positives: ClassFigures;
  lookalikes: { samples: number; touched: number };
  /** Only for `tune`. */
  misses: string[];
  touched: string[];
}

export function evaluate3(rules: readonly Rule[], half: Half, per = 2): Report3 {
  const set = wild3(half, per);
  const by = new Map<string, ClassFigures>();
  const all: ClassFigures = { cls: 'all', samples: 0, whole: 0, streamed: 0 };
  const misses: string[] = [];
  for (const p of set.positives) {
    const f = by.get(p.cls) ?? { cls: p.cls, samples: 0, whole: 0, streamed: 0 };
    by.set(p.cls, f);
    const whole = !scanText(rules, p.text).text.includes(p.secret);
    const str = !streamed(rules, p.text, 5).includes(p.secret);
    for (const x of [f, all]) {
      x.samples++;
      if (whole) x.whole++;
      if (str) x.streamed++;
    }
    if (half === 'tune' && !(whole && str))
      misses.push(`${p.cls}/${p.source}${whole ? ' (streamed only)' : ''}: ${JSON.stringify(p.text)}`);
  }
  const touched: string[] = [];
  for (const l of set.lookalikes) {
    const out = scanText(rules, l.text).text;
    if (out !== l.text) touched.push(half === 'tune' ? `${l.source}: ${JSON.stringify(out)}` : l.source);
  }
  return {
    half,
    byClass: [...by.values()],
    positives: all,
    lookalikes: { samples: set.lookalikes.length, touched: touched.length },
    misses: half === 'tune' ? misses : [],
    touched: half === 'tune' ? touched : [],
  };
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}% (${a}/${b})`;

export function format3(r: Report3): string {
  const lines = [
    `secrets-wild-3 ${r.half}: redacted whole ${pct(r.positives.whole, r.positives.samples)}, streamed ${pct(r.positives.streamed, r.positives.samples)}; look-alikes touched ${pct(r.lookalikes.touched, r.lookalikes.samples)}`,
  ];
  for (const c of r.byClass)
    lines.push(`  ${c.cls.padEnd(8)} whole ${pct(c.whole, c.samples)}  streamed ${pct(c.streamed, c.samples)}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { misses: { type: 'boolean', default: false }, per: { type: 'string', default: '2' } },
  });
  const rules = redactionRules({ detectors: ['secrets', 'pii'], customPatterns: [] });
  for (const half of ['tune', 'held'] as const) {
    const r = evaluate3(rules, half, Number(values.per));
    console.log(format3(r));
    if (values.misses && half === 'tune') {
      for (const m of r.misses) console.log(`  MISS ${m}`);
      for (const t of r.touched) console.log(`  TOUCHED ${t}`);
    }
  }
}
