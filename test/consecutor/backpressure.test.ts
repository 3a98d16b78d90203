import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { chunk, Consecutor, fromIterable, map, node } from 'consecution';
import { VirtualClock } from 'consecution/testing';

/** A wait of `ms` on `clock`: a slow call, in the run's virtual time. */
const sleep = (clock: VirtualClock, ms: number) => new Promise<void>((r) => clock.setTimeout(() => r(), ms));
/** A few turns of the event loop, no time at all: what is due now has happened. */
const turns = async (n = 1) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('maxPending', () => {
  it('pauses a pull source: never more than maxPending items in flight', async () => {
    let read = 0;
    function* counted() {
      for (let i = 0; i < 50; i++) {
        read++;
        yield i;
      }
    }
    let maxAhead = 0;
    let done = 0;
    const clock = new VirtualClock();
    const c = new Consecutor(
      node('slow', {
        concurrency: 10,
        async process(x: number) {
          maxAhead = Math.max(maxAhead, read - done);
          await sleep(clock, 1);
          done++;
          return x;
        },
      }),
      { maxPending: 4, clock },
    );
    const report = await clock.runUntil(c.run(fromIterable(counted())));
    expect(report).toMatchObject({ ok: true, completed: 50 });
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it('does not stall when a chunk after an async node can never fill under maxPending', async () => {
    // 50 items may be pending and the chunk wants 100: it holds 50 once the slow node is done
    // with them, and only a flush lets them go. The slow node was still busy when the source
    // paused, so the flush must come once it is done, not at the pause. The stall check and the
    // slow calls are timers on the run's virtual clock.
    const clock = new VirtualClock();
    const slow = node('slow', {
      concurrency: 10,
      async process(x: number) {
        await sleep(clock, 2);
        return x;
      },
    });
    const out: number[] = [];
    const c = new Consecutor(pipe(slow, chunk(100), map((b: number[]) => b.length)), { maxPending: 50, clock, outputs: { default: out } });
    const report = await clock.runUntil(c.run(Array.from({ length: 300 }, (_, i) => i)), { limitMs: 60_000 });
    expect(report).toMatchObject({ ok: true, completed: 300 });
    expect(out.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...out)).toBeLessThanOrEqual(50);
  });

  it('makes push() wait until the item is admitted', async () => {
    const release: (() => void)[] = [];
    const c = new Consecutor(
      node('gate', {
        concurrency: 10,
        process: (x: number) => new Promise<number>((r) => release.push(() => r(x))),
      }),
      { maxPending: 2 },
    );
    c.up();
    await c.push(1);
    await c.push(2);
    let third = false;
    const p3 = c.push(3).then(() => (third = true));
    await turns(5);
    expect(third).toBe(false); // two in flight: the third waits
    expect(c.metrics().pending).toBe(2);
    release.shift()!();
    await p3;
    expect(third).toBe(true);
    const down = c.down();
    while (release.length > 0 || c.metrics().pending > 0) {
      release.shift()?.();
      await turns();
    }
    expect(await down).toMatchObject({ ok: true, completed: 3 });
  });
});
