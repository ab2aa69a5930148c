// Processes for the operator e2e suite: the operator and the gateway run as real `tollgate` processes
// against the cluster, the upstream is llm-d-inference-sim. Everything listens on 127.0.0.1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath } from '../binaries.ts';
import { kubeconfigPath, repoRoot } from '../kube.ts';
import { startProcess, type Proc } from '../proc.ts';
import { KubeClient } from '../../kube/client.ts';

export const logDir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-operator-'));

export function kube(): KubeClient {
  return KubeClient.fromKubeconfig(kubeconfigPath());
}

export { freePort } from '../../gateway/test/net.ts';

export type { Proc } from '../proc.ts';

/** Spawned in its own process group: stop() ends the whole group (a child's own children included). */
export function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  return startProcess(logDir, name, cmd, args, env);
}

export function tollgate(name: string, args: string[]): Proc {
  return start(name, process.execPath, [join(repoRoot, 'bin', 'tollgate.ts'), ...args]);
}

export function simulator(port: number, servedName: string): Proc {
  return start(`sim-${port}`, binaryPath('llm-d-inference-sim'), [
    '--port',
    String(port),
    '--model',
    servedName,
    '--served-model-name',
    servedName,
    '--mode',
    'random',
    '--force-dummy-tokenizer',
    '--max-model-len',
    '8192',
    '--time-to-first-token',
    '5ms',
    '--inter-token-latency',
    '1ms',
  ]);
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function httpJson(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: res.status, body, headers: res.headers };
}

/** Sum of a Prometheus counter's samples whose labels match. */
export async function metricSum(
  url: string,
  name: string,
  match: (labels: string) => boolean = () => true,
): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(\{[^}]*\})?\s+([-0-9.e+]+)/i.exec(line);
    if (!m || m[1] !== name) continue;
    if (match(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}

export const WRITE_VERBS = /verb="(apply|apply-status|create|update|delete|patch|post|put)"/;
