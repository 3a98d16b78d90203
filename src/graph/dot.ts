import type { Graph, GraphNode } from './describe.js';

/**
 * A Graphviz DOT digraph of a pipeline's graph (`dot -Tsvg`, or {@link toSvg} without Graphviz
 * installed): the run's input and the pipeline's end as ovals, nodes as boxes, a route's branches
 * as edge labels.
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
export function toDot(graph: Graph): string {
  const lines = ['digraph pipeline {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];'];
  for (const n of graph.nodes) lines.push(`  ${quote(n.id)} [label=${quote(label(n))}, shape=${n.kind === 'source' || n.kind === 'end' ? 'oval' : 'box'}];`);
  for (const e of graph.edges) lines.push(`  ${quote(e.from)} -> ${quote(e.to)}${e.label === undefined ? '' : ` [label=${quote(e.label)}]`};`);
  lines.push('}');
  return lines.join('\n');
}

/** The text a drawing shows for a node: its name, and its kind unless the name already is it. */
export function label(n: GraphNode): string {
  const auto = n.kind === 'source' || n.kind === 'end' || n.name.startsWith(`${n.kind}#`);
  return auto ? n.name : `${n.name} (${n.kind})`;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
