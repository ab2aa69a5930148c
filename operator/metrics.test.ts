// Metric names and types of the operator's /metrics (what `promtool check metrics` would flag).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from './metrics.ts';

/** `# TYPE name type` lines of an exposition. */
function types(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

describe('operator metrics', () => {
  it('names: standard process_/nodejs_ defaults, tollgate_operator_ for its own, _total only on counters', async () => {
    const m = createMetrics(() => undefined);
    const t = types(await m.registry.metrics());
    const names = [...t.keys()];
    assert.equal(t.get('process_cpu_seconds_total'), 'counter');
    assert.equal(t.get('process_start_time_seconds'), 'gauge');
    assert.ok(names.some((n) => n.startsWith('nodejs_')));
    assert.deepEqual(
      names.filter((n) => n.includes('process_process_')),
      [],
    );
    assert.deepEqual(
      // prom-client's own nodejs_active_*_total are gauges under their standard names; ours are not
      names.filter((n) => n.startsWith('tollgate_') && n.endsWith('_total') && t.get(n) !== 'counter'),
      [],
      'a _total that is not a counter',
    );
    assert.deepEqual(
      names.filter((n) => !/^(process_|nodejs_|tollgate_operator_)/.test(n)),
      [],
      'every metric has a known prefix',
    );
    assert.equal(t.get('tollgate_operator_informer_restarts_total'), 'counter');
  });
});
