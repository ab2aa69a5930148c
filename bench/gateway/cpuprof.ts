// Summary of a V8 .cpuprofile (node --cpu-prof) restricted to time windows (the benchmark's load phases): where
// the CPU time goes, as self time by area (project code, each dependency, Node internals, GC, idle), by file and
// by function, and as inclusive ("total") time of the project's functions — the request's hot path.
// Pure: profile in, summary out (table-tested in cpuprof.test.ts).

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  /** µs, V8's monotonic clock (CLOCK_MONOTONIC on Linux, the clock of process.hrtime) */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  /** share of the busy (non-idle) sampled time in the windows, 0..1 */
  share: number;
}
export interface ProfileSummary {
  sampledMs: number;
  /** (idle) samples: the process waiting for I/O; excluded from every share */
  idleMs: number;
  samples: number;
  /** whether the windows were found inside the profile (false: the whole profile is summarised) */
  windowed: boolean;
  byArea: Row[];
  byFile: Row[];
  selfByFunction: Row[];
  totalByProjectFunction: Row[];
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/** 'file:///repo/gateway/x.ts' → 'gateway/x.ts'; dependencies → 'node_modules/<pkg>/…'; node:… as is. */
export function fileLabel(url: string, root: string): string {
  if (url === '') return '';
  let u = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + 1);
  const r = root.endsWith('/') ? root : `${root}/`;
  if (u.startsWith(r)) u = u.slice(r.length);
  return u;
}

/** The area a frame's self time is charged to. */
export function areaOf(frame: CallFrame, root: string): string {
  if (SPECIAL.has(frame.functionName) && frame.url === '')
    return frame.functionName === '(root)' ? '(program)' : frame.functionName;
  const f = fileLabel(frame.url, root);
  if (f === '') return 'V8 builtins / native';
  if (f.startsWith('node_modules/')) {
    const parts = f.split('/');
    return `dep ${parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]}`;
  }
  if (f.startsWith('node:')) return 'Node internals (node:*)';
  if (f.startsWith('/') || f.includes('://')) return 'other';
  return `project ${f.split('/')[0]}/`;
}

const fnLabel = (frame: CallFrame, root: string): string => {
  const file = fileLabel(frame.url, root);
  const name = frame.functionName || '(anonymous)';
  return file ? `${name} ${file}:${frame.lineNumber + 1}` : name;
};

function top(m: Map<string, number>, total: number, n: number): Row[] {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 }));
}

/**
 * windows: [fromUs, toUs] on the profile's clock. A sample at time t counts when it falls in a window; it
 * stands for the time until the next sample. With no window inside the profile, the whole profile counts.
 */
export function summarizeProfile(
  p: CpuProfile,
  root: string,
  windows: readonly (readonly [number, number])[],
  n = 15,
): ProfileSummary {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const times: number[] = new Array(p.samples.length);
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    times[i] = t;
  }
  const usable = windows.filter(([a, b]) => b > p.startTime && a < p.endTime);
  const windowed = usable.length > 0;
  const inWindow = (ts: number): boolean => !windowed || usable.some(([a, b]) => ts >= a && ts < b);

  const area = new Map<string, number>();
  const file = new Map<string, number>();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sum = 0;
  let idle = 0;
  let count = 0;
  const add = (m: Map<string, number>, k: string, us: number): void => void m.set(k, (m.get(k) ?? 0) + us);
  for (let i = 0; i < p.samples.length; i++) {
    if (!inWindow(times[i]!)) continue;
    const next = i + 1 < times.length ? times[i + 1]! - times[i]! : p.endTime - times[i]!;
    const us = Math.max(0, next);
    const node = byId.get(p.samples[i]!);
    if (!node) continue;
    count++;
    sum += us;
    const fr = node.callFrame;
    if (fr.functionName === '(idle)' && fr.url === '') {
      idle += us;
      continue;
    }
    add(area, areaOf(fr, root), us);
    add(file, fileLabel(fr.url, root) || (SPECIAL.has(fr.functionName) ? fr.functionName : 'V8 builtins / native'), us);
    add(self, fnLabel(fr, root), us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!areaOf(f, root).startsWith('project ')) continue;
      const k = fnLabel(f, root);
      if (seen.has(k)) continue; // recursion: count a function once per sample
      seen.add(k);
      add(total, k, us);
    }
  }
  const busy = sum - idle;
  return {
    sampledMs: sum / 1000,
    idleMs: idle / 1000,
    samples: count,
    windowed,
    byArea: top(area, busy, 50),
    byFile: top(file, busy, n),
    selfByFunction: top(self, busy, n + 5),
    totalByProjectFunction: top(total, busy, n),
  };
}

export function formatSummary(s: ProfileSummary, title: string): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const table = (head: string, rows: Row[]): string[] => [
    `| ${head} | ms | share |`,
    '|---|---|---|',
    ...rows.map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${pct(r.share)} |`),
  ];
  return [
    '',
    `${title}: ${s.samples} samples, ${(s.sampledMs / 1000).toFixed(1)} s of the CPU profile${s.windowed ? ' inside the measured windows' : ' (windows not found in the profile: the whole run)'}, of which ${((s.sampledMs - s.idleMs) / 1000).toFixed(1)} s busy and ${(s.idleMs / 1000).toFixed(1)} s idle (waiting for I/O); shares are of the busy time. Native frames without a script (socket writes \`writev\`, JSON and crypto builtins) are "V8 builtins / native".`,
    '',
    'Self time by area:',
    '',
    ...table('area', s.byArea),
    '',
    'Self time by file:',
    '',
    ...table('file', s.byFile),
    '',
    'Self time by function:',
    '',
    ...table('function', s.selfByFunction),
    '',
    'Total (inclusive) time of project functions — the hot path:',
    '',
    ...table('function', s.totalByProjectFunction),
    '',
  ].join('\n');
}
