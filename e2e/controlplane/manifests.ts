// Discovery and installation of the repository's manifests (crds/, examples/) for e2e suites.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { apiErrorMessage, repoRoot, waitFor, type Clients } from '../kube.ts';

export const fieldManager = 'tollgate-e2e';

/** A Kubernetes object read from a file (apiVersion, kind and metadata.name are checked). */
export interface FileObject {
  file: string; // path relative to the repo root
  index: number; // document index in the file
  object: KubernetesObject & Record<string, unknown>;
}

/** YAML/JSON files under `dir` (recursively unless `recursive` is false), sorted; [] when `dir` is absent. */
export function manifestFiles(dir: string, { recursive = true, exclude = [] as string[] } = {}): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (exclude.includes(p)) continue;
    if (statSync(p).isDirectory()) {
      if (recursive) out.push(...manifestFiles(p, { recursive, exclude }));
    } else if (/\.(ya?ml|json)$/.test(e)) {
      out.push(p);
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every non-empty document of a (multi-document) YAML file, as Kubernetes objects. */
export function readObjects(path: string): FileObject[] {
  const file = relative(repoRoot, path);
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: FileObject[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`${file} document ${index}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      throw new Error(`${file} document ${index} is not a Kubernetes object (apiVersion/kind missing)`);
    }
    const metadata = value.metadata;
    if (!isRecord(metadata) || (typeof metadata.name !== 'string' && typeof metadata.generateName !== 'string')) {
      throw new Error(`${file} document ${index} (${value.kind}) has no metadata.name`);
    }
    out.push({ file, index, object: value as KubernetesObject & Record<string, unknown> });
  });
  return out;
}

/** crds/ of the repo; TOLLGATE_E2E_CRDS_DIR points the suites at another folder (for debugging a CRD change). */
export const crdDir = process.env.TOLLGATE_E2E_CRDS_DIR ?? join(repoRoot, 'crds');

function isCrd(v: Record<string, unknown>): v is V1CustomResourceDefinition & Record<string, unknown> {
  const spec = v.spec;
  return (
    v.apiVersion === 'apiextensions.k8s.io/v1' &&
    v.kind === 'CustomResourceDefinition' &&
    isRecord(spec) &&
    typeof spec.group === 'string' &&
    isRecord(spec.names) &&
    Array.isArray(spec.versions)
  );
}

export function readCrds(): { file: string; crd: V1CustomResourceDefinition }[] {
  return manifestFiles(crdDir, { recursive: false }).flatMap((path) =>
    readObjects(path).map(({ file, object }) => {
      if (!isCrd(object))
        throw new Error(
          `${file}: expected an apiextensions.k8s.io/v1 CustomResourceDefinition, got ${object.apiVersion} ${object.kind}`,
        );
      return { file, crd: object };
    }),
  );
}

export function crdEstablished(crd: V1CustomResourceDefinition): boolean {
  const c = crd.status?.conditions ?? [];
  return (
    c.some((x) => x.type === 'Established' && x.status === 'True') &&
    c.some((x) => x.type === 'NamesAccepted' && x.status === 'True')
  );
}

/**
 * Installs (server-side apply, idempotent) every CRD in crds/ and waits until each is Established.
 * Returns the installed CRDs as the server has them.
 */
export async function installCrds({ apiext }: Clients, timeoutMs = 60_000): Promise<V1CustomResourceDefinition[]> {
  const crds = readCrds();
  const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  for (const { crd } of crds) {
    const name = crd.metadata?.name ?? '';
    try {
      await apiext.patchCustomResourceDefinition({ name, body: crd, fieldManager, force: true }, ssa);
    } catch (err) {
      throw new Error(`the API server refused CRD ${name}: ${apiErrorMessage(err)}`, { cause: err });
    }
  }
  const out: V1CustomResourceDefinition[] = [];
  for (const { crd } of crds) {
    const name = crd.metadata?.name ?? '';
    out.push(
      await waitFor(
        `CRD ${name} to be Established`,
        async () => {
          const got = await apiext.readCustomResourceDefinition({ name });
          return crdEstablished(got) ? got : undefined;
        },
        { timeoutMs },
      ),
    );
  }
  return out;
}
