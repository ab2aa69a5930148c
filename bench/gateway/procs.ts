// Process bookkeeping for the gateway benchmark: everything it measures runs in its own process group; a
// measured process that dies while the benchmark runs fails the benchmark at once (exit code 1, with the
// process's last stderr), and every group it started is stopped on any exit of the benchmark (normal end,
// failure, uncaught error, SIGINT/SIGTERM/SIGHUP). Processes started by helpers (the Redis servers of
// gateway/test/redis.ts, which stop their own groups on exit) are adopted: polled, and a death fails the run too.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import { OwnedGroup } from '../../e2e/process-group.ts';

export interface GroupStats {
  cpuSeconds: number;
  rssMb: number;
}

/** Fields of /proc/<pid>/stat after the command name (field 3 = state onwards), or undefined when gone. */
function statFields(pid: string | number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Live (non-zombie) pids of a process group. */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(d);
    if (f && Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(d)); // f[2]: pgrp
  }
  return out;
}

/** CPU time (utime + stime) and RSS summed over every process of a group (a gateway and any workers). */
export function groupStats(pgid: number): GroupStats {
  let ticks = 0;
  let rssPages = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(d);
    if (!f || Number(f[2]) !== pgid) continue;
    ticks += Number(f[11]) + Number(f[12]);
    rssPages += Number(f[21]);
  }
  return { cpuSeconds: ticks / 100, rssMb: (rssPages * 4096) / 1024 / 1024 };
}

export function alive(pid: number): boolean {
  const f = statFields(pid);
  return f !== undefined && f[0] !== 'Z';
}

/** Sets the nice value of every thread of every process of a group (Linux: setpriority on a tid is per thread). */
export function setGroupNice(pgid: number, nice: number): void {
  for (const pid of groupPids(pgid)) setProcessNice(pid, nice);
}

export function setProcessNice(pid: number, nice: number): void {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // thread gone
    }
  }
}

interface Entry {
  name: string;
  pid: number;
  /** Owned entries: the group, signalled only while its number is still ours (e2e/process-group.ts). */
  group?: OwnedGroup;
  /** Started here (killed by group on exit); adopted ones are only watched. */
  owned: boolean;
  child?: ChildProcess;
  stderr: () => string;
  expected: boolean;
}

export class Procs {
  private readonly entries: Entry[] = [];
  private readonly tempDirs: string[] = [];
  private stopping = false;
  private poll: NodeJS.Timeout | undefined;

  private readonly log: (s: string) => void;

  constructor(log: (s: string) => void) {
    this.log = log;
    process.on('exit', () => this.stopAll());
    process.on('SIGINT', () => process.exit(130));
    process.on('SIGTERM', () => process.exit(143));
    process.on('SIGHUP', () => process.exit(129));
  }

  /** Spawns `cmd` in its own process group; its death before stopAll() fails the benchmark. */
  start(
    name: string,
    cmd: string,
    args: readonly string[],
    opts: { cwd?: string; env?: Record<string, string>; stdout?: 'pipe' | 'ignore' } = {},
  ): ChildProcess {
    const p = spawn(cmd, args, {
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    if (p.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    const e: Entry = {
      name,
      pid: p.pid,
      group: new OwnedGroup(p.pid),
      owned: true,
      child: p,
      stderr: () => err,
      expected: false,
    };
    this.entries.push(e);
    p.on('exit', (code, signal) => {
      if (!this.stopping && !e.expected) this.fatal(e, signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
    this.log(`started ${name} pid ${p.pid}`);
    return p;
  }

  /** Watches a process some helper started (and stops itself); its death before stopAll() fails the benchmark. */
  adopt(name: string, pid: number | undefined, stderr: () => string = () => ''): void {
    if (pid === undefined) return;
    this.entries.push({ name, pid, owned: false, stderr, expected: false });
    this.log(`started ${name} pid ${pid}`);
    this.poll ??= setInterval(() => {
      for (const e of this.entries)
        if (!e.owned && !e.expected && !this.stopping && !alive(e.pid)) this.fatal(e, 'is gone');
    }, 200).unref();
  }

  /** Removed with everything else on exit. */
  tempDir(dir: string): void {
    this.tempDirs.push(dir);
  }

  /** A deliberate stop of one process (not a failure). */
  expectExit(pid: number | undefined): void {
    for (const e of this.entries) if (e.pid === pid) e.expected = true;
  }

  /** Pids of the groups started here and adopted (for checks that nothing is left). */
  list(): { name: string; pid: number }[] {
    return this.entries.map((e) => ({ name: e.name, pid: e.pid }));
  }

  /**
   * A request that failed because its target died (ECONNRESET) can surface before the process's exit event:
   * the death, not the symptom, is the failure to report. Fails (exits) when a watched process is gone.
   */
  failIfOneDied(): void {
    for (const e of this.entries) {
      if (e.expected || this.stopping) continue;
      const c = e.child;
      if (c && (c.exitCode !== null || c.signalCode !== null))
        this.fatal(e, c.signalCode ? `killed by ${c.signalCode}` : `exited with code ${c.exitCode}`);
      if (!c && !alive(e.pid)) this.fatal(e, 'is gone');
    }
  }

  private fatal(e: Entry, how: string): void {
    if (this.stopping) return;
    const tail = e.stderr().trim().slice(-1500);
    this.log(`FATAL: ${e.name} (pid ${e.pid}) ${how} during the run${tail ? `; its last stderr:\n${tail}` : ''}`);
    this.log('stopping everything the benchmark started; no figures are reported from a run with a dead target');
    process.exit(1);
  }

  /** Synchronous (runs in the 'exit' handler): SIGTERM every owned group, SIGKILL what is left after a grace period. */
  stopAll(): void {
    if (
      this.stopping &&
      this.entries.every((e) => !e.owned || e.group?.reused() !== false || groupPids(e.pid).length === 0)
    )
      return this.cleanDirs();
    this.stopping = true;
    if (this.poll) clearInterval(this.poll);
    const owned = this.entries.filter((e) => e.owned);
    for (const e of owned) {
      // a group that emptied earlier (a target stopped between phases) may have given its number to another process
      if (e.group?.signal('SIGCONT')) e.group.signal('SIGTERM');
    }
    // A gateway whose event loop is blocked never runs its SIGTERM handler: after a grace period the
    // whole group is killed. Busy-wait in small steps (this runs inside the synchronous 'exit' handler).
    const deadline = Date.now() + 3000;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    const ours = owned.filter((e) => e.group !== undefined && !e.group.reused());
    while (Date.now() < deadline && ours.some((e) => groupPids(e.pid).length > 0)) Atomics.wait(sleeper, 0, 0, 50);
    for (const e of owned) if (groupPids(e.pid).length > 0) e.group?.signal('SIGKILL');
    this.cleanDirs();
  }

  private cleanDirs(): void {
    for (const d of this.tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
