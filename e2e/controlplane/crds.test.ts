// The CRDs in crds/ install on a real API server (structural schema, CEL rules compile within the cost
// budget) and become Established; their kinds are then served.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clients, retryOn429 } from '../kube.ts';
import { crdDir, installCrds, readCrds } from './manifests.ts';

const c = clients();

describe('CRDs from crds/', { timeout: 120_000 }, () => {
  it('crds/ holds the tollgate.dev CustomResourceDefinitions', () => {
    const crds = readCrds();
    assert.ok(crds.length > 0, `no CRD files in ${crdDir}: the CRD tests need crds/*.yaml (npm run gen:crds)`);
    for (const { file, crd } of crds) {
      assert.equal(crd.spec.group, 'tollgate.dev', `${file}: group`);
      assert.equal(
        crd.metadata?.name,
        `${crd.spec.names.plural}.${crd.spec.group}`,
        `${file}: name is <plural>.<group>`,
      );
    }
  });

  it('install (server-side apply) and become Established, with v1alpha1 served and stored', async () => {
    const installed = await installCrds(c);
    assert.ok(installed.length > 0, `no CRD files in ${crdDir}`);
    for (const crd of installed) {
      const v = crd.spec.versions.find((x) => x.name === 'v1alpha1');
      assert.ok(v, `${crd.metadata?.name} has version v1alpha1`);
      assert.equal(v.served, true);
      assert.equal(v.storage, true);
      // the server accepted the schema as structural: no NonStructuralSchema condition
      const nonStructural = crd.status?.conditions?.find((x) => x.type === 'NonStructuralSchema');
      assert.equal(nonStructural?.status ?? 'False', 'False', `${crd.metadata?.name}: ${nonStructural?.message}`);
      assert.deepEqual(crd.status?.acceptedNames?.kind, crd.spec.names.kind);
    }
  });

  it('each kind is served: listing it succeeds', async () => {
    const installed = await installCrds(c);
    for (const crd of installed) {
      const { group, names, scope } = crd.spec;
      const list = await retryOn429(() =>
        c.objects.list(`${group}/v1alpha1`, names.kind, scope === 'Namespaced' ? 'default' : undefined),
      );
      assert.ok(Array.isArray(list.items), `list ${names.plural}`);
    }
  });
});
