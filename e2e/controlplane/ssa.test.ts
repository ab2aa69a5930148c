// Server-side apply with several field managers (GitOps): the lists of the CRDs merge per item (maps keyed by
// name, sets of scalars), so a second manager applying the same manifest as the first co-owns its fields
// instead of conflicting on a whole list the API server has defaulted fields into, and two managers can
// each own their own entries (a platform overlay's key next to the team's).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeClient, KubeError } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';
import { kubeconfigPath, repoRoot } from '../kube.ts';
import { manifestFiles, readObjects } from './manifests.ts';
import { join } from 'node:path';

const k = KubeClient.fromKubeconfig(kubeconfigPath());
const sfx = Date.now().toString(36).slice(-6);
const NS = `e2e-ssa-${sfx}`;
const GROUP_VERSION = 'tollgate.dev/v1alpha1';
const PLURAL: Record<string, { plural: string; namespaced: boolean }> = {
  LLMModel: { plural: 'llmmodels', namespaced: true },
  LLMTenant: { plural: 'llmtenants', namespaced: true },
  LLMPolicy: { plural: 'llmpolicies', namespaced: false },
};
const policies: string[] = [];

type Managed = { manager: string; operation: string; fieldsV1?: unknown };
type Obj = KObject & { spec?: Record<string, unknown>; metadata: KObject['metadata'] & { managedFields?: Managed[] } };

function pathOf(o: KObject): string {
  const p = PLURAL[o.kind];
  assert.ok(p, o.kind);
  const ns = p.namespaced ? `/namespaces/${o.metadata.namespace}` : '';
  return `/apis/${GROUP_VERSION}${ns}/${p.plural}/${o.metadata.name}`;
}

/** Server-side apply as `manager`, without force: a conflict is an error (what `kubectl apply --server-side` does). */
async function apply(manager: string, o: KObject): Promise<Obj> {
  return await k.request<Obj>('PATCH', pathOf(o), {
    query: { fieldManager: manager, force: 'false', fieldValidation: 'Strict' },
    body: o,
    contentType: 'application/apply-patch+yaml',
  });
}

/** The tollgate.dev objects of examples/, moved into the test namespace (cluster-scoped ones renamed). */
function exampleObjects(): KObject[] {
  const files = manifestFiles(join(repoRoot, 'examples'), { recursive: false });
  const out: KObject[] = [];
  for (const f of files)
    for (const { object } of readObjects(f)) {
      if (object.apiVersion !== GROUP_VERSION) continue;
      const o = structuredClone(object) as unknown as KObject;
      if (PLURAL[o.kind]?.namespaced) o.metadata.namespace = NS;
      else o.metadata.name = `${o.metadata.name}-${sfx}`;
      out.push(o);
    }
  return out;
}

const conflictMessage = (err: unknown): string =>
  err instanceof KubeError ? `${err.status} ${err.message}` : String(err);

describe('server-side apply by several field managers', { timeout: 120_000 }, () => {
  before(async () => {
    await k.create(R.Namespace, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS, labels: { 'tollgate.dev/e2e': 'true' } },
    });
  });

  after(async () => {
    for (const name of policies)
      await k.delete(R.LLMPolicy, undefined, name).catch(() => {
        /* gone */
      });
    await k.delete(R.Namespace, undefined, NS).catch(() => {
      /* gone */
    });
  });

  it('a second manager applying the same examples/ manifests co-owns them: no conflict', async () => {
    const objects = exampleObjects();
    assert.ok(objects.some((o) => o.kind === 'LLMTenant') && objects.some((o) => o.kind === 'LLMPolicy'));
    for (const o of objects) if (o.kind === 'LLMPolicy') policies.push(o.metadata.name);
    for (const o of objects) await apply('team', o);
    const problems: string[] = [];
    for (const o of objects) {
      try {
        await apply('argocd-controller', o);
      } catch (err) {
        problems.push(`${o.kind} ${o.metadata.name}: ${conflictMessage(err)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('a manifest created by a client-side apply (Update) is taken over by a server-side apply without conflict', async () => {
    const tenant: KObject = {
      apiVersion: GROUP_VERSION,
      kind: 'LLMTenant',
      metadata: { name: 'csa', namespace: NS },
      spec: { tier: 'gold', keys: [{ name: 'backend', scopes: ['chat.completions'] }], models: ['a', 'b'] },
    } as KObject;
    await k.request('POST', `/apis/${GROUP_VERSION}/namespaces/${NS}/llmtenants`, {
      query: { fieldManager: 'kubectl-client-side-apply' },
      body: tenant,
    });
    await apply('argocd-controller', tenant);
  });

  it('two managers each own their own key of one tenant (map list keyed by name)', async () => {
    const base = { apiVersion: GROUP_VERSION, kind: 'LLMTenant', metadata: { name: 'shared', namespace: NS } };
    await apply('team', { ...base, spec: { tier: 'gold', keys: [{ name: 'app' }] } } as KObject);
    const after = await apply('platform-overlay', {
      ...base,
      spec: { keys: [{ name: 'batch', scopes: ['embeddings'] }] },
    } as KObject);
    const keys = (after.spec?.['keys'] as { name: string; revoked: boolean }[]).map((x) => x.name).sort();
    assert.deepEqual(keys, ['app', 'batch']);
    // the team re-applies its manifest: its key stays, the overlay's key stays
    const again = await apply('team', { ...base, spec: { tier: 'gold', keys: [{ name: 'app' }] } } as KObject);
    assert.deepEqual((again.spec?.['keys'] as { name: string }[]).map((x) => x.name).sort(), ['app', 'batch']);
    // a manager that drops its key from its manifest removes that key only
    const dropped = await apply('platform-overlay', { ...base, spec: {} } as KObject);
    assert.deepEqual(
      (dropped.spec?.['keys'] as { name: string }[]).map((x) => x.name),
      ['app'],
    );
  });

  it('the API server refuses duplicate names in a map list and duplicate values in a set list', async () => {
    const base = { apiVersion: GROUP_VERSION, kind: 'LLMTenant', metadata: { name: 'dup', namespace: NS } };
    await assert.rejects(
      apply('team', { ...base, spec: { tier: 'gold', keys: [{ name: 'a' }, { name: 'a' }] } } as KObject),
      /[Dd]uplicate/,
    );
    await assert.rejects(
      apply('team', { ...base, spec: { tier: 'gold', models: ['m', 'm'] } } as KObject),
      /[Dd]uplicate/,
    );
  });
});
