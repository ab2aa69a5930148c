// One adapter per inference engine. Everything engine-specific (command line, port, probes, how the
// model is fetched and verified, how the upstream credential is passed) lives behind this interface.
import { readFileSync } from 'node:fs';
import type { V1Container, V1EnvVar, V1Probe } from '@kubernetes/client-node';
import type { LLMModel } from '../../../api/v1alpha1/index.ts';
import type { EngineCli } from './cli.ts';

/** Paths shared by the init container (fetch + verify) and the serving container. */
export const MODEL_DIR = '/models';

export interface EngineContext {
  model: LLMModel;
  /** Env var carrying the upstream API key from the credential Secret (undefined: engine takes none). */
  credentialEnv?: V1EnvVar;
}

export interface EngineAdapter {
  readonly engine: LLMModel['spec']['engine'];
  /** Port the engine serves its OpenAI-compatible API on. */
  readonly port: number;
  /** Path prefix of the OpenAI-compatible API (the gateway appends /chat/completions etc.). */
  readonly apiBasePath: string;
  /** Whether the engine can require an API key; when false the NetworkPolicy is the only guard. */
  readonly supportsApiKey: boolean;
  /**
   * The engine's own CLI at the version this adapter targets (flags, and the env vars the engine and its
   * hub client read): compiled flags and users' engineArgs are checked against it. Absent: not captured.
   */
  readonly cli?: { engine: EngineCli; env: readonly EngineCli[] };
  /** Serving container: command, args, env (image, resources and security are set by the compiler). */
  container(ctx: EngineContext): Pick<V1Container, 'command' | 'args' | 'env'>;
  /** Init container that fetches the pinned model and verifies it before the engine starts. */
  fetchContainer(ctx: EngineContext): Pick<V1Container, 'image' | 'command' | 'args' | 'env'> | undefined;
  readinessProbe(): V1Probe;
  livenessProbe(): V1Probe;
  startupProbe(): V1Probe;
  /** The pinned revision/digest the engine serves, as shown in status. */
  pinnedRevision(model: LLMModel): string;
}

export function httpProbe(path: string, port: number, opts: Partial<V1Probe> = {}): V1Probe {
  return { httpGet: { path, port }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, ...opts };
}

/** Startup probe budget: large models can take many minutes to load onto GPUs. */
export function startupProbe(path: string, port: number): V1Probe {
  return httpProbe(path, port, { periodSeconds: 10, failureThreshold: 180 });
}

export function pinnedRevision(model: LLMModel): string {
  const src = model.spec.model;
  if (src.huggingface) return `${src.huggingface.repo}@${src.huggingface.revision}`;
  if (src.ollama) return `${src.ollama.name}@${src.ollama.digest}`;
  if (src.oci) return src.oci.reference;
  return '';
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A POSIX shell script that verifies listed files against their sha256 (coreutils `sha256sum -c`).
 * Used after any download so a tampered mirror or cache cannot serve different weights.
 */
export function verifyFilesScript(dir: string, files: readonly { path: string; sha256: string }[]): string {
  if (files.length === 0) return '';
  const lines = files.map((f) => `${f.sha256}  ${f.path}`).join('\\n');
  return `cd ${shellQuote(dir)} && printf '${lines}\\n' | sha256sum -c --strict -`;
}

/** The fetch program (./hf_fetch.py): standard-library Python, run with `python3 -c`. */
export const HF_FETCH_PY = readFileSync(new URL('./hf_fetch.py', import.meta.url), 'utf8');

/** Env of a Hugging Face fetch: what to fetch, where, and the token Secret (fetch container only). */
export function huggingFaceFetchEnv(model: LLMModel): V1EnvVar[] {
  const hf = model.spec.model.huggingface;
  if (!hf) return [];
  const env: V1EnvVar[] = [
    { name: 'HF_REPO', value: hf.repo },
    { name: 'HF_REVISION', value: hf.revision },
    { name: 'HF_FILES', value: JSON.stringify(hf.files ?? []) },
    { name: 'MODEL_DEST', value: `${MODEL_DIR}/${hf.repo}` },
  ];
  if (hf.tokenSecret)
    env.push({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: hf.tokenSecret.name, key: hf.tokenSecret.key } } });
  return env;
}

/** OCI artifacts are pulled by digest by the kubelet (the digest is the verification); copy them in. */
export function ociFetch(model: LLMModel): Pick<V1Container, 'image' | 'command' | 'args'> | undefined {
  const oci = model.spec.model.oci;
  if (!oci) return undefined;
  return {
    image: oci.reference,
    command: ['/bin/sh', '-c'],
    args: [`set -eu; cp -R ${shellQuote(oci.path)}/. ${MODEL_DIR}/oci/; echo copied ${oci.reference}`],
  };
}

export const HF_OFFLINE_ENV: V1EnvVar[] = [
  { name: 'HF_HOME', value: `${MODEL_DIR}/.hf` },
  { name: 'HF_HUB_OFFLINE', value: '1' },
  { name: 'HF_HUB_DISABLE_TELEMETRY', value: '1' },
  { name: 'HOME', value: '/tmp' },
];

export const HF_FETCH_ENV: V1EnvVar[] = [{ name: 'HOME', value: '/tmp' }];

/** Fetch for Python-based engine images (vLLM, TGI): an OCI artifact, or a pinned, verified Hugging Face repo. */
export function pythonImageFetch(model: LLMModel): Pick<V1Container, 'image' | 'command' | 'args' | 'env'> | undefined {
  const oci = ociFetch(model);
  if (oci) return oci;
  if (!model.spec.model.huggingface) return undefined;
  return {
    image: model.spec.image,
    command: ['python3', '-c'],
    args: [HF_FETCH_PY],
    env: [...huggingFaceFetchEnv(model), ...HF_FETCH_ENV],
  };
}

/** The probes of an engine that answers `path` once the model is loaded. */
export function healthProbes(
  path: string,
  port: number,
): Pick<EngineAdapter, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  return {
    readinessProbe: () => httpProbe(path, port),
    livenessProbe: () => httpProbe(path, port, { failureThreshold: 6 }),
    startupProbe: () => startupProbe(path, port),
  };
}

/** Where the fetch step leaves the weights for engines that load a directory (vLLM, TGI). */
export function localModelPath(model: LLMModel): string {
  const hf = model.spec.model.huggingface;
  return hf ? `${MODEL_DIR}/${hf.repo}` : `${MODEL_DIR}/oci`;
}

export interface ModelVerification {
  /** True: every file the engine loads is checked against a digest the spec pins. */
  verified: boolean;
  reason: 'SpecDigests' | 'OCIDigest' | 'ManifestDigest' | 'PinnedNotVerified';
  message: string;
}

/** What the fetch step verifies, as LLMModel status reports it ("verified" only when something is). Pure. */
export function modelVerification(model: LLMModel): ModelVerification {
  const src = model.spec.model;
  if (src.oci)
    return {
      verified: true,
      reason: 'OCIDigest',
      message: `verified: the kubelet pulls the weights by digest (${src.oci.reference})`,
    };
  if (src.ollama)
    return {
      verified: true,
      reason: 'ManifestDigest',
      message: `verified: the manifest of ${src.ollama.name} must hash to ${src.ollama.digest}; ollama checks each blob against it`,
    };
  const hf = src.huggingface;
  if (hf?.files && hf.files.length > 0)
    return {
      verified: true,
      reason: 'SpecDigests',
      message: `verified: sha256 of ${hf.files.length} file(s) listed in spec, checked after download from ${hf.repo}@${hf.revision}`,
    };
  return {
    verified: false,
    reason: 'PinnedNotVerified',
    message: `pinned, not verified: ${hf?.repo ?? '?'}@${hf?.revision ?? '?'} (the spec lists no file digests; at fetch each file is checked against the sha256 the hub lists at that revision, or only its git blob id where it lists none; list spec.model.huggingface.files to verify)`,
  };
}
