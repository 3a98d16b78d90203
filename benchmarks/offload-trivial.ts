// OFFLOAD-TRIVIAL: a trivial node (x + 1) → reduce(sum) over 1,000,000 integers, offloaded to 2
// workers (worker threads, child processes) with two batch sizes: what is measured is the bridge.
import { map, offload } from 'consecution';
import type { Scenario } from './harness.js';
import { handWritten } from './handwritten.js';
import { integers, offloadVariant, workerModule } from './lib.js';

const N = 1_000_000;
const WORKERS = 2;
/** Items per message to a worker: the library's default, and a larger one. */
const BATCHES = [256, 1024] as const;
/** The batch size the targets are on: the better one in both modes. */
const BATCH = 1024;
const inc = (x: number) => x + 1;

const offloaded = (batch: number) => () => offload<number, number>(workerModule('inc-node'), { parallelism: WORKERS, batch });
const threads = (batch: number) => `offload thread ×${WORKERS}, batch ${batch}`;
const processes = (batch: number) => `offload process ×${WORKERS}, batch ${batch}`;

export const offloadTrivial: Scenario = {
  id: 'offload-trivial',
  title: `trivial node (x + 1) → reduce, on ${WORKERS} workers`,
  items: N,
  input: () => integers(N),
  expected(input) {
    let sum = 0;
    for (const x of input) sum += inc(x);
    return sum;
  },
  baselines: ['inline'],
  variants: [
    offloadVariant('inline map', 'sync', () => map(inc), 'inline'),
    ...BATCHES.flatMap((batch) => [
      offloadVariant(threads(batch), 'thread', offloaded(batch)),
      offloadVariant(processes(batch), 'process', offloaded(batch)),
    ]),
    handWritten(`hand-written thread ×${WORKERS}, batch ${BATCH}`, 'thread', inc, WORKERS, BATCH),
    handWritten(`hand-written process ×${WORKERS}, batch ${BATCH}`, 'process', inc, WORKERS, BATCH),
  ],
  targets: [
    { variant: threads(BATCH), minItemsPerSec: 3_000_000 },
    { variant: processes(BATCH), minItemsPerSec: 1_500_000 },
  ],
  // A round takes about 7 s.
  runs: 3,
  warmup: 1,
};
