import { loadOptional } from '../connectors/optional.js';
import type { Metrics } from '../consecutor/report.js';
import type { Graph } from './describe.js';
import { toDot } from './dot.js';

/**
 * An SVG drawing of a pipeline's graph, laid out by Graphviz compiled to WebAssembly
 * (`@viz-js/viz`, an optional peer dependency loaded on the first call: `npm install
 * @viz-js/viz`); no Graphviz install is needed. With `metrics`, the nodes show their numbers and
 * are coloured as in {@link toDot}.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { map } from '../../operators/map.js';
 * import type { Consecutor } from '../consecutor/consecutor.js';
 * import { describe } from './describe.js';
 * import { toSvg } from './svg.js';
 *
 * const parse = map('parse', (line: string) => line.length);
 * declare const c: Consecutor<string, number>;
 * writeFileSync('pipeline.svg', await toSvg(describe(parse)));
 * writeFileSync('pipeline-now.svg', await toSvg(describe(parse), c.metrics()));
 * ```
 */
export async function toSvg(graph: Graph, metrics?: Metrics): Promise<string> {
  const viz = await loadOptional<typeof import('@viz-js/viz')>('@viz-js/viz', 'toSvg');
  return (await viz.instance()).renderString(toDot(graph, metrics), { format: 'svg' });
}
