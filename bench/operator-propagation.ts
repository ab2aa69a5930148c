// Where a configuration change's time goes (pure; table-tested in operator-propagation.test.ts). For every change
// the benchmark makes it knows when it patched the LLMTenant and when the gateway enforced it; a watch on the
// config index Secret says when a new index was published (seen by a watcher, as a gateway sees it). Each change
// splits into "operator" (patch -> the first index published after it: the operator's watch, reconcile,
// shard and index writes) and "gateway" (that index -> enforced: the gateway's watch, its shard reads, the swap).

export interface Change {
  /** ms (performance.now) when the patch was sent */
  begin: number;
  /** ms when the gateway was seen enforcing it */
  enforced: number;
}

export interface Hops {
  total: number;
  /** undefined: no index was seen between the patch and the enforcement */
  operator: number | undefined;
  gateway: number | undefined;
}

/** The hops of each change; `indexSeen`: ms at which each new index was seen, ascending. */
export function changeHops(changes: readonly Change[], indexSeen: readonly number[]): Hops[] {
  return changes.map((c) => {
    const at = indexSeen.find((t) => t >= c.begin && t <= c.enforced);
    return {
      total: c.enforced - c.begin,
      operator: at === undefined ? undefined : at - c.begin,
      gateway: at === undefined ? undefined : c.enforced - at,
    };
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

/** p50 / p99 / max of each hop, and the slowest changes with their hops. */
export function formatHops(hops: readonly Hops[], slowest = 5): string {
  const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(3));
  const row = (name: string, xs: number[]) =>
    xs.length === 0
      ? `| ${name} | - | - | - |`
      : `| ${name} | ${s(quantile(xs, 0.5))} | ${s(quantile(xs, 0.99))} | ${s(Math.max(...xs))} |`;
  const known = (k: 'operator' | 'gateway') => hops.flatMap((h) => (h[k] === undefined ? [] : [h[k] as number]));
  const slow = hops
    .map((h, i) => ({ ...h, i }))
    .sort((a, b) => b.total - a.total)
    .slice(0, slowest);
  return [
    '',
    `Propagation by hop over ${hops.length} changes (s; ${hops.length - known('operator').length} without an index seen in between)`,
    '',
    '| hop | p50 | p99 | max |',
    '|---|---|---|---|',
    row('patch -> index published (operator)', known('operator')),
    row('index published -> enforced (gateway)', known('gateway')),
    row(
      'total',
      hops.map((h) => h.total),
    ),
    '',
    `slowest: ${slow.map((h) => `#${h.i} ${s(h.total)} (operator ${s(h.operator)}, gateway ${s(h.gateway)})`).join('; ')}`,
    '',
  ].join('\n');
}
