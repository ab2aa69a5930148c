// LLMTenant -> effective grants, gateway config entry, NetworkPolicy (pure).
import type { CfgLimits, CfgTenant } from '../../api/gateway-config.ts';
import type { KeyStatus, LLMModel, LLMPolicy, LLMTenant, RateLimits, RequestLimits } from '../../api/v1alpha1/index.ts';
import { scopeLimits, tenantKeys, type SecretIndex } from './keys.ts';
import { LABEL_TENANT_NS, MANAGED_BY } from './labels.ts';
import type { NetworkPolicy } from './objects.ts';
import type { CompileOptions } from './options.ts';
import {
  entitlement,
  grantTier,
  mergeAccessWindows,
  mergeAnomaly,
  mergeBudgets,
  mergeGuardrails,
  mergeIpAllowlists,
  mergeLogging,
  mergeRateLimits,
  mergeRequestLimits,
  platformSuspensions,
  selects,
  tierSettings,
  type Entitlement,
  type TierGrant,
} from './policy.ts';
import { createHash } from 'node:crypto';

export interface TenantOutcome {
  id: string;
  tenant: LLMTenant;
  policies: string[];
  /** Requested versus granted tier, and the policy that decided. */
  grant: TierGrant;
  /** Platform suspensions in force (selecting policies with `suspend`). */
  suspendedBy: { policy: string; reason: string }[];
  /** Names of the policies whose current version selects the tenant, in force or not (policy status). */
  selectedBy: string[];
  grantedModels: string[];
  deniedModels: { name: string; reason: string }[];
  effective: { budget: CfgLimits['budgets']; rateLimits: RateLimits; limits: RequestLimits };
  keys: KeyStatus[];
  config: CfgTenant;
  /** When this outcome changes by the clock alone (a key expires or leaves its grace period); Infinity: never. */
  changesAt: number;
  /** Why the tenant cannot be served at all (undefined when it can). */
  blocked?: { reason: string; message: string };
}

export interface TenantInputs {
  tenant: LLMTenant;
  namespaceLabels: Record<string, string>;
  /** Policies that compiled (or their last good version), by name. */
  policies: LLMPolicy[];
  /** Policies that do not compile and have no last good version: a tenant one of them selects fails closed. */
  brokenPolicies: LLMPolicy[];
  /** Served name -> model, only models the gateway serves (conflict losers excluded). */
  models: ReadonlyMap<string, LLMModel>;
  secrets: SecretIndex;
  now: Date;
  opts: CompileOptions;
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function compileTenant(input: TenantInputs): TenantOutcome {
  const { tenant, opts } = input;
  const ns = tenant.metadata.namespace ?? 'default';
  const id = `${ns}/${tenant.metadata.name}`;
  // 1. The tier: granted by the policies with tierGrants that select the tenant (they cannot select by tier).
  const view = { tenant, namespaceLabels: input.namespaceLabels };
  const grant = grantTier(
    tenant.spec.tier,
    input.policies.filter((p) => p.spec.tierGrants !== undefined && selects(p, view)),
  );
  const tier = grant.granted;
  // 2. Every policy selecting the tenant, a `tiers` selector matching the granted tier.
  const selecting = input.policies
    .filter((p) => selects(p, { ...view, tier }))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const brokenSelecting = input.brokenPolicies
    .filter((p) => selects(p, { ...view, tier }))
    .map((p) => p.metadata.name)
    .sort();
  const suspendedBy = platformSuspensions(selecting);
  const ent: Entitlement = tier === undefined ? { models: [], denied: grant.message } : entitlement(selecting, tier);
  const requested = tenant.spec.models;

  const deniedModels: { name: string; reason: string }[] = [];
  let granted: string[] = [];
  const candidates = requested.length > 0 ? requested : ent.models === '*' ? [...input.models.keys()] : ent.models;
  for (const name of [...new Set(candidates)].sort()) {
    const model = input.models.get(name);
    if (ent.denied) {
      if (requested.length > 0) deniedModels.push({ name, reason: ent.denied });
      continue;
    }
    if (ent.models !== '*' && !ent.models.includes(name)) {
      deniedModels.push({ name, reason: `tier "${tier}" is not entitled to it` });
      continue;
    }
    if (!model) {
      if (requested.length > 0) deniedModels.push({ name, reason: 'no LLMModel serves this name' });
      continue;
    }
    if (model.spec.tiers && (tier === undefined || !model.spec.tiers.includes(tier))) {
      deniedModels.push({ name, reason: `the model admits tiers ${model.spec.tiers.join(', ')} only` });
      continue;
    }
    granted.push(name);
  }

  let blocked: TenantOutcome['blocked'];
  if (brokenSelecting.length > 0) {
    blocked = {
      reason: 'PolicyInvalid',
      message: `selecting LLMPolicy ${brokenSelecting.join(', ')} does not compile and has no last good version; access is refused until it is fixed`,
    };
    granted = [];
  } else if (selecting.length === 0) {
    blocked = { reason: 'NoPolicy', message: 'no LLMPolicy selects this tenant' };
  } else if (tier === undefined) {
    blocked = { reason: 'TierNotGranted', message: grant.message };
  } else if (ent.denied) {
    blocked = { reason: 'TierNotOffered', message: ent.denied };
  } else if (granted.length === 0) {
    blocked = { reason: 'NoModelsGranted', message: 'none of the requested models is granted' };
  }

  const ts = tierSettings(selecting, tier ?? '');
  const budgets = mergeBudgets([tenant.spec.budget, ...selecting.map((p) => p.spec.budget), ...ts.budgets]);
  const rate = clean(
    mergeRateLimits([tenant.spec.rateLimits, ...selecting.map((p) => p.spec.rateLimits), ...ts.rateLimits]),
  );
  const req = clean(mergeRequestLimits([tenant.spec.limits, ...selecting.map((p) => p.spec.limits), ...ts.limits]));
  const keys = tenantKeys(tenant, input.secrets, input.now);

  const limits: CfgLimits = clean({
    budgets,
    requestsPerMinute: rate.requestsPerMinute,
    tokensPerMinute: rate.tokensPerMinute,
    concurrency: rate.concurrency,
    maxInputTokens: req.maxInputTokens,
    maxOutputTokens: req.maxOutputTokens ?? opts.defaults.maxOutputTokens,
    maxN: req.maxN ?? opts.defaults.maxN,
    maxRequestBytes: req.maxRequestBytes ?? opts.defaults.maxRequestBytes,
  });
  const anomaly = mergeAnomaly(selecting);
  const modelLimits = tenantModelLimits(selecting, granted);
  const config: CfgTenant = {
    id,
    namespace: ns,
    name: tenant.metadata.name,
    tier: tier ?? '',
    // A platform suspension, or the tenant's own.
    suspended: tenant.spec.suspended || suspendedBy.length > 0,
    models: granted,
    limits,
    guardrails: mergeGuardrails(selecting),
    logging: mergeLogging(selecting),
    accessWindows: mergeAccessWindows(selecting),
    ipAllowlists: mergeIpAllowlists(selecting),
    ...(anomaly ? { anomaly } : {}),
    keys: keys.config,
    ...(modelLimits.length > 0 ? { modelLimits } : {}),
  };
  return {
    id,
    tenant,
    policies: selecting.map((p) => p.metadata.name),
    grant,
    suspendedBy,
    selectedBy: [],
    grantedModels: granted,
    deniedModels,
    effective: { budget: budgets, rateLimits: rate, limits: req },
    keys: keys.status,
    config,
    changesAt: keys.changesAt,
    ...(blocked ? { blocked } : {}),
  };
}

/** Per tenant per model limits (LLMPolicy modelLimits) of the granted models: the smallest over the selecting policies. */
export function tenantModelLimits(
  selecting: readonly LLMPolicy[],
  granted: readonly string[],
): NonNullable<CfgTenant['modelLimits']> {
  const out: NonNullable<CfgTenant['modelLimits']> = [];
  for (const model of granted) {
    const entries = selecting.flatMap((p) => (p.spec.modelLimits ?? []).filter((m) => m.model === model));
    const l =
      entries.length > 0
        ? scopeLimits(
            entries.map((e) => e.budget),
            entries.map((e) => e.rateLimits),
          )
        : undefined;
    if (l) out.push({ model, ...l });
  }
  return out;
}

/** Name of the NetworkPolicy that lets one tenant namespace reach the gateway (one per namespace, not per tenant). */
export function tenantNetworkPolicyName(ns: string): string {
  const h = createHash('sha256').update(ns).digest('hex').slice(0, 8);
  return `tenants-${ns.slice(0, 45)}-${h}`.replace(/-+/g, '-');
}

/**
 * Lets a namespace with LLMTenants reach the gateway pods (lives in the gateway namespace). Every tenant of a
 * namespace needs the same path, so there is one per namespace: 10,000 tenants in 1,000 namespaces are 1,000
 * NetworkPolicies selecting the gateway pods, not 10,000 (fewer writes while converging, fewer rules for the CNI).
 */
export function tenantNetworkPolicy(ns: string, opts: CompileOptions): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: tenantNetworkPolicyName(ns),
      namespace: opts.gatewayNamespace,
      // Cross-namespace: no owner reference is possible; the operator deletes it once no tenant is left there.
      labels: { ...MANAGED_BY, 'app.kubernetes.io/name': 'tollgate', [LABEL_TENANT_NS]: ns },
    },
    spec: {
      podSelector: { matchLabels: opts.gatewayPodLabels },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }],
          ports: [{ protocol: 'TCP', port: opts.gatewayPort }],
        },
      ],
    },
  };
}
