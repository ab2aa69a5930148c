// Runs the engine container of a compiled Deployment as a local process, for the engine tests.
//
// The command line, arguments and environment come from `tollgate render` (the real CLI, on an LLMModel
// the test writes). Running them outside a pod needs a few mechanical substitutions, and only these
// (localizeContainer, table-tested in local.test.ts):
//   1. the image's executable (command[0], e.g. /app/llama-server or ollama) -> the binary that
//      e2e/engines/build.sh cached under $TOLLGATE_CACHE/bin/ (matched by base name);
//   2. every argument or env value under the pod's model volume (/models) -> the same path under a
//      temporary directory (where the test put what the fetch init container would have left);
//   3. `--host 0.0.0.0` -> `--host 127.0.0.1`, `--port <p>` -> a free port, and an env value
//      `0.0.0.0:<p>` or `127.0.0.1:<p>` (OLLAMA_HOST) -> `127.0.0.1:<free port>`: tests listen on loopback
//      only, on ports nothing else uses;
//   4. env `valueFrom.secretKeyRef` -> the value the test put in that Secret (the upstream credential);
//   5. HOME=/tmp -> a temporary directory.
// Anything else (every other flag, every other env var) is passed exactly as compiled.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { MODEL_DIR } from '../../operator/compiler/engines/types.ts';
import { OwnedGroup } from '../process-group.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface LocalCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface LocalizeOptions {
  /** Base name of the image's executable -> local binary. */
  binaries: Readonly<Record<string, string>>;
  /** Local directory standing in for the pod's /models volume. */
  modelDir: string;
  /** Local directory standing in for /tmp (HOME). */
  tmpDir: string;
  port: number;
  /** "<secret name>/<key>" -> value. */
  secrets: Readonly<Record<string, string>>;
}

function mapPath(v: string, o: LocalizeOptions): string {
  if (v === MODEL_DIR || v.startsWith(`${MODEL_DIR}/`)) return o.modelDir + v.slice(MODEL_DIR.length);
  return v;
}

/** The substitutions listed at the top of this file, nothing else. Pure. */
export function localizeContainer(c: Pick<V1Container, 'command' | 'args' | 'env'>, o: LocalizeOptions): LocalCommand {
  const [exe, ...rest] = [...(c.command ?? []), ...(c.args ?? [])];
  if (exe === undefined) throw new Error('container has no command');
  const base = exe.split('/').at(-1) ?? exe;
  const bin = Object.hasOwn(o.binaries, base) ? o.binaries[base] : undefined;
  if (bin === undefined) throw new Error(`no local binary for the image's executable ${exe}`);
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const prev = args.at(-1);
    if (prev === '--host' && a === '0.0.0.0') args.push('127.0.0.1');
    else if (prev === '--port') args.push(String(o.port));
    else args.push(mapPath(a, o));
  }
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    let v: string;
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) {
      const k = `${ref.name}/${ref.key}`;
      if (!Object.hasOwn(o.secrets, k))
        throw new Error(`env ${e.name} refers to Secret key ${k}, which the test did not provide`);
      v = o.secrets[k]!;
    } else if (e.valueFrom) throw new Error(`env ${e.name}: only secretKeyRef is supported locally`);
    else v = e.value ?? '';
    if (/^(0\.0\.0\.0|127\.0\.0\.1):\d+$/.test(v)) v = `127.0.0.1:${o.port}`;
    else if (e.name === 'HOME' && v === '/tmp') v = o.tmpDir;
    else v = mapPath(v, o);
    env[e.name] = v;
  }
  return { command: bin, args, env };
}

/** `tollgate render -o json` on a folder of manifests: every object it prints. */
export function render(dir: string): { kind: string; metadata: { name: string } }[] {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tollgate.ts'), 'render', '-f', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`tollgate render failed (${r.status}): ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJSON() as { kind: string; metadata: { name: string } })
    .filter((o) => o !== null);
}

export function renderedDeployment(dir: string): V1Deployment {
  const d = render(dir).find((o) => o.kind === 'Deployment');
  if (!d) throw new Error('tollgate render printed no Deployment');
  return d as V1Deployment;
}

export function container(d: V1Deployment, name: string): V1Container {
  const all = [...(d.spec?.template.spec?.initContainers ?? []), ...(d.spec?.template.spec?.containers ?? [])];
  const c = all.find((x) => x.name === name);
  if (!c) throw new Error(`Deployment has no container ${name}`);
  return c;
}

export interface EngineProcess {
  proc: ChildProcess;
  /** The engine's process group, signalled only while its number is ours (../process-group.ts). */
  group?: OwnedGroup;
  output(): string;
  /** SIGTERM to the whole process group, SIGKILL after 5 s. */
  stop(): Promise<void>;
}

const RUNNING = new Set<EngineProcess>();
function stopAllSync(): void {
  // an engine that died on its own is still listed: its group's number may be another process's by now
  for (const e of RUNNING) e.group?.signal('SIGKILL');
}
process.once('exit', stopAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    stopAllSync();
    process.exit(130);
  });
}

/** Starts a local command in its own process group (so stop() ends its children too). */
export function startProcess(
  cmd: LocalCommand,
  opts: { cwd?: string; extraEnv?: Record<string, string> } = {},
): EngineProcess {
  if (opts.cwd) mkdirSync(opts.cwd, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cmd.env, ...opts.extraEnv };
  const proc = spawn(cmd.command, cmd.args, { env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const e: EngineProcess = {
    proc,
    group: proc.pid === undefined ? undefined : new OwnedGroup(proc.pid),
    output: () => out,
    stop: async () => {
      RUNNING.delete(e);
      if (proc.exitCode !== null || proc.signalCode !== null || !proc.pid) return;
      const gone = new Promise((r) => proc.once('exit', r));
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, 5000);
      await gone;
      clearTimeout(t);
    },
  };
  RUNNING.add(e);
  return e;
}

/** Polls url until it answers 2xx; fails naming the process output when it exits or time runs out. */
export async function waitHealthy(
  url: string,
  e: EngineProcess,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (e.proc.exitCode !== null || e.proc.signalCode !== null)
      throw new Error(
        `engine exited (${e.proc.exitCode ?? e.proc.signalCode}) before ${url} answered:\n${e.output().slice(-3000)}`,
      );
    if (Date.now() > deadline) throw new Error(`${url} not healthy after ${timeoutMs} ms:\n${e.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a local command to completion (bounded by timeoutMs); the process group is killed on timeout. */
export async function runToExit(
  cmd: LocalCommand,
  opts: { extraEnv?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const e = startProcess(cmd, opts);
  const timer = setTimeout(() => void e.stop(), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((r) => e.proc.once('close', (c) => r(c)));
  clearTimeout(timer);
  RUNNING.delete(e);
  return { code, output: e.output() };
}

/** Writes manifests (YAML text) to a fresh directory and returns the rendered Deployment. */
export function renderManifest(dir: string, yaml: string): V1Deployment {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.yaml'), yaml);
  return renderedDeployment(dir);
}
