import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pipe } from 'rxjs';
import { broadcast, Consecutor, map, offload, output, reduce, type Mode } from 'consecution';
import { runs } from '../property/harness.js';

const double = new URL('./fixtures/double.ts', import.meta.url);

interface Case {
  readonly input: number[];
  readonly parallelism: number;
  readonly batch: number;
}

async function runIn(mode: Mode, { input, parallelism, batch }: Case) {
  const out: number[] = [];
  const total: number[] = [];
  const deadLetter: { item: unknown; error: { message: string } }[] = [];
  const c = new Consecutor(
    pipe(
      map((x: number) => x - 50),
      offload<number, number>(double, { parallelism, batch }),
      // end()'s counts (one per worker, <= -1000) are left out of the sum.
      broadcast(output('out'), pipe(reduce('sum', (a: number, x: number) => (x > -1000 ? a + x : a), 0), output('total'))),
    ),
    { mode, guarantee: 'replay', retries: 1, outputs: { out, total, deadLetter } },
  );
  const report = await c.run(input);
  return {
    // end() pushes one count per worker: compare what items produced
    out: out.filter((x) => x > -1000).sort((a, b) => a - b),
    total,
    dead: deadLetter.map((d) => [d.item, d.error.message]).sort(),
    counts: { ingested: report.ingested, completed: report.completed, deadLettered: report.deadLettered },
  };
}

describe('one switch (property)', () => {
  it('the same pipeline gives the same result in sync, thread and process mode', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          input: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 0, maxLength: 60 }),
          parallelism: fc.integer({ min: 1, max: 3 }),
          batch: fc.integer({ min: 1, max: 8 }),
        }),
        async (c) => {
          const sync = await runIn('sync', c);
          expect(await runIn('thread', c)).toEqual(sync);
          expect(await runIn('process', c)).toEqual(sync);
        },
      ),
      { numRuns: runs(4) },
    );
  }, 60_000);
});
