// What follows a config load: metrics and log lines for applied / refused configs, upstream pools pruned,
// and every tenant's guard compiled for the new snapshot (a tenant whose guard does not compile is logged
// here, once, and refused before any reservation: plan/guards.ts).
import type { Logger } from 'pino';
import type { ConfigHolder } from '../config/holder.ts';
import type { Snapshot } from '../config/snapshot.ts';
import type { Metrics } from '../metrics.ts';
import { compileGuards } from '../plan/guards.ts';
import { scrubUpstreamText, stripUserinfo, type SecretSet } from '../scrub.ts';
import type { Upstreams } from '../upstream/pool.ts';

export interface ConfigEventsOptions {
  readonly holder: ConfigHolder;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly upstreams: Upstreams;
  readonly secrets: SecretSet;
}

async function compileTenantGuards(o: ConfigEventsOptions, snap: Snapshot): Promise<void> {
  const failed = await compileGuards(snap);
  if (failed.length === 0) return;
  // config text (a pattern) may follow in the reason: scrubbed like a refused config
  o.log.error(
    {
      event: 'guardrails_invalid',
      hash: snap.hash,
      tenants: failed.length,
      first: failed
        .slice(0, 5)
        .map((f) => ({ tenant: f.tenant, reason: scrubUpstreamText(stripUserinfo(f.reason), o.secrets, 300) })),
    },
    'tenant guardrails do not compile; their requests are refused (internal_error) until the config is fixed',
  );
}

/** Observe the holder; the snapshot in force now (if any) is compiled at once. */
export function watchConfig(o: ConfigEventsOptions): void {
  const { holder, metrics, log } = o;
  holder.observe({
    applied(snap, source, previous) {
      metrics.configReloads.inc({ result: 'success' });
      if (previous) metrics.configInfo.remove({ hash: previous.hash });
      metrics.configInfo.set({ hash: snap.hash }, 1);
      metrics.configLastSuccess.set(Date.now() / 1000);
      o.upstreams.prune(new Set([...snap.models.values()].map((m) => m.origin)));
      log.info(
        {
          event: 'config_applied',
          hash: snap.hash,
          source,
          tenants: snap.tenantCount,
          models: snap.models.size,
          keys: snap.keys.size,
        },
        'gateway config applied',
      );
      void compileTenantGuards(o, snap);
    },
    refused(error) {
      metrics.configReloads.inc({ result: 'failure' });
      metrics.configLastFailure.set(error.at.getTime() / 1000);
      // URLs without userinfo, key-shaped runs scrubbed: a config error never prints a password
      log.error(
        {
          event: 'config_refused',
          source: error.source,
          error: scrubUpstreamText(stripUserinfo(error.message), o.secrets),
          claimedHash: error.claimedHash,
          inForce: holder.current?.hash ?? null,
        },
        'gateway config refused; the last good config stays in force',
      );
    },
  });
  const current = holder.current;
  if (current) {
    metrics.configInfo.set({ hash: current.hash }, 1);
    metrics.configLastSuccess.set(current.loadedAt.getTime() / 1000);
    void compileTenantGuards(o, current);
  }
}
