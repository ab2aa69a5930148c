// examples/gitops: the Argo CD Applications and the Flux HelmRelease + Kustomizations install the chart
// with values its schema accepts, and apply exactly the custom resources of examples/*.yaml (top folder).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { binaryPath } from '../binaries.ts';
import { repoRoot } from '../kube.ts';
import { find, parseObjects, render, type K8sObject } from './helm.ts';

const run = promisify(execFile);
const gitops = join(repoRoot, 'examples', 'gitops');
const read = (path: string): K8sObject[] => parseObjects(readFileSync(join(gitops, path), 'utf8'));
const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** What examples/*.yaml (not its subfolders) holds: what both GitOps tools must apply. */
function topLevelExamples(): string[] {
  return readdirSync(join(repoRoot, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseObjects(readFileSync(join(repoRoot, 'examples', f), 'utf8')))
    .map(key)
    .sort();
}

async function kustomize(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(
    binaryPath('kubectl'),
    ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', join(gitops, dir)],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return parseObjects(stdout);
}

type Application = K8sObject & {
  spec: {
    source: {
      path: string;
      helm?: { releaseName: string; valuesObject: Record<string, unknown> };
      directory?: { recurse: boolean };
    };
    destination: { namespace?: string };
    syncPolicy?: { syncOptions?: string[] };
  };
};

describe('Argo CD example', () => {
  const apps = read('argocd/tollgate.yaml') as Application[];
  it('installs the chart first (wave 0) with values the chart accepts', async () => {
    const chart = apps.find((a) => a.spec.source.path === 'charts/tollgate');
    assert.ok(chart?.spec.source.helm, 'an Application for charts/tollgate with Helm values');
    assert.equal(chart.metadata.annotations?.['argocd.argoproj.io/sync-wave'], '0');
    const objects = await render(chart.spec.source.helm.valuesObject, {
      release: chart.spec.source.helm.releaseName,
      namespace: chart.spec.destination.namespace ?? 'default',
    });
    assert.equal(find(objects, 'Deployment').length, 3);
    assert.equal(
      find(objects, 'Secret').length,
      0,
      'no generated Redis password (lookup is empty under Argo CD): an existing Secret',
    );
  });
  it('then applies the top folder of examples/ only (wave 1)', () => {
    const res = apps.find((a) => a.spec.source.path === 'examples');
    assert.ok(res);
    assert.equal(res.metadata.annotations?.['argocd.argoproj.io/sync-wave'], '1');
    assert.equal(res.spec.source.directory?.recurse, false, 'examples/invalid/ and examples/gitops/ must stay out');
    assert.ok(topLevelExamples().some((k) => k.startsWith('LLMModel/')));
  });
  it('applies and diffs server-side (CRD defaults would otherwise show as OutOfSync after a sync)', () => {
    for (const app of apps) {
      assert.ok(app.spec.syncPolicy?.syncOptions?.includes('ServerSideApply=true'), app.metadata.name);
      assert.match(
        app.metadata.annotations?.['argocd.argoproj.io/compare-options'] ?? '',
        /ServerSideDiff=true/,
        app.metadata.name,
      );
    }
  });
});

describe('Flux example', () => {
  type FluxKustomization = K8sObject & { spec: { path: string; dependsOn?: { name: string }[] } };
  const top = read('flux/tollgate.yaml');
  const kustomizations = find(top, 'Kustomization') as FluxKustomization[];
  it('a GitRepository and two Kustomizations: the release, then the resources (dependsOn)', () => {
    assert.equal(find(top, 'GitRepository').length, 1);
    const release = kustomizations.find((k) => k.spec.path === './examples/gitops/flux/release');
    const resources = kustomizations.find((k) => k.spec.path === './examples/gitops/flux/resources');
    assert.ok(release && resources);
    assert.deepEqual(
      resources.spec.dependsOn?.map((d) => d.name),
      [release.metadata.name],
    );
  });
  it('the release folder builds to the namespace and a HelmRelease whose values the chart accepts', async () => {
    const objects = await kustomize('flux/release');
    assert.deepEqual(objects.map(key).sort(), ['HelmRelease/tollgate-system/tollgate', 'Namespace//tollgate-system']);
    const hr = objects.find((o) => o.kind === 'HelmRelease') as K8sObject & {
      spec: { releaseName: string; chart: { spec: { chart: string } }; values: Record<string, unknown> };
    };
    assert.equal(hr.spec.chart.spec.chart, './charts/tollgate');
    const rendered = await render(hr.spec.values, { release: hr.spec.releaseName, namespace: 'tollgate-system' });
    assert.equal(find(rendered, 'Deployment').length, 3);
  });
  it('the resources folder builds to exactly the custom resources of examples/*.yaml', async () => {
    assert.deepEqual((await kustomize('flux/resources')).map(key).sort(), topLevelExamples());
  });
});

describe('examples/ with the GitOps subfolder', () => {
  it('`tollgate validate -f examples/` still reads only the top folder and passes', async () => {
    const { stdout, stderr } = await run(process.execPath, [
      join(repoRoot, 'bin', 'tollgate.ts'),
      'validate',
      '-f',
      join(repoRoot, 'examples'),
    ]);
    assert.doesNotMatch(stdout + stderr, /gitops/);
  });
});
