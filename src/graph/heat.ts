import type { Metrics } from '../consecutor/report.js';
import type { GraphNode } from './describe.js';

/** How a drawing marks a node: a fill colour by how busy it is, a red border when it failed items. */
export interface Heat {
  readonly fill?: string;
  readonly border?: string;
}

/** The border of a node that failed items. */
export const FAILED_BORDER = '#d62728';

/**
 * The fill of a node by its `busy` share (lanes working over the last window): none below 25 %,
 * pale yellow below 50 %, orange below 80 %, red from 80 % (a node that holds the pipeline back).
 */
export function busyFill(busy: number): string | undefined {
  return busy >= 0.8 ? '#ff8f87' : busy >= 0.5 ? '#ffc98b' : busy >= 0.25 ? '#fff2b3' : undefined;
}

/** How to mark node `n` given `metrics`: nothing for the input, the end and nodes the metrics do not know. */
export function heat(n: GraphNode, metrics: Metrics): Heat {
  if (n.kind === 'source' || n.kind === 'end' || n.kind === 'rxjs') return {};
  const m = metrics.nodes[n.name];
  if (m === undefined) return {};
  const fill = busyFill(m.busy);
  return { ...(fill === undefined ? {} : { fill }), ...(m.failed > 0 ? { border: FAILED_BORDER } : {}) };
}
