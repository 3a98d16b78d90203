import type { Metrics } from '../consecutor/report.js';
import type { Graph, GraphNode } from './describe.js';
import { heat } from './heat.js';
import { label } from './label.js';

/**
 * A Graphviz DOT digraph of a pipeline's graph (`dot -Tsvg`, or {@link toSvg} without Graphviz
 * installed): the run's input and the pipeline's end as ovals, nodes as boxes, a route's branches
 * as edge labels. With `metrics` (a snapshot of `c.metrics()`), each node shows its numbers on a
 * second line, is filled by how busy it is (red from 80 %) and has a red border if it failed items.
 *
 * @example
 * ```ts
 * import { map } from '../../operators/map.js';
 * import { describe } from './describe.js';
 * import { toDot } from './dot.js';
 *
 * console.log(toDot(describe(map('parse', (line: string) => line.length))));
 * // digraph pipeline {
 * //   rankdir=LR;
 * //   "input" [label="input", shape=oval];
 * //   ...
 * ```
 */
export function toDot(graph: Graph, metrics?: Metrics): string {
  const lines = ['digraph pipeline {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];'];
  for (const n of graph.nodes) lines.push(`  ${quote(n.id)} [${attributes(n, metrics)}];`);
  for (const e of graph.edges) lines.push(`  ${quote(e.from)} -> ${quote(e.to)}${e.label === undefined ? '' : ` [label=${quote(e.label)}]`};`);
  lines.push('}');
  return lines.join('\n');
}

function attributes(n: GraphNode, metrics: Metrics | undefined): string {
  const shape = n.kind === 'source' || n.kind === 'end' ? 'oval' : 'box';
  const own = `label=${quote(label(n, metrics))}, shape=${shape}`;
  if (metrics === undefined) return own;
  const { fill, border } = heat(n, metrics);
  return `${own}${fill === undefined ? '' : `, style=filled, fillcolor=${quote(fill)}`}${border === undefined ? '' : `, color=${quote(border)}, penwidth=2`}`;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
