import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Consecutor, node } from 'consecution';
import { runs } from './harness.js';
import { recordingSource, within } from './sources.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('back-pressure (property)', () => {
  it('never has more than maxPending items in flight, and completes every item', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }),
        fc.constantFrom('confirm' as const, 'track' as const, 'replay' as const),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
        async (maxPending, concurrency, delays, guarantee, asyncReads) => {
          const seen: number[] = [];
          let busy = 0;
          let peakBusy = 0;
          const out: number[] = [];
          const c: Consecutor<number, number> = new Consecutor(
            node('slow', {
              concurrency,
              async process(i: number) {
                seen.push(c.metrics().pending);
                peakBusy = Math.max(peakBusy, ++busy);
                await sleep(delays[i]!);
                busy--;
                return i;
              },
            }),
            { guarantee, maxPending, outputs: { default: out } },
          );
          const items = delays.map((_, i) => i);
          const atRead: number[] = [];
          const source = recordingSource(items, asyncReads, () => atRead.push(c.metrics().pending));
          const report = await within(c.run(source), 10_000, () => `maxPending ${maxPending}, concurrency ${concurrency}`);
          expect(Math.max(0, ...seen), `pending seen by the node: ${seen.join(',')}`).toBeLessThanOrEqual(maxPending);
          expect(Math.max(0, ...atRead), `pending when the source was read: ${atRead.join(',')}`).toBeLessThan(maxPending);
          expect(Math.min(...seen), 'the item being processed is pending').toBeGreaterThanOrEqual(1);
          expect(peakBusy, 'the node never runs more than its concurrency').toBeLessThanOrEqual(concurrency);
          expect(report).toMatchObject({ ok: true, ingested: items.length, completed: items.length, failed: 0 });
          expect([...out].sort((a, b) => a - b)).toEqual(items);
          expect(source.confirms.filter((x) => x.completed)).toHaveLength(items.length);
        },
      ),
      { numRuns: runs(200) },
    );
  });
});
