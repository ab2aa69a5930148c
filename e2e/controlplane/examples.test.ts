// examples/ against a real API server with the CRDs installed:
//  - every valid example (examples/**, multi-document YAML, except examples/invalid/) passes a server-side
//    dry run (dryRun=All, fieldValidation=Strict), and the offline validator accepts it too;
//  - every invalid example (examples/invalid/*.yaml, first line `# expect: <substring>`) is rejected by the
//    offline validator with that substring, and, unless the file says `# admission: false` (a problem only
//    visible across objects, reported later as a status condition), rejected by the API server with a
//    message that contains the same substring: the CEL rules in the CRDs and the offline rules agree.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, Observable, type ObservableMiddleware } from '@kubernetes/client-node';
import { apiErrorMessage, clients, ensureNamespace, isApiError, repoRoot } from '../kube.ts';
import { fieldManager, installCrds, manifestFiles, readObjects, type FileObject } from './manifests.ts';
import { offlineValidate } from './offline.ts';

const c = clients();
const custom = c.kc.makeApiClient(CustomObjectsApi);
const GROUP = 'tollgate.dev';
const examplesDir = join(repoRoot, 'examples');
const invalidDir = join(examplesDir, 'invalid');

const strict: ObservableMiddleware = {
  pre: (ctx) => {
    ctx.setQueryParam('fieldValidation', 'Strict');
    return new Observable(Promise.resolve(ctx));
  },
  post: (res) => new Observable(Promise.resolve(res)),
};

const validFiles = manifestFiles(examplesDir, { exclude: [invalidDir] });
const invalidFiles = manifestFiles(invalidDir, { recursive: false });

interface Plural {
  plural: string;
  namespaced: boolean;
}
let plurals = new Map<string, Plural>(); // kind -> plural (tollgate.dev kinds)
const createdNamespaces: string[] = [];

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

/** Server-side dry-run create; tollgate.dev kinds with fieldValidation=Strict (unknown fields are errors). */
async function dryRunCreate({ object }: FileObject): Promise<void> {
  if (groupOf(object.apiVersion ?? '') === GROUP) {
    const p = plurals.get(object.kind ?? '');
    if (!p) throw new Error(`no CRD in crds/ serves kind ${object.kind}`);
    const [group, version] = (object.apiVersion ?? '').split('/') as [string, string];
    const namespace = object.metadata?.namespace ?? 'default';
    const opts = { middleware: [strict], middlewareMergeStrategy: 'append' as const };
    if (p.namespaced) {
      await custom.createNamespacedCustomObject({ group, version, namespace, plural: p.plural, body: object, dryRun: 'All', fieldManager }, opts);
    } else {
      await custom.createClusterCustomObject({ group, version, plural: p.plural, body: object, dryRun: 'All', fieldManager }, opts);
    }
  } else {
    await c.objects.create(object, undefined, 'All', fieldManager);
  }
}

/** Namespaces the documents live in, and Namespace documents themselves, must exist before a dry run. */
async function ensureNamespacesFor(objects: FileObject[]): Promise<void> {
  const names = new Set<string>();
  for (const { object } of objects) {
    if (object.kind === 'Namespace' && object.apiVersion === 'v1' && object.metadata?.name) names.add(object.metadata.name);
    else if (object.metadata?.namespace) names.add(object.metadata.namespace);
  }
  for (const n of names) if (await ensureNamespace(c.core, n)) createdNamespaces.push(n);
}

function expectation(path: string): { expect: string; admission: boolean } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const m = /^#\s*expect:\s*(.+?)\s*$/.exec(lines[0] ?? '');
  assert.ok(m, `${path}: the first line must be '# expect: <substring of the validation message>'`);
  const header = lines.slice(1).filter((l) => l.startsWith('#'));
  const admission = !header.some((l) => /^#\s*admission:\s*false\s*$/.test(l));
  return { expect: m[1]!, admission };
}

describe('examples against the API server', { timeout: 180_000 }, () => {
  before(async () => {
    const crds = await installCrds(c);
    plurals = new Map(crds.map((crd) => [crd.spec.names.kind, { plural: crd.spec.names.plural, namespaced: crd.spec.scope === 'Namespaced' }]));
  });
  after(async () => {
    for (const name of createdNamespaces) {
      await c.core.deleteNamespace({ name }).catch((err: unknown) => {
        if (!isApiError(err, 404)) throw err;
      });
    }
  });

  it('examples/ exists and holds valid and invalid manifests', (t) => {
    if (validFiles.length === 0 && invalidFiles.length === 0) {
      // Visible in the report, never silent: the examples are written in another issue.
      t.skip(`no manifests under ${examplesDir} yet: nothing to check`);
      return;
    }
    assert.ok(validFiles.length > 0, `no valid examples under ${examplesDir}`);
  });

  describe('valid examples pass a server-side dry run and the offline validator', () => {
    for (const path of validFiles) {
      const rel = path.slice(repoRoot.length + 1);
      it(rel, async () => {
        const objects = readObjects(path);
        assert.ok(objects.length > 0, `${rel} holds no objects`);
        const offline = offlineValidate(objects.map((o) => o.object));
        assert.deepEqual(offline, [], `offline validator rejects ${rel}`);
        await ensureNamespacesFor(objects);
        for (const o of objects) {
          if (o.object.kind === 'Namespace') continue; // created for real above
          try {
            await dryRunCreate(o);
          } catch (err) {
            assert.fail(`${rel} document ${o.index} (${o.object.kind} ${o.object.metadata?.name}) rejected: ${apiErrorMessage(err)}`);
          }
        }
      });
    }
  });

  describe('invalid examples are rejected by the offline validator and by the API server alike', () => {
    for (const path of invalidFiles) {
      const rel = path.slice(repoRoot.length + 1);
      it(rel, async () => {
        const { expect, admission } = expectation(path);
        const objects = readObjects(path);
        const offline = offlineValidate(objects.map((o) => o.object));
        assert.ok(
          offline.some((m) => m.includes(expect)),
          `offline validator should reject ${rel} with '${expect}'; it said: ${offline.length ? offline.join(' | ') : 'valid'}`,
        );
        await ensureNamespacesFor(objects);
        const serverErrors: string[] = [];
        for (const o of objects) {
          if (o.object.kind === 'Namespace') continue;
          try {
            await dryRunCreate(o);
          } catch (err) {
            if (!isApiError(err)) throw err;
            serverErrors.push(apiErrorMessage(err));
          }
        }
        if (admission) {
          assert.ok(
            serverErrors.some((m) => m.includes(expect)),
            `API server should reject ${rel} with '${expect}'; it said: ${serverErrors.length ? serverErrors.join(' | ') : 'accepted (dry run)'}`,
          );
        } else {
          assert.deepEqual(serverErrors, [], `${rel} says '# admission: false' but the API server rejected it`);
        }
      });
    }
  });
});
