// In-cluster config source: watches the gateway config Secrets the operator publishes in the gateway's
// namespace (an index naming content-addressed shards), reassembles and verifies them, and hands the
// result to the ConfigHolder (which validates, refuses or swaps atomically). It also keeps the upstream
// credentials map current and renews a per-replica Lease carrying the hash this replica enforces, so
// the operator can tell which replicas run a stale config.
import { hostname } from 'node:os';
import { CONFIG_INDEX_KEY, CONFIG_INDEX_NAME, CONFIG_SHARD_KEY, LABEL_CONFIG_PART, assembleConfigText, type ConfigIndex } from '../../operator/compiler/delivery.ts';
import { KubeError, type KubeClient } from '../../kube/client.ts';
import { microTime, type KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';
import { Informer } from '../../kube/informer.ts';
import type { ConfigHolder } from './holder.ts';

export const UPSTREAM_CREDENTIALS_SECRET = 'tollgate-upstream-credentials';
export const GATEWAY_REPLICA_LABEL = 'tollgate.dev/gateway-replica';
export const ANN_CONFIG_HASH = 'tollgate.dev/config-hash';
/** JSON `[{"id": keyId, "reason": …, "at": …}]`: keys this gateway refuses on its own (anomaly detection). */
export const ANN_REVOKED_KEYS = 'tollgate.dev/revoked-keys';
/** Bound on what one Lease carries (annotations are limited to 256 KiB in total). */
export const MAX_PUBLISHED_REVOCATIONS = 500;

type SecretObj = KObject & { data?: Record<string, string> };

const decode = (s: SecretObj | undefined, key: string): string | undefined => {
  const v = s?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
};

export interface ClusterSourceOptions {
  client: KubeClient;
  namespace: string;
  holder: ConfigHolder;
  /** Updated in place: the proxy reads it per request. */
  credentials: Map<string, string>;
  replicaName?: string;
  leaseSeconds?: number;
  /** Revocations in force, published on the replica Lease so the operator shows them in tenant status. */
  revoked?: () => readonly [string, { reason: string; at: string }][];
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export class ClusterConfigSource {
  private readonly o: ClusterSourceOptions;
  private readonly secrets: Informer;
  private leaseTimer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private lastIndexVersion = '';
  readonly replica: string;

  constructor(o: ClusterSourceOptions) {
    this.o = o;
    this.replica = (o.replicaName ?? process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`).toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 50);
    this.secrets = new Informer(o.client, R.Secret, {
      namespace: o.namespace, labelSelector: 'app.kubernetes.io/managed-by=tollgate', resyncMs: 60_000,
      log: (msg, fields) => o.log('warn', msg, fields),
    });
    // Several shard events arrive together: assemble once they have settled.
    this.secrets.on(() => {
      if (this.pending) return;
      this.pending = setTimeout(() => { this.pending = undefined; this.sync(); }, 20);
    });
  }

  get lastEventAt(): number { return this.secrets.lastEventAt; }

  async start(): Promise<void> {
    this.secrets.start();
    await this.secrets.waitForSync();
    this.sync();
    const every = ((this.o.leaseSeconds ?? 30) * 1000) / 3;
    const renew = () => { void this.renewLease().catch((err: unknown) => this.o.log('warn', 'could not renew replica lease', { err: err instanceof Error ? err.message : String(err) })); };
    renew();
    this.leaseTimer = setInterval(renew, every);
    this.leaseTimer.unref();
    this.o.holder.observe({ applied: () => renew() });
  }

  stop(): void {
    this.secrets.stop();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.pending) clearTimeout(this.pending);
  }

  /** Read the index and its shards from the cache; apply when complete. */
  sync(): void {
    const ns = this.o.namespace;
    const creds = this.secrets.get(`${ns}/${UPSTREAM_CREDENTIALS_SECRET}`) as SecretObj | undefined;
    if (creds) {
      const next = new Map(Object.keys(creds.data ?? {}).map((k) => [k, decode(creds, k) ?? '']));
      for (const k of [...this.o.credentials.keys()]) if (!next.has(k)) this.o.credentials.delete(k);
      for (const [k, v] of next) this.o.credentials.set(k, v);
    }
    const index = this.secrets.get(`${ns}/${CONFIG_INDEX_NAME}`) as SecretObj | undefined;
    if (!index || index.metadata.resourceVersion === this.lastIndexVersion) return;
    const source = `cluster:${ns}/${CONFIG_INDEX_NAME}`;
    let parsed: ConfigIndex;
    try {
      parsed = JSON.parse(decode(index, CONFIG_INDEX_KEY) ?? '') as ConfigIndex;
    } catch {
      this.o.holder.refuse('the config index Secret does not hold valid JSON', source);
      this.lastIndexVersion = index.metadata.resourceVersion ?? '';
      return;
    }
    if (this.o.holder.current?.hash === parsed.hash) { this.lastIndexVersion = index.metadata.resourceVersion ?? ''; return; }
    const shards = new Map<string, string>();
    for (const s of parsed.shards ?? []) {
      const obj = this.secrets.get(`${ns}/${s.name}`) as SecretObj | undefined;
      if (!obj || obj.metadata.labels?.[LABEL_CONFIG_PART] !== 'shard') return; // not here yet: the next event retries
      shards.set(s.name, decode(obj, CONFIG_SHARD_KEY) ?? '');
    }
    this.lastIndexVersion = index.metadata.resourceVersion ?? '';
    try {
      const raw: unknown = JSON.parse(assembleConfigText(parsed, shards));
      const r = this.o.holder.apply(raw, source);
      if (r.ok && r.changed) this.o.log('info', 'gateway config swapped', { hash: r.hash, shards: shards.size });
    } catch (err) {
      this.o.holder.refuse(err instanceof Error ? err.message : String(err), source);
    }
  }

  private async renewLease(): Promise<void> {
    const ns = this.o.namespace;
    const name = `tollgate-gateway-${this.replica}`;
    const now = microTime();
    const lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: {
        name, namespace: ns, labels: { [GATEWAY_REPLICA_LABEL]: 'true', 'app.kubernetes.io/name': 'tollgate', 'app.kubernetes.io/component': 'gateway' },
        annotations: {
          [ANN_CONFIG_HASH]: this.o.holder.current?.hash ?? '',
          [ANN_REVOKED_KEYS]: JSON.stringify((this.o.revoked?.() ?? []).slice(0, MAX_PUBLISHED_REVOCATIONS).map(([id, r]) => ({ id, reason: r.reason, at: r.at })).sort((a, b) => (a.id < b.id ? -1 : 1))),
        },
      },
      spec: { holderIdentity: this.replica, leaseDurationSeconds: this.o.leaseSeconds ?? 30, renewTime: now },
    };
    try {
      await this.o.client.request('PATCH', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`, {
        query: { fieldManager: 'tollgate-gateway', force: 'true' }, body: lease, contentType: 'application/apply-patch+yaml', verb: 'apply', resource: 'leases',
      });
    } catch (err) {
      if (err instanceof KubeError && err.status === 403) this.o.log('warn', 'not allowed to publish the replica lease (RBAC)', {});
      else throw err;
    }
  }
}
