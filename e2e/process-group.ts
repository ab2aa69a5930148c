// Signalling a process group only while its number is still ours. Test and benchmark helpers start servers in
// their own process groups and kill them by group (`kill(-pgid)`) on the way out; a group that emptied earlier
// gives its number back, and with pid_max at 32,768 (this machine) the number is soon another process's — one
// started with setsid (etcd, kube-apiserver of the local control plane) has it as its own group. A stale
// `kill(-pgid)` then stops an unrelated process (a CI run's etcd got SIGTERM 0.6 s after it started, 2026-12-03).
// The leader's start time, taken when the group is made, tells the two apart: a process numbered pgid with
// another start time is not ours. A leader gone with members left keeps the number reserved, so they are ours.
import { readFileSync } from 'node:fs';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks after boot), or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // after "pid (comm) ": state is field 3, start time field 22
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** A process group made by spawn(..., { detached: true }): signal it only while the number is still ours. */
export class OwnedGroup {
  readonly pgid: number;
  readonly #start: string | undefined;

  /** `start`: the leader's start time (read now by default, right after spawn). */
  constructor(pgid: number, start: string | undefined = processStartTime(pgid)) {
    this.pgid = pgid;
    this.#start = start;
  }

  /** True when the number now belongs to a process other than the leader this group was made with. */
  reused(): boolean {
    const now = processStartTime(this.pgid);
    return now !== undefined && this.#start !== undefined && now !== this.#start;
  }

  /** Sends `sig` to the group unless its number was reused; false when nothing was signalled. */
  signal(sig: NodeJS.Signals): boolean {
    if (this.reused()) return false;
    try {
      process.kill(-this.pgid, sig);
      return true;
    } catch {
      return false;
    }
  }
}
