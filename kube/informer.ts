// An informer: list, then watch from the list's resourceVersion, keeping a cache. Unlike client-node's
// informer it never stops: any error restarts it with backoff (410 Gone re-lists), the watch is rotated
// by the server every few minutes, a resync timer re-delivers every cached object, and the time since
// the last event is exposed for health checks.
import type { KubeClient } from './client.ts';
import { keyOf, isKObject, type KObject } from './object.ts';
import { apiVersionOf, pathFor, type Resource } from './resources.ts';
import { sameContent, withoutManagedFields, type Transform } from './transforms.ts';
import { backoffDelay } from './backoff.ts';

export type InformerEvent = 'add' | 'update' | 'delete' | 'resync';
/**
 * Where a cached version came from: the API server's list or watch, or this process, which put what the API
 * server answered to its own write into the cache at once (`ingest(..., 'self')`). A handler may skip work the
 * writer is doing anyway; the same version arriving by the watch later is dropped (the cache has it).
 */
export type EventOrigin = 'watch' | 'self';
export type Handler = (obj: KObject, event: InformerEvent, old: KObject | undefined, origin: EventOrigin) => void;

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  resyncMs?: number;
  /** Server-side watch timeout; the watch is re-established after it. */
  watchTimeoutSeconds?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** What the cache keeps of each object, applied as it arrives (default: all but managedFields). */
  transform?: Transform;
  /** Updates whose transformed object equals the cached one (but for resourceVersion) update the cache silently. */
  quietUnchanged?: boolean;
}

export class Informer {
  readonly resource: Resource;
  private readonly client: KubeClient;
  private readonly opts: InformerOptions;
  private readonly transform: Transform;
  private readonly cache = new Map<string, KObject>();
  private readonly handlers: Handler[] = [];
  private resourceVersion = '';
  private synced = false;
  private stopped = false;
  private abort: AbortController | undefined;
  private failures = 0;
  private resyncTimer: NodeJS.Timeout | undefined;
  private syncWaiters: (() => void)[] = [];
  /** ms since epoch of the last list, watch event or bookmark. */
  lastEventAt = 0;
  restarts = 0;
  lastError: string | undefined;

  constructor(client: KubeClient, resource: Resource, opts: InformerOptions = {}) {
    this.client = client;
    this.resource = resource;
    this.opts = opts;
    this.transform = opts.transform ?? withoutManagedFields;
  }

  on(handler: Handler): void {
    this.handlers.push(handler);
  }
  list(): KObject[] {
    return [...this.cache.values()];
  }
  values(): IterableIterator<KObject> {
    return this.cache.values();
  }
  get(key: string): KObject | undefined {
    return this.cache.get(key);
  }
  get hasSynced(): boolean {
    return this.synced;
  }
  get size(): number {
    return this.cache.size;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  start(): void {
    void this.loop();
    if (this.opts.resyncMs) {
      this.resyncTimer = setInterval(() => {
        for (const o of this.cache.values()) this.emit(o, 'resync');
      }, this.opts.resyncMs);
      this.resyncTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
  }

  private emit(obj: KObject, event: InformerEvent, old?: KObject, origin: EventOrigin = 'watch'): void {
    for (const h of this.handlers) {
      try {
        h(obj, event, old, origin);
      } catch (err) {
        this.opts.log?.('informer handler failed', { resource: this.resource.plural, err: String(err) });
      }
    }
  }

  /**
   * One watch event (`origin` 'watch'), or what the API server answered to this process's own write ('self'):
   * transformed, cached, handlers called (also the seam unit tests feed objects through).
   */
  ingest(type: 'MODIFIED' | 'DELETED', obj: KObject, origin: EventOrigin = 'watch'): void {
    const item: KObject = this.transform({ ...obj, apiVersion: apiVersionOf(this.resource), kind: this.resource.kind });
    const key = keyOf(item);
    const old = this.cache.get(key);
    if (type === 'DELETED') {
      if (old) {
        this.cache.delete(key);
        this.emit(item, 'delete', undefined, origin);
      }
      return;
    }
    // The version already cached (one this process wrote and put into the cache, now arriving by the watch):
    // nothing changed, and a handler would only redo work (a second reconcile of every new tenant).
    const rv = item.metadata.resourceVersion;
    if (old && rv !== undefined && rv !== '' && old.metadata.resourceVersion === rv) return;
    this.cache.set(key, item);
    if (old && this.opts.quietUnchanged && sameContent(old, item)) return;
    this.emit(item, old ? 'update' : 'add', old, origin);
  }

  private async relist(): Promise<void> {
    // Each page is transformed as it arrives: the full objects of a 10k-item list never sit in memory at once.
    const { items, resourceVersion } = await this.client.list<KObject>(this.resource, {
      ...(this.opts.namespace ? { namespace: this.opts.namespace } : {}),
      ...(this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {}),
      transform: this.transform,
    });
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (!old) this.emit(item, 'add');
      else if (
        old.metadata.resourceVersion !== item.metadata.resourceVersion &&
        !(this.opts.quietUnchanged && sameContent(old, item))
      )
        this.emit(item, 'update', old);
    }
    for (const [key, old] of this.cache)
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit(old, 'delete');
      }
    this.resourceVersion = resourceVersion;
    this.lastEventAt = Date.now();
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private async watchOnce(): Promise<void> {
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300;
    const query: Record<string, string> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
    };
    if (this.opts.labelSelector) query['labelSelector'] = this.opts.labelSelector;
    const ctrl = new AbortController();
    this.abort = ctrl;
    if (this.stopped) ctrl.abort();
    // Bookmarks arrive about once a minute: a watch silent for the whole server-side timeout plus slack is dead.
    const idle = setTimeout(() => ctrl.abort(), (timeoutSeconds + 30) * 1000);
    let gone = false;
    let failed: string | undefined;
    try {
      await this.client.watch(
        pathFor(this.resource, this.opts.namespace),
        query,
        ({ type, object }) => {
          this.lastEventAt = Date.now();
          idle.refresh();
          if (type === 'ERROR') {
            const status = object as { code?: number; message?: string };
            if (status.code === 410) gone = true;
            else failed = status.message ?? 'watch error';
            this.lastError = status.message ?? 'watch error';
            ctrl.abort();
            return;
          }
          if (!isKObject(object)) return;
          this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
          if (type === 'BOOKMARK') return;
          this.ingest(type === 'DELETED' ? 'DELETED' : 'MODIFIED', object);
        },
        ctrl.signal,
      );
    } finally {
      clearTimeout(idle);
    }
    if (gone) {
      this.resourceVersion = '';
      return;
    }
    if (failed !== undefined && !this.stopped) throw new Error(failed);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.resourceVersion === '') await this.relist();
        await this.watchOnce();
        this.failures = 0;
      } catch (err) {
        if (this.stopped) return;
        this.restarts++;
        this.lastError = err instanceof Error ? err.message : String(err);
        const delay = backoffDelay(this.failures++, { baseMs: 500, maxMs: 30_000 });
        this.opts.log?.('watch failed; restarting', {
          resource: this.resource.plural,
          err: this.lastError,
          retryInMs: delay,
        });
        // After an error the cache may have missed events: re-list before watching again.
        this.resourceVersion = '';
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }
}

/** Several namespace-scoped informers of one resource behind the informer interface (for least privilege). */
export class NamespacedInformers {
  readonly resource: Resource;
  private readonly parts: Map<string, Informer>;

  constructor(
    client: KubeClient,
    resource: Resource,
    namespaces: readonly string[],
    opts: Omit<InformerOptions, 'namespace'>,
  ) {
    this.resource = resource;
    this.parts = new Map(
      [...new Set(namespaces)].map((ns) => [ns, new Informer(client, resource, { ...opts, namespace: ns })]),
    );
  }

  on(handler: Handler): void {
    for (const i of this.parts.values()) i.on(handler);
  }
  list(): KObject[] {
    return [...this.parts.values()].flatMap((i) => i.list());
  }
  *values(): IterableIterator<KObject> {
    for (const i of this.parts.values()) yield* i.values();
  }
  /** Objects of namespaces not watched are ignored (as the API server would never send them). */
  ingest(type: 'MODIFIED' | 'DELETED', obj: KObject, origin: EventOrigin = 'watch'): void {
    this.parts.get(obj.metadata.namespace ?? '')?.ingest(type, obj, origin);
  }
  get(key: string): KObject | undefined {
    return this.parts.get(key.split('/')[0] ?? '')?.get(key);
  }
  get hasSynced(): boolean {
    return [...this.parts.values()].every((i) => i.hasSynced);
  }
  get size(): number {
    return [...this.parts.values()].reduce((n, i) => n + i.size, 0);
  }
  get lastEventAt(): number {
    return Math.min(...[...this.parts.values()].map((i) => i.lastEventAt));
  }
  get restarts(): number {
    return [...this.parts.values()].reduce((n, i) => n + i.restarts, 0);
  }
  get lastError(): string | undefined {
    return [...this.parts.values()].map((i) => i.lastError).find((e) => e !== undefined);
  }
  start(): void {
    for (const i of this.parts.values()) i.start();
  }
  stop(): void {
    for (const i of this.parts.values()) i.stop();
  }
  async waitForSync(): Promise<void> {
    await Promise.all([...this.parts.values()].map((i) => i.waitForSync()));
  }
}

export type Cache = Informer | NamespacedInformers;
