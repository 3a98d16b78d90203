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
});
