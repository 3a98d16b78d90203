// W1: map(x*2) → filter(x%3 !== 0) → map(x+1) → reduce(sum), over 2,000,000 integers.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { filter as rxFilter, from, lastValueFrom, map as rxMap, pipe, reduce as rxReduce } from 'rxjs';
import { filter, map, reduce } from 'consecution';
import type { Scenario, Variant } from './harness.js';
import { add, allVersusNode, rxjsTargets, consecutionVariants, filterStream, integers, mapStream, SumSink } from './lib.js';

const N = 2_000_000;
export const double = (x: number) => x * 2;
export const notTriple = (x: number) => x % 3 !== 0;
export const inc = (x: number) => x + 1;

/** W1's work in raw RxJS and in Node streams: the baselines of every W1 scenario. */
export const w1Baselines: readonly Variant[] = [
  {
    name: 'raw RxJS',
    baseline: 'rxjs',
    run: (input) => lastValueFrom(from(input).pipe(rxMap(double), rxFilter(notTriple), rxMap(inc), rxReduce(add, 0))),
  },
  {
    name: 'Node streams',
    baseline: 'node',
    async run(input) {
      const sink = new SumSink();
      await pipeline(Readable.from(input), mapStream(double), filterStream(notTriple), mapStream(inc), sink);
      return sink.sum;
    },
  },
];

/** The consecution pipeline of every guarantee level (also measured by `bench:instructions`). */
export const w1Pipeline = () => pipe(map(double), filter(notTriple), map(inc), reduce(add, 0));

export const w1: Scenario = {
  id: 'w1',
  title: 'map → filter → map → reduce',
  items: N,
  input: () => integers(N),
  expected(input) {
    let sum = 0;
    for (const x of input) {
      const y = double(x);
      if (notTriple(y)) sum += inc(y);
    }
    return sum;
  },
  variants: [
    ...w1Baselines,
    ...consecutionVariants(w1Pipeline),
  ],
  isolate: true,
  targets: [...rxjsTargets(1.2, 0.9, 0.75), ...allVersusNode(3)],
};
