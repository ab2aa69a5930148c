// The injection scorer measured on public labelled data (guardrails/eval/data/, each file with its source and
// licence in data/README.md): detection and false-alarm rates per source, on a tuning split and on a held-out split.
//
// The split was fixed before any tuning and is a property of the text alone: FNV-1a of the text, odd = held out
// (about half of every source). Signals were developed looking only at tuning-split failures; the held-out figures
// are the estimate for unseen data of the same kinds. Texts arrive through the channel they would in production:
// user prompts as `user`, e-mails and retrieved documents as `document` (scored with the document threshold).
import { DEFAULT_THRESHOLDS, scoreText, type Channel } from '../injection.ts';
import { isHeldOutRow, loadPublicCorpora, type LabelledText } from './corpora.ts';

export { CORPUS_FILES, fnv1a, isHeldOut, isHeldOutRow, loadPublicCorpora, type LabelledText } from './corpora.ts';

/** The benign persona / system-prompt source (fabric-personas.jsonl). */
export const PERSONA_SOURCE = 'fabric-persona';

/** How a sample reaches the gateway. */
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
  channel: Channel;
  tuning: Rates;
  heldOut: Rates;
}

export interface PublicInjectionReport {
  thresholds: Record<Channel, number>;
  sources: SourceFigures[];
  /** All sources but the benign personas (reported on their own below, so the figures stay comparable). */
  tuning: Rates;
  heldOut: Rates;
  /** Benign persona / system-prompt instructions (fabric-personas.jsonl): false alarms only. */
  personas: { tuning: Rates; heldOut: Rates };
  /** Per channel: the lowest threshold with ≤ 5% false alarms on the tuning split, and the held-out rates there. */
  operatingPoints: { channel: Channel; threshold: number; tuning: Rates; heldOut: Rates }[];
}

interface Scored {
  s: LabelledText;
  score: number;
  channel: Channel;
  heldOut: boolean;
}

function rates(xs: readonly Scored[], threshold: (c: Channel) => number): Rates {
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

export function scorePublic(samples: readonly LabelledText[] = loadPublicCorpora()): Scored[] {
  return samples.map((s) => {
    const channel = channelOf(s);
    return { s, channel, heldOut: isHeldOutRow(s), score: scoreText(s.text, channel).score };
  });
}

export function evaluatePublicInjection(
  thresholds: Record<Channel, number> = DEFAULT_THRESHOLDS,
  scored: readonly Scored[] = scorePublic(),
): PublicInjectionReport {
  const th = (c: Channel) => thresholds[c];
  const bySource = new Map<string, Scored[]>();
  for (const x of scored) {
    const k = `${x.s.source}\u0000${x.channel}`;
    const l = bySource.get(k);
    if (l) l.push(x);
    else bySource.set(k, [x]);
  }
  const sources = [...bySource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, xs]): SourceFigures => {
      const [source, channel] = k.split('\u0000') as [string, Channel];
      return {
        source,
        channel,
        tuning: rates(
          xs.filter((x) => !x.heldOut),
          th,
        ),
        heldOut: rates(
          xs.filter((x) => x.heldOut),
          th,
        ),
      };
    });
  const main = scored.filter((x) => x.s.source !== PERSONA_SOURCE);
  const personas = scored.filter((x) => x.s.source === PERSONA_SOURCE);
  const operatingPoints = (['user', 'document'] as const).map((channel) => {
    const xs = main.filter((x) => x.channel === channel);
    const tune = xs.filter((x) => !x.heldOut);
    let threshold = 1;
    for (const t of [...new Set(tune.map((x) => x.score))].filter((t) => t > 0).sort((a, b) => a - b)) {
      if (rates(tune, () => t).falseAlarmRate <= 0.05) {
        threshold = t;
        break;
      }
    }
    return {
      channel,
      threshold,
      tuning: rates(tune, () => threshold),
      heldOut: rates(
        xs.filter((x) => x.heldOut),
        () => threshold,
      ),
    };
  });
  return {
    thresholds,
    sources,
    tuning: rates(
      main.filter((x) => !x.heldOut),
      th,
    ),
    heldOut: rates(
      main.filter((x) => x.heldOut),
      th,
    ),
    personas: {
      tuning: rates(
        personas.filter((x) => !x.heldOut),
        th,
      ),
      heldOut: rates(
        personas.filter((x) => x.heldOut),
        th,
      ),
    },
    operatingPoints,
  };
}

/** Tuning-split samples on the wrong side of the threshold (held-out failures are never listed). */
export function tuningFailures(
  thresholds: Record<Channel, number> = DEFAULT_THRESHOLDS,
  scored: readonly Scored[] = scorePublic(),
) {
  const t = scored.filter((x) => !x.heldOut);
  return {
    misses: t.filter((x) => x.s.label === 1 && x.score < thresholds[x.channel]),
    falseAlarms: t.filter((x) => x.s.label === 0 && x.score >= thresholds[x.channel]),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const cell = (r: Rates) =>
  `${pct(r.detectionRate).padStart(6)} (${r.detected}/${r.positives})`.padEnd(18) +
  `${pct(r.falseAlarmRate).padStart(6)} (${r.falseAlarms}/${r.negatives})`.padEnd(16);

export function formatPublicInjection(r: PublicInjectionReport): string {
  const lines = [
    `Prompt injection on public data (thresholds: user ${r.thresholds.user}, document ${r.thresholds.document}; split fixed before tuning)`,
    `${'source'.padEnd(18)}${'channel'.padEnd(10)}${'tuning: caught'.padEnd(18)}${'false alarms'.padEnd(16)}${'held-out: caught'.padEnd(18)}false alarms`,
  ];
  for (const s of r.sources)
    lines.push(`${s.source.padEnd(18)}${s.channel.padEnd(10)}${cell(s.tuning)}${cell(s.heldOut)}`);
  lines.push(`${'all but personas'.padEnd(28)}${cell(r.tuning)}${cell(r.heldOut)}`);
  lines.push(`${'benign personas'.padEnd(28)}${cell(r.personas.tuning)}${cell(r.personas.heldOut)}`);
  for (const o of r.operatingPoints) {
    lines.push(
      `  ${o.channel}: lowest threshold with ≤ 5% false alarms on the tuning split = ${o.threshold}; held-out there: caught ${pct(o.heldOut.detectionRate)}, false alarms ${pct(o.heldOut.falseAlarmRate)}`,
    );
  }
  return lines.join('\n');
}
