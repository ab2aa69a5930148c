// Paths of the binaries e2e/cluster/build.sh caches under $TOLLGATE_CACHE/bin/<component>-<version>/.
// Versions come from e2e/versions.env (the one place they are pinned).
//
//   import { binaryPath } from '../binaries.ts';
//   const sim = binaryPath('llm-d-inference-sim'); // throws, naming the build command, when not built yet
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const versionsFile = join(here, 'versions.env');

/** Every binary the harness builds, and the build.sh component that produces it. */
export const binaries = {
  'kube-apiserver': { component: 'kubernetes', versionKey: 'KUBERNETES_VERSION' },
  'kube-controller-manager': { component: 'kubernetes', versionKey: 'KUBERNETES_VERSION' },
  'kube-scheduler': { component: 'kubernetes', versionKey: 'KUBERNETES_VERSION' },
  kubectl: { component: 'kubernetes', versionKey: 'KUBERNETES_VERSION' },
  etcd: { component: 'etcd', versionKey: 'ETCD_VERSION' },
  kwok: { component: 'kwok', versionKey: 'KWOK_VERSION' },
  'llm-d-inference-sim': { component: 'llm-d-inference-sim', versionKey: 'LLM_D_INFERENCE_SIM_VERSION' },
  helm: { component: 'helm', versionKey: 'HELM_VERSION' },
  'kube-router': { component: 'kube-router', versionKey: 'KUBE_ROUTER_VERSION' },
  // real inference engines, built by e2e/engines/build.sh
  'llama-server': { component: 'llama-server', versionKey: 'LLAMA_CPP_PYTHON_VERSION', script: 'e2e/engines/build.sh' },
  ollama: { component: 'ollama', versionKey: 'OLLAMA_VERSION', script: 'e2e/engines/build.sh' },
} as const satisfies Record<string, { component: string; versionKey: string; script?: string }>;

export type BinaryName = keyof typeof binaries;

/** Parses KEY=value lines (comments and blank lines ignored) of e2e/versions.env. */
export function parseVersionsEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`${versionsFile}: cannot parse line ${JSON.stringify(raw)}`);
    out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
  }
  return out;
}

let cachedVersions: Record<string, string> | undefined;
export function versions(): Record<string, string> {
  cachedVersions ??= parseVersionsEnv(readFileSync(versionsFile, 'utf8'));
  return cachedVersions;
}

/** The cache root: $TOLLGATE_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/tollgate (as scripts/env.sh). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOLLGATE_CACHE) return env.TOLLGATE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tollgate');
}

/** Where `name` is (or would be) cached; does not check that it exists. */
export function expectedBinaryPath(name: BinaryName, env: NodeJS.ProcessEnv = process.env): string {
  const { component, versionKey } = binaries[name];
  const version = versions()[versionKey];
  if (!version) throw new Error(`${versionsFile} does not pin ${versionKey} (needed for ${name})`);
  return join(cacheDir(env), 'bin', `${component}-${version}`, name);
}

/** Path of a cached, executable binary; throws an error naming the binary and the command that builds it. */
export function binaryPath(name: BinaryName, env: NodeJS.ProcessEnv = process.env): string {
  const path = expectedBinaryPath(name, env);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    const entry: { component: string; versionKey: string; script?: string } = binaries[name];
    const script = entry.script ?? 'e2e/cluster/build.sh';
    throw new Error(
      `${name} ${versions()[entry.versionKey]} is not built: ${path} is missing. ` +
        `Build it with: bash ${script} ${entry.component}` +
        (entry.script ? '' : '   (or all of them: npm run e2e:build)'),
    );
  }
  return path;
}
