import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from 'consecution/testing';
import { expectItems, expectSettledOnce, expectTrackedCounts, model, runDescribed, runs } from './harness.js';
import { MAX_ITEMS, pipelineArb } from './pipelines.js';

const items = fc.integer({ min: 0, max: MAX_ITEMS });
const retries = fc.integer({ min: 0, max: 3 });
const asyncReads = fc.array(fc.boolean(), { minLength: 1, maxLength: 4 });
const trackedLevel = fc.constantFrom('confirm' as const, 'track' as const, 'replay' as const);

describe('acking (property)', () => {
  it("under 'replay', every item settles exactly once: completed, or dead-lettered with its failure", async () => {
    await fc.assert(
      fc.asyncProperty(pipelineArb(2, { failures: true }), items, retries, fc.boolean(), async (p, n, r, asyncOutputs) => {
        const m = model(p, n);
        const o = await runDescribed(p, n, { guarantee: 'replay', retries: r, asyncOutputs });
        expectTrackedCounts(o.report, n);
        expectItems(m, o, expectSettledOnce(o, n), 'replay', r);
      }),
      { numRuns: runs(500) },
    );
  });

  it("under 'replay' and back-pressure (maxPending 1-5), the same holds", async () => {
    // Without chunk: a chunk larger than maxPending waits for items that cannot enter (see chunk.property.test.ts).
    await fc.assert(
      fc.asyncProperty(
        pipelineArb(2, { failures: true, chunks: false }),
        items,
        retries,
        fc.integer({ min: 1, max: 5 }),
        asyncReads,
        async (p, n, r, maxPending, reads) => {
          const m = model(p, n);
          const o = await runDescribed(p, n, { guarantee: 'replay', retries: r, maxPending, asyncReads: reads });
          expectTrackedCounts(o.report, n);
          expectItems(m, o, expectSettledOnce(o, n), 'replay', r);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('confirms each source position exactly once, with the completed flag the report counts', async () => {
    await fc.assert(
      fc.asyncProperty(pipelineArb(2, { failures: true }), items, trackedLevel, retries, asyncReads, fc.boolean(), async (p, n, guarantee, r, reads, asyncOutputs) => {
        const o = await runDescribed(p, n, { guarantee, retries: r, asyncReads: reads, asyncOutputs });
        expectTrackedCounts(o.report, n);
        expectSettledOnce(o, n);
      }),
      { numRuns: runs(400) },
    );
  });

  it('settles each item once when items time out (slow items, node deadlines, late results)', async () => {
    // Slow items outlive both the run's timeoutMs and some nodes' own deadlines, so roots time out
    // while their values are still in flight, and late results and acks race the replays.
    await fc.assert(
      fc.asyncProperty(
        pipelineArb(2, { failures: true, slow: true }),
        items,
        trackedLevel,
        retries,
        fc.boolean(),
        async (p, n, guarantee, r, asyncOutputs) => {
          // On virtual time: only the slow items are slow, however loaded the machine is.
          const clock = new VirtualClock();
          const o = await runDescribed(p, n, { guarantee, retries: r, asyncOutputs, timeoutMs: 20, slowMs: 40, clock });
          expectTrackedCounts(o.report, n);
          expectSettledOnce(o, n);
          expect(o.deadLetter).toHaveLength(o.report.deadLettered);
          expect(new Set(o.deadLetter.map((d) => d.item)).size, 'no item dead-lettered twice').toBe(o.deadLetter.length);
        },
      ),
      { numRuns: runs(200) },
    );
  });
});
