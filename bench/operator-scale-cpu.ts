// Where the CPU went while the scale benchmark converged: CPU seconds of every process group it measures (the
// control plane's components, the operator, the gateway, the benchmark itself) between two samples, as a
// share of the machine's cores. On a 2-core machine that runs all of them, this says which one to look at
// before any profile does. Pure: samples in, rows out (table-tested in operator-scale-cpu.test.ts).

export interface CpuRow {
  name: string;
  cpuSeconds: number;
  /** cores used on average over the window (cpuSeconds / wall seconds) */
  cores: number;
}

/**
 * CPU seconds each group used between `before` and `after` (a group missing from `before` started during the
 * window and counts from zero; one missing from `after` is gone and its time is unknown, so it is left out),
 * largest first.
 */
export function cpuRows(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  wallSeconds: number,
): CpuRow[] {
  const rows: CpuRow[] = [];
  for (const [name, end] of after) {
    const used = Math.max(0, end - (before.get(name) ?? 0));
    rows.push({ name, cpuSeconds: used, cores: wallSeconds > 0 ? used / wallSeconds : 0 });
  }
  return rows.sort((a, b) => b.cpuSeconds - a.cpuSeconds || (a.name < b.name ? -1 : 1));
}

/** One markdown table: the rows, their total, and the machine's cores for scale. */
export function formatCpuRows(rows: readonly CpuRow[], wallSeconds: number, cores: number, title: string): string {
  const total = rows.reduce((n, r) => n + r.cpuSeconds, 0);
  return [
    '',
    `${title}: ${wallSeconds.toFixed(1)} s wall on ${cores} cores (${(wallSeconds * cores).toFixed(0)} core-seconds available)`,
    '',
    '| process | CPU s | cores used |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.cpuSeconds.toFixed(1)} | ${r.cores.toFixed(2)} |`),
    `| total | ${total.toFixed(1)} | ${(wallSeconds > 0 ? total / wallSeconds : 0).toFixed(2)} |`,
    '',
  ].join('\n');
}
