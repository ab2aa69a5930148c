// Secret-redaction figures on the independent corpus (secrets-corpus.ts) and on presidio's PII texts: per provider
// format, the share of credentials gone from the output (whole text, and streamed in 5-character deltas); per
// look-alike kind, the share of texts changed at all; on PII texts, how many secret-rule findings fire (false alarms
// of the secret rules: the PII detectors are expected to act there). Split `dev` is for development, `holdout` is
// the estimate; both are printed by `tollgate guard eval`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { redactionRules } from '../guard.ts';
import type { Rule } from '../rules.ts';
import { scanText, StreamScanner } from '../scanner.ts';
import { secretCorpus, type Split } from './secrets-corpus.ts';
import { wildCorpus } from './secrets-wild.ts';

/** `formats`: secrets-corpus.ts (documented formats, many carriers); `wild`: secrets-wild.ts (the red team's classes). */
export type SecretSet = 'formats' | 'wild';

export interface SourceFigures {
  source: string;
  samples: number;
  redacted: number;
  streamed: number;
}

export interface LookalikeFigures {
  source: string;
  samples: number;
  touched: number;
}

export interface SecretEvalReport {
  split: Split;
  set: SecretSet;
  positives: {
    samples: number;
    redacted: number;
    streamed: number;
    rate: number;
    streamedRate: number;
    bySource: SourceFigures[];
  };
  lookalikes: { samples: number; touched: number; rate: number; bySource: LookalikeFigures[] };
  pii: { texts: number; secretFindings: number; textsWithSecretFindings: number; rate: number };
}

/** The scanner under test (another version's can be passed in to compare). */
export interface Engine {
  scanText: typeof scanText;
  StreamScanner: typeof StreamScanner;
}

const CURRENT: Engine = { scanText, StreamScanner };

/** Streams `text` through the rules in deltas of `size` characters. */
export function streamed(rules: readonly Rule[], text: string, size = 5, engine: Engine = CURRENT): string {
  const s = new engine.StreamScanner(rules);
  let out = '';
  for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size)).text;
  return out + s.end().text;
}

interface PresidioSample {
  full_text: string;
  spans: { start_position: number; end_position: number }[];
}

/** presidio-research's generated_small.json (MIT; eval/data/LICENSE.presidio-research): texts and labelled PII spans. */
export function presidioTexts(): { text: string; spans: [number, number][] }[] {
  const raw = JSON.parse(
    readFileSync(new URL('./data/presidio_generated_small.json', import.meta.url), 'utf8'),
  ) as PresidioSample[];
  return raw.map((r) => ({
    text: r.full_text,
    spans: r.spans.map((s) => [s.start_position, s.end_position] as [number, number]),
  }));
}

export function evaluateSecrets(
  rules: readonly Rule[],
  split: Split,
  per = 2,
  engine: Engine = CURRENT,
  set: SecretSet = 'formats',
): SecretEvalReport {
  const { scanText } = engine;
  const corpus = set === 'wild' ? wildCorpus(split, per) : secretCorpus(split, per);
  const bySource = new Map<string, SourceFigures>();
  let redacted = 0;
  let streamedOk = 0;
  for (const p of corpus.positives) {
    const f = bySource.get(p.source) ?? { source: p.source, samples: 0, redacted: 0, streamed: 0 };
    bySource.set(p.source, f);
    f.samples++;
    if (!scanText(rules, p.text).text.includes(p.secret)) {
      f.redacted++;
      redacted++;
    }
    if (!streamed(rules, p.text, 5, engine).includes(p.secret)) {
      f.streamed++;
      streamedOk++;
    }
  }
  const lookBy = new Map<string, LookalikeFigures>();
  let touched = 0;
  for (const l of corpus.lookalikes) {
    const f = lookBy.get(l.source) ?? { source: l.source, samples: 0, touched: 0 };
    lookBy.set(l.source, f);
    f.samples++;
    if (scanText(rules, l.text).text !== l.text) {
      f.touched++;
      touched++;
    }
  }
  const texts = presidioTexts();
  let secretFindings = 0;
  let withSecret = 0;
  for (const t of texts) {
    // a secret-rule finding outside every labelled PII span (a card number found by credit-card is not a false alarm)
    const n = scanText(rules, t.text).findings.filter(
      (f) => f.kind === 'secret' && !t.spans.some(([a, b]) => f.start < b && f.end > a),
    ).length;
    secretFindings += n;
    if (n > 0) withSecret++;
  }
  const n = corpus.positives.length;
  return {
    split,
    set,
    positives: {
      samples: n,
      redacted,
      streamed: streamedOk,
      rate: redacted / n,
      streamedRate: streamedOk / n,
      bySource: [...bySource.values()],
    },
    lookalikes: {
      samples: corpus.lookalikes.length,
      touched,
      rate: touched / corpus.lookalikes.length,
      bySource: [...lookBy.values()],
    },
    pii: { texts: texts.length, secretFindings, textsWithSecretFindings: withSecret, rate: withSecret / texts.length },
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatSecretReport(r: SecretEvalReport, details = r.split === 'dev'): string {
  const lines = [
    `secrets, independent corpus ${r.set === 'wild' ? 'secrets-wild.ts' : 'secrets-corpus.ts'}, split ${r.split}: ${r.positives.samples} credentials over ${r.positives.bySource.length} provider formats, ${r.lookalikes.samples} look-alikes`,
    `  credentials redacted: whole ${pct(r.positives.rate)} (${r.positives.redacted}/${r.positives.samples}), streamed in 5-char deltas ${pct(r.positives.streamedRate)} (${r.positives.streamed}/${r.positives.samples})`,
    `  look-alikes changed: ${pct(r.lookalikes.rate)} (${r.lookalikes.touched}/${r.lookalikes.samples})`,
    `  presidio PII texts with a secret-rule finding outside the labelled PII: ${pct(r.pii.rate)} (${r.pii.textsWithSecretFindings}/${r.pii.texts}, ${r.pii.secretFindings} findings)`,
  ];
  if (details) {
    lines.push('  per provider format (redacted whole / streamed / samples):');
    for (const s of r.positives.bySource)
      lines.push(
        `    ${s.source.padEnd(34)} ${String(s.redacted).padStart(3)} / ${String(s.streamed).padStart(3)} / ${s.samples}`,
      );
    lines.push('  per look-alike kind (changed / samples):');
    for (const s of r.lookalikes.bySource)
      lines.push(`    ${s.source.padEnd(34)} ${String(s.touched).padStart(3)} / ${s.samples}`);
  } else {
    const missed = r.positives.bySource
      .filter((s) => s.redacted < s.samples)
      .map((s) => `${s.source} ${s.redacted}/${s.samples}`);
    const touchedKinds = r.lookalikes.bySource
      .filter((s) => s.touched > 0)
      .map((s) => `${s.source} ${s.touched}/${s.samples}`);
    lines.push(`  formats not fully redacted: ${missed.join(', ') || 'none'}`);
    lines.push(`  look-alike kinds changed: ${touchedKinds.join(', ') || 'none'}`);
  }
  return lines.join('\n');
}

/** "12.5% (1/8)": a rate with its counts, as the split evaluations print it. */
export const rate = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}% (${a}/${b})`;

/**
 * The command line of a split evaluation (secrets-eval-3.ts, secrets-eval-calls.ts): both halves with every
 * built-in detector on; `--misses` lists the tune half's misses and touched look-alikes (never the held half's).
 */
export function runHalves<R extends { misses: readonly string[]; touched: readonly string[] }>(
  evaluate: (rules: readonly Rule[], half: 'tune' | 'held', per: number) => R,
  format: (r: R) => string,
  perDefault: number,
): void {
  const { values } = parseArgs({
    options: { misses: { type: 'boolean', default: false }, per: { type: 'string', default: String(perDefault) } },
  });
  const rules = redactionRules({ detectors: ['secrets', 'pii'], customPatterns: [] });
  for (const half of ['tune', 'held'] as const) {
    const r = evaluate(rules, half, Number(values.per));
    console.log(format(r));
    if (values.misses && half === 'tune') {
      for (const m of r.misses) console.log(`  MISS ${m}`);
      for (const t of r.touched) console.log(`  TOUCHED ${t}`);
    }
  }
}
