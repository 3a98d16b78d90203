// W2: broadcast every item to two branches (x+1 and x*2), merge them, reduce(sum), over 1,000,000 integers.
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, from, lastValueFrom, map as rxMap, merge as rxMerge, pipe, reduce as rxReduce } from 'rxjs';
import { broadcast, map, reduce } from 'consecution';
import type { Scenario } from './harness.js';
import { add, allVersusNode, rxjsTargets, consecutionVariants, integers, mapStream, SumSink } from './lib.js';

const N = 1_000_000;
const inc = (x: number) => x + 1;
const double = (x: number) => x * 2;

/** The consecution pipeline of every guarantee level (also measured by `bench:instructions`). */
export const w2Pipeline = () => pipe(broadcast(map(inc), map(double)), reduce(add, 0));

export const w2: Scenario = {
  id: 'w2',
  title: 'broadcast to 2 branches + merge → reduce',
  items: N,
  input: () => integers(N),
  expected(input) {
    let sum = 0;
    for (const x of input) sum += inc(x) + double(x);
    return sum;
  },
  variants: [
    {
      name: 'raw RxJS',
      baseline: 'rxjs',
      // connect(), not share(): share() would let the first branch drain a synchronous source alone.
      run: (input) =>
        lastValueFrom(
          from(input).pipe(
            connect((s) => rxMerge(s.pipe(rxMap(inc)), s.pipe(rxMap(double)))),
            rxReduce(add, 0),
          ),
        ),
    },
    {
      name: 'Node streams',
      baseline: 'node',
      async run(input) {
        const source = Readable.from(input);
        const a = mapStream(inc);
        const b = mapStream(double);
        // Fan-out: a Readable piped to two destinations gives each every item, pausing while either is full.
        source.pipe(a);
        source.pipe(b);
        // Fan-in: both branches write into one PassThrough, which is ended once both have ended.
        const merged = new PassThrough({ objectMode: true });
        const sink = new SumSink();
        const branches = Promise.all([pipeline(a, merged, { end: false }), pipeline(b, merged, { end: false })]).then(() => {
          merged.end();
        });
        await Promise.all([branches, pipeline(merged, sink)]);
        return sink.sum;
      },
    },
    ...consecutionVariants(w2Pipeline),
  ],
  isolate: true,
  targets: [...rxjsTargets(1.2, 0.9, 0.75), ...allVersusNode(3)],
};
