// Hand-made metrics for the formatting tests: the gauges set to chosen values, as the core
// will report them.
import type { Metrics, NodeMetrics } from 'consecution';

export function nodeMetrics(name: string, kind: string, gauges: Partial<NodeMetrics> = {}): NodeMetrics {
  return { name, kind, received: 0, emitted: 0, acked: 0, failed: 0, inFlight: 0, queued: 0, busy: 0, rate: 0, slowest: [], ...gauges };
}

export function metrics(nodes: readonly NodeMetrics[], counts: Partial<Metrics> = {}): Metrics {
  return {
    running: true,
    pending: 0,
    ingested: 0,
    completed: 0,
    failed: 0,
    retried: 0,
    deadLettered: 0,
    errors: 0,
    rate: 0,
    blockedMs: 0,
    replayed: 0,
    nodes: Object.fromEntries(nodes.map((n) => [n.name, n])),
    ...counts,
  };
}

/** A run in full swing: three nodes, one of them busy with an old item, a source that knows its length. */
export const busyRun: Metrics = metrics(
  [
    nodeMetrics('parse', 'map', { received: 1200, emitted: 1200, rate: 98.04 }),
    nodeMetrics('geocode', 'node', {
      received: 1180,
      emitted: 1150,
      failed: 2,
      inFlight: 8,
      queued: 21,
      busy: 0.62,
      rate: 97.5,
      slowest: [{ root: 7, ms: 1_234, preview: '{"id":7,"address":"1600 Amphitheatre Parkway, Mountain View"}' }],
    }),
    nodeMetrics('write-to-postgres-orders', 'output', { received: 1150, acked: 1150, rate: 95.1 }),
  ],
  { pending: 48, ingested: 1200, completed: 1150, failed: 2, retried: 2, rate: 98.04, blockedMs: 2_500, progress: { done: 1200, total: 2400, unit: 'items' } },
);
