// V8 heap settings of the gateway process (gateway/README.md, "Memory"), applied by the gateway command only
// (runGateway): tests and tools that start a gateway in-process keep their own heap as it is.
//
// - Old-generation growth. After each full GC V8 lets the heap grow to up to 4x what survived before the next
//   one when the collector keeps up easily (a fast GC on a 2-core box does). Under load, requests in flight
//   survive two scavenges and are promoted, so the old generation fills with garbage at the allocation rate:
//   a 52 MB live heap grew to ~206 MB before the next full GC, and the pages it freed stay pooled by V8 (not
//   returned to the OS). `--heap-growing-percent` caps the factor; V8 reads it at every full GC, so it is set
//   at run time here (it is not a flag NODE_OPTIONS accepts, and a re-exec would keep a second process).
// - Garbage of the start. Loading a large config (and the modules it needs) leaves pages V8 pools after the
//   load's garbage is collected; only a memory-reducing GC gives them back. One runs once, after the first
//   config is loaded and before the port serves.
//
// And one for glibc's malloc, which a process cannot set for itself (the chart sets it, as does the
// benchmark): GATEWAY_MALLOC_ENV.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * The old generation may grow to 1.5x the live heap between two full GCs (V8's default: up to 4x). 20 cut the
 * RSS under load further (~175 vs ~200 MB at c=32) but cost ~40% more CPU per request in mark-compacts
 * (mem-load.ts, alternating runs); 50 costs no measurable CPU. TOLLGATE_HEAP_GROWING_PERCENT chooses.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * The growing percent in force: `TOLLGATE_HEAP_GROWING_PERCENT` (an integer 0-400; 0 leaves V8's own factor),
 * else HEAP_GROWING_PERCENT. Anything else is a start error, not a silent default.
 */
export function heapGrowingPercent(env: Readonly<Record<string, string | undefined>>): number {
  const v = env.TOLLGATE_HEAP_GROWING_PERCENT;
  if (v === undefined || v === '') return HEAP_GROWING_PERCENT;
  if (!/^\d{1,3}$/.test(v) || Number(v) > 400)
    throw new Error('TOLLGATE_HEAP_GROWING_PERCENT must be an integer from 0 (V8 default) to 400');
  return Number(v);
}

/** The V8 flags `tuneHeap` sets for that percent, as V8 spells them. */
export function runtimeV8Flags(percent: number): string[] {
  return percent === 0 ? [] : [`--heap-growing-percent=${percent}`];
}

/**
 * glibc malloc: give freed memory at the top of the heap back above 128 KB. By default the threshold follows
 * the largest block freed so far, so reading a 16 MB config leaves the brk heap at its load peak (~25 MB with
 * 10,000 tenants, ~10 MB with this; under load ~25 vs ~16 MB). Read by glibc at process start: an environment
 * variable of the container (charts/tollgate, gateway deployment) and of the benchmark's gateways.
 */
export const GATEWAY_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: '131072' };

export function tuneHeap(env: Readonly<Record<string, string | undefined>> = process.env): void {
  for (const f of runtimeV8Flags(heapGrowingPercent(env))) v8.setFlagsFromString(f);
}

interface GcOptions {
  type: 'major';
  execution: 'sync';
  flavor: 'last-resort';
}
type Gc = (opts: GcOptions) => void;

/**
 * V8's gc extension without exposing `gc` to the gateway's own context: with --expose-gc set, a new context
 * gets one (it collects the whole isolate), and the flag is turned off again unless the process had it.
 */
function gcFunction(): Gc {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Gc;
  v8.setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as Gc;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/**
 * A memory-reducing full GC ("last resort": repeated until nothing more is freed, pooled pages released).
 * Blocks for tens of milliseconds on a large heap: only where nothing is being served.
 */
export function compactHeap(): void {
  gcFunction()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
