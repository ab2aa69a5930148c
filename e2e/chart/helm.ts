// Helpers for the chart suites: run the helm binary built from Go modules, render the chart into objects,
// and act as one of the chart's ServiceAccounts (a TokenRequest token in a kubeconfig of its own).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { binaryPath } from '../binaries.ts';
import { repoRoot } from '../kube.ts';
import { KubeError, type KubeClient } from '../../kube/client.ts';

const run = promisify(execFile);
export const chartDir = join(repoRoot, 'charts', 'tollgate');
/** The Kubernetes version `helm template` renders for (the chart needs >= 1.30; the local cluster runs 1.34). */
export const KUBE_VERSION = '1.34.10';
export const workDir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-chart-'));

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm; never throws on a non-zero exit (the caller asserts on code and output). */
export async function helm(
  args: string[],
  opts: { kubeconfig?: string; timeoutMs?: number } = {},
): Promise<HelmResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Keep helm's own state out of $HOME: a test never reads a developer's repositories or plugins.
    HELM_CACHE_HOME: join(workDir, 'helm-cache'),
    HELM_CONFIG_HOME: join(workDir, 'helm-config'),
    HELM_DATA_HOME: join(workDir, 'helm-data'),
    ...(opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {}),
  };
  try {
    const { stdout, stderr } = await run(binaryPath('helm'), args, {
      env,
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
      timeout: opts.timeoutMs ?? 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

let valuesCounter = 0;
/** Writes values (JSON is YAML) to a file for `-f`. */
export function valuesFile(values: Record<string, unknown>): string {
  const path = join(workDir, `values-${++valuesCounter}.json`);
  writeFileSync(path, JSON.stringify(values, null, 2));
  return path;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** `helm template` with values; throws with helm's message when rendering fails. */
export async function render(
  values: Record<string, unknown> = {},
  opts: { release?: string; namespace?: string } = {},
): Promise<K8sObject[]> {
  const r = await renderRaw(values, opts);
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return parseObjects(r.stdout);
}

export function renderRaw(
  values: Record<string, unknown> = {},
  opts: { release?: string; namespace?: string } = {},
): Promise<HelmResult> {
  return helm([
    'template',
    opts.release ?? 'tollgate',
    chartDir,
    '--namespace',
    opts.namespace ?? 'tollgate-system',
    '--kube-version',
    KUBE_VERSION,
    '-f',
    valuesFile(values),
  ]);
}

export function parseObjects(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const v = doc.toJS() as K8sObject | null;
    if (v) out.push(v);
  }
  return out;
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = find(objects, kind, name);
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind} ${name}, rendered ${found.length} (have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`,
    );
  return found[0]!;
}

export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** One line per (group, resource, verb), with resource names: easy to compare against a table. */
export function flattenRules(rules: Rule[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const g of r.apiGroups ?? ['']) {
      for (const res of r.resources ?? []) {
        for (const v of r.verbs)
          out.push(`${g || 'core'}/${res}:${v}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}`);
      }
    }
  }
  return out.sort();
}

/**
 * A kubeconfig that authenticates as `namespace/serviceAccount` with a short-lived token from the
 * TokenRequest API (what the kubelet projects into the pod), against the same API server as `admin`.
 */
export async function serviceAccountKubeconfig(
  admin: KubeClient,
  namespace: string,
  serviceAccount: string,
): Promise<string> {
  const tr = await admin.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
    {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    },
  );
  const caPem = admin.connection?.ca;
  const ca = caPem ? Buffer.from(caPem).toString('base64') : undefined;
  const path = join(workDir, `${namespace}-${serviceAccount}.kubeconfig`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'sa',
      clusters: [{ name: 'c', cluster: { server: admin.server, ...(ca ? { 'certificate-authority-data': ca } : {}) } }],
      users: [{ name: 'sa', user: { token: tr.status.token } }],
      contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa', namespace } }],
    }),
    { mode: 0o600 },
  );
  return path;
}

/** The HTTP status of a request (200..299 as 200), for "is this allowed" checks. */
export async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    if (err instanceof KubeError) return err.status;
    throw err;
  }
}
