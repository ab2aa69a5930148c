// Prometheus metrics of the operator.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { World } from './world.ts';

export interface OperatorMetrics {
  registry: Registry;
  reconciles: Counter<'kind' | 'result'>;
  reconcileSeconds: Histogram<'kind'>;
  queueDepth: Gauge;
  applies: Counter<'kind'>;
  statusWrites: Counter<'kind'>;
  /** Sticky key revocations recorded / lifted on LLMTenant status (the Alertmanager hook, with the KeyRevoked Event). */
  keyRevocations?: Counter<'event' | 'by'>;
  apiRequests: Counter<'verb' | 'resource' | 'code'>;
  leader: Gauge;
  gatewayReplicas: Gauge<'state'>;
  configBytes: Gauge;
  configShards: Gauge;
}

export function createMetrics(world: () => World | undefined): OperatorMetrics {
  const registry = new Registry();
  // Node.js and process metrics under their standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes,
  // ...), which stock dashboards and alerts read; the job/instance labels tell the operator apart. Tollgate's
  // own metrics all start with tollgate_operator_.
  collectDefaultMetrics({ register: registry });
  const m: OperatorMetrics = {
    registry,
    reconciles: new Counter({
      name: 'tollgate_operator_reconciles_total',
      help: 'Reconciles by kind and result.',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    reconcileSeconds: new Histogram({
      name: 'tollgate_operator_reconcile_duration_seconds',
      help: 'Reconcile duration.',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'tollgate_operator_queue_depth',
      help: 'Keys waiting in the work queue.',
      registers: [registry],
    }),
    applies: new Counter({
      name: 'tollgate_operator_applies_total',
      help: 'Server-side applies of owned objects.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    statusWrites: new Counter({
      name: 'tollgate_operator_status_writes_total',
      help: 'Status subresource writes.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    keyRevocations: new Counter({
      name: 'tollgate_operator_key_revocations_total',
      help: 'Key revocations recorded on LLMTenant status (event revoked; by gateway, annotation, other) and lifted.',
      labelNames: ['event', 'by'],
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'tollgate_operator_api_requests_total',
      help: 'Kubernetes API requests by verb, resource and HTTP code.',
      labelNames: ['verb', 'resource', 'code'],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'tollgate_operator_leader',
      help: '1 while this replica holds the Lease.',
      registers: [registry],
    }),
    gatewayReplicas: new Gauge({
      name: 'tollgate_operator_gateway_replicas',
      help: 'Gateway replicas by config freshness (current = enforcing the latest hash).',
      labelNames: ['state'],
      registers: [registry],
    }),
    configBytes: new Gauge({
      name: 'tollgate_operator_gateway_config_bytes',
      help: 'Size of the compiled gateway config.',
      registers: [registry],
    }),
    configShards: new Gauge({
      name: 'tollgate_operator_gateway_config_shards',
      help: 'Secrets the gateway config is split into.',
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'tollgate_operator_seconds_since_last_event',
    help: 'Seconds since each informer last heard from the API server (list, event or bookmark).',
    labelNames: ['resource'],
    registers: [registry],
    collect() {
      const w = world();
      if (!w) return;
      for (const i of w.all)
        this.set({ resource: i.resource.plural }, i.lastEventAt === 0 ? -1 : (Date.now() - i.lastEventAt) / 1000);
    },
  });
  // A counter (it only grows, and `_total` is for counters): read from the informers at scrape time.
  new Counter({
    name: 'tollgate_operator_informer_restarts_total',
    help: 'Watch restarts after errors, by resource.',
    labelNames: ['resource'],
    registers: [registry],
    collect() {
      const w = world();
      if (!w) return;
      this.reset();
      for (const i of w.all) this.inc({ resource: i.resource.plural }, i.restarts);
    },
  });
  return m;
}
