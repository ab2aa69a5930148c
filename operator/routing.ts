// Which keys a Secret event queues (pure: table-tested in routing.test.ts). The managed and the
// bring-your-own Secret informers share it.
import { CONFIG_INDEX_NAME } from '../api/delivery.ts';
import type { EventOrigin, InformerEvent } from '../kube/informer.ts';
import type { KObject } from '../kube/object.ts';
import { LABEL_MODEL, LABEL_TENANT } from './compiler/labels.ts';
import { modelKeyFor } from './reconcile/model.ts';

export interface SecretRoute {
  /** the replica bookkeeping (the config index Secret) */
  replicas: boolean;
  /** the gateway config (coalesced) */
  config: boolean;
  /** `<ns>/<name>` of the model that owns it */
  model?: string;
  /** `<ns>/<name>` of the tenant that owns it (its key Secret) */
  tenant?: string;
  /** every tenant of this namespace (a bring-your-own Secret may feed any of them) */
  tenantsIn?: string;
}

/**
 * A key Secret the tenant reconciler has just written and put into the cache itself (`origin` 'self') does
 * not queue that tenant again: the reconcile that wrote it is the one running, and it goes on with what it
 * wrote. The same version arriving by the watch is dropped by the informer; any other version (an edit or a
 * delete by someone else) comes from the watch and queues the tenant, as does the periodic resync.
 */
export function routeSecret(
  o: KObject,
  event: InformerEvent,
  origin: EventOrigin,
  gatewayNamespace: string,
): SecretRoute {
  const changed = event !== 'resync';
  if (o.metadata.namespace === gatewayNamespace)
    return { replicas: o.metadata.name === CONFIG_INDEX_NAME, config: changed };
  const route: SecretRoute = { replicas: false, config: false };
  if (o.metadata.labels?.[LABEL_MODEL]) {
    const m = modelKeyFor(o);
    if (m) route.model = m;
    route.config ||= changed;
  }
  const owner = o.metadata.ownerReferences?.find((r) => r.kind === 'LLMTenant');
  if (owner) {
    if (origin !== 'self') route.tenant = `${o.metadata.namespace}/${owner.name}`;
    route.config ||= changed;
  }
  if (!o.metadata.labels?.[LABEL_TENANT] && !o.metadata.labels?.[LABEL_MODEL]) {
    if (o.metadata.namespace) route.tenantsIn = o.metadata.namespace;
    route.config ||= changed;
  }
  return route;
}
