// LLMModel: children by server-side apply, an upstream credential, status from the real cluster.
import { randomBytes } from 'node:crypto';
import type { LLMModelStatus } from '../../api/v1alpha1/index.ts';
import { LABEL_MODEL, labelValue } from '../compiler/labels.ts';
import { upstreamSecretName } from '../compiler/model.ts';
import { objectKey } from '../compiler/objects.ts';
import { upstreamCredentialSecret } from '../compiler/secrets.ts';
import { digestsOf } from '../transforms.ts';
import type { KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';
import { modelStatus } from '../status/model.ts';
import { ensure, readyTransition, writeStatus, type ReconcileContext } from './context.ts';

export async function reconcileModel(ctx: ReconcileContext, namespace: string, name: string): Promise<void> {
  const obj = ctx.world.models.get(`${namespace}/${name}`);
  if (!obj || obj.metadata.deletionTimestamp) return; // children go with it (owner references)
  const compiled = ctx.world.compiledModels();
  const invalid = compiled.invalid;
  const outcome = compiled.models.find((m) => m.id === `${namespace}/${name}`);
  if (!outcome) {
    const why = invalid.get(`LLMModel/${namespace}/${name}`) ?? 'not compiled';
    await writeStatus(ctx, obj, {
      observedGeneration: obj.metadata.generation,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'InvalidSpec',
          message: why,
          lastTransitionTime: ctx
            .now()
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
          ...(obj.metadata.generation ? { observedGeneration: obj.metadata.generation } : {}),
        },
      ],
    });
    return;
  }

  // The upstream credential (generated once, never logged) unless the spec brings its own. An empty one (e.g. a
  // `tollgate render` placeholder applied by hand) is replaced.
  if (outcome.supportsApiKey && !outcome.model.spec.upstreamCredential) {
    const s = upstreamSecretName(outcome.model);
    const cached = ctx.world.managedSecrets.get(`${namespace}/${s.name}`);
    const current = digestsOf(cached)?.[s.key];
    if (!cached || !current || current.length === 0) {
      await ctx.client.apply(
        R.Secret,
        upstreamCredentialSecret(outcome.model, randomBytes(32).toString('base64url')) as KObject,
        { force: cached !== undefined },
      );
    }
  }

  const caches = new Map<string, (k: string) => KObject | undefined>([
    ['Deployment', (k) => ctx.world.deployments.get(k)],
    ['Service', (k) => ctx.world.services.get(k)],
    ['NetworkPolicy', (k) => ctx.world.networkPolicies.get(k)],
  ]);
  const denyAll = compiled.objects.find(
    (o) =>
      o.kind === 'NetworkPolicy' && o.metadata?.namespace === namespace && o.metadata?.name === 'tollgate-default-deny',
  );
  // The objects are independent of one another: applied side by side (one after another, a model reconcile
  // held a worker for six round trips — seconds on a busy API server while 10,000 tenants wait for workers).
  await Promise.all(
    [...outcome.objects, ...(denyAll ? [denyAll] : [])].map(async (desired) => {
      const lookup = caches.get(desired.kind ?? '');
      const key = `${desired.metadata?.namespace}/${desired.metadata?.name}`;
      try {
        // The namespace's default-deny policy is every model's there: the models reconciled side by side apply an
        // identical one once (inflight.ts), and its answer is cached at once as the operator's own write.
        if (desired === denyAll)
          await ctx.world.inflightApplies.once(key, JSON.stringify(desired), () =>
            ensure(ctx, desired, ctx.world.networkPolicies.get(key), ctx.world.networkPolicies),
          );
        else if (desired.kind === 'Service' && !lookup?.(key))
          // a new Service takes a cluster IP: many created at once contend for the API server's allocator
          // (50 at once: 7 s each on the 1k bench); a few at a time each takes milliseconds
          await ctx.world.serviceCreates.run(() => ensure(ctx, desired, lookup?.(key)));
        else await ensure(ctx, desired, lookup?.(key));
      } catch (err) {
        throw new Error(`apply ${objectKey(desired)}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
    }),
  );

  const deploymentName = outcome.objects.find((o) => o.kind === 'Deployment')?.metadata?.name ?? '';
  const deployment = ctx.world.deployments.get(`${namespace}/${deploymentName}`);
  const pods = ctx.world.pods
    .list()
    .filter(
      (p) =>
        p.metadata.namespace === namespace &&
        p.metadata.labels?.[LABEL_MODEL] === labelValue(name) &&
        !p.metadata.deletionTimestamp,
    );
  const before = (obj as { status?: LLMModelStatus }).status;
  const status = modelStatus(outcome, deployment, pods, ctx.world.nodes.list(), before, ctx.now());
  if (await writeStatus(ctx, obj, status)) await readyTransition(ctx, obj, before, status);
}

/** Which model a child object belongs to (owner reference or label). */
export function modelKeyFor(o: KObject): string | undefined {
  const owner = o.metadata.ownerReferences?.find((r) => r.kind === 'LLMModel' && r.controller);
  if (owner && o.metadata.namespace) return `${o.metadata.namespace}/${owner.name}`;
  const label = o.metadata.labels?.[LABEL_MODEL];
  if (label && o.metadata.namespace) return `${o.metadata.namespace}/${label}`;
  return undefined;
}
