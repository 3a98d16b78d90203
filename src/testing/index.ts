import type { Node } from '../envelope/envelope.js';
import { Consecutor } from '../consecutor/consecutor.js';
import type { ConsecutorOptions } from '../consecutor/options.js';
import type { RunReport } from '../consecutor/report.js';
import type { SourceLike } from '../sources/source.js';

/**
 * Runs `pipeline` over `items` in a fresh consecutor and returns what left the pipeline's end
 * with the report: the shortest way to test a pipeline.
 *
 * @example
 * ```ts
 * const { values, report } = await collect(map((x: number) => x + 1), [1, 2]);
 * // values: [2, 3]; report.ok: true
 * ```
 */
export async function collect<I, O>(
  pipeline: Node<I, O>,
  items: SourceLike<I>,
  options: ConsecutorOptions = {},
): Promise<{ values: O[]; report: RunReport }> {
  const values: O[] = [];
  const report = await new Consecutor(pipeline, { ...options, outputs: { ...options.outputs, default: values } }).run(items);
  return { values, report };
}
export { RecordingAnchor, runNode } from './envelopes.js';
export { VirtualClock, type RunUntilOptions } from './clock.js';
