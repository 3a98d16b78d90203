// fromInterval and fromCron on an LMDB store: each tick fires once across a stop and a restart,
// catchUp decides the ticks whose time came while the run was down. Virtual time moves only when
// the test says, one tick at a time, and the test then waits (in real time) for that tick's outcome.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Consecutor, fromCron, fromInterval, node, type CatchUp, type Source, type SourceReader, type Tick } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { loadOptional } from '../../src/connectors/optional.js';
import { waitFor } from '../worker/log.js';

const T0 = Date.UTC(2000, 0, 1);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => loadOptional('croner', 'fromCron'));

const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'consecution-timers-'));
  dirs.push(d);
  return d;
};

/** What a run of the tests saw of a tick: its number, its time (from T0), and the virtual time it fired at. */
type Seen = [n: number, at: number, missed: number, firedAt: number];

/** `source`, and whether its reader has a read pending (it is waiting for its next tick). */
function watched<T>(source: Source<T>): { source: Source<T>; waiting: () => boolean } {
  let pending = false;
  return {
    waiting: () => pending,
    source: {
      name: source.name,
      open(after, context) {
        const reader = source.open(after, context);
        const wrapped: SourceReader<T> = {
          read() {
            const r = reader.read();
            if (!(r instanceof Promise)) return r;
            pending = true;
            return r.finally(() => (pending = false));
          },
          get position() {
            return reader.position;
          },
          get error() {
            return reader.error;
          },
          closeSettlesRead: reader.closeSettlesRead === true,
          close: () => reader.close(),
        };
        return wrapped;
      },
    },
  };
}

/**
 * One run on the store at `dir`: `seen` gets each completed tick. `hold(n)` true keeps tick n in
 * flight for good (it is pending when the run stops).
 */
function durableRun(dir: string, clock: VirtualClock, seen: Seen[], hold: (n: number) => boolean = () => false) {
  const pipeline = node('record', {
    async process(t: Tick & { firedAt: number }) {
      if (hold(t.n)) await new Promise(() => {});
      seen.push([t.n, t.at - T0, t.missed, t.firedAt - T0]);
      return t;
    },
  });
  return new Consecutor(pipeline, { guarantee: 'replay', store: { path: dir }, clock, drainMs: 100, timeoutMs: 600_000 });
}

/** Moves virtual time to the next tick (the source waits for it), then waits for `seen` to have `total` ticks. */
async function nextTick(clock: VirtualClock, probe: { waiting: () => boolean }, everyMs: number, seen: Seen[], total: number): Promise<void> {
  await waitFor('the source to wait for its next tick', probe.waiting, 10_000);
  clock.advance(everyMs);
  await waitFor(`${total} ticks`, () => seen.length === total, 10_000);
}

const interval = (clock: VirtualClock, options: { catchUp?: CatchUp; count?: number } = {}) =>
  fromInterval({ everyMs: 1_000, ...options, produce: (t) => ({ ...t, firedAt: clock.now() }) });

describe('timers on a durable store', () => {
  it('each tick fires exactly once across a stop and a restart: the second run goes on with the next n, on the same grid', async () => {
    const dir = temp();
    const clock = new VirtualClock();
    const seen: Seen[] = [];
    const first = watched(interval(clock));
    const c1 = durableRun(dir, clock, seen);
    const run1 = c1.run(first.source);
    for (let k = 1; k <= 3; k++) await nextTick(clock, first, 1_000, seen, k);
    expect(await c1.stop()).toMatchObject({ ok: true, stopped: true, ingested: 3, pending: 0 });
    await run1;

    clock.advance(500); // down for half an interval: no tick was due meanwhile
    const second = watched(interval(clock));
    const c2 = durableRun(dir, clock, seen);
    const run2 = c2.run(second.source);
    for (let k = 4; k <= 6; k++) await nextTick(clock, second, k === 4 ? 500 : 1_000, seen, k);
    expect(await c2.stop()).toMatchObject({ ok: true, stopped: true, ingested: 3, pending: 0 });
    await run2;
    expect(seen).toEqual([
      [0, 1_000, 0, 1_000],
      [1, 2_000, 0, 2_000],
      [2, 3_000, 0, 3_000],
      [3, 4_000, 0, 4_000],
      [4, 5_000, 0, 5_000],
      [5, 6_000, 0, 6_000],
    ]);
  });

  it('a tick in flight at the stop stays in the journal: the next run completes it first and does not fire it again', async () => {
    const dir = temp();
    const clock = new VirtualClock();
    const seen: Seen[] = [];
    const first = watched(interval(clock));
    const c1 = durableRun(dir, clock, seen, (n) => n === 1);
    const run1 = c1.run(first.source);
    await nextTick(clock, first, 1_000, seen, 1);
    await waitFor('the source to wait for tick 1', first.waiting, 10_000);
    clock.advance(1_000); // tick 1 fires, and is held
    await waitFor('tick 1 admitted', () => c1.metrics().ingested === 2, 10_000);
    const stopping = c1.stop();
    clock.advance(100); // drainMs
    expect(await stopping).toMatchObject({ stopped: true, ingested: 2, completed: 1, pending: 1 });
    await run1;

    const second = watched(interval(clock));
    const c2 = durableRun(dir, clock, seen);
    const run2 = c2.run(second.source);
    await waitFor('tick 1 replayed', () => seen.length === 2, 10_000);
    await nextTick(clock, second, 900, seen, 3); // now T0 + 3 000
    await c2.stop();
    await run2;
    expect(seen).toEqual([
      [0, 1_000, 0, 1_000],
      [1, 2_000, 0, 2_000],
      [2, 3_000, 0, 3_000],
    ]);
  });

  it('count holds across restarts: the second run fires the rest, then ends by itself', async () => {
    const dir = temp();
    const clock = new VirtualClock();
    const seen: Seen[] = [];
    const first = watched(interval(clock, { count: 4 }));
    const c1 = durableRun(dir, clock, seen);
    const run1 = c1.run(first.source);
    for (let k = 1; k <= 2; k++) await nextTick(clock, first, 1_000, seen, k);
    await c1.stop();
    await run1;
    const second = watched(interval(clock, { count: 4 }));
    const run2 = durableRun(dir, clock, seen).run(second.source);
    for (let k = 3; k <= 4; k++) await nextTick(clock, second, 1_000, seen, k);
    expect(await run2).toMatchObject({ ok: true, stopped: false, ingested: 2 });
    expect(seen.map((s) => s[0])).toEqual([0, 1, 2, 3]);
    // A third run has nothing left to fire.
    expect(await durableRun(dir, clock, seen).run(interval(clock, { count: 4 }))).toMatchObject({ ok: true, ingested: 0 });
  });

  describe('catchUp: ticks whose time came while the run was down', () => {
    /** Two ticks, a stop, 5.5 intervals down (times 3 000 to 7 000 pass), a restart: what the second run fires by 8 000. */
    async function downThrough(catchUp: CatchUp, firedAtOnce: number): Promise<Seen[]> {
      const dir = temp();
      const clock = new VirtualClock();
      const seen: Seen[] = [];
      const first = watched(interval(clock, { catchUp }));
      const c1 = durableRun(dir, clock, seen);
      const run1 = c1.run(first.source);
      for (let k = 1; k <= 2; k++) await nextTick(clock, first, 1_000, seen, k);
      await c1.stop();
      await run1;
      clock.advance(5_500); // now T0 + 7 500
      const second = watched(interval(clock, { catchUp }));
      const c2 = durableRun(dir, clock, seen);
      const run2 = c2.run(second.source);
      await waitFor(`${firedAtOnce} ticks fired at the restart`, () => seen.length === 2 + firedAtOnce, 10_000);
      await nextTick(clock, second, 500, seen, 3 + firedAtOnce); // the tick of 8 000
      await c2.stop();
      await run2;
      return seen.slice(2);
    }

    it("'last': the latest of them fires at once, counting the others", async () => {
      expect(await downThrough('last', 1)).toEqual([
        [2, 7_000, 4, 7_500],
        [3, 8_000, 0, 8_000],
      ]);
    });

    it("'all': every one fires at once, in order", async () => {
      expect(await downThrough('all', 5)).toEqual([
        [2, 3_000, 0, 7_500],
        [3, 4_000, 0, 7_500],
        [4, 5_000, 0, 7_500],
        [5, 6_000, 0, 7_500],
        [6, 7_000, 0, 7_500],
        [7, 8_000, 0, 8_000],
      ]);
    });

    it("'none': none fires; the next tick fires on time and counts them", async () => {
      expect(await downThrough('none', 0)).toEqual([[2, 8_000, 5, 8_000]]);
    });
  });

  it('fromCron goes on after the last tick journaled, too', async () => {
    const dir = temp();
    const clock = new VirtualClock();
    const seen: Seen[] = [];
    const cron = () => fromCron('*/10 * * * * *', { timezone: 'UTC', produce: (t) => ({ ...t, firedAt: clock.now() }) });
    const first = watched(cron());
    const c1 = durableRun(dir, clock, seen);
    const run1 = c1.run(first.source);
    for (let k = 1; k <= 2; k++) await nextTick(clock, first, 10_000, seen, k);
    await c1.stop();
    await run1;
    clock.advance(3_000);
    const second = watched(cron());
    const c2 = durableRun(dir, clock, seen);
    const run2 = c2.run(second.source);
    await nextTick(clock, second, 7_000, seen, 3);
    await c2.stop();
    await run2;
    expect(seen).toEqual([
      [0, 10_000, 0, 10_000],
      [1, 20_000, 0, 20_000],
      [2, 30_000, 0, 30_000],
    ]);
  });
});
