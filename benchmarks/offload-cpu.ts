// OFFLOAD-CPU: a CPU-bound node (spin: ~20 µs of integer math per item) → reduce(sum) over 200,000
// integers, on the main thread and offloaded to 2 workers (worker threads, child processes).
import { map, offload } from 'consecution';
import type { Scenario } from './harness.js';
import { handWritten } from './handwritten.js';
import { integers, offloadVariant, sumOf, workerModule } from './lib.js';
import { ROUNDS, spin } from './workers/spin.js';

const N = 200_000;
const WORKERS = 2;
const THREADS = `offload thread ×${WORKERS}`;
const PROCESSES = `offload process ×${WORKERS}`;

/** Items per message: the library's default. */
const BATCH = 256;

const offloaded = () => offload<number, number>(workerModule('spin-node'), { parallelism: WORKERS, batch: BATCH });

export const offloadCpu: Scenario = {
  id: 'offload-cpu',
  title: `CPU-bound node (~20 µs/item) → reduce, inline and on ${WORKERS} workers`,
  items: N,
  input: () => integers(N),
  expected: (input) => sumOf(input, spin),
  baselines: ['inline'],
  variants: [
    offloadVariant('inline map', 'sync', () => map(spin), 'inline'),
    offloadVariant('offload sync', 'sync', offloaded),
    offloadVariant(THREADS, 'thread', offloaded),
    offloadVariant(PROCESSES, 'process', offloaded),
    handWritten(`hand-written thread ×${WORKERS}`, 'thread', spin, WORKERS, BATCH, `const ROUNDS = ${ROUNDS};`),
  ],
  targets: [{ variant: THREADS, baseline: 'inline', min: 1.8 }],
  // A round takes about 15 s (4 s of it inline): fewer rounds than the throughput scenarios.
  runs: 3,
  warmup: 1,
};
