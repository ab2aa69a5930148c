// Loaded with `node --expose-gc --import` into a gateway process by bench/gateway-config-memory.ts (mode
// `gateway`): on SIGUSR2 it runs a full GC and prints one line `MEM {json}` on stderr with
// process.memoryUsage(), V8's code statistics and the RSS of the process split by mapping (/proc/self/smaps):
// the node binary's pages, anonymous memory (the V8 heap, Wasm, mmapped malloc), the brk heap (malloc).
// Plain JavaScript on purpose: a .ts probe would load the type stripper the compile cache keeps out.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

function smaps() {
  const out = { binary: 0, anon: 0, brk: 0, other: 0 };
  let kind = 'other';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      const path = m[1] ?? '';
      kind = path === '' ? 'anon' : path === '[heap]' ? 'brk' : path === process.execPath ? 'binary' : 'other';
    } else if (line.startsWith('Rss:')) out[kind] += Number(line.split(/\s+/)[1]) * 1024;
  }
  return out;
}

process.on('SIGUSR2', () => {
  const gc = globalThis.gc;
  if (gc) {
    if (process.env.MEM_PROBE_GC === 'last-resort') gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    else {
      gc();
      gc();
    }
  }
  const code = v8.getHeapCodeStatistics();
  process.stderr.write(
    `MEM ${JSON.stringify({
      ...process.memoryUsage(),
      bytecode: code.bytecode_and_metadata_size,
      scriptSource: code.external_script_source_size,
      maps: smaps(),
      spaces: Object.fromEntries(
        v8
          .getHeapSpaceStatistics()
          .map((x) => [x.space_name, [x.space_size, x.space_used_size, x.physical_space_size]]),
      ),
      heapStats: v8.getHeapStatistics(),
      cpp: typeof v8.getCppHeapStatistics === 'function' ? v8.getCppHeapStatistics('brief') : undefined,
      hwm: Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024,
    })}\n`,
  );
});
