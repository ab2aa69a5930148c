// Estimate-vs-engine error figures (pure): how far a pre-flight token estimate is from the engine's count.
// Relative error = (estimate - engine) / engine: negative when the gateway under-estimates.

export interface Pair {
  readonly estimate: number;
  readonly engine: number;
}

export interface ErrorStats {
  readonly n: number;
  /** Mean of |relative error|. */
  readonly meanAbs: number;
  /** 95th percentile of |relative error| (nearest rank). */
  readonly p95Abs: number;
  /** Mean relative error (signed): the bias. */
  readonly bias: number;
  /** Mean engine / estimate: what the learnt correction (gateway/plan/input-ratio.ts) converges to. */
  readonly ratio: number;
}

/** Pairs whose engine count is 0 are left out (no relative error). Empty input: all zeros, n 0. */
export function errorStats(pairs: readonly Pair[]): ErrorStats {
  const ok = pairs.filter((p) => p.engine > 0 && p.estimate > 0);
  if (ok.length === 0) return { n: 0, meanAbs: 0, p95Abs: 0, bias: 0, ratio: 0 };
  const rel = ok.map((p) => (p.estimate - p.engine) / p.engine);
  const abs = rel.map(Math.abs).sort((a, b) => a - b);
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    n: ok.length,
    meanAbs: mean(abs),
    p95Abs: abs[Math.min(abs.length - 1, Math.ceil(0.95 * abs.length) - 1)]!,
    bias: mean(rel),
    ratio: mean(ok.map((p) => p.engine / p.estimate)),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One Markdown table row: label, n, mean |err|, p95 |err|, bias, engine/estimate. */
export function statsRow(label: string, s: ErrorStats): string {
  return `| ${label} | ${s.n} | ${pct(s.meanAbs)} | ${pct(s.p95Abs)} | ${s.bias >= 0 ? '+' : ''}${pct(s.bias)} | ${s.ratio.toFixed(2)} |`;
}
