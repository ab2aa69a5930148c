// A thin JSON client over the Kubernetes API. client-node does kubeconfig loading, authentication and TLS;
// objects travel as plain JSON (client-node's typed models rename fields such as NetworkPolicy `from` and
// turn timestamps into Dates, which would corrupt server-side apply). Every request is counted.
import { KubeConfig, RequestContext, type HttpMethod } from '@kubernetes/client-node';
import { fetch } from 'undici';
import type { KObject } from './object.ts';
import { apiVersionOf, pathFor, type Resource } from './resources.ts';

export const FIELD_MANAGER = 'tollgate-operator';

export class KubeError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export interface RequestCounter {
  (verb: string, resource: string, status: number): void;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export class KubeClient {
  readonly kc: KubeConfig;
  readonly server: string;
  private readonly onRequest: RequestCounter | undefined;
  /**
   * One connection pool for every request. client-node 2.0.1 builds a new undici Agent (pool + TLS
   * session) on every applySecurityAuthentication() and never closes it: used per request, that keeps
   * a socket per request alive and grew the operator's heap by hundreds of MB under load.
   */
  private dispatcher: ReturnType<RequestContext['getDispatcher']> | undefined;
  /** Requests by verb, for tests and the scale benchmark. */
  readonly counts = new Map<string, number>();

  constructor(kc: KubeConfig, onRequest?: RequestCounter) {
    this.kc = kc;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.onRequest = onRequest;
  }

  static fromKubeconfig(path?: string, onRequest?: RequestCounter): KubeClient {
    const kc = new KubeConfig();
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
    return new KubeClient(kc, onRequest);
  }

  writes(): number {
    let n = 0;
    for (const [verb, c] of this.counts) if (verb !== 'get' && verb !== 'list' && verb !== 'watch') n += c;
    return n;
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: { query?: Record<string, string>; body?: unknown; contentType?: string; verb?: string; resource?: string } = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), method as HttpMethod);
    await this.kc.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = { ...ctx.getHeaders(), Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const verb = opts.verb ?? method.toLowerCase();
    this.counts.set(verb, (this.counts.get(verb) ?? 0) + 1);
    this.dispatcher ??= ctx.getDispatcher();
    const res = await fetch(url, {
      method,
      headers,
      dispatcher: this.dispatcher,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    this.onRequest?.(verb, opts.resource ?? '', res.status);
    if (!res.ok) {
      let reason = res.statusText;
      let message = text.slice(0, 2000);
      try {
        const status = JSON.parse(text) as { reason?: string; message?: string };
        reason = status.reason ?? reason;
        message = status.message ?? message;
      } catch { /* not a Status object */ }
      throw new KubeError(res.status, reason, `${method} ${path}: ${res.status} ${message}`);
    }
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  async get<T extends KObject>(r: Resource, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', pathFor(r, namespace, name), { resource: r.plural });
    } catch (err) {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Every page of a collection; `transform` maps each item as its page arrives (informers keep only what they need). */
  async list<T extends KObject>(r: Resource, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string; transform?: (o: KObject) => KObject } = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined = opts.continue;
    let resourceVersion = '';
    do {
      const query: Record<string, string> = { limit: String(opts.limit ?? 500) };
      if (opts.labelSelector) query['labelSelector'] = opts.labelSelector;
      if (opts.fieldSelector) query['fieldSelector'] = opts.fieldSelector;
      if (cont) query['continue'] = cont;
      const page = await this.request<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>('GET', pathFor(r, opts.namespace), { query, verb: 'list', resource: r.plural });
      const apiVersion = apiVersionOf(r);
      for (const item of page.items) {
        const full = { ...item, apiVersion, kind: r.kind };
        items.push((opts.transform ? opts.transform(full) : full) as T);
      }
      resourceVersion = page.metadata.resourceVersion;
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /** Server-side apply under the operator's field manager (force: the operator owns these fields). */
  async apply<T extends KObject>(r: Resource, obj: KObject, opts: { subresource?: 'status'; force?: boolean; dryRun?: boolean } = {}): Promise<T> {
    const query: Record<string, string> = { fieldManager: FIELD_MANAGER, force: String(opts.force ?? true) };
    if (opts.dryRun) query['dryRun'] = 'All';
    return this.request<T>('PATCH', pathFor(r, obj.metadata.namespace, obj.metadata.name, opts.subresource), {
      query, body: obj, contentType: 'application/apply-patch+yaml', verb: opts.subresource ? 'apply-status' : 'apply', resource: r.plural,
    });
  }

  async create<T extends KObject>(r: Resource, obj: KObject): Promise<T> {
    return this.request<T>('POST', pathFor(r, obj.metadata.namespace), { query: { fieldManager: FIELD_MANAGER }, body: obj, verb: 'create', resource: r.plural });
  }

  async replace<T extends KObject>(r: Resource, obj: KObject): Promise<T> {
    return this.request<T>('PUT', pathFor(r, obj.metadata.namespace, obj.metadata.name), { query: { fieldManager: FIELD_MANAGER }, body: obj, verb: 'update', resource: r.plural });
  }

  async delete(r: Resource, namespace: string | undefined, name: string, opts: { uid?: string } = {}): Promise<boolean> {
    try {
      const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}) };
      await this.request('DELETE', pathFor(r, namespace, name), { body, resource: r.plural });
      return true;
    } catch (err) {
      if (err instanceof KubeError && (err.status === 404 || err.status === 409)) return false;
      throw err;
    }
  }
}
