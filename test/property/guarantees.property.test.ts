import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectItems, expectSettledOnce, expectTrackedCounts, model, runDescribed, runs } from './harness.js';
import { MAX_ITEMS, pipelineArb, type Val } from './pipelines.js';

const KEEP_FAILURES = 100; // the default keepFailures

const pathsOfAll = (values: readonly Val[]) => values.map((v) => `${v.root}${v.path}`).sort();

describe('guarantee levels (property)', () => {
  it('give consistent counts on the same random pipeline', async () => {
    await fc.assert(
      fc.asyncProperty(
        pipelineArb(2, { failures: true }),
        fc.integer({ min: 0, max: MAX_ITEMS }),
        fc.integer({ min: 0, max: 3 }),
        async (p, n, retries) => {
          const m = model(p, n);

          // 'none': never throws; every failure is counted; what leaves the end is the first attempt's output.
          const none = await runDescribed(p, n, { guarantee: 'none' });
          expect(none.report).toMatchObject({ guarantee: 'none', ingested: n, completed: n, retried: 0, deadLettered: 0 });
          expect(none.report.failed, 'none counts every failure').toBe(m.firstPointCount);
          expect(none.report.ok).toBe(m.firstPointCount === 0);
          expect(pathsOfAll(none.values), 'none emits what the first attempt emits').toEqual(
            m.items.flatMap((it) => it.firstLeaves.map((path) => `${it.root}${path}`)).sort(),
          );
          expect(none.deadLetter, 'none dead-letters nothing').toEqual([]);
          // Documented in RunReport.failures: untracked errors are kept "at every level".
          expect(none.report.failures).toHaveLength(Math.min(none.report.failed, KEEP_FAILURES));

          // 'confirm' and 'track': each failing item fails once and is given up.
          const firstFailing = m.items.filter((it) => it.firstPoints.length > 0).length;
          for (const guarantee of ['confirm', 'track'] as const) {
            const o = await runDescribed(p, n, { guarantee });
            expectTrackedCounts(o.report, n);
            expect(o.report.failed, `${guarantee}: failed === deadLettered`).toBe(o.report.deadLettered);
            expect(o.report.deadLettered, `${guarantee}: every item that fails is given up`).toBeGreaterThanOrEqual(firstFailing);
            if (!m.anyCoupled) expect(o.report.deadLettered, `${guarantee}: and no other`).toBe(firstFailing);
            expect(o.report.failed, `${guarantee}: an item fails once, however many of its values fail`).toBeLessThanOrEqual(
              Math.max(none.report.failed, m.anyCoupled ? n : 0),
            );
            expectItems(m, o, expectSettledOnce(o, n), guarantee, 0);
            if (guarantee === 'confirm') expect(o.report.failures, 'confirm keeps no failure records').toEqual([]);
            else expect(o.report.failures).toHaveLength(Math.min(o.report.failed, KEEP_FAILURES));
            for (const f of o.report.failures) expect(f).toMatchObject({ attempts: 1, item: expect.any(Number), node: expect.any(String) });
          }

          // 'replay': failures are records too, and each one replayed the item or gave it up.
          const replay = await runDescribed(p, n, { guarantee: 'replay', retries });
          expectTrackedCounts(replay.report, n);
          expectItems(m, replay, expectSettledOnce(replay, n), 'replay', retries);
          expect(replay.report.failures).toHaveLength(Math.min(replay.report.failed, KEEP_FAILURES));
          if (!m.anyCoupled) {
            expect(replay.report.deadLettered, 'replay gives up on no more than confirm does').toBeLessThanOrEqual(firstFailing);
          }
        },
      ),
      { numRuns: runs(300) },
    );
    // 1,500 runs in all: about 10 s of CPU, three times that at load 13 on 2 cores. The bound only
    // catches a hang.
  }, 180_000);
});
