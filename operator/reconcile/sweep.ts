// Which tenant NetworkPolicies in the gateway namespace the config reconciler deletes (pure). They live in
// another namespace than their tenants, so no owner reference can collect them. There is one per tenant
// namespace (compiler/tenant.ts); it goes once no tenant is left there. NetworkPolicies of the earlier
// one-per-tenant layout go too, but only once their namespace's own one exists: the path from a tenant
// namespace to the gateway is never closed for a moment by an upgrade.
import { LABEL_TENANT_NS } from '../compiler/labels.ts';
import { tenantNetworkPolicyName } from '../compiler/tenant.ts';
import type { KObject } from '../../kube/object.ts';

export function tenantPoliciesToDelete(
  policies: Iterable<KObject>,
  gatewayNamespace: string,
  hasTenants: (namespace: string) => boolean,
): string[] {
  const all = [...policies].filter((p) => p.metadata.namespace === gatewayNamespace);
  const names = new Set(all.map((p) => p.metadata.name));
  const out: string[] = [];
  for (const p of all) {
    const tns = p.metadata.labels?.[LABEL_TENANT_NS];
    if (tns === undefined) continue;
    const current = tenantNetworkPolicyName(tns);
    if (!hasTenants(tns)) out.push(p.metadata.name);
    else if (p.metadata.name !== current && names.has(current)) out.push(p.metadata.name);
  }
  return out.sort();
}
