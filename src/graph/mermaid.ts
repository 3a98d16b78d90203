import type { Graph, GraphNode } from './describe.js';
import { label } from './dot.js';

/**
 * A Mermaid flowchart of a pipeline's graph: each node declared once, then the edges.
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
export function toMermaid(graph: Graph): string {
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) lines.push(`  ${declare(n)}`);
  for (const e of graph.edges) lines.push(`  ${id(e.from)} -->${e.label === undefined ? '' : `|${e.label}|`} ${id(e.to)}`);
  return lines.join('\n');
}

// `end` is a keyword in Mermaid: prefix every id.
function id(nodeId: string): string {
  return `g_${nodeId}`;
}

function declare(n: GraphNode): string {
  const text = label(n).replace(/"/g, '#quot;');
  return n.kind === 'source' || n.kind === 'end' ? `${id(n.id)}(["${text}"])` : `${id(n.id)}["${text}"]`;
}
