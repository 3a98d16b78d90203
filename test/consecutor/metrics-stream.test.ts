import { describe, expect, it } from 'vitest';
import { Consecutor, node, type Metrics } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { metrics$ } from '../../src/consecutor/metrics-stream.js';

const HANG = { timeout: 10_000 };

/** A promise the test settles: what the node waits on. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets the program run (promise callbacks, immediates) without moving virtual time. */
async function settle(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !cond(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(cond()).toBe(true);
}

/** A run of three items whose node "parse" holds the first until the gate opens. */
function blockedRun(clock: VirtualClock) {
  const g = gate();
  const c = new Consecutor(
    node('parse', {
      async process(x: number) {
        await g.promise;
        return x;
      },
    }),
    { clock, timeoutMs: 600_000 },
  );
  return { c, open: g.open };
}

/** Subscribes and keeps what the stream gives, and whether it completed. */
function record(stream: ReturnType<typeof metrics$>) {
  const got: Metrics[] = [];
  const state = { completed: false, error: undefined as unknown };
  const subscription = stream.subscribe({ next: (m) => got.push(m), complete: () => (state.completed = true), error: (e: unknown) => (state.error = e) });
  return { got, state, subscription };
}

const counts = (m: Metrics) => ({ running: m.running, ingested: m.ingested, completed: m.completed, pending: m.pending, parse: m.nodes.parse && { received: m.nodes.parse.received, emitted: m.nodes.parse.emitted, inFlight: m.nodes.parse.inFlight } });

describe('c.metrics$()', () => {
  it('gives a snapshot at once and one every everyMs of the consecutor’s clock, and completes after the one that shows the run ended', HANG, async () => {
    const clock = new VirtualClock();
    const { c, open } = blockedRun(clock);
    const done = c.run([1, 2, 3]);
    const { got, state } = record(c.metrics$({ everyMs: 1_000 }));
    // run() marks the run running at once; its pipeline is built on a microtask.
    expect(got.map(counts)).toEqual([{ running: true, ingested: 0, completed: 0, pending: 0, parse: undefined }]);

    await settle(() => c.metrics().nodes.parse?.received === 3);
    clock.advance(999);
    expect(got).toHaveLength(1);
    clock.advance(1);
    expect(got.map(counts)[1]).toEqual({ running: true, ingested: 3, completed: 0, pending: 3, parse: { received: 3, emitted: 0, inFlight: 1 } });
    clock.advance(2_000);
    expect(got).toHaveLength(4);
    expect(state.completed).toBe(false);

    open();
    await clock.runUntil(done);
    expect(got).toHaveLength(4);
    clock.advance(1_000);
    expect(got.map(counts)[4]).toEqual({ running: false, ingested: 3, completed: 3, pending: 0, parse: { received: 3, emitted: 3, inFlight: 0 } });
    expect(state).toEqual({ completed: true, error: undefined });
    // Its timer is cleared: nothing is left on the clock, and no snapshot comes after.
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(got).toHaveLength(5);
    // Every snapshot has the run's gauges.
    for (const m of got) expect(m).toMatchObject({ rate: expect.any(Number), blockedMs: expect.any(Number) });
  });

  it('subscribed before the run, waits for it; unsubscribing clears its timer', HANG, async () => {
    const clock = new VirtualClock();
    const { c, open } = blockedRun(clock);
    const { got, state, subscription } = record(metrics$(c, { clock, everyMs: 500 }));
    clock.advance(1_000);
    expect(got.map((m) => [m.running, m.ingested])).toEqual([[false, 0], [false, 0], [false, 0]]);

    const done = c.run([1, 2, 3]);
    await settle(() => c.metrics().nodes.parse?.received === 3);
    clock.advance(500);
    expect(got.map((m) => [m.running, m.ingested])[3]).toEqual([true, 3]);
    subscription.unsubscribe();
    open();
    await clock.runUntil(done);
    clock.advance(5_000);
    expect(got).toHaveLength(4);
    expect(state.completed).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('takes the system clock when none is given, and checks its options at once', () => {
    const c = new Consecutor(node('parse', { process: (x: number) => x }), {});
    const { got, subscription } = record(metrics$(c));
    expect(got).toHaveLength(1);
    subscription.unsubscribe();

    const bad = (o: unknown) => () => metrics$(c, o as never);
    expect(bad({ everyMs: 0 })).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID', message: 'metrics$(): everyMs must be an integer from 1 to 2147483647 (ms; the longest a Node.js timer waits), got number 0' }));
    expect(bad({ everyMs: '1s' })).toThrow(/everyMs must be an integer .*, got string "1s"$/);
    expect(bad({ clock: Date })).toThrow(/metrics\$\(\): clock must be a Clock \(an object with methods .*\), got \[function Date\]$/);
    expect(bad({ every: 10 })).toThrow('unknown metrics$() option every (10); known options: everyMs, clock');
    expect(bad(5)).toThrow(/metrics\$\(\): options must be an object, got number 5$/);
    expect(() => metrics$({} as never)).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID', message: 'metrics$(): expected a Consecutor (an object with a metrics() method), got object {}' }));
  });
});
