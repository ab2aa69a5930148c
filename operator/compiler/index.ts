// The compiler: custom resources (+ Secrets, Namespaces) -> Kubernetes objects + gateway config.
// Pure: no I/O, no clock except the `now` input (used only for key states in status).
import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import { GATEWAY_CONFIG_SCHEMA_VERSION, sealGatewayConfig, type CfgModel, type GatewayConfig } from '../../api/gateway-config.ts';
import type { LLMModel, LLMPolicy, LLMTenant } from '../../api/v1alpha1/index.ts';
import { engineAdapter } from './engines/index.ts';
import { secretIndex } from './keys.ts';
import { MANAGED_BY } from './labels.ts';
import { credentialKey, defaultDenyPolicy, modelDeployment, modelNetworkPolicy, modelService, upstreamUrl } from './model.ts';
import { withDefaults, type CompileOptions } from './options.ts';
import { policyProblems, selects } from './policy.ts';
import { compileTenant, tenantNetworkPolicy, type TenantOutcome } from './tenant.ts';
import type { KubeObject } from './objects.ts';
import { sortObjects } from './objects.ts';

export { withDefaults, DEFAULT_OPTIONS, type CompileOptions } from './options.ts';
export type { KubeObject } from './objects.ts';
export type { TenantOutcome } from './tenant.ts';

export interface CompileInput {
  models: LLMModel[];
  tenants: LLMTenant[];
  policies: LLMPolicy[];
  secrets?: V1Secret[];
  namespaces?: V1Namespace[];
  /** Last version of each policy that compiled, used when the current one does not (operator memory). */
  lastGoodPolicies?: ReadonlyMap<string, LLMPolicy>;
  now?: Date;
}

export interface ModelOutcome {
  id: string;
  model: LLMModel;
  servedName: string;
  /** Served by the gateway (false when it lost a served-name clash). */
  serving: boolean;
  /** Other LLMModels claiming the same served name. */
  conflictsWith: string[];
  upstream: string;
  pinnedRevision: string;
  supportsApiKey: boolean;
  objects: KubeObject[];
}

export interface PolicyOutcome {
  name: string;
  policy: LLMPolicy;
  problems: string[];
  /** The policy in force: the current one, its last good version, or none. */
  inForce: 'current' | 'lastGood' | 'none';
  selectedTenants: string[];
}

export interface CompileResult {
  objects: KubeObject[];
  gatewayConfig: GatewayConfig;
  models: ModelOutcome[];
  tenants: TenantOutcome[];
  policies: PolicyOutcome[];
}

const idOf = (o: { metadata: { namespace?: string | undefined; name: string } }) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

function byCreation(a: LLMModel, b: LLMModel): number {
  const ta = String(a.metadata.creationTimestamp ?? '');
  const tb = String(b.metadata.creationTimestamp ?? '');
  if (ta !== tb) return ta < tb ? -1 : 1;
  return idOf(a) < idOf(b) ? -1 : 1;
}

export function compile(input: CompileInput, partialOptions: Partial<CompileOptions> = {}): CompileResult {
  const opts = withDefaults(partialOptions);
  const now = input.now ?? new Date(0);
  const secrets = secretIndex(input.secrets ?? []);
  const nsLabels = new Map((input.namespaces ?? []).map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));

  // Models: a served name belongs to the oldest claimant; every claimant gets told.
  const byServedName = new Map<string, LLMModel[]>();
  for (const m of [...input.models].sort(byCreation)) {
    const list = byServedName.get(m.spec.servedName) ?? [];
    list.push(m);
    byServedName.set(m.spec.servedName, list);
  }
  const served = new Map<string, LLMModel>();
  const models: ModelOutcome[] = [];
  const objects: KubeObject[] = [];
  const inferenceNamespaces = new Map<string, LLMModel[]>();
  for (const [servedName, claimants] of byServedName) {
    claimants.forEach((model, i) => {
      const adapter = engineAdapter(model.spec.engine);
      const own = [modelDeployment(model, opts), modelService(model), modelNetworkPolicy(model, opts)];
      objects.push(...own);
      const ns = model.metadata.namespace ?? 'default';
      inferenceNamespaces.set(ns, [...(inferenceNamespaces.get(ns) ?? []), model]);
      if (i === 0) served.set(servedName, model);
      models.push({
        id: idOf(model), model, servedName, serving: i === 0,
        conflictsWith: claimants.filter((c) => c !== model).map(idOf),
        upstream: upstreamUrl(model, opts), pinnedRevision: adapter.pinnedRevision(model), supportsApiKey: adapter.supportsApiKey,
        objects: own,
      });
    });
  }
  for (const [ns, owners] of inferenceNamespaces) {
    const np = defaultDenyPolicy(ns);
    // Owned by every model in the namespace (non-controller refs): it goes away with the last one.
    const refs = owners.filter((m) => m.metadata.uid).map((m) => ({ apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name, uid: m.metadata.uid as string }));
    if (refs.length > 0) np.metadata.ownerReferences = refs.sort((a, b) => (a.name < b.name ? -1 : 1));
    objects.push(np);
  }

  // Policies: a policy that does not compile falls back to its last good version, else fails closed.
  const policies: PolicyOutcome[] = [];
  const inForce: LLMPolicy[] = [];
  const broken = new Set<string>();
  for (const p of [...input.policies].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    const problems = policyProblems(p);
    let state: PolicyOutcome['inForce'] = 'current';
    if (problems.length === 0) inForce.push(p);
    else {
      const last = input.lastGoodPolicies?.get(p.metadata.name);
      if (last && policyProblems(last).length === 0) { inForce.push(last); state = 'lastGood'; }
      else { broken.add(p.metadata.name); state = 'none'; }
    }
    policies.push({ name: p.metadata.name, policy: p, problems, inForce: state, selectedTenants: [] });
  }

  const tenants: TenantOutcome[] = [];
  for (const t of [...input.tenants].sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1))) {
    const ns = t.metadata.namespace ?? 'default';
    const namespaceLabels = { ...(nsLabels.get(ns) ?? {}), 'kubernetes.io/metadata.name': ns };
    const brokenSelecting = input.policies.filter((p) => broken.has(p.metadata.name) && selects(p, { tenant: t, namespaceLabels })).map((p) => p.metadata.name);
    const outcome = compileTenant({ tenant: t, namespaceLabels, policies: inForce, brokenPolicies: brokenSelecting, models: served, secrets, now, opts });
    tenants.push(outcome);
    for (const po of policies) if (selects(po.policy, { tenant: t, namespaceLabels })) po.selectedTenants.push(outcome.id);
    objects.push(tenantNetworkPolicy(t, opts));
  }

  const cfgModels: CfgModel[] = models.filter((m) => m.serving).map((m) => {
    const s = m.model.spec;
    return {
      servedName: m.servedName,
      id: m.id,
      engine: s.engine,
      upstream: m.upstream,
      ...(m.supportsApiKey ? { credentialKey: credentialKey(m.model) } : {}),
      capabilities: [...s.capabilities].sort(),
      contextLength: s.contextLength,
      ...(s.limits?.maxInputTokens ? { maxInputTokens: s.limits.maxInputTokens } : {}),
      ...(s.limits?.maxOutputTokens ? { maxOutputTokens: s.limits.maxOutputTokens } : {}),
      cost: {
        unit: s.cost.unit,
        inputTokenWeight: s.cost.inputTokenWeight,
        outputTokenWeight: s.cost.outputTokenWeight,
        gpuSecondWeight: s.cost.gpuSecondWeight,
        gpusPerReplica: s.resources.gpus,
        estimatedOutputTokensPerSecond: s.cost.estimatedOutputTokensPerSecond,
      },
    };
  }).sort((a, b) => (a.servedName < b.servedName ? -1 : 1));

  const gatewayConfig = sealGatewayConfig({
    schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
    models: cfgModels,
    tenants: tenants.map((t) => t.config),
  });
  return { objects: sortObjects(objects), gatewayConfig, models, tenants, policies };
}

export { MANAGED_BY };
