import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pipe } from 'rxjs';
import { Consecutor, filter, map, node, ordered, output } from 'consecution';
import { range, runs } from './harness.js';
import { within } from './sources.js';

const N = 100_000;

/** A promise and the function that resolves it. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('ordered (property)', () => {
  it('releases 100,000 items held behind one slow item complete and in input order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: N - 1 }),
        // At least 2, so that items behind the slow one can pass it in the parallel node.
        fc.integer({ min: 2, max: 64 }),
        // 0: nothing dropped; k: every k-th item is dropped before the parallel node.
        fc.constantFrom(0, 2, 3, 7),
        async (slow, concurrency, dropEvery) => {
          const kept = range(N).filter((x) => dropEvery === 0 || x % dropEvery !== 0);
          const others = kept.filter((x) => x !== slow).length;
          // The slow item waits until every other kept item has reached ordered(): no timer involved.
          const g = gate();
          let arrived = 0;
          let outWhenOpened = -1;
          if (others === kept.length || others === 0) g.open();
          const out: number[] = [];
          const c = new Consecutor(
            pipe(
              filter((x: number) => dropEvery === 0 || x % dropEvery !== 0),
              node('slow-one', {
                concurrency,
                process: (x: number) => (x === slow ? g.opened.then(() => x) : x),
              }),
              map((x: number) => {
                if (x !== slow && ++arrived === others) {
                  // This last one is not out yet: older than the slow item, it goes out next.
                  outWhenOpened = out.length + (x < slow ? 1 : 0);
                  g.open();
                }
                return x;
              }),
              ordered(),
              output('out'),
            ),
            // Room for every item at once: all but the slow one wait in ordered()'s buffer.
            { maxPending: N, outputs: { out } },
          );
          const report = await within(c.run(range(N)), 20_000, () => `run with slow item ${slow}, concurrency ${concurrency}, dropEvery ${dropEvery}`);
          // Until the slow item came, everything younger than it was held.
          if (others < kept.length) expect(outWhenOpened).toBe(kept.filter((x) => x < slow).length);
          expect(report.ok).toBe(true);
          expect(report.completed).toBe(N);
          expect(out.length).toBe(kept.length);
          expect(out).toEqual(kept);
        },
      ),
      { numRuns: runs(4) },
    );
  });
});
