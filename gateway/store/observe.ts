// Turns store events into log lines and metrics (thin; the decisions live in generation.ts and redis.ts).
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import type { StoreEvent } from './types.ts';

export function storeEventSink(log: Logger, metrics: Metrics): (e: StoreEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'state_lost':
        metrics.storeStateLost.set(1);
        metrics.storeStateChanges.inc({ event: 'lost' });
        log.error(
          { event: 'store_state_lost', reason: e.reason },
          'the shared store lost its state: budget-limited tenants are refused (store_state_lost) until it is restored or `tollgate store ack-reset` is run',
        );
        return;
      case 'state_recovered':
        metrics.storeStateLost.set(0);
        metrics.storeStateChanges.inc({ event: e.how });
        log.warn({ event: 'store_state_recovered', how: e.how }, 'the shared store state is usable again');
        return;
      case 'release':
        metrics.storeReleases.inc({ result: e.result });
        if (e.result === 'dropped')
          log.error(
            { event: 'store_release_dropped' },
            'a reservation whose reply never arrived could not be released; it stays charged',
          );
        return;
      case 'unreplicated':
        metrics.storeUnreplicated.inc();
        return;
    }
  };
}
