// Realistic look-alikes through the whole output pipeline (every built-in detector, exfiltration neutralised: what
// `tollgate guard` runs with no policy), and PII recall on presidio's labelled texts — the two sides of the
// trade-off issue 11 asks about. `node guardrails/eval/lookalikes-eval.ts [--items]` prints the figures;
// `--items` also lists the TUNING half's changed items (the held-out half is only ever counted).
import { readFileSync } from 'node:fs';
import { compileGuard, STRICT_GUARDRAILS, type Guard } from '../guard.ts';
import type { Finding } from '../scanner.ts';
import { LOOKALIKES_HOLDOUT } from './lookalikes-holdout.ts';
import { LOOKALIKES_ROUND2 } from './lookalikes-round2.ts';
import { LOOKALIKES_TUNE } from './lookalikes-tune.ts';

export interface LookalikeItem {
  source: 'chat-link' | 'readme' | 'email' | 'ip' | 'code' | 'config' | 'log' | 'hash' | 'docs';
  text: string;
}

export interface LookalikeFigures {
  items: number;
  touched: number;
  /** Items whose streamed output (5-character deltas) differs from the whole-text output. */
  streamDiffers: number;
  bySource: Record<string, { items: number; touched: number }>;
  /** Items touched per detector (an item touched by two detectors counts for both). */
  byDetector: Record<string, number>;
}

function streamed(guard: Guard, text: string, n: number): string {
  const s = guard.streamOutput();
  let out = '';
  for (let i = 0; i < text.length; i += n) out += s.push(text.slice(i, i + n)).text;
  return out + s.end().text;
}

export function measureLookalikes(
  items: readonly LookalikeItem[],
  onTouched?: (item: LookalikeItem, out: string, findings: readonly Finding[]) => void,
): LookalikeFigures {
  const guard = compileGuard(STRICT_GUARDRAILS);
  const f: LookalikeFigures = { items: 0, touched: 0, streamDiffers: 0, bySource: {}, byDetector: {} };
  for (const item of items) {
    const res = guard.scanOutput(item.text);
    const src = (f.bySource[item.source] ??= { items: 0, touched: 0 });
    f.items++;
    src.items++;
    if (streamed(guard, item.text, 5) !== res.text) f.streamDiffers++;
    if (res.text === item.text && res.findings.length === 0) continue;
    f.touched++;
    src.touched++;
    for (const d of new Set(res.findings.map((x) => x.detector))) f.byDetector[d] = (f.byDetector[d] ?? 0) + 1;
    onTouched?.(item, res.text, res.findings);
  }
  return f;
}

export const lookalikeSets = { tune: LOOKALIKES_TUNE, holdout: LOOKALIKES_HOLDOUT, round2: LOOKALIKES_ROUND2 } as const;

const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}% (${a}/${b})`;

export function formatFigures(name: string, f: LookalikeFigures): string {
  const src = Object.entries(f.bySource)
    .map(([k, v]) => `${k} ${v.touched}/${v.items}`)
    .join(', ');
  const det = Object.entries(f.byDetector)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${name}: touched ${pct(f.touched, f.items)}; streamed != whole: ${f.streamDiffers}\n  by source: ${src}\n  by detector: ${det || 'none'}`;
}

/** Entity types of presidio's labels that a built-in detector is meant to find (the others are names, addresses…). */
export const PII_TYPES = ['EMAIL_ADDRESS', 'IP_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'US_SSN', 'IBAN_CODE'] as const;

interface PresidioSample {
  full_text: string;
  spans: { entity_type: string; entity_value: string; start_position: number; end_position: number }[];
}

/**
 * Recall on presidio-research's generated_small.json (MIT, eval/data/LICENSE.presidio-research): per entity type, the
 * labelled spans overlapped by a redaction finding (PII or secret) of the strict guard.
 */
export function piiRecall(): Record<string, { spans: number; caught: number }> {
  const raw = JSON.parse(
    readFileSync(new URL('./data/presidio_generated_small.json', import.meta.url), 'utf8'),
  ) as PresidioSample[];
  const guard = compileGuard(STRICT_GUARDRAILS);
  const out: Record<string, { spans: number; caught: number }> = {};
  for (const r of raw) {
    const found = guard.scanOutput(r.full_text).findings.filter((f) => f.kind === 'pii' || f.kind === 'secret');
    for (const s of r.spans) {
      const t = (out[s.entity_type] ??= { spans: 0, caught: 0 });
      t.spans++;
      if (found.some((f) => f.start < s.end_position && f.end > s.start_position)) t.caught++;
    }
  }
  return out;
}

export function formatPiiRecall(r: Record<string, { spans: number; caught: number }>): string {
  const covered = PII_TYPES.filter((t) => Object.hasOwn(r, t));
  const sum = covered.reduce(
    (a, t) => ({ spans: a.spans + (r[t]?.spans ?? 0), caught: a.caught + (r[t]?.caught ?? 0) }),
    {
      spans: 0,
      caught: 0,
    },
  );
  const per = covered.map((t) => `${t} ${r[t]?.caught}/${r[t]?.spans}`).join(', ');
  return `presidio PII recall (types a detector covers): ${pct(sum.caught, sum.spans)}; ${per}`;
}

if (import.meta.main) {
  const items = process.argv.includes('--items');
  const tune = measureLookalikes(lookalikeSets.tune, (item, out, findings) => {
    if (!items) return;
    console.log(`--- [${item.source}] ${[...new Set(findings.map((x) => x.detector))].join(',')}`);
    console.log(`in:  ${JSON.stringify(item.text)}\nout: ${JSON.stringify(out)}`);
  });
  console.log(formatFigures('tuning half', tune));
  console.log(formatFigures('held-out half', measureLookalikes(lookalikeSets.holdout)));
  const round2 = measureLookalikes(lookalikeSets.round2, (item, out, findings) => {
    if (!items) return;
    console.log(`--- [round 2: ${item.source}] ${[...new Set(findings.map((x) => x.detector))].join(',')}`);
    console.log(`in:  ${JSON.stringify(item.text)}\nout: ${JSON.stringify(out)}`);
  });
  console.log(formatFigures('round-2 classes (tuned on)', round2));
  console.log(formatPiiRecall(piiRecall()));
}
