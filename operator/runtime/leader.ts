// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a lease is expired when its
// record has not changed for leaseDuration as observed on *our* clock (no trust in other clocks); updates
// are optimistic (resourceVersion); the leader that cannot renew within renewDeadline steps down.
import { KubeError, type KubeClient } from '../../kube/client.ts';
import { microTime, type KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type Lease = KObject & { spec?: LeaseSpec };

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export class LeaderElector {
  private readonly client: KubeClient;
  private readonly o: Required<Omit<LeaderOptions, 'log'>> & Pick<LeaderOptions, 'log'>;
  private observed = '';
  private observedAt = 0;
  private lastRenew = 0;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(client: KubeClient, opts: LeaderOptions) {
    this.client = client;
    this.o = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      // Release so a standby takes over at once instead of waiting for expiry.
      try {
        const lease = await this.client.get<Lease>(R.Lease, this.o.namespace, this.o.name);
        if (lease?.spec?.holderIdentity === this.o.identity) {
          await this.client.replace(R.Lease, {
            ...lease,
            spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() },
          });
        }
      } catch {
        /* best effort */
      }
      this.setLeading(false);
    }
  }

  private setLeading(v: boolean): void {
    if (v === this.leading) return;
    this.leading = v;
    this.o.log?.(v ? 'became leader' : 'stopped leading', {
      lease: `${this.o.namespace}/${this.o.name}`,
      identity: this.o.identity,
    });
    if (v) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const ok = await this.tryAcquireOrRenew();
      if (ok) {
        this.lastRenew = Date.now();
        this.setLeading(true);
      } else if (this.leading && Date.now() - this.lastRenew > this.o.renewDeadlineMs) this.setLeading(false);
    } catch (err) {
      this.o.log?.('lease update failed', { err: err instanceof Error ? err.message : String(err) });
      if (this.leading && Date.now() - this.lastRenew > this.o.renewDeadlineMs) this.setLeading(false);
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.o.retryPeriodMs);
      this.timer.unref();
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const lease = await this.client.get<Lease>(R.Lease, this.o.namespace, this.o.name);
    const mine: LeaseSpec = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      renewTime: microTime(now),
    };
    if (!lease) {
      try {
        await this.client.create(R.Lease, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        return true;
      } catch (err) {
        if (err instanceof KubeError && err.status === 409) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const record = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}`;
    if (record !== this.observed) {
      this.observed = record;
      this.observedAt = Date.now();
    }
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    const expired = holder === '' || this.observedAt + duration < Date.now();
    if (holder !== this.o.identity && !expired) return false;
    const next: LeaseSpec =
      holder === this.o.identity
        ? { ...spec, ...mine }
        : { ...mine, acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    try {
      await this.client.replace(R.Lease, { ...lease, spec: next });
      this.observed = `${this.o.identity}|${next.renewTime ?? ''}`;
      this.observedAt = Date.now();
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.status === 409) return false;
      throw err;
    }
  }
}
