// W1 on a durable store: map(x*2) → filter(x%3 !== 0) → map(x+1) → reduce(sum) over 1,000,000
// integers with guarantee 'replay' and an LMDB store (every item journaled before admission, its
// entry removed once complete, the reduce checkpointed before inputs are acked), beside raw LMDB
// doing the same writes by hand: batched put, flushed, then removed a batch later.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { pipe } from 'rxjs';
import { Consecutor, filter, map, reduce } from 'consecution';
import type { Scenario } from './harness.js';
import { add, integers } from './lib.js';
import { double, inc, notTriple, w1Baselines } from './w1.js';

const N = 1_000_000;
const BATCH = 1_000;

function fold(input: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const y = double(input[i]!);
    if (notTriple(y)) sum += inc(y);
  }
  return sum;
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'consecution-bench-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const w1lmdb: Scenario = {
  id: 'w1-lmdb',
  title: 'map → filter → map → reduce, replay on an LMDB store',
  items: N,
  input: () => integers(N),
  expected: (input) => fold(input, 0, input.length),
  variants: [
    ...w1Baselines,
    {
      // The disk floor of a replay log: each batch put and flushed, removed one batch later.
      name: 'raw LMDB put+remove',
      baseline: 'lmdb',
      run: (input) =>
        withDir(async (dir) => {
          const db = open({ path: join(dir, 'data.mdb') });
          let sum = 0;
          for (let from = 0; from < input.length; from += BATCH) {
            const to = Math.min(from + BATCH, input.length);
            for (let i = from; i < to; i++) void db.put(i, input[i]);
            if (from > 0) for (let i = from - BATCH; i < from; i++) void db.remove(i);
            await db.put('position', to);
            await db.flushed;
            sum += fold(input, from, to);
          }
          for (let i = input.length - (input.length % BATCH || BATCH); i < input.length; i++) void db.remove(i);
          await db.flushed;
          await db.close();
          return sum;
        }),
    },
    {
      name: 'consecution replay + LMDB',
      run: (input) =>
        withDir(async (dir) => {
          const out: number[] = [];
          const c = new Consecutor(pipe(map(double), filter(notTriple), map(inc), reduce(add, 0)), {
            guarantee: 'replay',
            store: { path: dir },
            maxPending: 10_000,
            outputs: { default: out },
          });
          const report = await c.run(input);
          if (!report.ok || report.completed !== input.length) throw new Error(`unclean report: ${JSON.stringify(report)}`);
          return out[0]!;
        }),
    },
  ],
  targets: [{ variant: 'consecution replay + LMDB', baseline: 'lmdb', min: 0.5 }],
};
