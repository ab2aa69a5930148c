// In-cluster config source: watches the config index Secret the operator publishes in the gateway's
// namespace (api/delivery.ts), reads the shards it names one at a time, checks each against the index
// and streams its text into the ConfigHolder, which verifies and builds the lookup structures tenant by
// tenant. The watch leaves the
// shards out (their data would be cached and sent again on every publication). It also keeps the
// upstream credentials map current and renews a per-replica Lease carrying the hash this replica
// enforces, so the operator can tell which replicas run a stale config. Loads are incremental: shards the
// config in force already had are not read again, and tenants whose text did not change are not verified again.
import { hostname } from 'node:os';
import {
  CONFIG_INDEX_KEY,
  CONFIG_INDEX_NAME,
  CONFIG_SHARD_KEY,
  ConfigPart,
  DeliveryError,
  GATEWAY_REPLICA_LABEL,
  LABEL_CONFIG_PART,
  UPSTREAM_CREDENTIALS_SECRET,
  checkShard,
  parseConfigIndex,
  replicaLeaseAnnotations,
  replicaLeaseName,
  type ConfigIndex,
  type ShardRef,
} from '../../api/delivery.ts';
import { backoffDelay } from '../../kube/backoff.ts';
import { KubeError, type KubeClient } from '../../kube/client.ts';
import { Informer } from '../../kube/informer.ts';
import { TenantMemo } from '../../api/config-verify.ts';
import { microTime, type KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';
import type { ConfigHolder } from './holder.ts';

/** The index and the credentials; shards are read when an index names them. */
export const WATCH_SELECTOR = `app.kubernetes.io/managed-by=tollgate,${LABEL_CONFIG_PART}!=${ConfigPart.enum.shard}`;

type SecretObj = KObject & { data?: Record<string, string> };

const decode = (s: SecretObj | undefined, key: string): string | undefined => {
  const v = s?.data && Object.hasOwn(s.data, key) ? s.data[key] : undefined;
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
};

interface CachedShard {
  sha256: string;
  text: string;
}

/** A shard the index names is not (yet) in the API: retried, not a refusal. */
class ShardMissing extends Error {}

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
  /** The Lease renewal in flight, if any (release() waits for it). */
  private renewing: Promise<void> | undefined;
  private pending: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  /** resourceVersion of the index last applied or refused (a new one is read again). */
  private lastIndexVersion = '';
  private loading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  readonly replica: string;
  /**
   * The shards of the config in force, and the tenants verified from them (api/config-verify.ts TenantMemo):
   * a publication that changed a few tenants costs reading and verifying those. Memory: about the config's
   * text once (the memo's keys are slices of these texts).
   */
  private shards = new Map<string, CachedShard>();
  readonly memo = new TenantMemo();
  /** Shards read from the API since start (tests, debugging). */
  shardReads = 0;

  constructor(o: ClusterSourceOptions) {
    this.o = o;
    this.replica = (o.replicaName ?? process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`)
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 50);
    this.secrets = new Informer(o.client, R.Secret, {
      namespace: o.namespace,
      labelSelector: WATCH_SELECTOR,
      resyncMs: 60_000,
      log: (msg, fields) => o.log('warn', msg, fields),
    });
    // Events arrive together (credentials, index): read once they have settled.
    this.secrets.on(() => {
      if (this.pending) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        void this.sync();
      }, 20);
    });
  }

  get lastEventAt(): number {
    return this.secrets.lastEventAt;
  }

  async start(): Promise<void> {
    this.secrets.start();
    await this.secrets.waitForSync();
    await this.sync();
    const every = ((this.o.leaseSeconds ?? 30) * 1000) / 3;
    const renew = () => {
      if (this.stopped) return; // released on the way out (release())
      const r = this.renewLease().catch((err: unknown) =>
        this.o.log('warn', 'could not renew replica lease', { err: err instanceof Error ? err.message : String(err) }),
      );
      this.renewing = r;
      void r.finally(() => {
        if (this.renewing === r) this.renewing = undefined;
      });
    };
    renew();
    this.leaseTimer = setInterval(renew, every);
    this.leaseTimer.unref();
    this.o.holder.observe({ applied: () => renew() });
  }

  stop(): void {
    this.stopped = true;
    this.secrets.stop();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.pending) clearTimeout(this.pending);
    if (this.retry) clearTimeout(this.retry);
  }

  /** Credentials from the cache; the config when the index changed. One load at a time. */
  async sync(): Promise<void> {
    this.syncCredentials();
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        do {
          this.again = false;
          await this.loadIndex();
        } while (this.again && !this.stopped);
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private syncCredentials(): void {
    const creds = this.secrets.get(`${this.o.namespace}/${UPSTREAM_CREDENTIALS_SECRET}`) as SecretObj | undefined;
    if (!creds) return;
    const next = new Map(Object.keys(creds.data ?? {}).map((k) => [k, decode(creds, k) ?? '']));
    for (const k of [...this.o.credentials.keys()]) if (!next.has(k)) this.o.credentials.delete(k);
    for (const [k, v] of next) this.o.credentials.set(k, v);
  }

  private async loadIndex(): Promise<void> {
    const ns = this.o.namespace;
    const indexObj = this.secrets.get(`${ns}/${CONFIG_INDEX_NAME}`) as SecretObj | undefined;
    const version = indexObj?.metadata.resourceVersion ?? '';
    if (!indexObj || version === this.lastIndexVersion) return;
    const source = `cluster:${ns}/${CONFIG_INDEX_NAME}`;
    let index: ConfigIndex;
    try {
      index = parseConfigIndex(decode(indexObj, CONFIG_INDEX_KEY) ?? '');
    } catch (err) {
      this.o.holder.refuse(err instanceof Error ? err.message : String(err), source);
      this.lastIndexVersion = version;
      return;
    }
    if (this.o.holder.current?.hash === index.hash) {
      this.lastIndexVersion = version;
      return;
    }
    try {
      const read = new Map<string, CachedShard>();
      const r = await this.o.holder.applyText(this.shardTexts(index, read), source, this.memo);
      if (r.ok) this.shards = read;
      this.lastIndexVersion = version;
      this.failures = 0;
      if (r.ok && r.changed)
        this.o.log('info', 'gateway config swapped', { hash: r.hash, shards: index.shards.length });
    } catch (err) {
      if (err instanceof DeliveryError) {
        this.o.holder.refuse(err.message, source);
        this.lastIndexVersion = version;
        return;
      }
      // A shard not there yet, or the API unreachable: read the index again later.
      const delay = backoffDelay(this.failures++, { baseMs: 500, maxMs: 30_000 });
      this.o.log('warn', 'could not read the gateway config shards; retrying', {
        err: err instanceof Error ? err.message : String(err),
        retryInMs: delay,
      });
      if (this.retry) clearTimeout(this.retry);
      if (!this.stopped) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.sync();
        }, delay);
        this.retry.unref();
      }
    }
  }

  /**
   * The shards' texts in index order, each checked against the index; the next one is read while this one is
   * parsed. A shard the last applied config had (same name, same sha256) is not read again: after a change to
   * one tenant, one chunk and the head are read, not the whole config. `read` collects what this load used.
   */
  private async *shardTexts(index: ConfigIndex, read: Map<string, CachedShard>): AsyncGenerator<string> {
    const get = (ref: ShardRef): Promise<string> => {
      const have = this.shards.get(ref.name);
      if (have?.sha256 === ref.sha256) return Promise.resolve(have.text);
      this.shardReads++;
      return this.readShard(ref);
    };
    let next: Promise<string> | undefined = get(index.shards[0]!);
    for (let i = 0; i < index.shards.length; i++) {
      const text: string = await next!;
      const ref = index.shards[i]!;
      read.set(ref.name, { sha256: ref.sha256, text });
      next = i + 1 < index.shards.length ? get(index.shards[i + 1]!) : undefined;
      next?.catch(() => undefined); // awaited on the next turn; not an unhandled rejection if this one stops the read
      yield text;
    }
  }

  private async readShard(ref: ShardRef): Promise<string> {
    // A list by name, not a GET: the gateway's Role can list and watch Secrets in its namespace, no more.
    const { items } = await this.o.client.list<SecretObj>(R.Secret, {
      namespace: this.o.namespace,
      fieldSelector: `metadata.name=${ref.name}`,
    });
    const obj = items.find((s) => s.metadata.name === ref.name);
    if (!obj) throw new ShardMissing(`gateway config shard ${ref.name} is missing`);
    if (obj.metadata.labels?.[LABEL_CONFIG_PART] !== ConfigPart.enum.shard)
      throw new DeliveryError(`gateway config shard ${ref.name} is not labelled as a shard`);
    const text = decode(obj, CONFIG_SHARD_KEY);
    if (text === undefined) throw new DeliveryError(`gateway config shard ${ref.name} has no ${CONFIG_SHARD_KEY} key`);
    checkShard(ref, text);
    return text;
  }

  /**
   * Give the replica's Lease up on a graceful stop (as client-go's leader election releases: a duration of one
   * second from now), so the operator stops counting this replica at once — a tenant's Ready waits for every
   * live replica to enforce its keys (operator/status/enforcement.ts), and a replica gone would hold it up to
   * the Lease's duration. Best effort: a stop is never held up by the API server.
   */
  async release(timeoutMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      // a renewal still in flight would land after the release and undo it: let it finish first
      await Promise.race([(this.renewing ?? Promise.resolve()).then(() => this.renewLease(1)), timeout]);
    } catch (err) {
      this.o.log('warn', 'could not release the replica lease', {
        err: err instanceof Error ? err.message : String(err),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async renewLease(durationSeconds = this.o.leaseSeconds ?? 30): Promise<void> {
    const ns = this.o.namespace;
    const name = replicaLeaseName(this.replica);
    const revoked = (this.o.revoked?.() ?? []).map(([id, r]) => ({ id, reason: r.reason, at: r.at }));
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: ns,
        labels: {
          [GATEWAY_REPLICA_LABEL]: 'true',
          'app.kubernetes.io/name': 'tollgate',
          'app.kubernetes.io/component': 'gateway',
        },
        annotations: replicaLeaseAnnotations(this.o.holder.current?.hash, revoked),
      },
      spec: { holderIdentity: this.replica, leaseDurationSeconds: durationSeconds, renewTime: microTime() },
    };
    try {
      await this.o.client.request('PATCH', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`, {
        query: { fieldManager: 'tollgate-gateway', force: 'true' },
        body: lease,
        contentType: 'application/apply-patch+yaml',
        verb: 'apply',
        resource: 'leases',
      });
    } catch (err) {
      if (err instanceof KubeError && err.status === 403)
        this.o.log('warn', 'not allowed to publish the replica lease (RBAC)', {});
      else throw err;
    }
  }
}
