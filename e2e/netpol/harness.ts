// The NetworkPolicy suite's plumbing: a kwok node whose pods get a real network (e2e/netpol/net.sh), processes
// started inside the pods' network namespaces, probes between them, and kube-router's NetworkPolicy controller
// (built by e2e/cluster/build.sh) as the enforcer on that node. Every process is started in its own process
// group and stopped by it; net.sh down removes every namespace, link, rule and ipset afterwards.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../kube.ts';
import { startProcess, type Proc } from '../proc.ts';

const run = promisify(execFile);
export const netScript = join(repoRoot, 'e2e', 'netpol', 'net.sh');
const probeScript = join(repoRoot, 'e2e', 'netpol', 'probe.ts');
const listenScript = join(repoRoot, 'e2e', 'netpol', 'listen.ts');
export const logDir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-netpol-'));

/** The pod CIDR of the enforced node (kwok hands pod IPs out of it) and the node's InternalIP (on the bridge). */
export const POD_CIDR = process.env['TOLLGATE_NETPOL_CIDR'] ?? '10.250.17.0/24';
export const NODE_IP = process.env['TOLLGATE_NETPOL_NODE_IP'] ?? '10.250.16.1';
/** "The internet" for the model's fetch egress: a documentation address (RFC 5737 TEST-NET-2) that lives only in
 * a namespace on our bridge; no pod has a default route, so nothing can leave the machine. */
export const FETCH_IP = '198.51.100.10';

export async function net(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [netScript, ...args], { timeout: 60_000 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`net.sh ${args.join(' ')} failed: ${(e.stderr || e.stdout || e.message).trim()}`, { cause: err });
  }
}

export type { Proc } from '../proc.ts';

/** Starts CMD in its own process group (so stop() ends it and anything it forked); output goes to a log file. */
export function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  return startProcess(logDir, name, cmd, args, env);
}

/** Starts a process inside pod NAME's network namespace. */
export function inPod(pod: string, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  return start(name, 'ip', ['netns', 'exec', `tgnp-${pod}`, cmd, ...args], env);
}

/** TCP/UDP listeners answering with their name, bound to the pod's IP. Resolves once they listen. */
export async function listeners(pod: string, ip: string, specs: string[]): Promise<Proc> {
  const p = inPod(pod, `listen-${pod}`, process.execPath, [listenScript, pod, ip, ...specs]);
  await until(
    `listeners in ${pod}`,
    async () => {
      if (p.child.exitCode !== null) throw new Error(`listener in ${pod} exited: ${p.output()}`);
      return p.output().includes('listening');
    },
    15_000,
    100,
  );
  return p;
}

export interface ProbeResult {
  ok: boolean;
  reply?: string;
  error?: string;
}

/** One connection attempt from pod FROM's namespace to ADDR:PORT. */
export async function probe(
  from: string,
  proto: 'tcp' | 'udp',
  addr: string,
  port: number,
  timeoutMs = 2000,
): Promise<ProbeResult> {
  const { stdout } = await run(
    'ip',
    ['netns', 'exec', `tgnp-${from}`, process.execPath, probeScript, proto, addr, String(port), String(timeoutMs)],
    { timeout: timeoutMs + 10_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ProbeResult;
}

/** An HTTP request made by curl inside pod FROM's namespace; headers come on stdin (never in argv). */
export async function curl(
  from: string,
  url: string,
  opts: { headers?: string[]; body?: string; timeoutS?: number } = {},
): Promise<{ status: number; body: string; exit: number }> {
  const args = [
    'netns',
    'exec',
    `tgnp-${from}`,
    'curl',
    '-sS',
    '-m',
    String(opts.timeoutS ?? 10),
    '-o',
    '-',
    '-w',
    '\n%{http_code}',
    '-H',
    '@-',
  ];
  if (opts.body !== undefined) args.push('--data-binary', opts.body);
  args.push(url);
  return await new Promise((resolve, reject) => {
    const child = spawn('ip', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr.on('data', () => {});
    child.on('error', reject);
    child.on('close', (code) => {
      const i = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(i + 1)) || 0, body: out.slice(0, Math.max(i, 0)), exit: code ?? -1 });
    });
    child.stdin.end(`${(opts.headers ?? []).join('\n')}\n`);
  });
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

/** The host's filter table (kube-router's chains live there). */
export async function iptablesSave(): Promise<string> {
  return (await run('iptables-save', ['-t', 'filter'])).stdout;
}
