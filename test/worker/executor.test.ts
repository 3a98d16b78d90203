import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pipe } from 'rxjs';
import { Consecutor, node, offload, output, type Mode, type RunReport } from 'consecution';
import { createHandler } from '../../src/worker/handler.js';
import type { FromWorker, Results } from '../../src/worker/protocol.js';
import { runs } from '../property/harness.js';
import acts, { ACTS, type Item } from './fixtures/acts.js';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

/** What a run did, in a form that does not depend on where the node ran or in what order. */
function outcome(values: unknown[], report: RunReport) {
  return {
    values: values.map((v) => JSON.stringify(v)).sort(),
    counts: { completed: report.completed, deadLettered: report.deadLettered, failed: report.failed, errors: report.errors, ok: report.ok },
    failures: report.failures.map((f) => JSON.stringify([f.node, f.item, f.error.code, f.error.message, f.reason])).sort(),
  };
}

async function inline(items: Item[]) {
  const values: unknown[] = [];
  const report = await new Consecutor(pipe(node('acts', acts), output('out')), { outputs: { out: values } }).run(items);
  return outcome(values, report);
}

async function offloaded(mode: Mode, items: Item[], batch: number) {
  const values: unknown[] = [];
  const report = await new Consecutor(pipe(offload('acts', fixture('acts'), { parallelism: 1, batch }), output('out')), { mode, outputs: { out: values } }).run(items);
  return outcome(values, report);
}

describe('one node executor, inline and in workers', () => {
  it('a node does the same with every item whether it runs inline or offloaded (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...ACTS), { minLength: 0, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (kinds, batch) => {
          const items = kinds.map((act, n) => ({ n, act }));
          const expected = await inline(items);
          expect(await offloaded('sync', items, batch)).toEqual(expected);
          expect(await offloaded('thread', items, batch)).toEqual(expected);
        },
      ),
      // Every act at least once, whatever is drawn.
      { numRuns: runs(4), examples: [[[...ACTS], 4]] },
    );
  }, 60_000);

  it('in a worker as inline, a push after the item was acked is refused and recorded, not silently lost', async () => {
    const items: Item[] = [{ n: 1, act: 'ackThenPush' }];
    for (const mode of ['sync', 'thread'] as const) {
      const got = await offloaded(mode, items, 4);
      expect(got.values).toEqual([]);
      expect(got.counts).toMatchObject({ completed: 1, errors: 1, ok: false });
      expect(got.failures).toEqual([
        JSON.stringify(['acts', { n: 1, act: 'ackThenPush' }, 'NODE_FAILED', 'node "acts" called ctx.push() after its item was settled (returned, acked, failed or timed out)', undefined]),
      ]);
    }
  });
});

describe("a worker's call without a timeoutMs of its own has the run's", () => {
  it("the worker fails it with NODE_TIMEOUT after the run's timeoutMs (sent in init) and aborts its signal; the other items go on", async () => {
    let results: Results | undefined;
    const ended = new Promise<readonly unknown[]>((resolve) => {
      const handle = createHandler('sync', (msg: FromWorker) => {
        if (msg.t === 'results') results = msg;
        if (msg.t === 'ended') resolve(msg.outs);
      });
      handle({ t: 'init', url: fixture('hang-async').href, name: 'hang-async', timeoutMs: 50 });
      handle({ t: 'batch', values: [1, 3, 5], attempts: undefined });
      handle({ t: 'end' });
    });
    // end() pushes -100 - (aborts seen): item 3's signal aborted (at least once: the module is shared in sync mode).
    expect((await ended)[0]).toBeLessThanOrEqual(-101);
    if (results === undefined) throw new Error('no results');
    expect(results.counts).toEqual([1, -1, 1]);
    expect(Array.from(results.outs)).toEqual([1, 5]);
    expect(results.failed).toHaveLength(1);
    expect(results.failed[0]!.error).toMatchObject({ code: 'NODE_TIMEOUT', message: 'node "hang-async" did not finish item 3 within timeoutMs=50' });
  });

  it.concurrent.for([
    ['sync', 300],
    // Roomy enough that a worker's start-up on a busy machine never matters: only the hang does.
    ['thread', 3_000],
  ] as const)('an offloaded async node that never settles one item: exactly that item fails, the others complete, the run ends (%s)', async ([mode, timeoutMs], { expect }) => {
    const out: number[] = [];
    const input = Array.from({ length: 10 }, (_, i) => i);
    const c = new Consecutor(pipe(offload<number, number>(fixture('hang-async'), { parallelism: 1, batch: 4 }), output('out')), {
      mode,
      timeoutMs,
      outputs: { out },
    });
    const report = await c.run(input);
    expect(report).toMatchObject({ completed: 9, deadLettered: 1 });
    // The worker's own deadline, or the pool's hung watch (whichever comes first): NODE_TIMEOUT, item 3.
    expect(report.failures).toEqual([expect.objectContaining({ item: 3, node: 'hang-async', error: expect.objectContaining({ code: 'NODE_TIMEOUT' }) })]);
    expect(out.filter((x) => x >= 0).sort((a, b) => a - b)).toEqual(input.filter((x) => x !== 3));
  });
});
