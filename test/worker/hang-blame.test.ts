import { describe, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, offload, output } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import type { FailureRecord } from '../../src/acker/failure.js';
import { runThroughHangs, WorkerLog } from './log.js';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

/** The run's timeoutMs, on its virtual clock: a worker's start-up takes no virtual time, only the hang does. */
const LIMIT = 3_000;

describe('a worker stopped as hung blames the item it was on', () => {
  it.concurrent.for(['thread', 'process'] as const)(
    'an offloaded node spinning forever on one item of a batch: only that item is dead-lettered, its batch-mates complete (%s)',
    { timeout: 60_000 },
    async (mode, { expect }) => {
      const out: number[] = [];
      const dead: FailureRecord[] = [];
      const log = new WorkerLog('spin', mode);
      const clock = new VirtualClock();
      // Twenty items: the first batches are small (the sizer's guess); later ones hold 5.
      const input = Array.from({ length: 20 }, (_, i) => i);
      const c = new Consecutor(pipe(offload<number, number>(fixture('spin'), { parallelism: 1, batch: 5 }), output('out')), {
        mode,
        guarantee: 'replay',
        retries: 1,
        timeoutMs: LIMIT,
        clock,
        outputs: { out, deadLetter: dead },
      });
      // Each time the worker spins on item 12, virtual time runs until the pool stops it as hung.
      const report = await runThroughHangs(c.run(input), { clock, log, stats: () => c.metrics().nodes.spin, limitMs: 3 * LIMIT });
      expect(report).toMatchObject({ completed: 19, deadLettered: 1 });
      expect([...new Set(out)].sort((a, b) => a - b)).toEqual(input.filter((x) => x !== 12));
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        item: 12,
        node: 'spin',
        attempts: 2,
        error: { code: 'NODE_TIMEOUT', message: expect.stringMatching(/^node "spin" did not finish item 12: the worker (thread|process) was stopped as hung on it after timeoutMs=3000$/) },
      });
      // Nothing else lost an attempt: every failure is item 12's.
      for (const f of report.failures) expect(f).toMatchObject({ item: 12, node: 'spin', error: { code: 'NODE_TIMEOUT' } });
      // A thread says which item it is on: one stop per attempt. A process cannot: its batch-mates
      // are first run again one per batch, and the one that hangs alone is blamed.
      if (mode === 'thread') expect(report.nodes.spin!.crashes).toBe(2);
      else expect(report.nodes.spin!.crashes).toBeGreaterThanOrEqual(2);
    },
  );
});
