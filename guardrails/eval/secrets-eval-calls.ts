// Figures on secrets-calls.ts (credentials passed as call arguments) per language for both halves, whole and streamed
// in 5-character deltas, with every built-in detector on (`secrets` + `pii`). Only the `tune` half's misses and
// touched look-alikes can be listed; the `held` half is figures only.
//   node guardrails/eval/secrets-eval-calls.ts [--misses] [--per N]
import type { Rule } from '../rules.ts';
import { scanText } from '../scanner.ts';
import { callLookalikes, callPositives, type Half, LANGS } from './secrets-calls.ts';
import { rate, runHalves, streamed } from './secrets-eval.ts';

export interface LangFigures {
  lang: string;
  samples: number;
  whole: number;
  streamed: number;
}

export interface CallsReport {
  half: Half;
  byLang: LangFigures[];
  all: LangFigures;
  lookalikes: { samples: number; touched: number };
  /** Only for `tune`. */
  misses: string[];
  touched: string[];
}

export function evaluateCalls(rules: readonly Rule[], half: Half, per = 1): CallsReport {
  const by = new Map<string, LangFigures>(LANGS.map((l) => [l, { lang: l, samples: 0, whole: 0, streamed: 0 }]));
  const all: LangFigures = { lang: 'all', samples: 0, whole: 0, streamed: 0 };
  const misses: string[] = [];
  for (const p of callPositives(half, per)) {
    const f = by.get(p.lang) as LangFigures;
    const whole = !scanText(rules, p.text).text.includes(p.secret);
    const str = !streamed(rules, p.text, 5).includes(p.secret);
    for (const x of [f, all]) {
      x.samples++;
      if (whole) x.whole++;
      if (str) x.streamed++;
    }
    if (half === 'tune' && !(whole && str))
      misses.push(`${p.lang}/${p.source}${whole ? ' (streamed only)' : ''}: ${JSON.stringify(p.text)}`);
  }
  const touched: string[] = [];
  const looks = callLookalikes(half);
  for (const l of looks) {
    const out = scanText(rules, l.text).text;
    if (out !== l.text) touched.push(half === 'tune' ? `${l.source}: ${JSON.stringify(out)}` : l.source);
  }
  return {
    half,
    byLang: [...by.values()],
    all,
    lookalikes: { samples: looks.length, touched: touched.length },
    misses: half === 'tune' ? misses : [],
    touched: half === 'tune' ? touched : [],
  };
}

export function formatCalls(r: CallsReport): string {
  const lines = [
    `secrets-calls ${r.half}: redacted whole ${rate(r.all.whole, r.all.samples)}, streamed ${rate(r.all.streamed, r.all.samples)}; look-alikes touched ${rate(r.lookalikes.touched, r.lookalikes.samples)}`,
  ];
  for (const c of r.byLang)
    lines.push(`  ${c.lang.padEnd(7)} whole ${rate(c.whole, c.samples)}  streamed ${rate(c.streamed, c.samples)}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) runHalves(evaluateCalls, formatCalls, 1);
