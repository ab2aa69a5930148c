// Figures on secrets-wild-3.ts per class (generic, prose, webhook, saas) for both halves, whole and streamed in
// 5-character deltas, with every built-in detector on (`secrets` + `pii`). Only the `tune` half's misses can be
// listed; the `held` half is figures only.
//   node guardrails/eval/secrets-eval-3.ts [--misses] [--per N]
import type { Rule } from '../rules.ts';
import { scanText } from '../scanner.ts';
import { rate, runHalves, streamed } from './secrets-eval.ts';
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

export function format3(r: Report3): string {
  const lines = [
    `secrets-wild-3 ${r.half}: redacted whole ${rate(r.positives.whole, r.positives.samples)}, streamed ${rate(r.positives.streamed, r.positives.samples)}; look-alikes touched ${rate(r.lookalikes.touched, r.lookalikes.samples)}`,
  ];
  for (const c of r.byClass)
    lines.push(`  ${c.cls.padEnd(8)} whole ${rate(c.whole, c.samples)}  streamed ${rate(c.streamed, c.samples)}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) runHalves(evaluate3, format3, 2);
