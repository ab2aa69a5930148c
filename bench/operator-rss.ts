// Where a Node process's resident memory is (pure: text in, rows out; table-tested in operator-rss.test.ts).
// /proc/<pid>/smaps says which mappings are resident: the node binary's pages (file-backed: text, read-only
// data, ICU), other files (shared libraries), the brk heap (glibc's main malloc arena), stacks and anonymous
// mappings. Anonymous memory is V8's heap (every space: the heap's committed size), malloc's other arenas
// (one per thread that allocates), thread stacks and buffers; V8's own figures (prom-client's default
// metrics) take the heap out of it, and what is left is native memory outside V8.

export interface RssRow {
  name: string;
  kb: number;
}

interface Mapping {
  path: string;
  rssKb: number;
  anonKb: number;
}

/** Mappings of a /proc/<pid>/smaps text with their Rss and Anonymous kB. */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | undefined;
  for (const line of text.split('\n')) {
    // a mapping header: "start-end perms offset dev inode [path]"
    const head = /^[0-9a-f]+-[0-9a-f]+\s+\S{4}\s+[0-9a-f]+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (head) {
      cur = { path: (head[1] ?? '').trim(), rssKb: 0, anonKb: 0 };
      out.push(cur);
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field && cur) {
      if (field[1] === 'Rss') cur.rssKb = Number(field[2]);
      else cur.anonKb = Number(field[2]);
    }
  }
  return out;
}

/** Resident kB by kind of mapping, largest first (rows with 0 kB left out). `binary`: the executable's path. */
export function rssByKind(text: string, binary: string): RssRow[] {
  const sums = new Map<string, number>();
  const add = (k: string, kb: number) => sums.set(k, (sums.get(k) ?? 0) + kb);
  for (const m of parseSmaps(text)) {
    const p = m.path.replace(/ \(deleted\)$/, '');
    let kind: string;
    if (p === binary) kind = 'node binary (file-backed)';
    else if (p === '[heap]') kind = 'brk heap (malloc main arena)';
    else if (p === '[stack]' || p.startsWith('[stack:')) kind = 'main stack';
    else if (p.startsWith('/')) kind = 'other files (libraries)';
    else if (p === '' || p.startsWith('[anon')) kind = 'anonymous (V8 heap, malloc arenas, thread stacks)';
    else kind = `other ${p}`;
    // anonymous pages of a file mapping (relocations, .data written) count as anonymous memory of that file
    add(kind, m.rssKb);
  }
  return [...sums]
    .filter(([, kb]) => kb > 0)
    .map(([name, kb]) => ({ name, kb }))
    .sort((a, b) => b.kb - a.kb || (a.name < b.name ? -1 : 1));
}

/** V8's figures from a Prometheus text (prom-client default metrics under `prefix`), in bytes. */
export function v8Figures(
  metrics: string,
  prefix: string,
): { heapTotal: number; heapUsed: number; external: number; spaces: Map<string, number> } {
  const one = (name: string) => Number(new RegExp(`^${prefix}${name} ([0-9.e+]+)`, 'm').exec(metrics)?.[1] ?? NaN);
  const spaces = new Map<string, number>();
  const re = new RegExp(`^${prefix}nodejs_heap_space_size_total_bytes\\{space="([a-z_]+)"\\} ([0-9.e+]+)`, 'gm');
  for (const m of metrics.matchAll(re)) spaces.set(m[1] ?? '', Number(m[2]));
  return {
    heapTotal: one('nodejs_heap_size_total_bytes'),
    heapUsed: one('nodejs_heap_size_used_bytes'),
    external: one('nodejs_external_memory_bytes'),
    spaces,
  };
}

/** The table: resident memory by mapping kind, and the anonymous part split into V8's heap and the rest. */
export function formatRss(rows: readonly RssRow[], v8: ReturnType<typeof v8Figures>, title: string): string {
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  const total = rows.reduce((n, r) => n + r.kb, 0);
  const anon = rows.find((r) => r.name.startsWith('anonymous'))?.kb ?? 0;
  const brk = rows.find((r) => r.name.startsWith('brk heap'))?.kb ?? 0;
  const heapKb = v8.heapTotal / 1024;
  const spaces = [...v8.spaces]
    .filter(([, b]) => b > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([s, b]) => `${s.replace(/_space$/, '')} ${(b / 1e6).toFixed(1)}`)
    .join(', ');
  return [
    '',
    `${title}: RSS ${mb(total)} MiB`,
    '',
    '| part | MiB |',
    '|---|---|',
    ...rows.map((r) => `| ${r.name} | ${mb(r.kb)} |`),
    `| of the anonymous memory: V8 heap committed (spaces in MB: ${spaces}) | ${mb(heapKb)} |`,
    `| of the anonymous memory: V8 heap used | ${mb(v8.heapUsed / 1024)} |`,
    `| of the anonymous memory + brk heap: native outside V8's heap (malloc arenas, buffers, stacks; V8 external ${(v8.external / 1e6).toFixed(1)} MB) | ${mb(anon + brk - heapKb)} |`,
    '',
  ].join('\n');
}
