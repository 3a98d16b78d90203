// OFFLOAD-TRIVIAL: a trivial node (x + 1) → reduce(sum) over 1,000,000 integers, offloaded to 2
// workers (worker threads, child processes) with two batch sizes: what is measured is the bridge.
// OFFLOAD-LONG: the same over 5,000,000 integers with batches of 1,024, where starting the workers
// weighs a fifth as much.
import { map, offload } from 'consecution';
import type { Scenario, Variant } from './harness.js';
import { handWritten } from './handwritten.js';
import { integers, offloadVariant, sumOf, workerModule } from './lib.js';

const WORKERS = 2;
/** The batch size the targets are on: the better one in both modes. */
const BATCH = 1024;
const inc = (x: number) => x + 1;

const offloaded = (batch: number) => () => offload<number, number>(workerModule('inc-node'), { parallelism: WORKERS, batch });
const threads = (batch: number) => `offload thread ×${WORKERS}, batch ${batch}`;
const processes = (batch: number) => `offload process ×${WORKERS}, batch ${batch}`;

/** The scenario over `n` items: the inline baseline, offload in both modes at each batch size, and hand-written workers. */
function trivial(id: string, n: number, batches: readonly number[], rounds: Pick<Scenario, 'runs' | 'warmup' | 'targets'>): Scenario {
  const variants: Variant[] = [
    offloadVariant('inline map', 'sync', () => map(inc), 'inline'),
    ...batches.flatMap((batch) => [
      offloadVariant(threads(batch), 'thread', offloaded(batch)),
      offloadVariant(processes(batch), 'process', offloaded(batch)),
    ]),
    handWritten(`hand-written thread ×${WORKERS}, batch ${BATCH}`, 'thread', inc, WORKERS, BATCH),
    handWritten(`hand-written process ×${WORKERS}, batch ${BATCH}`, 'process', inc, WORKERS, BATCH),
  ];
  return {
    id,
    title: `trivial node (x + 1) → reduce, on ${WORKERS} workers, ${n.toLocaleString('en-US')} items`,
    items: n,
    input: () => integers(n),
    expected: (input) => sumOf(input, inc),
    baselines: ['inline'],
    variants,
    ...rounds,
  };
}

export const offloadTrivial = trivial('offload-trivial', 1_000_000, [256, BATCH], {
  targets: [
    { variant: threads(BATCH), minItemsPerSec: 3_000_000 },
    { variant: processes(BATCH), minItemsPerSec: 1_500_000 },
  ],
  // A round takes about 7 s.
  runs: 3,
  warmup: 1,
});

export const offloadLong = trivial('offload-long', 5_000_000, [BATCH], {
  targets: [],
  // A round takes about 8 s.
  runs: 3,
  warmup: 1,
});
