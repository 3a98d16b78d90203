import { describe, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, offload, output } from 'consecution';
import type { FailureRecord } from '../../src/acker/failure.js';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

/** Roomy enough that a worker's start-up on a busy machine never matters: only the hang does. */
const LIMIT = 3_000;

describe('a worker stopped as hung blames the item it was on', () => {
  it.concurrent.for(['thread', 'process'] as const)(
    'an offloaded node spinning forever on one item of a batch: only that item is dead-lettered, its batch-mates complete (%s)',
    { timeout: 60_000 },
    async (mode, { expect }) => {
      const out: number[] = [];
      const dead: FailureRecord[] = [];
      // Twenty items: the first batches are small (the sizer's guess); later ones hold 5.
      const input = Array.from({ length: 20 }, (_, i) => i);
      const c = new Consecutor(pipe(offload<number, number>(fixture('spin'), { parallelism: 1, batch: 5 }), output('out')), {
        mode,
        guarantee: 'replay',
        retries: 1,
        timeoutMs: LIMIT,
        outputs: { out, deadLetter: dead },
      });
      const report = await c.run(input);
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
