// A thin JSON client over the Kubernetes API, with its own watch. Credentials come from
// kube/config.ts (in-cluster, certificates, tokens); objects travel as plain JSON (client-node's typed
// models rename fields such as NetworkPolicy `from` and turn timestamps into Dates, which would corrupt
// server-side apply). client-node is loaded only for kubeconfigs that need an exec plugin or an auth
// provider: its module graph costs ~85 MB of RSS the operator does not otherwise need. Every request is counted.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Agent, fetch, type Dispatcher } from 'undici';
import { loadConnection, type Connection, type Loaded } from './config.ts';
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

interface Auth {
  headers(url: string, method: string): Promise<Record<string, string>>;
  dispatcher(): Dispatcher;
}

/**
 * How requests reach the API server. undici 8 speaks HTTP/2 when the server offers it (the API server does):
 * every request and watch is then a stream on one connection (the API server allows 100 streams on it).
 * `http1` uses HTTP/1.1 instead, up to `connections` sockets (a watch holds one for its lifetime).
 */
export interface Transport {
  http1?: boolean;
  connections?: number;
}

function directAuth(c: Connection, t: Transport): Auth {
  // One connection pool for every request (and every watch).
  const agent = new Agent({
    ...(t.http1 ? { allowH2: false, ...(t.connections ? { connections: t.connections } : {}) } : {}),
    connect: {
      ...(c.ca ? { ca: c.ca } : {}),
      ...(c.cert ? { cert: c.cert } : {}),
      ...(c.key ? { key: c.key } : {}),
      rejectUnauthorized: !c.insecureSkipTlsVerify,
    },
  });
  return {
    headers: async (): Promise<Record<string, string>> => {
      if (c.token) return { Authorization: `Bearer ${c.token()}` };
      if (c.basic)
        return { Authorization: `Basic ${Buffer.from(`${c.basic.username}:${c.basic.password}`).toString('base64')}` };
      return {};
    },
    dispatcher: () => agent,
  };
}

/** Kubeconfigs with an exec plugin or auth provider: client-node does the authentication. */
function pluginAuth(path: string): Auth {
  type KC = { loadFromFile(p: string): void; applySecurityAuthentication(ctx: unknown): Promise<void> };
  let kc:
    | Promise<{
        kc: KC;
        RequestContext: new (
          url: string,
          method: string,
        ) => { getHeaders(): Record<string, string>; getDispatcher(): Dispatcher };
      }>
    | undefined;
  let dispatcher: Dispatcher | undefined;
  const load = () =>
    (kc ??= import('@kubernetes/client-node').then((m) => {
      const k = new m.KubeConfig() as unknown as KC;
      k.loadFromFile(path);
      return {
        kc: k,
        RequestContext: m.RequestContext as unknown as new (
          url: string,
          method: string,
        ) => { getHeaders(): Record<string, string>; getDispatcher(): Dispatcher },
      };
    }));
  return {
    headers: async (url, method) => {
      const { kc: k, RequestContext } = await load();
      const ctx = new RequestContext(url, method);
      await k.applySecurityAuthentication(ctx);
      // client-node 2.0.1 builds a new undici Agent per call and never closes it: keep the first one.
      dispatcher ??= ctx.getDispatcher();
      return ctx.getHeaders();
    },
    dispatcher: () => {
      if (!dispatcher) throw new Error('no dispatcher before the first request');
      return dispatcher;
    },
  };
}

export type WatchEvent = { type: string; object: unknown };

export class KubeClient {
  readonly server: string;
  /** The connection (undefined when an exec plugin / auth provider authenticates through client-node). */
  readonly connection: Connection | undefined;
  private readonly auth: Auth;
  private readonly onRequest: RequestCounter | undefined;
  /** Requests by verb, for tests and the scale benchmark. */
  readonly counts = new Map<string, number>();

  constructor(loaded: Loaded, onRequest?: RequestCounter, transport: Transport = {}) {
    if (loaded.kind === 'direct') {
      this.server = loaded.connection.server;
      this.connection = loaded.connection;
      this.auth = directAuth(loaded.connection, transport);
    } else {
      this.server = loaded.server;
      this.connection = undefined;
      this.auth = pluginAuth(loaded.path);
    }
    this.onRequest = onRequest;
  }

  static fromKubeconfig(path?: string, onRequest?: RequestCounter, transport?: Transport): KubeClient {
    return new KubeClient(loadConnection(path), onRequest, transport);
  }

  writes(): number {
    let n = 0;
    for (const [verb, c] of this.counts) if (verb !== 'get' && verb !== 'list' && verb !== 'watch') n += c;
    return n;
  }

  private async send(
    method: string,
    url: URL,
    body: string | undefined,
    contentType: string | undefined,
    signal: AbortSignal,
  ): Promise<Awaited<ReturnType<typeof fetch>>> {
    const headers: Record<string, string> = {
      ...(await this.auth.headers(url.toString(), method)),
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = contentType ?? 'application/json';
    return fetch(url, {
      method,
      headers,
      dispatcher: this.auth.dispatcher(),
      ...(body !== undefined ? { body } : {}),
      signal,
    });
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    opts: {
      query?: Record<string, string>;
      body?: unknown;
      contentType?: string;
      verb?: string;
      resource?: string;
    } = {},
  ): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const verb = opts.verb ?? method.toLowerCase();
    this.counts.set(verb, (this.counts.get(verb) ?? 0) + 1);
    const res = await this.send(
      method,
      url,
      opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      opts.contentType,
      AbortSignal.timeout(30_000),
    );
    const text = await res.text();
    this.onRequest?.(verb, opts.resource ?? '', res.status);
    if (!res.ok) {
      let reason = res.statusText;
      let message = text.slice(0, 2000);
      try {
        const status = JSON.parse(text) as { reason?: string; message?: string };
        reason = status.reason ?? reason;
        message = status.message ?? message;
      } catch {
        /* not a Status object */
      }
      throw new KubeError(res.status, reason, `${method} ${path}: ${res.status} ${message}`);
    }
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /**
   * A watch: each event line is parsed and handed over as it arrives. Resolves when the server ends the
   * watch (timeoutSeconds) or `signal` aborts it; rejects on an HTTP error or a broken stream.
   */
  async watch(
    path: string,
    query: Record<string, string>,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries({ ...query, watch: 'true' })) url.searchParams.set(k, v);
    this.counts.set('watch', (this.counts.get('watch') ?? 0) + 1);
    const res = await this.send('GET', url, undefined, undefined, signal);
    this.onRequest?.('watch', '', res.status);
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      throw new KubeError(res.status, res.statusText, `watch ${path}: ${res.status} ${text.slice(0, 500)}`);
    }
    const lines = createInterface({
      input: Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]),
      crlfDelay: Infinity,
    });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        let e: WatchEvent;
        try {
          e = JSON.parse(line) as WatchEvent;
        } catch {
          throw new Error(`watch ${path}: a line that is not JSON`);
        }
        onEvent(e);
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
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
  async list<T extends KObject>(
    r: Resource,
    opts: {
      namespace?: string;
      labelSelector?: string;
      fieldSelector?: string;
      limit?: number;
      continue?: string;
      transform?: (o: KObject) => KObject;
    } = {},
  ): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined = opts.continue;
    let resourceVersion: string;
    do {
      const query: Record<string, string> = { limit: String(opts.limit ?? 500) };
      if (opts.labelSelector) query['labelSelector'] = opts.labelSelector;
      if (opts.fieldSelector) query['fieldSelector'] = opts.fieldSelector;
      if (cont) query['continue'] = cont;
      const page = await this.request<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>(
        'GET',
        pathFor(r, opts.namespace),
        { query, verb: 'list', resource: r.plural },
      );
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
  async apply<T extends KObject>(
    r: Resource,
    obj: KObject,
    opts: { subresource?: 'status'; force?: boolean; dryRun?: boolean } = {},
  ): Promise<T> {
    const query: Record<string, string> = { fieldManager: FIELD_MANAGER, force: String(opts.force ?? true) };
    if (opts.dryRun) query['dryRun'] = 'All';
    return this.request<T>('PATCH', pathFor(r, obj.metadata.namespace, obj.metadata.name, opts.subresource), {
      query,
      body: obj,
      contentType: 'application/apply-patch+yaml',
      verb: opts.subresource ? 'apply-status' : 'apply',
      resource: r.plural,
    });
  }

  async create<T extends KObject>(r: Resource, obj: KObject): Promise<T> {
    return this.request<T>('POST', pathFor(r, obj.metadata.namespace), {
      query: { fieldManager: FIELD_MANAGER },
      body: obj,
      verb: 'create',
      resource: r.plural,
    });
  }

  async replace<T extends KObject>(r: Resource, obj: KObject): Promise<T> {
    return this.request<T>('PUT', pathFor(r, obj.metadata.namespace, obj.metadata.name), {
      query: { fieldManager: FIELD_MANAGER },
      body: obj,
      verb: 'update',
      resource: r.plural,
    });
  }

  async delete(
    r: Resource,
    namespace: string | undefined,
    name: string,
    opts: { uid?: string } = {},
  ): Promise<boolean> {
    try {
      const body = {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
        ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}),
      };
      await this.request('DELETE', pathFor(r, namespace, name), { body, resource: r.plural });
      return true;
    } catch (err) {
      if (err instanceof KubeError && (err.status === 404 || err.status === 409)) return false;
      throw err;
    }
  }
}
