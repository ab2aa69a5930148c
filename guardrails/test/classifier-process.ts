// Starts guardrails/test/classifier-server.ts as a child process in its own process group for a test file, and
// stops the whole group on close and on any exit of the test process.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ClassifierServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** Requests answered so far (GET /health). */
  requests(): Promise<number>;
  close(): Promise<void>;
}

export async function startClassifierServer(
  opts: { delayMs?: number; apiKey?: string } = {},
): Promise<ClassifierServer> {
  const args = [new URL('./classifier-server.ts', import.meta.url).pathname, '--port', '0'];
  if (opts.delayMs) args.push('--delay-ms', String(opts.delayMs));
  if (opts.apiKey) args.push('--api-key', opts.apiKey);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = proc.pid;
  if (pid === undefined) throw new Error('classifier server did not start');
  // also runs at exit, long after a stop: the server is one process, so once it exited its group is empty and the
  // number may be another process's (pid_max is 32,768 here)
  const kill = () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', kill);
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`classifier server did not listen within 30 s: ${stderr}`));
    }, 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`classifier server exited (${code}): ${stderr}`));
    });
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        reject(new Error(`classifier server said: ${line}`));
      }
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid,
    requests: async () => ((await (await fetch(`${url}/health`)).json()) as { requests: number }).requests,
    close: async () => {
      process.off('exit', kill);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      kill();
      await gone;
    },
  };
}
