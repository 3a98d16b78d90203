import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { config, pipe } from 'rxjs';
import { broadcast, Consecutor, ConsecutionError, filter, map, node, offload, ordered, output } from 'consecution';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ordered', () => {
  it('restores input order after a parallel node, whatever the per-item delays (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 30 }),
        async (delays, concurrency, maxPending) => {
          const out: number[] = [];
          let maxSeen = 0;
          const c = new Consecutor(
            pipe(
              node('slow', {
                concurrency,
                async process(i: number) {
                  maxSeen = Math.max(maxSeen, c.metrics().pending);
                  await sleep(delays[i]!);
                  return i;
                },
              }),
              ordered(),
              output('out'),
            ),
            { maxPending, outputs: { out } },
          );
          const report = await c.run(delays.map((_, i) => i));
          expect(report.ok).toBe(true);
          expect(out).toEqual(delays.map((_, i) => i));
          expect(maxSeen).toBeLessThanOrEqual(maxPending);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('is not held back by items dropped before it', async () => {
    const out: number[] = [];
    const c = new Consecutor(
      pipe(
        filter((x: number) => x % 3 !== 0),
        node('slow', { concurrency: 4, process: async (x: number) => (await sleep(x % 4), x) }),
        ordered(),
        output('out'),
      ),
      { outputs: { out } },
    );
    await c.run(Array.from({ length: 30 }, (_, i) => i));
    expect(out).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((x) => x % 3 !== 0));
  });

  it('restores order after an offloaded node in thread mode', async () => {
    const out: number[] = [];
    const c = new Consecutor(pipe(offload<number, number>(new URL('../worker/fixtures/slow.ts', import.meta.url), { parallelism: 2, batch: 4 }), ordered(), output('out')), {
      mode: 'thread',
      outputs: { out },
    });
    const report = await c.run(Array.from({ length: 60 }, (_, i) => i));
    expect(report.ok).toBe(true);
    expect(out).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('orders items by their first copy; later copies of an item (after a broadcast) leave as they arrive', async () => {
    const out: number[] = [];
    const c = new Consecutor(
      pipe(
        broadcast(map((x: number) => x), map((x: number) => x + 100)),
        node('slow', { concurrency: 6, process: async (x: number) => (await sleep((x * 7) % 4), x) }),
        ordered(),
        output('out'),
      ),
      { outputs: { out } },
    );
    await c.run(Array.from({ length: 20 }, (_, i) => i));
    // Each item's first copy comes out in input order, and every copy comes out.
    const firsts = out.map((x) => x % 100).filter((item, i, all) => all.indexOf(item) === i);
    expect(firsts).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...out].sort((a, b) => a - b)).toEqual([...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => i + 100)]);
  });

  it('releases a thousand items held behind a slow one without deep recursion', async () => {
    // Each release acks downstream, which settles a root, which asks ordered() to release again:
    // released in one loop, not one nested call per held item.
    // Item 0 waits until item 999 has passed: then 999 items (maxPending is 1,000) are held behind
    // it, however fast the machine is.
    const out: number[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const c = new Consecutor(
      pipe(
        node('slow-first', {
          concurrency: 64,
          async process(x: number) {
            if (x === 0) await gate;
            if (x === 999) open();
            return x;
          },
        }),
        ordered(),
        output('out'),
      ),
      { outputs: { out } },
    );
    // A RangeError thrown inside a subscriber is reported by RxJS on a later timer: catch it here.
    const unhandled: unknown[] = [];
    const before = config.onUnhandledError;
    config.onUnhandledError = (e: unknown) => unhandled.push(e);
    try {
      const report = await c.run(Array.from({ length: 1_001 }, (_, i) => i));
      await sleep(0);
      expect(unhandled.length, `errors reported by RxJS, the first: ${String(unhandled[0])}`).toBe(0);
      expect(report.ok).toBe(true);
      expect(out).toEqual(Array.from({ length: 1_001 }, (_, i) => i));
    } finally {
      config.onUnhandledError = before;
    }
  });

  it('needs a tracked guarantee', async () => {
    const c = new Consecutor(ordered(), { guarantee: 'none' });
    await expect(c.run([1])).rejects.toThrow(ConsecutionError);
  });
});
