// examples/ against a real API server with the CRDs from crds/ installed, compared with the offline
// validator (`tollgate validate`: api/validate.ts + the compiler's cross-object checks, via cli/load.ts):
//  - every valid example (examples/**, multi-document YAML, except examples/invalid/) passes a server-side
//    dry run (dryRun=All; tollgate.dev kinds with fieldValidation=Strict) and the offline validator;
//  - every invalid example (examples/invalid/*.yaml) carries two header lines:
//      # expect: <substring of the offline validator's message>
//      # server: rejected <substring of the API server's message> | accepted | not-sent
//    `rejected`: an admission-level problem: the API server must refuse it with that text (the CEL/OpenAPI
//    rules in the CRDs and the offline rules agree); `accepted`: a problem only visible across objects or
//    to the compiler (reported later as a status condition): the API server must accept it; `not-sent`:
//    cannot be sent as is (unparsable YAML, a namespace on a cluster-scoped kind, a foreign kind).
//    The offline validator must reject every one of them with the `expect` text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, Observable, type ObservableMiddleware } from '@kubernetes/client-node';
import { formatProblem } from '../../api/validate.ts';
import { compileFromPaths, compileProblems } from '../../cli/load.ts';
import { apiErrorMessage, clients, ensureNamespace, isApiError, repoRoot, retryOn429 } from '../kube.ts';
import { fieldManager, installCrds, manifestFiles, readObjects, type FileObject } from './manifests.ts';

const c = clients();
const custom = c.kc.makeApiClient(CustomObjectsApi);
const GROUP = 'tollgate.dev';
const SERVED_VERSION = 'v1alpha1';
const examplesDir = join(repoRoot, 'examples');
const invalidDir = join(examplesDir, 'invalid');
const validFiles = manifestFiles(examplesDir, { exclude: [invalidDir, join(examplesDir, 'gitops')] }); // gitops/: Argo CD / Flux objects (e2e/chart/gitops.test.ts)
const invalidFiles = manifestFiles(invalidDir, { recursive: false });
const rel = (p: string): string => relative(repoRoot, p);

const strictFields: ObservableMiddleware = {
  pre: (ctx) => {
    ctx.setQueryParam('fieldValidation', 'Strict');
    return new Observable(Promise.resolve(ctx));
  },
  post: (res) => new Observable(Promise.resolve(res)),
};

// tollgate.dev kind -> resource, as the installed CRDs (read back from the server) define it
let plurals = new Map<string, { plural: string; namespaced: boolean; versions: string[] }>();
const createdNamespaces: string[] = [];

/** Server-side dry-run create. Throws the API server's error. */
async function dryRunCreate({ object }: FileObject): Promise<void> {
  const [group, version] = (object.apiVersion ?? '').includes('/')
    ? (object.apiVersion ?? '').split('/')
    : ['', object.apiVersion];
  const p = plurals.get(object.kind ?? '');
  if (group === GROUP && version === SERVED_VERSION && p) {
    const opts = { middleware: [strictFields], middlewareMergeStrategy: 'append' as const };
    const base = { group, version, plural: p.plural, body: object, dryRun: 'All', fieldManager };
    const namespace = object.metadata?.namespace ?? 'default';
    if (p.namespaced) await retryOn429(() => custom.createNamespacedCustomObject({ ...base, namespace }, opts));
    else await retryOn429(() => custom.createClusterCustomObject(base, opts));
    return;
  }
  // other kinds, and versions the CRDs do not serve (the client's discovery of the group version 404s)
  try {
    await retryOn429(() => c.objects.create(object, undefined, 'All', fieldManager));
  } catch (err) {
    if (group === GROUP && p && !p.versions.includes(version ?? '') && isApiError(err, 404)) {
      // the same words kubectl uses for this discovery result
      throw new Error(
        `no matches for kind "${object.kind}" in version "${object.apiVersion}" (${apiErrorMessage(err).trim()})`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Namespaces that documents live in, and Namespace documents themselves, must exist before a dry run. */
async function ensureNamespacesFor(objects: FileObject[]): Promise<void> {
  const names = new Set<string>();
  for (const { object } of objects) {
    if (object.kind === 'Namespace' && object.apiVersion === 'v1' && object.metadata?.name)
      names.add(object.metadata.name);
    else if (
      object.metadata?.namespace &&
      !(object.apiVersion?.startsWith(`${GROUP}/`) && plurals.get(object.kind ?? '')?.namespaced === false)
    ) {
      names.add(object.metadata.namespace);
    }
  }
  for (const n of names) if (await ensureNamespace(c.core, n)) createdNamespaces.push(n);
}

/** Dry-runs every non-Namespace document; returns the server's messages for the refused ones. */
async function serverErrors(objects: FileObject[]): Promise<string[]> {
  await ensureNamespacesFor(objects);
  const errors: string[] = [];
  for (const o of objects) {
    if (o.object.kind === 'Namespace' && o.object.apiVersion === 'v1') continue; // created for real above
    try {
      await dryRunCreate(o);
    } catch (err) {
      errors.push(`document ${o.index} (${o.object.kind} ${o.object.metadata?.name}): ${apiErrorMessage(err)}`);
    }
  }
  return errors;
}

/** What `tollgate validate` says about these paths: schema/CEL-equivalent problems, then the compiler's. */
function offlineProblems(paths: string[]): string[] {
  const { loaded, result } = compileFromPaths(paths);
  return [
    ...loaded.problems.map(formatProblem),
    ...(result ? compileProblems(result, loaded.sources).map(formatProblem) : []),
  ];
}

interface Expectation {
  expect: string;
  server: { mode: 'rejected'; text: string } | { mode: 'accepted' } | { mode: 'not-sent' };
}
function expectation(path: string): Expectation {
  const text = readFileSync(path, 'utf8');
  const expect = /^# expect: (.+?)\s*$/m.exec(text)?.[1];
  const server = /^# server: (.+?)\s*$/m.exec(text)?.[1];
  assert.ok(expect, `${rel(path)}: needs a '# expect: <substring of the validation message>' line`);
  assert.ok(server, `${rel(path)}: needs a '# server: rejected <substring> | accepted | not-sent' line`);
  if (server === 'accepted' || server === 'not-sent') return { expect, server: { mode: server } };
  const m = /^rejected (.+)$/.exec(server);
  assert.ok(m, `${rel(path)}: '# server: ${server}' is not 'rejected <substring>', 'accepted' or 'not-sent'`);
  return { expect, server: { mode: 'rejected', text: m[1]! } };
}

describe('examples/ against the API server and the offline validator', { timeout: 180_000 }, () => {
  before(async () => {
    const crds = await installCrds(c);
    plurals = new Map(
      crds.map((crd) => [
        crd.spec.names.kind,
        {
          plural: crd.spec.names.plural,
          namespaced: crd.spec.scope === 'Namespaced',
          versions: crd.spec.versions.filter((v) => v.served).map((v) => v.name),
        },
      ]),
    );
  });
  after(async () => {
    for (const name of createdNamespaces) {
      await c.core.deleteNamespace({ name }).catch((err: unknown) => {
        if (!isApiError(err, 404)) throw err;
      });
    }
  });

  it('examples/ holds valid and invalid manifests', () => {
    assert.ok(validFiles.length > 0, `no valid example manifests under ${rel(examplesDir)}/`);
    assert.ok(invalidFiles.length > 0, `no invalid example manifests under ${rel(invalidDir)}/`);
  });

  it('the offline validator accepts all valid examples together', () => {
    assert.deepEqual(offlineProblems(validFiles), []);
  });

  describe('valid examples pass a server-side dry run', () => {
    for (const path of validFiles) {
      it(rel(path), async () => {
        const objects = readObjects(path);
        assert.ok(objects.length > 0, `${rel(path)} holds no objects`);
        assert.deepEqual(await serverErrors(objects), [], `the API server refused ${rel(path)}`);
      });
    }
  });

  describe('invalid examples: the offline validator and the API server agree', () => {
    for (const path of invalidFiles) {
      it(rel(path), async () => {
        const { expect, server } = expectation(path);
        const offline = offlineProblems([path]);
        assert.ok(
          offline.some((m) => m.includes(expect)),
          `offline validator should reject ${rel(path)} with '${expect}'; it said: ${offline.length ? offline.join(' | ') : 'valid'}`,
        );
        if (server.mode === 'not-sent') return;
        const errors = await serverErrors(readObjects(path));
        if (server.mode === 'accepted') {
          assert.deepEqual(errors, [], `${rel(path)} says '# server: accepted' but the API server refused it`);
        } else {
          assert.ok(
            errors.some((m) => m.includes(server.text)),
            `the API server should refuse ${rel(path)} with '${server.text}'; it said: ${errors.length ? errors.join(' | ') : 'accepted (dry run)'}`,
          );
        }
      });
    }
  });
});
