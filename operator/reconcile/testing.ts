// Test helpers shared by the reconciler tests: a World fed by hand (no API server) and a context around it.
import { KubeClient } from '../../kube/client.ts';
import { createMetrics } from '../metrics.ts';
import { World, type WorldOptions } from '../world.ts';
import type { ReconcileContext } from './context.ts';

export const TEST_GATEWAY_NAMESPACE = 'tollgate-system';

/** A World whose informers are fed by ingest() in the test; its own client is never called. */
export function testWorld(opts: Partial<WorldOptions> = {}): World {
  return new World(
    new KubeClient({ kind: 'direct', connection: { server: 'https://127.0.0.1:1', source: 'test' } }),
    { gatewayNamespace: TEST_GATEWAY_NAMESPACE, resyncMs: 0, log: () => {}, ...opts },
    { gatewayNamespace: TEST_GATEWAY_NAMESPACE, gatewayUrl: 'http://gw/v1' },
  );
}

/** A reconcile context on `world` with `client` (a recording fake); the clock is fixed unless `now` is given. */
export function testContext(world: World, client: KubeClient, over: Partial<ReconcileContext> = {}): ReconcileContext {
  return {
    client,
    world,
    gatewayNamespace: TEST_GATEWAY_NAMESPACE,
    gatewayUrl: 'http://gw/v1',
    identity: 'test',
    metrics: createMetrics(() => world),
    log: () => {},
    now: () => new Date('2026-12-01T00:00:00Z'),
    ...over,
  };
}
