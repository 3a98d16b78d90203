import type { Registry } from 'prom-client';
import type { MetricsSource } from '../consecutor/metrics-stream.js';
import type { NodeMetrics } from '../consecutor/node-metrics.js';
import type { Metrics } from '../consecutor/report.js';

/** The prom-client module, loaded by the caller (it is an optional peer). */
export type PromClient = typeof import('prom-client');

/** A value per label value (`quantile`, `state`), for the series that have a second label. */
type Labelled = Readonly<Record<string, number>>;

/** One metric of a run, after the prefix. */
interface RunSeries {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly read: (m: Metrics) => number;
}

/** One metric of every node (label `node`), and its second label if it has one. */
interface NodeSeries {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly label?: string;
  /** Undefined: the node does not have it (no latency before its first call, no workers inline). */
  readonly read: (n: NodeMetrics) => number | Labelled | undefined;
}

const RUN: readonly RunSeries[] = [
  { name: 'ingested_total', type: 'counter', help: 'Input items admitted by the run.', read: (m) => m.ingested },
  { name: 'completed_total', type: 'counter', help: 'Items completely processed.', read: (m) => m.completed },
  { name: 'failed_total', type: 'counter', help: 'Failures of items (each replayed or dead-lettered).', read: (m) => m.failed },
  { name: 'retried_total', type: 'counter', help: 'Failed items sent in again.', read: (m) => m.retried },
  { name: 'dead_lettered_total', type: 'counter', help: 'Items given up on.', read: (m) => m.deadLettered },
  { name: 'errors_total', type: 'counter', help: 'Failures that belong to no input item.', read: (m) => m.errors },
  { name: 'blocked_ms_total', type: 'counter', help: 'Time the source waited because maxPending items were pending, in ms.', read: (m) => m.blockedMs },
  { name: 'pending', type: 'gauge', help: 'Items in flight (admitted, not yet settled).', read: (m) => m.pending },
  { name: 'rate', type: 'gauge', help: 'Items admitted per second over the last 10 s.', read: (m) => m.rate },
  { name: 'running', type: 'gauge', help: '1 while a run is active, else 0.', read: (m) => (m.running ? 1 : 0) },
];

const NODE: readonly NodeSeries[] = [
  { name: 'node_received_total', type: 'counter', help: 'Items the node received.', read: (n) => n.received },
  { name: 'node_emitted_total', type: 'counter', help: 'Items the node emitted.', read: (n) => n.emitted },
  { name: 'node_acked_total', type: 'counter', help: 'Items the node consumed (dropped, folded, written).', read: (n) => n.acked },
  { name: 'node_failed_total', type: 'counter', help: 'Items that failed in the node.', read: (n) => n.failed },
  { name: 'node_crashes_total', type: 'counter', help: 'Workers of an offloaded node that died or were stopped as hung.', read: (n) => n.crashes },
  { name: 'node_in_flight', type: 'gauge', help: 'Items the node holds.', read: (n) => n.inFlight },
  { name: 'node_queued', type: 'gauge', help: 'Items waiting for a free lane of the node.', read: (n) => n.queued },
  { name: 'node_busy_ratio', type: 'gauge', help: "Share of the last 10 s the node's lanes were working, 0..1.", read: (n) => n.busy },
  { name: 'node_rate', type: 'gauge', help: 'Items the node received per second over the last 10 s.', read: (n) => n.rate },
  {
    name: 'node_latency_ms',
    type: 'gauge',
    help: 'Process time per call, in ms: quantiles 0.5, 0.99 and 1 (the max).',
    label: 'quantile',
    read: (n) => n.latency && { '0.5': n.latency.p50, '0.99': n.latency.p99, '1': n.latency.max },
  },
  {
    name: 'node_workers',
    type: 'gauge',
    help: 'Workers of an offloaded node, by state.',
    label: 'state',
    read: (n) => n.workers && { running: n.workers.running, idle: n.workers.idle },
  },
];

/**
 * A prom-client registry of its own (not the global one: two in a process do not clash) whose
 * metrics read `c.metrics()` when scraped. Counts are Counters holding the snapshot's absolute
 * values: at each scrape a counter is reset and increased by the count, which prom-client allows
 * (it refuses only decreases); a new run starting from 0 is a counter reset to Prometheus. Every
 * metric of one scrape reads the same snapshot: the first to be collected takes it, and it is
 * dropped on the next microtask (prom-client collects them all in one synchronous turn).
 */
export function registryOf(prom: PromClient, c: MetricsSource, prefix: string): Registry {
  const registry = new prom.Registry();
  let snapshot: Metrics | undefined;
  const current = (): Metrics => {
    if (snapshot === undefined) {
      snapshot = c.metrics();
      queueMicrotask(() => (snapshot = undefined));
    }
    return snapshot;
  };
  for (const s of RUN) {
    define(prom, registry, prefix + s.name, s.type, s.help, [], (put) => put({}, s.read(current())));
  }
  for (const s of NODE) {
    const labelNames = s.label === undefined ? ['node'] : ['node', s.label];
    define(prom, registry, prefix + s.name, s.type, s.help, labelNames, (put) => {
      for (const [node, n] of Object.entries(current().nodes)) {
        const v = s.read(n);
        if (typeof v === 'number') put({ node }, v);
        else if (v !== undefined) for (const [l, x] of Object.entries(v)) put({ node, [s.label!]: l }, x);
      }
    });
  }
  return registry;
}

type Put = (labels: Record<string, string>, value: number) => void;

/** Registers one metric whose values `fill` sets afresh at each scrape. */
function define(prom: PromClient, registry: Registry, name: string, type: 'counter' | 'gauge', help: string, labelNames: string[], fill: (put: Put) => void): void {
  const registers = [registry];
  if (type === 'counter') {
    new prom.Counter({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        fill((labels, v) => this.inc(labels, v));
      },
    });
  } else {
    new prom.Gauge({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        fill((labels, v) => this.set(labels, v));
      },
    });
  }
}
