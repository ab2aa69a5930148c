// The injection scorer measured on public labelled data (guardrails/eval/data/, each file with its source and
// licence in data/README.md): detection and false-alarm rates per source, per channel and per language, on a tuning
// split and on held-out data.
//
// Held out, two ways:
//  - by row: the committed corpora are split by FNV-1a of the text (or of the row's group), odd = held out, fixed
//    before any tuning; signals were developed looking only at tuning-split failures;
//  - by source: corpora imported locally into eval/external/ (not redistributed, e.g. JailbreakBench's PAIR, GCG, DSN
//    and random-search prompts) are held out whole — the scorer was never tuned on any of their rows — except the
//    groups named in EXTERNAL_TUNING_GROUPS (one GCG and one PAIR file, one target model each); benign documents
//    (READMEs, EXTERNAL_SPLIT_SOURCES) are split by project like the committed rows.
// Derived rows (injection-derived.ts: the same texts inside JSON tool results, and obfuscated) keep their original's
// side. Texts arrive through the channel they would in production: prompts as `user`, e-mails and retrieved
// documents as `document`, tool results as `tool` (a chat request's tool message; scored with the document threshold).
import { DEFAULT_THRESHOLDS, scoreRequest, scoreText, type Channel } from '../injection.ts';
import { isHeldOutRow, loadExternalCorpora, loadPublicCorpora, type LabelledText } from './corpora.ts';
import { obfuscatedRows, toolRows, TRANSFORMS, type DerivedText } from './injection-derived.ts';
import { guessLanguage, LANGUAGES, type Language } from './language.ts';

export { CORPUS_FILES, fnv1a, isHeldOut, isHeldOutRow, loadPublicCorpora, type LabelledText } from './corpora.ts';

/** The benign persona / system-prompt source (fabric-personas.jsonl). */
export const PERSONA_SOURCE = 'fabric-persona';

/** Where a sample is reported: the scorer's two channels, and tool results (scored as documents). */
export type EvalChannel = Channel | 'tool';

/** How a committed sample reaches the gateway. */
export function channelOf(s: LabelledText): Channel {
  return s.source === 'bipia-email' || s.category === 'doc' || s.category === 'quoted' ? 'document' : 'user';
}

export interface Rates {
  positives: number;
  detected: number;
  negatives: number;
  falseAlarms: number;
  detectionRate: number;
  falseAlarmRate: number;
}

export interface SourceFigures {
  source: string;
  channel: EvalChannel;
  /** Held out whole (an external corpus): every row is in `heldOut`. */
  heldOutSource: boolean;
  tuning: Rates;
  heldOut: Rates;
}

export interface Scored {
  s: LabelledText;
  score: number;
  channel: EvalChannel;
  heldOut: boolean;
  /** public: committed rows; derived: tool-result and obfuscated variants; external: held-out sources. */
  corpus: 'public' | 'derived' | 'external';
  language: Language;
}

export interface OperatingPoint {
  channel: Channel;
  threshold: number;
  tuning: Rates;
  heldOut: Rates;
}

export interface PublicInjectionReport {
  thresholds: Record<Channel, number>;
  sources: SourceFigures[];
  /** Committed rows, all but the benign personas (reported on their own, so the figures stay comparable). */
  tuning: Rates;
  heldOut: Rates;
  /** Every held-out row but personas: committed, derived and external. */
  heldOutAll: Rates;
  /** External sources only (held out by source; empty when none was imported). */
  heldOutSources: Rates;
  /** Held out, per channel (all corpora, personas included: they are benign traffic too). */
  channels: { channel: EvalChannel; heldOut: Rates; tuning: Rates }[];
  /** Held out, per language (committed and external user-channel rows). */
  languages: { language: Language; heldOut: Rates; tuning: Rates }[];
  /** Benign persona / system-prompt instructions (fabric-personas.jsonl): false alarms only. */
  personas: { tuning: Rates; heldOut: Rates };
  /** Per channel: the lowest threshold with ≤ MAX_TUNING_FA false alarms on the tuning split, held-out rates there. */
  operatingPoints: OperatingPoint[];
  /** Per obfuscation: of the held-out injections caught as written, the share still caught once obfuscated. */
  obfuscation: { transform: string; caughtPlain: number; caughtObfuscated: number }[];
}

/** How much of what the scorer catches survives each obfuscation (held-out short user-channel injections). */
export function obfuscationRecovery(
  samples: readonly LabelledText[],
  threshold: number,
): PublicInjectionReport['obfuscation'] {
  const plain = samples.filter(
    (s) =>
      s.label === 1 &&
      isHeldOutRow(s) &&
      channelOf(s) === 'user' &&
      s.text.length <= 600 &&
      scoreText(s.text).score >= threshold,
  );
  return Object.entries(TRANSFORMS).map(([transform, f]) => ({
    transform,
    caughtPlain: plain.length,
    caughtObfuscated: plain.filter((s) => scoreText(f(s.text)).score >= threshold).length,
  }));
}

/** False-alarm budget on the tuning split when choosing an operating point. */
export const MAX_TUNING_FA = 0.03;

export function rates(xs: readonly Scored[], threshold: (c: EvalChannel) => number): Rates {
  let positives = 0,
    detected = 0,
    negatives = 0,
    falseAlarms = 0;
  for (const x of xs) {
    const hit = x.score >= threshold(x.channel);
    if (x.s.label === 1) {
      positives++;
      if (hit) detected++;
    } else {
      negatives++;
      if (hit) falseAlarms++;
    }
  }
  return {
    positives,
    detected,
    negatives,
    falseAlarms,
    detectionRate: positives ? detected / positives : 1,
    falseAlarmRate: negatives ? falseAlarms / negatives : 0,
  };
}

const TOOL_TURN = 'What came in since yesterday? Summarise it for me.';

/** The score of a tool result: a chat request whose tool message carries it, scored as the gateway would. */
export function scoreToolResult(json: string): number {
  const body = {
    messages: [
      { role: 'user', content: TOOL_TURN },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function' }] },
      { role: 'tool', tool_call_id: 'call_1', content: json },
    ],
  };
  return scoreRequest(body).score;
}

/**
 * External groups on the tuning side, one target model per attack method: the adversarial-suffix shape
 * (injection-shape.ts) was calibrated on GCG's suffixes optimised on Vicuna (the transfer file holds them), the
 * persuasion signals on PAIR's prompts against Vicuna. GCG and PAIR against the other models, DSN and random search
 * stay held out whole.
 */
export const EXTERNAL_TUNING_GROUPS: ReadonlySet<string> = new Set([
  'GCG/transfer/gpt-3.5-turbo-1106',
  'PAIR/black_box/vicuna-13b-v1.5',
]);

/** External sources split by row (their group, e.g. the project of a README) instead of held out whole. */
export const EXTERNAL_SPLIT_SOURCES: ReadonlySet<string> = new Set(['readme']);

function externalHeldOut(s: LabelledText): boolean {
  return EXTERNAL_SPLIT_SOURCES.has(s.source) ? isHeldOutRow(s) : !EXTERNAL_TUNING_GROUPS.has(s.group ?? '');
}

function scoreOne(s: LabelledText | DerivedText, corpus: Scored['corpus']): Scored {
  const d = s as DerivedText;
  const heldOut = corpus === 'external' ? externalHeldOut(s) : corpus === 'derived' ? d.heldOut : isHeldOutRow(s);
  const declared = LANGUAGES.find((l) => l === s.lang);
  const language = corpus === 'derived' ? 'other' : (declared ?? guessLanguage(s.text));
  if (d.channel === 'tool') return { s, corpus, heldOut, language, channel: 'tool', score: scoreToolResult(s.text) };
  const channel = channelOf(s);
  return { s, corpus, heldOut, language, channel, score: scoreText(s.text, channel).score };
}

/** Every labelled row scored: committed, derived (tool results, obfuscated) and external. */
export function scorePublic(
  samples: readonly LabelledText[] = loadPublicCorpora(),
  external: readonly LabelledText[] = loadExternalCorpora(),
): Scored[] {
  return [
    ...samples.map((s) => scoreOne(s, 'public')),
    ...[...toolRows(samples), ...toolRows(external), ...obfuscatedRows(samples)].map((s) => scoreOne(s, 'derived')),
    ...external.map((s) => scoreOne(s, 'external')),
  ];
}

function groupBy<K>(xs: readonly Scored[], key: (x: Scored) => K): Map<K, Scored[]> {
  const m = new Map<K, Scored[]>();
  for (const x of xs) {
    const l = m.get(key(x));
    if (l) l.push(x);
    else m.set(key(x), [x]);
  }
  return m;
}

/** The lowest threshold whose tuning-split false-alarm rate is within budget (1 when none is). */
export function operatingPoint(tune: readonly Scored[], maxFa = MAX_TUNING_FA): number {
  for (const t of [...new Set(tune.map((x) => x.score))].filter((t) => t > 0).sort((a, b) => a - b))
    if (rates(tune, () => t).falseAlarmRate <= maxFa) return t;
  return 1;
}

export function evaluatePublicInjection(
  thresholds: Record<Channel, number> = DEFAULT_THRESHOLDS,
  scored: readonly Scored[] = scorePublic(),
  samples: readonly LabelledText[] = loadPublicCorpora(),
): PublicInjectionReport {
  const th = (c: EvalChannel) => thresholds[c === 'tool' ? 'document' : c];
  const split = (xs: readonly Scored[]) => ({
    tuning: rates(
      xs.filter((x) => !x.heldOut),
      th,
    ),
    heldOut: rates(
      xs.filter((x) => x.heldOut),
      th,
    ),
  });
  const sources = [...groupBy(scored, (x) => `${x.s.source}\u0000${x.channel}`).entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, xs]): SourceFigures => {
      const [source, channel] = k.split('\u0000') as [string, EvalChannel];
      return { source, channel, heldOutSource: xs.every((x) => x.corpus === 'external' && x.heldOut), ...split(xs) };
    });
  const notPersona = (x: Scored) => x.s.source !== PERSONA_SOURCE && x.s.category !== PERSONA_SOURCE;
  const pub = scored.filter((x) => x.corpus === 'public');
  const main = pub.filter(notPersona);
  const personas = pub.filter((x) => !notPersona(x));
  const channels = (['user', 'document', 'tool'] as const).map((channel) => ({
    channel,
    ...split(scored.filter((x) => x.channel === channel)),
  }));
  const languages = LANGUAGES.map((language) => ({
    language,
    ...split(scored.filter((x) => x.corpus !== 'derived' && x.channel === 'user' && x.language === language)),
  }));
  const operatingPoints = (['user', 'document'] as const).map((channel): OperatingPoint => {
    const xs = scored.filter((x) => (x.channel === 'tool' ? 'document' : x.channel) === channel);
    const threshold = operatingPoint(xs.filter((x) => !x.heldOut));
    return {
      channel,
      threshold,
      tuning: rates(
        xs.filter((x) => !x.heldOut),
        () => threshold,
      ),
      heldOut: rates(
        xs.filter((x) => x.heldOut),
        () => threshold,
      ),
    };
  });
  const { tuning, heldOut } = split(main);
  return {
    thresholds,
    sources,
    tuning,
    heldOut,
    heldOutAll: split(scored.filter(notPersona)).heldOut,
    heldOutSources: split(scored.filter((x) => x.corpus === 'external' && !EXTERNAL_SPLIT_SOURCES.has(x.s.source)))
      .heldOut,
    channels,
    languages,
    personas: split(personas),
    operatingPoints,
    obfuscation: obfuscationRecovery(samples, thresholds.user),
  };
}

/** Tuning-split samples on the wrong side of the threshold (held-out failures are never listed). */
export function tuningFailures(
  thresholds: Record<Channel, number> = DEFAULT_THRESHOLDS,
  scored: readonly Scored[] = scorePublic(),
) {
  const t = scored.filter((x) => !x.heldOut);
  const th = (c: EvalChannel) => thresholds[c === 'tool' ? 'document' : c];
  return {
    misses: t.filter((x) => x.s.label === 1 && x.score < th(x.channel)),
    falseAlarms: t.filter((x) => x.s.label === 0 && x.score >= th(x.channel)),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const cell = (r: Rates) =>
  (r.positives ? `${pct(r.detectionRate).padStart(6)} (${r.detected}/${r.positives})` : '     -').padEnd(18) +
  (r.negatives ? `${pct(r.falseAlarmRate).padStart(6)} (${r.falseAlarms}/${r.negatives})` : '     -').padEnd(16);
const HEAD = `${'tuning: caught'.padEnd(18)}${'false alarms'.padEnd(16)}${'held-out: caught'.padEnd(18)}false alarms`;

export function formatPublicInjection(r: PublicInjectionReport): string {
  const lines = [
    `Prompt injection on public data (thresholds: user ${r.thresholds.user}, document/tool ${r.thresholds.document}; split fixed before tuning; * = source held out whole)`,
    `${'source'.padEnd(26)}${'channel'.padEnd(10)}${HEAD}`,
  ];
  for (const s of r.sources)
    lines.push(
      `${(s.source + (s.heldOutSource ? ' *' : '')).padEnd(26)}${s.channel.padEnd(10)}${cell(s.tuning)}${cell(s.heldOut)}`,
    );
  lines.push(`${'committed, all but personas'.padEnd(36)}${cell(r.tuning)}${cell(r.heldOut)}`);
  lines.push(`${'benign personas'.padEnd(36)}${cell(r.personas.tuning)}${cell(r.personas.heldOut)}`);
  lines.push(`${'every held-out row but personas'.padEnd(36)}${''.padEnd(34)}${cell(r.heldOutAll)}`);
  if (r.heldOutSources.positives + r.heldOutSources.negatives > 0)
    lines.push(`${'sources held out whole'.padEnd(36)}${''.padEnd(34)}${cell(r.heldOutSources)}`);
  lines.push('', `${'per channel'.padEnd(36)}${HEAD}`);
  for (const c of r.channels) lines.push(`${c.channel.padEnd(36)}${cell(c.tuning)}${cell(c.heldOut)}`);
  lines.push('', `${'per language (user channel)'.padEnd(36)}${HEAD}`);
  for (const l of r.languages) lines.push(`${l.language.padEnd(36)}${cell(l.tuning)}${cell(l.heldOut)}`);
  lines.push(
    `  obfuscated (held-out injections caught as written, still caught once obfuscated): ${r.obfuscation
      .map((o) => `${o.transform} ${o.caughtObfuscated}/${o.caughtPlain}`)
      .join(', ')}`,
  );
  for (const o of r.operatingPoints)
    lines.push(
      `  ${o.channel}: lowest threshold with ≤ ${pct(MAX_TUNING_FA)} false alarms on the tuning split = ${o.threshold}; held-out there: caught ${pct(o.heldOut.detectionRate)}, false alarms ${pct(o.heldOut.falseAlarmRate)}`,
    );
  return lines.join('\n');
}
