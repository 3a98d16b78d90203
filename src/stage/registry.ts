import type { NodeMetrics } from '../consecutor/node-metrics.js';
import type { Clock } from '../types.js';
import { NodeGauge, Window, type GaugeSource } from './gauge.js';
import { deriveCounts, newStats, type ChainCount, type NodeStats } from './stats.js';

/** How many in-flight items a node's metrics show. */
const SLOWEST = 5;

/**
 * The nodes of one run: their counters (named `kind#1`, `kind#2`, ... when unnamed, in
 * construction order), the gauges of those with lanes, and each node's received count sampled on
 * the run's tick, from which its rate over the window comes. Nothing here runs per item.
 *
 * @example
 * ```ts
 * const registry = new NodeRegistry(systemClock);
 * const stats = registry.register('map', 'parse');
 * stats.received++;
 * registry.snapshot().parse?.received; // 1
 * ```
 */
export class NodeRegistry {
  readonly nodes: NodeStats[] = [];
  readonly chains: ChainCount[] = [];
  private readonly counts = new Map<string, number>();
  private readonly names = new Set<string>();
  private readonly gauges = new Map<NodeStats, NodeGauge>();
  private readonly windows = new Map<NodeStats, Window>();

  constructor(private readonly clock?: Clock) {}

  register(kind: string, name: string | undefined): NodeStats {
    let n = name;
    if (n === undefined) {
      const i = (this.counts.get(kind) ?? 0) + 1;
      this.counts.set(kind, i);
      n = `${kind}#${i}`;
    }
    // Two nodes with one name would merge their metrics: keep them apart.
    let unique = n;
    for (let i = 2; this.names.has(unique); i++) unique = `${n}~${i}`;
    this.names.add(unique);
    const stats = newStats(unique, kind);
    this.nodes.push(stats);
    if (this.clock !== undefined) this.windows.set(stats, new Window(this.clock.now()));
    return stats;
  }

  /** The gauges of a node with lanes (see StageContext.measure); undefined without a clock. */
  measure(stats: NodeStats, lanes: number, source: GaugeSource): NodeGauge | undefined {
    if (this.clock === undefined) return undefined;
    const gauge = new NodeGauge(this.clock, lanes, source);
    this.gauges.set(stats, gauge);
    return gauge;
  }

  /** On the run's tick: each node's received count, and its lanes' busy time. */
  sample(): void {
    if (this.clock === undefined) return;
    deriveCounts(this.chains);
    const now = this.clock.now();
    for (const [stats, w] of this.windows) w.sample(now, stats.received);
    for (const g of this.gauges.values()) g.sample();
  }

  /** The counts and gauges of every node, as of now. */
  snapshot(): Record<string, NodeMetrics> {
    deriveCounts(this.chains);
    const now = this.clock?.now() ?? 0;
    const nodes: Record<string, NodeMetrics> = {};
    for (const s of this.nodes) {
      const g = this.gauges.get(s);
      const rate = this.windows.get(s)?.perSecond(now, s.received) ?? 0;
      if (g === undefined) {
        nodes[s.name] = { ...s, queued: 0, busy: 0, rate, slowest: [] };
        continue;
      }
      const latency = g.latency();
      const workers = g.source.workers?.();
      nodes[s.name] = {
        ...s,
        queued: g.source.queued(),
        busy: g.busy(),
        rate,
        ...(latency === undefined ? {} : { latency }),
        ...(workers === undefined ? {} : { workers }),
        slowest: g.source.slowest(g.time(), SLOWEST),
      };
    }
    return nodes;
  }
}
