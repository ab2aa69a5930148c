// Whether, and how, the operator may write a tenant's key Secret (pure). It decides only from what the operator
// can know: the namespaces whose Secrets it watches (--secret-namespaces; chart operator.secretNamespaces) and
// whether its key plan changes the Secret. A Secret it cannot see is never written over: outside the watched
// namespaces nothing is read or written, and inside, every write is planned on the live Secret (read first),
// not on the cache, so keys a lagging cache (or a missing managed-by label) hides are carried over, not
// replaced. (Not a POST create: fields created by an Update are not removed by a later apply that omits them.)

export const NAMESPACE_NOT_WATCHED = 'NamespaceNotWatched';

export type KeySecretWrite =
  /** Nothing to write. */
  | { write: 'none' }
  /** Read the live Secret, plan on it, and server-side apply what changes. */
  | { write: 'read-then-apply' }
  /** The namespace's Secrets are not watched: no read, no write; say so on the tenant. */
  | { write: 'none'; notWatched: { reason: typeof NAMESPACE_NOT_WATCHED; message: string } };

export interface KeySecretFacts {
  namespace: string;
  /** --secret-namespaces; undefined or empty: every namespace is watched. */
  secretNamespaces: readonly string[] | undefined;
  /** The operator's own namespace, always watched. */
  gatewayNamespace: string;
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
  return f.changed ? { write: 'read-then-apply' } : { write: 'none' };
}
