// Whether, and how, the operator may write a tenant's key Secret (pure). It decides only from what the operator
// can know: the namespaces whose Secrets it watches (--secret-namespaces; chart operator.secretNamespaces) and
// whether its cache holds the Secret. A Secret it cannot see is never written over: outside the watched
// namespaces nothing is read or written, and a Secret missing from the cache is created (the API server
// refuses the create when it exists after all), never applied over.

export const NAMESPACE_NOT_WATCHED = 'NamespaceNotWatched';

export type KeySecretWrite =
  /** Nothing to write. */
  | { write: 'none' }
  /** The Secret is not in the cache: create it; a conflict means it exists unseen (re-plan on the live one). */
  | { write: 'create' }
  /** The Secret is in the cache (the plan carries its keys over): server-side apply. */
  | { write: 'apply' }
  /** The namespace's Secrets are not watched: no read, no write; say so on the tenant. */
  | { write: 'none'; notWatched: { reason: typeof NAMESPACE_NOT_WATCHED; message: string } };

export interface KeySecretFacts {
  namespace: string;
  /** --secret-namespaces; undefined or empty: every namespace is watched. */
  secretNamespaces: readonly string[] | undefined;
  /** The operator's own namespace, always watched. */
  gatewayNamespace: string;
  /** The cache holds the tenant's key Secret. */
  cached: boolean;
  /** The key plan changes the Secret (issues, rotates or drops a key). */
  changed: boolean;
}

export function secretsWatched(
  namespace: string,
  secretNamespaces: readonly string[] | undefined,
  gatewayNamespace: string,
): boolean {
  if (!secretNamespaces || secretNamespaces.length === 0) return true;
  return namespace === gatewayNamespace || secretNamespaces.includes(namespace);
}

export function notWatchedMessage(namespace: string): string {
  return `namespace ${namespace} is not in the operator's --secret-namespaces (chart value operator.secretNamespaces): it neither reads nor writes Secrets there, so keys are not issued and existing ones are not served. Add the namespace and upgrade the release.`;
}

export function decideKeySecretWrite(f: KeySecretFacts): KeySecretWrite {
  if (!secretsWatched(f.namespace, f.secretNamespaces, f.gatewayNamespace))
    return { write: 'none', notWatched: { reason: NAMESPACE_NOT_WATCHED, message: notWatchedMessage(f.namespace) } };
  if (!f.changed) return { write: 'none' };
  return f.cached ? { write: 'apply' } : { write: 'create' };
}
