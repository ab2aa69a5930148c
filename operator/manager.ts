// The operator process: informers feed one keyed work queue; the leader runs the reconcilers.
// Keys: `model/<ns>/<name>`, `tenant/<ns>/<name>`, `policy/<name>`, `config`. A reconcile never looks at
// the event that queued it: it reads the world and converges.
import { revocationSignature } from './status/revocations.ts';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { CompileOptions } from './compiler/index.ts';
import { LABEL_TENANT_NS } from './compiler/labels.ts';
import { KubeClient, type Transport } from '../kube/client.ts';
import type { KObject } from '../kube/object.ts';
import { createMetrics, type OperatorMetrics } from './metrics.ts';
import { reconcileConfig } from './reconcile/config.ts';
import type { ReconcileContext } from './reconcile/context.ts';
import { modelKeyFor, reconcileModel } from './reconcile/model.ts';
import { reconcilePolicy } from './reconcile/policy.ts';
import { reconcileReplicas } from './reconcile/replicas.ts';
import type { EventOrigin, InformerEvent } from '../kube/informer.ts';
import { routeSecret } from './routing.ts';
import { reconcileTenant, revokedOn } from './reconcile/tenant.ts';
import { LeaderElector } from './runtime/leader.ts';
import { WorkQueue, type ReconcileResult } from './runtime/queue.ts';
import { World } from './world.ts';
import { reconcileFailureLevel } from './event-levels.ts';

/** Events within this window become one config reconcile. */
export const CONFIG_COALESCE_MS = 50;
/** Policy status (selected tenants) follows tenant churn at most this often. */
export const POLICY_STATUS_COALESCE_MS = 2000;

/** An update that changed neither spec (generation) nor labels: a status write. */
export function specUnchanged(o: KObject, old: KObject | undefined): boolean {
  if (!old) return false;
  if (o.metadata.generation === undefined || o.metadata.generation !== old.metadata.generation) return false;
  if (o.metadata.deletionTimestamp !== old.metadata.deletionTimestamp) return false;
  if (revocationSignature(o) !== revocationSignature(old)) return false; // sticky key revocations (issue #13/#15)
  return JSON.stringify(o.metadata.labels ?? {}) === JSON.stringify(old.metadata.labels ?? {});
}

export interface OperatorOptions {
  kubeconfig?: string;
  /** Namespace of the gateway (config Secrets, tenant NetworkPolicies) and of the leader Lease. */
  namespace: string;
  leaderElect: boolean;
  healthPort: number;
  metricsPort: number;
  bindAddress: string;
  identity: string;
  workers: number;
  resyncMs: number;
  /** /healthz fails when an informer has not heard from the API server for this long. */
  stallAfterMs: number;
  gatewayUrl?: string;
  /** Restrict Secret access to these namespaces (inference and tenant namespaces); default: all. */
  secretNamespaces?: string[];
  compile?: Partial<CompileOptions>;
  /**
   * How requests reach the API server (kube/client.ts Transport): HTTP/2 (one connection) unless `http1`.
   * bench/operator-api-floor.ts found no difference in throughput on the local control plane.
   */
  transport?: Transport;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * The most workers model reconciles hold at once. A model reconcile waits on several API calls (a new Service's
 * cluster IP among them, created a few at a time): with 100 new models they took every worker for seconds while the
 * new tenants beside them waited (bench:operator at 1k: no tenant key issued until the models were done).
 */
export const MODEL_WORKERS = 8;

export function defaultOperatorOptions(partial: Partial<OperatorOptions> = {}): OperatorOptions {
  return {
    namespace: 'tollgate-system',
    leaderElect: false,
    healthPort: 8081,
    metricsPort: 8082,
    bindAddress: '0.0.0.0',
    identity: `${hostname()}-${process.pid}`,
    workers: 32,
    resyncMs: 10 * 60_000,
    stallAfterMs: 10 * 60_000,
    // JSON lines; a `level` field (warn, error) overrides the default info
    log: (msg, fields) =>
      process.stderr.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg, ...fields })}\n`),
    ...partial,
  };
}

export class Operator {
  readonly opts: OperatorOptions;
  readonly client: KubeClient;
  readonly world: World;
  readonly queue: WorkQueue;
  readonly metrics: OperatorMetrics;
  private leader: LeaderElector | undefined;
  private servers: Server[] = [];
  private running: Promise<void> | undefined;
  private leading = false;
  private stopping = false;

  constructor(opts: OperatorOptions) {
    this.opts = opts;
    let world: World | undefined;
    this.metrics = createMetrics(() => world);
    this.client = KubeClient.fromKubeconfig(
      opts.kubeconfig,
      (verb, resource, status) => this.metrics.apiRequests.inc({ verb, resource, code: String(status) }),
      opts.transport,
    );
    const gatewayUrl = opts.gatewayUrl ?? `http://tollgate-gateway.${opts.namespace}.svc:8080/v1`;
    this.world = world = new World(
      this.client,
      {
        gatewayNamespace: opts.namespace,
        resyncMs: opts.resyncMs,
        log: opts.log,
        ...(opts.secretNamespaces ? { secretNamespaces: opts.secretNamespaces } : {}),
      },
      { gatewayNamespace: opts.namespace, gatewayUrl, ...(opts.compile ?? {}) },
    );
    this.queue = new WorkQueue({
      priority: (key) => key === 'config' || key === 'replicas',
      maxInFlight: { model: MODEL_WORKERS },
      metrics: {
        depth: (n) => this.metrics.queueDepth.set(n),
        reconciled: (key, outcome, seconds) => {
          const kind = key.split('/')[0] ?? key;
          this.metrics.reconciles.inc({ kind, result: outcome });
          this.metrics.reconcileSeconds.observe({ kind }, seconds);
        },
      },
    });
    this.route();
  }

  get ctx(): ReconcileContext {
    return {
      client: this.client,
      world: this.world,
      gatewayNamespace: this.opts.namespace,
      gatewayUrl: this.opts.gatewayUrl ?? `http://tollgate-gateway.${this.opts.namespace}.svc:8080/v1`,
      identity: this.opts.identity,
      metrics: this.metrics,
      log: this.opts.log,
      now: () => new Date(),
      enqueue: (key, afterMs) => (afterMs === undefined ? this.queue.add(key) : this.queue.addAfter(key, afterMs)),
    };
  }

  /** Map every informer event to the keys whose desired state may depend on it. */
  private route(): void {
    const q = (k: string) => this.queue.add(k);
    // The config and the policies' status are aggregates: a burst of events becomes one reconcile.
    const config = () => this.queue.addAfter('config', CONFIG_COALESCE_MS);
    const w = this.world;
    const allTenants = () => {
      for (const t of w.tenants.values()) q(`tenant/${t.metadata.namespace}/${t.metadata.name}`);
    };
    const allModels = () => {
      for (const m of w.models.values()) q(`model/${m.metadata.namespace}/${m.metadata.name}`);
    };
    const allPolicies = (delayMs: number) => {
      for (const p of w.policies.values()) this.queue.addAfter(`policy/${p.metadata.name}`, delayMs);
    };
    w.models.on((o, event, old) => {
      q(`model/${o.metadata.namespace}/${o.metadata.name}`);
      if (event === 'resync' || specUnchanged(o, old)) return; // its own status write
      config();
      allModels();
      /* served-name clashes */ allTenants();
    });
    w.tenants.on((o, event, old) => {
      if (event !== 'resync' && specUnchanged(o, old)) return; // its own status write: nothing depends on it
      q(`tenant/${o.metadata.namespace}/${o.metadata.name}`);
      if (event === 'resync') return;
      config();
      allPolicies(POLICY_STATUS_COALESCE_MS);
    });
    w.policies.on((o, event, old) => {
      q(`policy/${o.metadata.name}`);
      if (event === 'resync' || specUnchanged(o, old)) return;
      allTenants();
      allModels();
      /* approved model sources */ config();
    });
    w.namespaces.on((o, event) => {
      if (event === 'resync') return;
      for (const t of w.tenants.values())
        if (t.metadata.namespace === o.metadata.name) q(`tenant/${t.metadata.namespace}/${t.metadata.name}`);
      allPolicies(0);
      config();
    });
    const ownedByModel = (o: KObject) => {
      const k = modelKeyFor(o);
      if (k) q(`model/${k}`);
    };
    w.deployments.on(ownedByModel);
    w.services.on(ownedByModel);
    w.pods.on(ownedByModel);
    w.networkPolicies.on((o, _event, _old, origin) => {
      const tns = o.metadata.labels?.[LABEL_TENANT_NS];
      if (tns) {
        // one per tenant namespace: any one tenant there puts it back; the config reconciler sweeps the rest
        // (not after a tenant reconciler's own apply, cached as it was answered: it is what that tenant wanted)
        const id = origin === 'self' ? undefined : w.firstTenantIn(tns);
        if (id) q(`tenant/${id}`);
        config();
        return;
      }
      if (o.metadata.name === 'tollgate-default-deny') {
        if (origin === 'self') return; // a model reconciler's own apply: what every model there wants
        for (const m of w.models.values())
          if (m.metadata.namespace === o.metadata.namespace) q(`model/${m.metadata.namespace}/${m.metadata.name}`);
        return;
      }
      ownedByModel(o);
    });
    const secretEvent = (o: KObject, event: InformerEvent, _old: KObject | undefined, origin: EventOrigin) => {
      const r = routeSecret(o, event, origin, this.opts.namespace);
      if (r.replicas) q('replicas');
      if (r.model) q(`model/${r.model}`);
      if (r.tenant) q(`tenant/${r.tenant}`);
      if (r.tenantsIn !== undefined)
        for (const t of w.tenants.values())
          if (t.metadata.namespace === r.tenantsIn) q(`tenant/${t.metadata.namespace}/${t.metadata.name}`);
      if (r.config) config();
    };
    w.managedSecrets.on(secretEvent);
    w.byoSecrets.on(secretEvent);
    w.nodes.on((_o, event) => {
      if (event === 'resync') return;
      // Node capacity matters only to models that are waiting for a node.
      for (const m of w.models.values() as IterableIterator<
        KObject & { status?: { conditions?: { type: string; reason: string }[] } }
      >) {
        if (m.status?.conditions?.some((c) => c.type === 'Ready' && c.reason !== 'Serving'))
          q(`model/${m.metadata.namespace}/${m.metadata.name}`);
      }
    });
    // A Lease renewal is replica bookkeeping only: it never recompiles or republishes the config.
    w.gatewayLeases.on((o, event, old) => {
      q('replicas');
      // keys a gateway revoked (or stopped revoking) on its own show up in their tenant's status
      const key = (r: { id: string }) => r.id;
      const before = new Set(old && event === 'update' ? revokedOn(old).map(key) : []);
      const after = new Set(event === 'delete' ? [] : revokedOn(o).map(key));
      if (event === 'delete') for (const id of revokedOn(o).map(key)) before.add(id);
      for (const id of new Set([...before, ...after])) {
        if (before.has(id) && after.has(id)) continue;
        const [ns, name] = id.split('/');
        if (ns && name) q(`tenant/${ns}/${name}`);
      }
    });
  }

  private async reconcile(key: string): Promise<ReconcileResult | void> {
    const [kind, a, b] = key.split('/');
    const ctx = this.ctx;
    switch (kind) {
      case 'model':
        return reconcileModel(ctx, a ?? '', b ?? '');
      case 'tenant':
        return reconcileTenant(ctx, a ?? '', b ?? '');
      case 'policy':
        return reconcilePolicy(ctx, a ?? '');
      case 'config':
        return reconcileConfig(ctx);
      case 'replicas':
        return reconcileReplicas(ctx);
      default:
        this.opts.log('unknown key', { key });
    }
  }

  health(): { ok: boolean; detail: Record<string, unknown> } {
    const now = Date.now();
    const informers = this.world.all.map((i) => ({
      resource: i.resource.plural,
      synced: i.hasSynced,
      secondsSinceLastEvent: i.lastEventAt === 0 ? null : Math.round((now - i.lastEventAt) / 1000),
      restarts: i.restarts,
      lastError: i.lastError,
    }));
    const stalled = informers.filter(
      (i) => !i.synced || i.secondsSinceLastEvent === null || i.secondsSinceLastEvent * 1000 > this.opts.stallAfterMs,
    );
    return {
      ok: stalled.length === 0 && !this.stopping,
      detail: {
        leader: this.leading,
        queueDepth: this.queue.length,
        inFlight: this.queue.inFlight,
        informers,
        stalled: stalled.map((s) => s.resource),
      },
    };
  }

  private serve(
    port: number,
    handler: (path: string) => Promise<{ code: number; body: string; type: string }>,
  ): Promise<Server> {
    const server = createServer((req, res) => {
      handler((req.url ?? '/').split('?')[0] ?? '/').then(
        ({ code, body, type }) => {
          res.writeHead(code, { 'content-type': type });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.bindAddress, () => resolve(server));
    });
  }

  async start(): Promise<void> {
    this.servers.push(
      await this.serve(this.opts.healthPort, async (path) => {
        if (path === '/healthz' || path === '/readyz') {
          const h = this.health();
          const ok = path === '/readyz' ? this.world.all.every((i) => i.hasSynced) && !this.stopping : h.ok;
          return {
            code: ok ? 200 : 503,
            body: `${JSON.stringify({ status: ok ? 'ok' : 'unhealthy', ...h.detail })}\n`,
            type: 'application/json',
          };
        }
        return { code: 404, body: 'not found\n', type: 'text/plain' };
      }),
    );
    this.servers.push(
      await this.serve(this.opts.metricsPort, async (path) =>
        path === '/metrics'
          ? { code: 200, body: await this.metrics.registry.metrics(), type: this.metrics.registry.contentType }
          : { code: 404, body: 'not found\n', type: 'text/plain' },
      ),
    );
    this.world.start();
    await this.world.waitForSync();
    this.opts.log('caches synced', { objects: this.world.all.reduce((n, i) => n + i.size, 0) });
    if (!this.opts.leaderElect) {
      this.startLeading();
      return;
    }
    this.leader = new LeaderElector(this.client, {
      namespace: this.opts.namespace,
      name: 'tollgate-operator',
      identity: this.opts.identity,
      log: this.opts.log,
      onStartedLeading: () => this.startLeading(),
      // A replica that lost the Lease stops at once: another one is leading now.
      onStoppedLeading: () => {
        if (!this.stopping) {
          this.opts.log('lost the lease; exiting');
          void this.stop().then(() => process.exit(1));
        }
      },
    });
    this.leader.start();
  }

  private startLeading(): void {
    this.leading = true;
    this.metrics.leader.set(1);
    this.queue.add('config');
    this.queue.add('replicas');
    for (const i of [this.world.models, this.world.tenants, this.world.policies]) {
      for (const o of i.list())
        this.queue.add(
          `${i.resource.kind.slice(3).toLowerCase()}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`,
        );
    }
    this.running = this.queue.run(
      (key) => this.reconcile(key),
      this.opts.workers,
      (key, err) => {
        const failures = this.queue.failuresOf(key) + 1;
        this.opts.log('reconcile failed', {
          level: reconcileFailureLevel(failures),
          key,
          err: err instanceof Error ? err.message : String(err),
          failures,
        });
      },
    );
  }

  get isLeading(): boolean {
    return this.leading;
  }

  /** Graceful: stop taking work, finish what is in flight, release the Lease, close servers. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.queue.stop();
    await this.running;
    await this.leader?.stop();
    this.world.stop();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.metrics.leader.set(0);
  }
}
