import { describe, expect, it } from 'vitest';
import { Root, type RootOwner } from '../../src/acker/root.js';

/** A root whose owner's coarse clock the test sets. */
function rootAt(): { root: Root; clock: { now: number } } {
  const clock = { now: 1_000, scope: '', complete() {}, fail() {} } satisfies RootOwner & { now: number };
  return { root: new Root(clock, 0, 'x', 0, 31_000), clock };
}

describe('the time a root waits', () => {
  it('counts only while some envelope of it is parked, overlapping waits once', () => {
    const { root, clock } = rootAt();
    root.park(0);
    clock.now = 1_100;
    root.park(0); // a second copy waits too: the wait is still one
    clock.now = 1_300;
    root.unpark(0);
    expect(root.takeWaited(1_300)).toBe(300); // still parked: counted up to now
    clock.now = 1_400;
    root.unpark(0);
    expect(root.takeWaited(1_500)).toBe(100); // 1_300..1_400, not the 100 ms after
    expect(root.takeWaited(1_600)).toBe(0);
  });

  it('adds credited time, and ignores calls of another attempt', () => {
    const { root, clock } = rootAt();
    root.credit(250, 0);
    root.park(1);
    clock.now = 2_000;
    root.unpark(1);
    expect(root.takeWaited(2_000)).toBe(250);
  });

  it('forgets what an earlier attempt waited: a late unpark of it changes nothing', () => {
    const { root, clock } = rootAt();
    root.park(0);
    clock.now = 1_500;
    root.current = 1; // replayed
    root.resetWaits();
    root.unpark(0);
    clock.now = 2_000;
    expect(root.takeWaited(2_000)).toBe(0);
    expect(root.waiting).toBe(0);
  });
});
