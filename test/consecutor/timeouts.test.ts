import { describe, expect, it } from 'vitest';
import { Consecutor, node } from 'consecution';
import { VirtualClock } from 'consecution/testing';

describe('timeoutMs', () => {
  it('fails an item not completed in time with ACK_TIMEOUT, and replays it under replay', async () => {
    let calls = 0;
    const clock = new VirtualClock();
    const c = new Consecutor(
      node('stuck-once', {
        // Its own deadline is far off, so the run's timeoutMs is what fails the item.
        timeoutMs: 60_000,
        process(x: number) {
          calls++;
          // The first time, never settle: the item is held forever.
          return calls === 1 ? new Promise<number>(() => {}) : x;
        },
      }),
      { guarantee: 'replay', retries: 1, timeoutMs: 50, clock },
    );
    const report = await clock.runUntil(c.run([1]));
    expect(report).toMatchObject({ ok: true, completed: 1, retried: 1 });
    expect(report.failures[0]!.error).toMatchObject({ code: 'ACK_TIMEOUT' });
    // Blamed on the node the item was stuck in, not on "consecutor".
    expect(report.failures[0]!.node).toBe('stuck-once');
    expect(report.failures[0]!.error.message).toMatch(/within timeoutMs=50: in node "stuck-once" for \d+\.\d s$/);
  });

  it('times out the one item held among thousands that complete, whatever else was admitted meanwhile', async () => {
    // Items still pending after their admission are linked for timeouts in sweeps of 1,024 (see
    // Acker.enteredNew): the held item must be found whether its sweep came from a full buffer or
    // from the timeout check itself, and the items that completed meanwhile must never time out.
    const clock = new VirtualClock();
    const input = Array.from({ length: 3_000 }, (_, i) => i);
    const held = new Set([5, 1_500, 2_999]);
    const c = new Consecutor(
      node('holds-three', {
        timeoutMs: 60_000,
        process: (x: number) => (held.has(x) ? new Promise<number>(() => {}) : x),
      }),
      { guarantee: 'track', timeoutMs: 50, maxPending: 5_000, clock, outputs: { default: [] } },
    );
    const report = await clock.runUntil(c.run(input));
    expect(report).toMatchObject({ completed: 2_997, deadLettered: 3 });
    expect(report.failures.map((f) => [f.item, f.error.code]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [5, 'ACK_TIMEOUT'],
      [1_500, 'ACK_TIMEOUT'],
      [2_999, 'ACK_TIMEOUT'],
    ]);
  });

  it('settles once an item that failed inside its own admission and then timed out on its replay', async () => {
    // Replayed at once, the item was linked for timeouts by the acker while the pump still held it:
    // the pump must not take it for a new item still pending (fast-check found this).
    const clock = new VirtualClock();
    let first = true;
    const c = new Consecutor(
      node('fails-then-hangs', {
        timeoutMs: 60_000,
        process(x: number) {
          if (x !== 0) return x;
          if (first) {
            first = false;
            throw new Error('transient');
          }
          return new Promise<number>(() => {});
        },
      }),
      { guarantee: 'replay', retries: 1, timeoutMs: 50, clock, outputs: { default: [] } },
    );
    const report = await clock.runUntil(c.run([0, 1, 2]));
    expect(report).toMatchObject({ ingested: 3, completed: 2, deadLettered: 1, retried: 1 });
    expect(report.failures.map((f) => f.error.code)).toEqual(['NODE_FAILED', 'ACK_TIMEOUT']);
  });
});
