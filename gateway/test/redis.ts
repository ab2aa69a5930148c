// Starts real redis-server processes on free loopback ports for a test file. Fails loudly when redis-server is
// missing (run scripts/ensure-redis.sh); never skips. Every process runs in its own process group and is
// stopped by group on any exit of the test process (after hooks, a crash, SIGINT/SIGTERM).
// Settings go through a config file in a private temp dir (mode 0600), so passwords never reach argv.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './net.ts';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly dir: string;
  stop(): Promise<void>;
  /** SIGSTOP/SIGCONT: simulate an unreachable (hung) Redis. */
  pause(): void;
  resume(): void;
  /** Stop the process (default SIGKILL: no shutdown save) and start it again on the same port; `empty` wipes its data first. */
  restart(opts?: { empty?: boolean; signal?: NodeJS.Signals }): Promise<void>;
  /** The redis-server log so far (for failure messages). */
  log(): string;
  /** Kill it and leave it down (its data dir kept); `up()` starts it again on the same port. */
  down(signal?: NodeJS.Signals): Promise<void>;
  up(): Promise<void>;
}

export interface RedisOptions {
  /** AOF with appendfsync everysec (what the chart runs); default off (an in-memory test instance). */
  appendonly?: boolean;
  /** Extra redis.conf lines. */
  conf?: readonly string[];
  /** Use this port (default: a free one). */
  port?: number;
  /** Where ports come from (default freePort); a test forces a bind race with it. */
  pickPort?: () => Promise<number>;
  /** Cluster mode: also take a free cluster bus port (`cluster-port`), chosen again with the data port on a bind race. */
  clusterBus?: boolean;
  /** Listen with TLS only on the port (tls-port); conf must carry the certificate lines. */
  tls?: boolean;
  /** Run `redis-server --sentinel` with this config. */
  sentinel?: boolean;
  /** Scheme/credentials for `url` (e.g. 'rediss://user:pass@'); default 'redis://'. */
  urlPrefix?: string;
}

const groups = new Set<number>();
let hooked = false;
function killAll(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export function redisServerPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status !== 0 || p === '') {
    throw new Error(
      'redis-server is not installed: run `scripts/ensure-redis.sh` (apt-get install redis-server) before the gateway tests',
    );
  }
  return p;
}

export function redisCliPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status !== 0 || p === '') throw new Error('redis-cli is not installed: run `scripts/ensure-redis.sh`');
  return p;
}

export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
  const bin = redisServerPath();
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-'));
  const confPath = join(dir, 'redis.conf');
  let port = 0;
  // A port from freePort() is released before redis-server binds it, so a process started in between (another
  // test file runs side by side) can take it: then redis-server exits with "Address already in use". Ports we
  // chose are chosen again (a bounded number of times); a port the caller pinned is not.
  const writeConf = async (): Promise<void> => {
    const pick = opts.pickPort ?? freePort;
    port = opts.port ?? (await pick());
    const busPort = opts.clusterBus ? await pick() : undefined;
    const lines = [
      opts.tls ? `tls-port ${port}` : `port ${port}`,
      ...(opts.tls ? ['port 0'] : []),
      ...(busPort === undefined ? [] : [`cluster-port ${busPort}`]),
      'bind 127.0.0.1',
      `dir ${dir}`,
      'loglevel warning',
      `logfile ${join(dir, 'redis.log')}`,
      ...(opts.sentinel
        ? []
        : [
            'save ""',
            `appendonly ${opts.appendonly ? 'yes' : 'no'}`,
            'appendfsync everysec',
            'enable-debug-command local',
          ]),
      ...(opts.conf ?? []),
    ];
    writeFileSync(confPath, `${lines.join('\n')}\n`, { mode: 0o600 });
    chmodSync(confPath, 0o600);
  };
  await writeConf();
  let proc: ChildProcess;
  const launch = async (): Promise<void> => {
    proc = spawn(bin, opts.sentinel ? [confPath, '--sentinel'] : [confPath], { stdio: 'ignore', detached: true });
    const pid = proc.pid;
    if (pid !== undefined) {
      groups.add(pid);
      // redis-server is one process: its group is empty once it exits, and its number free for another process
      // (pid_max is 32,768 here), which a kill(-pgid) at exit must not reach
      proc.once('exit', () => groups.delete(pid));
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited early (${proc.exitCode}): ${readLog(dir)}`);
      // a plain port must answer PING as Redis does: a process that took the port first does not
      if (await (opts.tls ? canConnect(port) : answersPing(port))) break;
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}: ${readLog(dir)}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const p = proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    try {
      process.kill(-p.pid!, 'SIGCONT');
      process.kill(-p.pid!, signal);
    } catch {
      // gone
    }
    await exited;
    groups.delete(p.pid!);
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (e) {
      const raced = e instanceof Error && e.message.includes('Address already in use');
      if (!raced || opts.port !== undefined || attempt >= 5) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      rmSync(join(dir, 'redis.log'), { force: true });
      await writeConf();
    }
  }
  return {
    url: `${opts.urlPrefix ?? (opts.tls ? 'rediss://' : 'redis://')}127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return proc.pid;
    },
    pause: () => process.kill(-proc.pid!, 'SIGSTOP'),
    resume: () => process.kill(-proc.pid!, 'SIGCONT'),
    log: () => readLog(dir),
    down: (signal = 'SIGKILL') => kill(signal),
    up: () => launch(),
    restart: async ({ empty = false, signal = 'SIGKILL' } = {}) => {
      await kill(signal);
      if (empty)
        for (const f of ['appendonlydir', 'dump.rdb', 'nodes.conf'])
          rmSync(join(dir, f), { recursive: true, force: true });
      await launch();
    },
    stop: async () => {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(dir: string): string {
  const r = spawnSync('tail', ['-n', '20', join(dir, 'redis.log')], { encoding: 'utf8' });
  return r.stdout ?? '';
}

/** True when a RESP reply (+PONG, or an error such as -NOAUTH) comes back to PING within 1 s. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (b: Buffer) => done(b[0] === 0x2b || b[0] === 0x2d));
    s.once('error', () => done(false));
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Waits until `check` is true (polling), or throws with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
