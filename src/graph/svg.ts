import { loadOptional } from '../connectors/optional.js';
import type { Graph } from './describe.js';
import { toDot } from './dot.js';

/**
 * An SVG drawing of a pipeline's graph, laid out by Graphviz compiled to WebAssembly
 * (`@viz-js/viz`, an optional peer dependency loaded on the first call: `npm install
 * @viz-js/viz`); no Graphviz install is needed.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { map } from '../../operators/map.js';
 * import { describe } from './describe.js';
 * import { toSvg } from './svg.js';
 *
 * writeFileSync('pipeline.svg', await toSvg(describe(map('parse', (line: string) => line.length))));
 * ```
 */
export async function toSvg(graph: Graph): Promise<string> {
  const viz = await loadOptional<typeof import('@viz-js/viz')>('@viz-js/viz', 'toSvg');
  return (await viz.instance()).renderString(toDot(graph), { format: 'svg' });
}
