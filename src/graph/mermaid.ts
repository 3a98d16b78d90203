import type { Metrics } from '../consecutor/report.js';
import type { Graph, GraphNode } from './describe.js';
import { heat } from './heat.js';
import { label } from './label.js';

/**
 * A Mermaid flowchart of a pipeline's graph: each node declared once, then the edges. With
 * `metrics` (a snapshot of `c.metrics()`), each node shows its numbers on a second line, and a
 * `style` line per marked node fills it by how busy it is (red from 80 %) and gives a node that
 * failed items a red border.
 *
 * @example
 * ```ts
 * declare function parse(line: string): { id: number };
 * const pipeline = map('parse', parse);
 * console.log(toMermaid(describe(pipeline)));
 * // flowchart LR
 * //   g_input(["input"])
 * //   g_n1["parse (map)"]
 * //   g_input --> g_n1
 * ```
 */
export function toMermaid(graph: Graph, metrics?: Metrics): string {
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) lines.push(`  ${declare(n, metrics)}`);
  for (const e of graph.edges) lines.push(`  ${id(e.from)} -->${e.label === undefined ? '' : `|${e.label}|`} ${id(e.to)}`);
  if (metrics !== undefined) for (const n of graph.nodes) lines.push(...style(n, metrics));
  return lines.join('\n');
}

// `end` is a keyword in Mermaid: prefix every id.
function id(nodeId: string): string {
  return `g_${nodeId}`;
}

function declare(n: GraphNode, metrics: Metrics | undefined): string {
  const text = label(n, metrics).replace(/"/g, '#quot;').replace(/\n/g, '<br/>');
  return n.kind === 'source' || n.kind === 'end' ? `${id(n.id)}(["${text}"])` : `${id(n.id)}["${text}"]`;
}

function style(n: GraphNode, metrics: Metrics): string[] {
  const { fill, border } = heat(n, metrics);
  const parts = [...(fill === undefined ? [] : [`fill:${fill}`]), ...(border === undefined ? [] : [`stroke:${border}`, 'stroke-width:2px'])];
  return parts.length === 0 ? [] : [`  style ${id(n.id)} ${parts.join(',')}`];
}
