// What `npm run bench:instructions` measures: raw RxJS and every guarantee level of W1, W2 and W3,
// each exactly as the throughput benchmark defines it (the scenario's own raw RxJS variant and
// pipeline), only over a smaller input.
import type { Node } from 'consecution';
import type { Scenario, Variant } from './harness.js';
import { ALL_GUARANTEES, consecutionVariants } from './lib.js';
import { w1, w1Pipeline } from './w1.js';
import { w2, w2Pipeline } from './w2.js';
import { w3, w3Pipeline } from './w3.js';

export interface CountedScenario {
  readonly scenario: Scenario;
  /** Raw RxJS first (the ratios are taken against it), then the levels, cheapest first. */
  readonly variants: readonly Variant[];
}

function counted(scenario: Scenario, pipeline: () => Node<number, number>): CountedScenario {
  const rxjs = scenario.variants.find((v) => v.baseline === 'rxjs');
  if (rxjs === undefined) throw new Error(`${scenario.id}: no raw RxJS variant`);
  return { scenario, variants: [rxjs, ...consecutionVariants(pipeline, ALL_GUARANTEES)] };
}

export const COUNTED: readonly CountedScenario[] = [counted(w1, w1Pipeline), counted(w2, w2Pipeline), counted(w3, w3Pipeline)];

/** The scenario `id` and its variant `name`, or an error naming what exists. */
export function countedVariant(id: string, name: string): { scenario: Scenario; variant: Variant } {
  const c = COUNTED.find((s) => s.scenario.id === id);
  if (c === undefined) throw new Error(`unknown scenario ${id} (have ${COUNTED.map((s) => s.scenario.id).join(', ')})`);
  // The counted levels, and the scenario's own variants (Node streams) for the isolated throughput runs.
  const variant = c.variants.find((v) => v.name === name) ?? c.scenario.variants.find((v) => v.name === name);
  if (variant === undefined) throw new Error(`${id}: unknown variant "${name}" (have ${c.variants.map((v) => v.name).join(', ')})`);
  return { scenario: c.scenario, variant };
}
