// The compiler: custom resources (+ Secrets, Namespaces) -> Kubernetes objects + gateway config.
// Pure: no I/O, no clock except the `now` input (used only for key states in status).
import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import {
  GATEWAY_CONFIG_SCHEMA_VERSION,
  sealGatewayConfig,
  type CfgModel,
  type CfgScopeLimits,
  type GatewayConfig,
} from '../../api/gateway-config.ts';
import type { LLMModel, LLMPolicy, LLMTenant } from '../../api/v1alpha1/index.ts';
import { tokenizerFor } from '../../api/v1alpha1/tokenizer.ts';
import { checkEngineArgs, type EngineArgsCheck } from './engines/check.ts';
import { engineAdapter } from './engines/index.ts';
import { modelVerification, type ModelVerification } from './engines/types.ts';
import { secretIndex, type SecretIndex } from './keys.ts';
import { MANAGED_BY } from './labels.ts';
import { scopeLimits } from './keys.ts';
import {
  credentialKey,
  defaultDenyPolicy,
  modelDeployment,
  modelNetworkPolicy,
  modelService,
  upstreamUrl,
} from './model.ts';
import { withDefaults, type CompileOptions } from './options.ts';
import { checkModelSources, policyProblems, selects, type SourceCheck } from './policy.ts';
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
  /** engineArgs against the engine's captured CLI (unknown flags make the engine refuse to start). */
  engineArgs: EngineArgsCheck;
  /** Whether the fetch verifies the weights against digests the spec pins. */
  verification: ModelVerification;
  /** Its image and weights against the approved model sources (LLMPolicy modelSources). */
  source: SourceCheck;
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

const idOf = (o: { metadata: { namespace?: string | undefined; name: string } }) =>
  `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

function byCreation(a: LLMModel, b: LLMModel): number {
  const ta = String(a.metadata.creationTimestamp ?? '');
  const tb = String(b.metadata.creationTimestamp ?? '');
  if (ta !== tb) return ta < tb ? -1 : 1;
  return idOf(a) < idOf(b) ? -1 : 1;
}

export interface ModelsCompiled {
  /** Served name -> the model that serves it (conflict losers excluded). */
  served: Map<string, LLMModel>;
  models: ModelOutcome[];
  /** Every object the models need, default-deny NetworkPolicies per inference namespace included. */
  objects: KubeObject[];
}

/**
 * Models: a served name belongs to the oldest claimant whose sources are approved; every claimant gets told.
 * A model from an unapproved source (LLMPolicy modelSources in `policies`) is not served and its Deployment is
 * kept at zero replicas, so its image is never pulled and its weights never fetched.
 */
export function compileModels(
  input: readonly LLMModel[],
  opts: CompileOptions,
  policies: readonly LLMPolicy[] = [],
): ModelsCompiled {
  const byServedName = new Map<string, LLMModel[]>();
  for (const m of [...input].sort(byCreation)) {
    const list = byServedName.get(m.spec.servedName) ?? [];
    list.push(m);
    byServedName.set(m.spec.servedName, list);
  }
  const served = new Map<string, LLMModel>();
  const models: ModelOutcome[] = [];
  const objects: KubeObject[] = [];
  const inferenceNamespaces = new Map<string, LLMModel[]>();
  for (const [servedName, claimants] of byServedName) {
    const checks = claimants.map((m) => checkModelSources(m, policies));
    const winner = claimants.find((_m, i) => checks[i]!.approved);
    claimants.forEach((model, i) => {
      const adapter = engineAdapter(model.spec.engine);
      const source = checks[i]!;
      const deployment = modelDeployment(model, opts);
      if (!source.approved && deployment.spec) {
        deployment.spec.replicas = 0;
        deployment.metadata = {
          ...deployment.metadata,
          annotations: { ...deployment.metadata?.annotations, 'tollgate.dev/source-not-approved': source.rule ?? '' },
        };
      }
      const own = [deployment, modelService(model), modelNetworkPolicy(model, opts)];
      objects.push(...own);
      const ns = model.metadata.namespace ?? 'default';
      inferenceNamespaces.set(ns, [...(inferenceNamespaces.get(ns) ?? []), model]);
      if (model === winner) served.set(servedName, model);
      models.push({
        id: idOf(model),
        model,
        servedName,
        serving: model === winner,
        conflictsWith: claimants.filter((c) => c !== model).map(idOf),
        upstream: upstreamUrl(model, opts),
        pinnedRevision: adapter.pinnedRevision(model),
        supportsApiKey: adapter.supportsApiKey,
        engineArgs: checkEngineArgs(model),
        verification: modelVerification(model),
        source,
        objects: own,
      });
    });
  }
  for (const [ns, owners] of inferenceNamespaces) {
    const np = defaultDenyPolicy(ns);
    // Owned by every model in the namespace (non-controller refs): it goes away with the last one.
    const refs = owners
      .filter((m) => m.metadata.uid)
      .map((m) => ({ apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name, uid: m.metadata.uid as string }));
    if (refs.length > 0) np.metadata.ownerReferences = refs.sort((a, b) => (a.name < b.name ? -1 : 1));
    objects.push(np);
  }
  return { served, models, objects };
}

export interface PoliciesCompiled {
  policies: PolicyOutcome[];
  /** The version of each policy in force (current or last good). */
  inForce: LLMPolicy[];
  /** Policies that do not compile and have no last good version. */
  broken: Set<string>;
}

/** Policies: one that does not compile falls back to its last good version, else fails closed. */
export function compilePolicies(
  input: readonly LLMPolicy[],
  lastGood?: ReadonlyMap<string, LLMPolicy>,
): PoliciesCompiled {
  const policies: PolicyOutcome[] = [];
  const inForce: LLMPolicy[] = [];
  const broken = new Set<string>();
  for (const p of [...input].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    const problems = policyProblems(p);
    let state: PolicyOutcome['inForce'] = 'current';
    if (problems.length === 0) inForce.push(p);
    else {
      const last = lastGood?.get(p.metadata.name);
      if (last && policyProblems(last).length === 0) {
        inForce.push(last);
        state = 'lastGood';
      } else {
        broken.add(p.metadata.name);
        state = 'none';
      }
    }
    policies.push({ name: p.metadata.name, policy: p, problems, inForce: state, selectedTenants: [] });
  }
  return { policies, inForce, broken };
}

/** One tenant against already-compiled models and policies (what the tenant reconciler needs). */
export function compileOneTenant(
  t: LLMTenant,
  models: ModelsCompiled,
  policies: PoliciesCompiled,
  secrets: SecretIndex,
  nsLabels: ReadonlyMap<string, Record<string, string>>,
  now: Date,
  opts: CompileOptions,
): TenantOutcome {
  const ns = t.metadata.namespace ?? 'default';
  const namespaceLabels = { ...(nsLabels.get(ns) ?? {}), 'kubernetes.io/metadata.name': ns };
  const broken = policies.policies.filter((p) => policies.broken.has(p.name)).map((p) => p.policy);
  const outcome = compileTenant({
    tenant: t,
    namespaceLabels,
    policies: policies.inForce,
    brokenPolicies: broken,
    models: models.served,
    secrets,
    now,
    opts,
  });
  // Policy status lists the tenants each current version selects (a `tiers` selector: by the granted tier).
  outcome.selectedBy = policies.policies
    .filter((p) => selects(p.policy, { tenant: t, namespaceLabels, tier: outcome.grant.granted }))
    .map((p) => p.name);
  return outcome;
}

export function namespaceLabelIndex(namespaces: readonly V1Namespace[]): Map<string, Record<string, string>> {
  return new Map(namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
}

export function compile(input: CompileInput, partialOptions: Partial<CompileOptions> = {}): CompileResult {
  const opts = withDefaults(partialOptions);
  const now = input.now ?? new Date(0);
  const secrets = secretIndex(input.secrets ?? []);
  const nsLabels = namespaceLabelIndex(input.namespaces ?? []);
  const p = compilePolicies(input.policies, input.lastGoodPolicies);
  const m = compileModels(input.models, opts, p.inForce);
  // Fresh outcome objects: selectedTenants is filled in below.
  const policies = p.policies.map((x) => ({ ...x, selectedTenants: [] as string[] }));
  const objects: KubeObject[] = [...m.objects];
  const tenants: TenantOutcome[] = [];
  const tenantNamespaces = new Set<string>();
  for (const t of [...input.tenants].sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1))) {
    const outcome = compileOneTenant(t, m, p, secrets, nsLabels, now, opts);
    tenants.push(outcome);
    for (const po of policies) if (outcome.selectedBy.includes(po.name)) po.selectedTenants.push(outcome.id);
    tenantNamespaces.add(t.metadata.namespace ?? 'default');
  }
  for (const ns of tenantNamespaces) objects.push(tenantNetworkPolicy(ns, opts));
  return {
    objects: sortObjects(objects),
    gatewayConfig: assembleConfig(m.models, tenants),
    models: m.models,
    tenants,
    policies,
  };
}

export function assembleConfig(models: readonly ModelOutcome[], tenants: readonly TenantOutcome[]): GatewayConfig {
  return sealGatewayConfig({
    schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
    models: cfgModels(models),
    tenants: [...tenants].sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) => t.config),
  });
}

/** The gateway config's models section: served models, by served name. */
export function cfgModels(models: readonly ModelOutcome[]): CfgModel[] {
  return models
    .filter((m) => m.serving)
    .map((m) => {
      const s = m.model.spec;
      return {
        servedName: m.servedName,
        id: m.id,
        engine: s.engine,
        upstream: m.upstream,
        ...(m.supportsApiKey ? { credentialKey: credentialKey(m.model) } : {}),
        capabilities: [...s.capabilities].sort(),
        contextLength: s.contextLength,
        tokenizer: tokenizerFor(s),
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
        ...globalLimitsOf(s.globalLimits),
      };
    })
    .sort((a, b) => (a.servedName < b.servedName ? -1 : 1));
}

function globalLimitsOf(g: LLMModel['spec']['globalLimits']): { globalLimits?: CfgScopeLimits } {
  const l = g ? scopeLimits([g.budget], [g.rateLimits]) : undefined;
  return l ? { globalLimits: l } : {};
}

export { MANAGED_BY };
