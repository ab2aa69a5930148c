// Processes the e2e suites start: each in its own process group, its output in a log file, stopped by group.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './kube.ts';
import { OwnedGroup } from './process-group.ts';

export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): string;
}

/** Spawns CMD in its own process group (stop() ends it and anything it forked); output goes to LOGDIR/NAME.log. */
export function startProcess(
  logDir: string,
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Proc {
  const log = join(logDir, `${name}.log`);
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(cmd, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))),
  );
  const group = child.pid === undefined ? undefined : new OwnedGroup(child.pid);
  const signalGroup = (sig: NodeJS.Signals) => {
    // signalled only while the group's number is ours (process-group.ts); else the leader itself if alive
    if (group?.signal(sig)) return;
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      child.kill(sig);
    } catch {
      /* gone */
    }
  };
  return {
    name,
    child,
    log,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) {
        signalGroup('SIGKILL');
        return child.exitCode;
      }
      signalGroup(signal);
      const t = setTimeout(() => signalGroup('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      signalGroup('SIGKILL'); // anything left in the group
      return code;
    },
    output: () => {
      try {
        return readFileSync(log, 'utf8');
      } catch {
        return '';
      }
    },
  };
}
