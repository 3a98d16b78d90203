// W3: chunk(100) → sum each chunk → reduce(sum), over 2,000,000 integers.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bufferCount, from, lastValueFrom, map as rxMap, pipe, reduce as rxReduce } from 'rxjs';
import { chunk, map, reduce } from 'consecution';
import type { Scenario } from './harness.js';
import { add, allVersusNode, rxjsTargets, chunkStream, consecutionVariants, integers, mapStream, SumSink } from './lib.js';

const N = 2_000_000;
const SIZE = 100;

/**
 * The sum of one chunk. A sum of sums is the same however the items are grouped, so the size is
 * checked too (N is a multiple of SIZE: every chunk is full): a chunking bug fails the run
 * instead of hiding in the total.
 */
function sumOfChunk(batch: readonly number[]): number {
  if (batch.length !== SIZE) throw new Error(`chunk of ${batch.length} items, expected ${SIZE}`);
  let sum = 0;
  for (let i = 0; i < batch.length; i++) sum += batch[i]!;
  return sum;
}

/** The consecution pipeline of every guarantee level (also measured by `bench:instructions`). */
export const w3Pipeline = () => pipe(chunk<number>(SIZE), map(sumOfChunk), reduce(add, 0));

export const w3: Scenario = {
  id: 'w3',
  title: `chunk(${SIZE}) → sum each chunk → reduce`,
  items: N,
  input: () => integers(N),
  expected(input) {
    let sum = 0;
    for (const x of input) sum += x;
    return sum;
  },
  variants: [
    {
      name: 'raw RxJS',
      baseline: 'rxjs',
      run: (input) => lastValueFrom(from(input).pipe(bufferCount(SIZE), rxMap(sumOfChunk), rxReduce(add, 0))),
    },
    {
      name: 'Node streams',
      baseline: 'node',
      async run(input) {
        const sink = new SumSink();
        await pipeline(Readable.from(input), chunkStream<number>(SIZE), mapStream(sumOfChunk), sink);
        return sink.sum;
      },
    },
    ...consecutionVariants(w3Pipeline),
  ],
  isolate: true,
  targets: [...rxjsTargets(undefined, 0.8, undefined), ...allVersusNode(3)],
};
