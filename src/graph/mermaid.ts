import type { Graph } from './describe.js';

/**
 * A Mermaid flowchart of a pipeline's graph.
 *
 * @example
 * ```ts
 * console.log(toMermaid(describe(pipeline)));
 * // flowchart LR
 * //   input([input]) --> n1[map#1]
 * ```
 */
export function toMermaid(graph: Graph): string {
  const label = (id: string) => {
    const n = graph.nodes.find((x) => x.id === id)!;
    const text = `${n.name}${n.kind !== n.name && n.kind !== 'source' && n.kind !== 'end' && !n.name.startsWith(`${n.kind}#`) ? ` (${n.kind})` : ''}`.replace(/"/g, '#quot;');
    // `end` is a keyword in Mermaid: prefix every id.
    return n.kind === 'source' || n.kind === 'end' ? `g_${id}(["${text}"])` : `g_${id}["${text}"]`;
  };
  const lines = ['flowchart LR'];
  for (const e of graph.edges) lines.push(`  ${label(e.from)} -->${e.label === undefined ? '' : `|${e.label}|`} ${label(e.to)}`);
  return lines.join('\n');
}
