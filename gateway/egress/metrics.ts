// Egress counters of one response: gateway credentials redacted from output, SSE framing not relayed.
import type { Metrics } from '../metrics.ts';
import type { OutputTransform } from '../transform.ts';
import { CanaryTransform } from './canary.ts';
import type { EgressStats } from './stream-relay.ts';

export function countEgress(
  metrics: Metrics,
  transform: OutputTransform | undefined,
  stats: EgressStats | undefined,
): void {
  if (transform instanceof CanaryTransform && transform.hits > 0)
    metrics.outputCredentialRedactions.inc(transform.hits);
  if (!stats) return;
  for (const kind of ['comment', 'field', 'event', 'unparseable', 'afterDone', 'afterFinish'] as const) {
    if (stats[kind] > 0) metrics.upstreamSseDropped.inc({ kind }, stats[kind]);
  }
}
