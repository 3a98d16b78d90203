import type { Metrics } from '../consecutor/report.js';
import type { GraphNode } from './describe.js';

/**
 * The text a drawing shows for a node: its name, and its kind unless the name already is it; with
 * `metrics`, a second line of its numbers ({@link numbers}). Lines are separated by `\n`.
 */
export function label(n: GraphNode, metrics?: Metrics): string {
  const auto = n.kind === 'source' || n.kind === 'end' || n.name.startsWith(`${n.kind}#`);
  const title = auto ? n.name : `${n.name} (${n.kind})`;
  const line = metrics === undefined ? undefined : numbers(n, metrics);
  return line === undefined ? title : `${title}\n${line}`;
}

/**
 * A node's numbers in one line: the input's items ingested (and the run's rate), the end's items
 * completed (and dead-lettered), a node's items received, failed, per second, its busy share and
 * its p99 latency, each left out when zero (received never is); undefined for a node the metrics
 * do not know (a plain RxJS operator).
 */
export function numbers(n: GraphNode, metrics: Metrics): string | undefined {
  const parts: string[] = [];
  if (n.kind === 'source') {
    parts.push(`ingested ${count(metrics.ingested)}`);
    if (metrics.rate > 0) parts.push(`${decimal(metrics.rate)}/s`);
  } else if (n.kind === 'end') {
    parts.push(`completed ${count(metrics.completed)}`);
    if (metrics.deadLettered > 0) parts.push(`dead-lettered ${count(metrics.deadLettered)}`);
  } else {
    const m = n.kind === 'rxjs' ? undefined : metrics.nodes[n.name];
    if (m === undefined) return undefined;
    parts.push(`received ${count(m.received)}`);
    if (m.failed > 0) parts.push(`failed ${count(m.failed)}`);
    if (m.rate > 0) parts.push(`${decimal(m.rate)}/s`);
    if (m.busy > 0) parts.push(`busy ${Math.round(m.busy * 100)}%`);
    if (m.latency !== undefined) parts.push(`p99 ${decimal(m.latency.p99)} ms`);
  }
  return parts.join(' · ');
}

// Same output on every machine, whatever its locale.
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function count(n: number): string {
  return grouped.format(n);
}

/** 1,234 / 56.8 / 0.25: whole numbers from 100 on, three significant digits below. */
function decimal(n: number): string {
  return n >= 100 ? grouped.format(n) : String(Number(n.toPrecision(3)));
}
