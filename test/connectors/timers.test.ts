// fromInterval and fromCron on virtual time: every schedule, jitter and catch-up case happens at
// the virtual moment it is due, however loaded the machine is.
import { beforeAll, describe, expect, it } from 'vitest';
import { Consecutor, fromCron, fromInterval, map, node, type CatchUp, type FailureRecord, type Source, type Tick } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { loadOptional } from '../../src/connectors/optional.js';

const T0 = Date.UTC(2000, 0, 1); // the VirtualClock's start: Saturday 2000-01-01T00:00:00Z

/** A tick with the virtual time it fired at (read from the clock in produce). */
interface Fired extends Tick {
  readonly firedAt: number;
}

const stamped = (clock: VirtualClock) => (tick: Tick): Fired => ({ ...tick, firedAt: clock.now() });

/** Runs `source` to its end on `clock`: what left the pipeline, the dead letters, the report. */
async function runAll<T>(source: Source<T>, clock: VirtualClock, options: { maxPending?: number } = {}) {
  const out: T[] = [];
  const deadLetter: FailureRecord[] = [];
  const c = new Consecutor(map((x: T) => x), { clock, ...options, outputs: { default: out, deadLetter } });
  const report = await clock.runUntil(c.run(source), { limitMs: 10 * 366 * 86_400_000 });
  return { out, deadLetter, report };
}

/**
 * The first `k` items of `source` read straight from its reader on a clock of its own (no run, so
 * no run's tick to step through): for schedules with long gaps.
 */
async function firstTicks<T>(source: Source<T>, k: number, clock = new VirtualClock()): Promise<{ value: T; firedAt: number }[]> {
  const reader = source.open(undefined, { clock, state: { restore: () => undefined, save: async () => {} } });
  const got: { value: T; firedAt: number }[] = [];
  for (let i = 0; i < k; i++) {
    const r = await clock.runUntil(Promise.resolve(reader.read()), { limitMs: 10 * 366 * 86_400_000 });
    if (r.done === true) break;
    got.push({ value: r.value, firedAt: clock.now() });
  }
  await reader.close();
  expect(clock.pending).toBe(0);
  return got;
}

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('fromInterval', () => {
  it('fires every everyMs from the start, counting n from 0, and ends after count', async () => {
    const clock = new VirtualClock();
    const { out, report } = await runAll(fromInterval({ everyMs: 1_000, count: 3 }), clock);
    expect(report).toMatchObject({ ok: true, ingested: 3, completed: 3, stopped: false });
    expect(out).toEqual([
      { n: 0, at: T0 + 1_000, missed: 0 },
      { n: 1, at: T0 + 2_000, missed: 0 },
      { n: 2, at: T0 + 3_000, missed: 0 },
    ]);
    expect(clock.now()).toBe(T0 + 3_000);
  });

  it('makes each item with produce (sync or async); count 0 fires nothing', async () => {
    const clock = new VirtualClock();
    const sync = await runAll(fromInterval({ everyMs: 500, count: 2, produce: (t) => `tick ${t.n}` }), clock);
    expect(sync.out).toEqual(['tick 0', 'tick 1']);
    const later = await runAll(fromInterval({ everyMs: 500, count: 2, produce: async (t) => ({ doubled: t.n * 2 }) }), clock);
    expect(later.out).toEqual([{ doubled: 0 }, { doubled: 2 }]);
    const none = await runAll(fromInterval({ everyMs: 500, count: 0 }), clock);
    expect(none.report).toMatchObject({ ok: true, ingested: 0 });
  });

  it('a produce that throws fails that tick alone (dead-lettered, SOURCE_FAILED); the ticks go on', async () => {
    const clock = new VirtualClock();
    const produce = (t: Tick) => {
      if (t.n === 1) throw new Error('no reading from the sensor');
      return t.n;
    };
    const { out, deadLetter, report } = await runAll(fromInterval({ everyMs: 100, count: 3, produce, name: 'sensor' }), clock);
    expect(out).toEqual([0, 2]);
    expect(report).toMatchObject({ ingested: 3, completed: 2, deadLettered: 1 });
    expect(deadLetter).toHaveLength(1);
    expect(deadLetter[0]).toMatchObject({ node: 'sensor' });
    expect(deadLetter[0]!.item).toEqual({ n: 1, at: T0 + 200, missed: 0 });
    expect(deadLetter[0]!.error).toMatchObject({ code: 'SOURCE_FAILED' });
    expect(deadLetter[0]!.error.message).toBe('sensor: produce(tick) failed for tick n=1 at 2000-01-01T00:00:00.200Z: no reading from the sensor');
  });

  it('ends on stop(): the pending tick is not fired and no timer of it is left', async () => {
    const clock = new VirtualClock();
    const out: Tick[] = [];
    const c = new Consecutor(map((t: Tick) => t), { clock, outputs: { default: out } });
    const done = c.run(fromInterval({ everyMs: 1_000 }));
    await clock.runUntil(() => out.length === 3);
    const report = await c.stop();
    expect(await done).toBe(report);
    expect(report).toMatchObject({ ok: true, stopped: true, ingested: 3, completed: 3, pending: 0 });
    expect(out.map((t) => t.n)).toEqual([0, 1, 2]);
    expect(clock.pending).toBe(0);
  });

  it('jitter delays each tick by random() × jitterMs; at stays the scheduled time', async () => {
    const clock = new VirtualClock();
    const draws = [0.5, 0, 0.999];
    const source = fromInterval({ everyMs: 1_000, jitterMs: 400, count: 3, random: () => draws.shift()!, produce: stamped(clock) });
    const { out } = await runAll(source, clock);
    expect(out.map((t) => [t.at - T0, t.firedAt - T0])).toEqual([
      [1_000, 1_200],
      [2_000, 2_000],
      [3_000, 3_399],
    ]);
  });

  it('a random() outside [0, 1) fails the run, naming it', async () => {
    const clock = new VirtualClock();
    const run = runAll(fromInterval({ everyMs: 1_000, jitterMs: 10, random: () => 1 }), clock);
    await expect(run).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining('random() must return a number in [0, 1), returned 1') });
  });

  describe('catchUp: ticks due while the run is full (maxPending)', () => {
    /**
     * Tick 0 is held by the pipeline (maxPending 1: the source is not read meanwhile) while time
     * moves 3.5 intervals on, past the times of 2 000, 3 000 and 4 000 ms; then it is let go.
     */
    async function heldThrough(catchUp: CatchUp, count: number): Promise<(Fired & { firedAt: number })[]> {
      const clock = new VirtualClock();
      const held = gate();
      const out: Fired[] = [];
      const hold = node('hold', {
        async process(t: Fired) {
          if (t.n === 0) await held.promise;
          return t;
        },
      });
      const c = new Consecutor(hold, { clock, maxPending: 1, outputs: { default: out } });
      const done = c.run(fromInterval({ everyMs: 1_000, count, catchUp, produce: stamped(clock) }));
      await clock.runUntil(() => c.metrics().ingested === 1);
      clock.advance(3_500); // now T0 + 4 500
      held.open();
      expect(await clock.runUntil(done)).toMatchObject({ ok: true, ingested: count });
      return out.map((t) => ({ ...t, at: t.at - T0, firedAt: t.firedAt - T0 }));
    }

    it("'last' (the default): the latest of them fires at once, the others are counted as missed", async () => {
      expect(await heldThrough('last', 3)).toEqual([
        { n: 0, at: 1_000, missed: 0, firedAt: 1_000 },
        { n: 1, at: 4_000, missed: 2, firedAt: 4_500 },
        { n: 2, at: 5_000, missed: 0, firedAt: 5_000 },
      ]);
    });

    it("'all': every one of them fires, late, in order", async () => {
      expect(await heldThrough('all', 5)).toEqual([
        { n: 0, at: 1_000, missed: 0, firedAt: 1_000 },
        { n: 1, at: 2_000, missed: 0, firedAt: 4_500 },
        { n: 2, at: 3_000, missed: 0, firedAt: 4_500 },
        { n: 3, at: 4_000, missed: 0, firedAt: 4_500 },
        { n: 4, at: 5_000, missed: 0, firedAt: 5_000 },
      ]);
    });

    it("'none': none of them fires; the next tick fires on time and counts them", async () => {
      expect(await heldThrough('none', 2)).toEqual([
        { n: 0, at: 1_000, missed: 0, firedAt: 1_000 },
        { n: 1, at: 5_000, missed: 3, firedAt: 5_000 },
      ]);
    });
  });

  it('rejects bad options at once, showing the value', () => {
    const bad = (f: () => unknown) => expect(f).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    expect(() => fromInterval(1_000 as never)).toThrow('fromInterval() takes its options in one object, { everyMs, ... }; got number 1000');
    expect(() => fromInterval({} as never)).toThrow('fromInterval(): everyMs must be an integer >= 1 (ms), got undefined');
    expect(() => fromInterval({ everyMs: '1000' as never })).toThrow(`fromInterval(): everyMs must be an integer >= 1, got string "1000"`);
    expect(() => fromInterval({ everyMs: 0 })).toThrow('fromInterval(): everyMs must be an integer >= 1, got number 0');
    expect(() => fromInterval({ everyMs: 1_000, jitterMs: 1_000 })).toThrow('fromInterval(): jitterMs must be less than everyMs (1000), got number 1000');
    expect(() => fromInterval({ everyMs: 1_000, catchUp: 'sometimes' as never })).toThrow(`fromInterval(): catchUp must be one of 'none', 'last', 'all', got string "sometimes"`);
    expect(() => fromInterval({ everyMs: 1_000, count: -1 })).toThrow('fromInterval(): count must be an integer >= 0, got number -1');
    expect(() => fromInterval({ everyMs: 1_000, produce: 'x' as never })).toThrow(`fromInterval(): produce must be a function, got string "x"`);
    expect(() => fromInterval({ everyMs: 1_000, evryMs: 5 } as never)).toThrow('did you mean everyMs?');
    bad(() => fromInterval({ everyMs: 1_000, name: '' }));
  });
});

describe('fromCron', () => {
  // croner is loaded when a run opens its first fromCron; loaded here first, the load takes no
  // virtual time in the tests that count the times from the run's start.
  beforeAll(() => loadOptional('croner', 'fromCron'));

  it('fires at the times of the expression (seconds field), read in UTC', async () => {
    const clock = new VirtualClock();
    const { out } = await runAll(fromCron('*/10 * * * * *', { timezone: 'UTC', count: 3 }), clock);
    expect(out).toEqual([
      { n: 0, at: T0 + 10_000, missed: 0 },
      { n: 1, at: T0 + 20_000, missed: 0 },
      { n: 2, at: T0 + 30_000, missed: 0 },
    ]);
  });

  it('reads the expression in its timezone: 09:00 in Paris in January is 08:00 UTC', async () => {
    const ticks = await firstTicks(fromCron('0 9 * * *', { timezone: 'Europe/Paris' }), 2);
    expect(ticks.map((t) => [new Date(t.value.at).toISOString(), t.firedAt - t.value.at])).toEqual([
      ['2000-01-01T08:00:00.000Z', 0],
      ['2000-01-02T08:00:00.000Z', 0],
    ]);
  });

  it('waits longer than one timer can (a yearly schedule) and fires on the dot', async () => {
    const ticks = await firstTicks(fromCron('0 0 1 1 *', { timezone: 'UTC' }), 2);
    expect(ticks.map((t) => [new Date(t.value.at).toISOString(), t.firedAt - t.value.at])).toEqual([
      ['2001-01-01T00:00:00.000Z', 0],
      ['2002-01-01T00:00:00.000Z', 0],
    ]);
  });

  it('ends when the schedule has no next time (a date)', async () => {
    const ticks = await firstTicks(fromCron('2000-01-01T00:05:00Z'), 2);
    expect(ticks).toEqual([{ value: { n: 0, at: T0 + 300_000, missed: 0 }, firedAt: T0 + 300_000 }]);
  });

  it('jitter never reaches the next scheduled time, so it makes no tick late', async () => {
    const clock = new VirtualClock();
    const source = fromCron('* * * * * *', { timezone: 'UTC', jitterMs: 60_000, count: 3, random: () => 0.99, produce: stamped(clock) });
    const { out } = await runAll(source, clock);
    expect(out.map((t) => [t.at - T0, t.firedAt - T0, t.missed])).toEqual([
      [1_000, 1_990, 0],
      [2_000, 2_990, 0],
      [3_000, 3_990, 0],
    ]);
  });

  it("catchUp 'last' under back-pressure: counts the passed-over times of the expression", async () => {
    const clock = new VirtualClock();
    const held = gate();
    const out: Fired[] = [];
    const hold = node('hold', {
      async process(t: Fired) {
        if (t.n === 0) await held.promise;
        return t;
      },
    });
    const c = new Consecutor(hold, { clock, maxPending: 1, outputs: { default: out } });
    const done = c.run(fromCron('*/5 * * * * *', { timezone: 'UTC', count: 2, produce: stamped(clock) }));
    await clock.runUntil(() => c.metrics().ingested === 1);
    clock.advance(17_000); // at 22 s: 10, 15 and 20 s have passed
    held.open();
    await clock.runUntil(done);
    expect(out.map((t) => [t.n, t.at - T0, t.missed, t.firedAt - T0])).toEqual([
      [0, 5_000, 0, 5_000],
      [1, 20_000, 2, 22_000],
    ]);
  });

  it('an invalid expression fails the run when it opens (SOURCE_FAILED, naming it), before any tick', async () => {
    const clock = new VirtualClock();
    const run = runAll(fromCron('61 * * * *'), clock);
    await expect(run).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      message: expect.stringContaining("the cron expression '61 * * * *' is not valid: CronPattern: Invalid value for minute: 61"),
    });
  });

  it('rejects bad options at once, showing the value', () => {
    expect(() => fromCron(5 as never)).toThrow("fromCron(): expected a cron expression such as '*/5 * * * *', got number 5");
    expect(() => fromCron('  ')).toThrow('fromCron(): expected a cron expression');
    expect(() => fromCron('* * * * *', { timezone: 'Mars/Olympus' })).toThrow(`fromCron(): timezone must be an IANA time zone such as 'Europe/Paris' or 'UTC', got string "Mars/Olympus"`);
    expect(() => fromCron('* * * * *', { catchUp: 'every' as never })).toThrow(`fromCron(): catchUp must be one of 'none', 'last', 'all', got string "every"`);
    expect(() => fromCron('* * * * *', { timeZone: 'UTC' } as never)).toThrow('did you mean timezone?');
    expect(() => fromCron('* * * * *', { jitterMs: -5 })).toThrow('fromCron(): jitterMs must be an integer >= 0, got number -5');
  });
});
