import type { NodeMetrics } from '../consecutor/node-metrics.js';
import type { Metrics } from '../consecutor/report.js';
import { printable } from './text-cells.js';
import { bytes, count, duration, percent, rate } from './view-units.js';
import { runState } from './view-table.js';

/**
 * The node that works hardest now: the highest `busy`, then the most items in flight, then the
 * most queued; the first in the pipeline on a tie. Undefined when no node has anything to do.
 */
export function busiestNode(m: Metrics): NodeMetrics | undefined {
  let best: NodeMetrics | undefined;
  for (const n of Object.values(m.nodes)) {
    if (n.busy <= 0 && n.inFlight <= 0 && n.queued <= 0) continue;
    if (best === undefined || n.busy > best.busy || (n.busy === best.busy && (n.inFlight > best.inFlight || (n.inFlight === best.inFlight && n.queued > best.queued)))) {
      best = n;
    }
  }
  return best;
}

/**
 * The live view where the stream is not a terminal (a log file, CI): one plain line with the
 * run's totals and its busiest node, without escapes.
 *
 * @example
 * ```ts
 * declare const c: Consecutor;
 * console.error(viewLine(c.metrics(), 5_000));
 * // running 5.0s: ingested 50, completed 18, pending 32, dead-lettered 0, failed 0, 9.8/s, blocked 0ms; busiest slow (node): busy 80%, 1 in flight, 3 queued
 * ```
 */
export function viewLine(m: Metrics, elapsedMs: number): string {
  let line =
    `${runState(m)} ${duration(elapsedMs)}: ingested ${m.ingested}, completed ${m.completed}, pending ${m.pending}, ` +
    `dead-lettered ${m.deadLettered}, failed ${m.failed}, ${rate(m.rate)}/s, blocked ${duration(m.blockedMs)}`;
  const p = m.progress;
  if (p !== undefined) {
    const amount = p.unit === 'bytes' ? `${bytes(p.done)}/${bytes(p.total)}` : `${count(p.done)}/${count(p.total)} items`;
    line += `; progress ${percent(p.total > 0 ? p.done / p.total : 0)} (${amount})`;
  }
  const n = busiestNode(m);
  if (n !== undefined) {
    line += `; busiest ${printable(n.name)} (${printable(n.kind)}): busy ${percent(n.busy)}, ${n.inFlight} in flight, ${n.queued} queued`;
  }
  return line;
}
