import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pipe } from 'rxjs';
import { Consecutor, map, offload, output, type Mode } from 'consecution';

const double = new URL('./fixtures/double.ts', import.meta.url);

async function runIn(mode: Mode, input: number[]) {
  const out: number[] = [];
  const deadLetter: { item: unknown; error: { message: string } }[] = [];
  const c = new Consecutor(
    pipe(
      map((x: number) => x - 50),
      offload<number, number>(double, { parallelism: 2, batch: 5 }),
      output('out'),
    ),
    { mode, guarantee: 'replay', retries: 1, outputs: { out, deadLetter } },
  );
  const report = await c.run(input);
  return {
    // end() pushes one count per worker: compare what items produced
    out: out.filter((x) => x > -1000).sort((a, b) => a - b),
    dead: deadLetter.map((d) => [d.item, d.error.message]).sort(),
    counts: { ingested: report.ingested, completed: report.completed, deadLettered: report.deadLettered },
  };
}

describe('one switch (property)', () => {
  it('the same pipeline gives the same result in sync, thread and process mode', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 0, maxLength: 60 }), async (input) => {
        const sync = await runIn('sync', input);
        expect(await runIn('thread', input)).toEqual(sync);
        expect(await runIn('process', input)).toEqual(sync);
      }),
      { numRuns: 4 },
    );
  }, 60_000);
});
