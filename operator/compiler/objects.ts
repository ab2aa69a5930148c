// The Kubernetes objects the compiler emits, and their stable order.
import type {
  V1ConfigMap,
  V1Deployment,
  V1IPBlock,
  V1LabelSelector,
  V1NetworkPolicyPort,
  V1ObjectMeta,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';

/**
 * NetworkPolicy in its wire form. client-node's V1NetworkPolicy names the `from` field `_from` (a
 * reserved word in its generator), so objects built from it would render and apply wrongly.
 */
export interface NetworkPolicyPeer {
  podSelector?: V1LabelSelector;
  namespaceSelector?: V1LabelSelector;
  ipBlock?: V1IPBlock;
}
export interface NetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: V1ObjectMeta & { name: string; namespace: string };
  spec: {
    podSelector: V1LabelSelector;
    policyTypes: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: V1NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: V1NetworkPolicyPort[] }[];
  };
}

export type KubeObject = V1Deployment | V1Service | NetworkPolicy | V1Secret | V1ConfigMap;

const KIND_ORDER = ['Namespace', 'Secret', 'ConfigMap', 'Service', 'Deployment', 'NetworkPolicy'];

export function objectKey(o: KubeObject): string {
  return `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** Stable order: by kind (dependencies first), then namespace, then name. */
export function sortObjects(objects: KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => {
    const ka = KIND_ORDER.indexOf(a.kind ?? '');
    const kb = KIND_ORDER.indexOf(b.kind ?? '');
    if (ka !== kb) return ka - kb;
    const na = objectKey(a);
    const nb = objectKey(b);
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}
