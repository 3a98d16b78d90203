// What the gauges cost (issue 15): the same confirm run with metrics on (the default) and with
// `metrics: false`, interleaved in one process. W1's fused steps have no lanes, so only the
// tick's sampling differs; a node() with lanes pays two clock reads and a sketch insert per item.
import { from, lastValueFrom, map as rxMap, pipe, reduce as rxReduce } from 'rxjs';
import { node, reduce } from 'consecution';
import type { Scenario, Variant } from './harness.js';
import { add, integers, runOnce } from './lib.js';
import { w1, w1Baselines, w1Pipeline } from './w1.js';

const N = 2_000_000;
const inc = (x: number) => x + 1;

const onOff = (build: () => Parameters<typeof runOnce>[1]): Variant[] => [
  { name: 'confirm, metrics off', baseline: 'metricsOff', run: (input) => runOnce('confirm, metrics off', build(), input, { guarantee: 'confirm', metrics: false }) },
  { name: 'confirm, metrics on', run: (input) => runOnce('confirm, metrics on', build(), input, { guarantee: 'confirm' }) },
];

const sum = (input: readonly number[], f: (x: number) => number) => input.reduce((s, x) => s + f(x), 0);

export const metricsW1: Scenario = {
  id: 'metrics-w1',
  title: 'W1 (map → filter → map → reduce), metrics on vs off',
  items: N,
  input: () => integers(N),
  expected: (input) => w1.expected(input),
  variants: [w1Baselines[0]!, ...onOff(w1Pipeline)],
  baselines: ['rxjs', 'metricsOff'],
  targets: [{ variant: 'confirm, metrics on', baseline: 'metricsOff', min: 0.95 }],
};

const nodePipeline = () => pipe(node('inc', { process: inc }), reduce(add, 0));

export const metricsNode: Scenario = {
  id: 'metrics-node',
  title: 'node() with lanes → reduce, metrics on vs off',
  items: N / 4,
  input: () => integers(N / 4),
  expected: (input) => sum(input, inc),
  variants: [{ name: 'raw RxJS', baseline: 'rxjs', run: (input) => lastValueFrom(from(input).pipe(rxMap(inc), rxReduce(add, 0))) }, ...onOff(nodePipeline)],
  baselines: ['rxjs', 'metricsOff'],
  targets: [{ variant: 'confirm, metrics on', baseline: 'metricsOff', min: 0.9 }],
};
