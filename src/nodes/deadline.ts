import type { Clock, TimerHandle } from '../types.js';

/** A call's armed deadline (see {@link arm}). */
export type Deadline = TimerHandle;

/**
 * The one place a node call's deadline is set and cleared, inline and in workers, on the run's
 * clock (the system clock in a worker). `expired(target, ms)` is called once, `ms` after now,
 * unless the deadline is disarmed first.
 *
 * @example
 * ```ts
 * declare const clock: Clock;
 * declare const ctx: { timeOut(ms: number): void };
 * const d = arm(clock, 20, (c, ms) => c.timeOut(ms), ctx);
 * disarm(clock, d); // the call settled in time
 * ```
 */
export function arm<T>(clock: Clock, ms: number, expired: (target: T, ms: number) => void, target: T): Deadline {
  const handle = clock.setTimeout(() => expired(target, ms), ms);
  // A call's deadline alone never keeps the process alive: while the run lasts its tick does, and
  // a call left hanging by a stopped run (inline, in mode 'sync') must not hold the program open
  // until its deadline. On the system clock the handle is a Node.js Timeout.
  (handle as { unref?: () => void }).unref?.();
  return handle;
}

/**
 * Clears a deadline set by {@link arm}: its call settled in time.
 *
 * @example
 * ```ts
 * declare const clock: Clock;
 * declare const d: Deadline;
 * disarm(clock, d);
 * ```
 */
export function disarm(clock: Clock, deadline: Deadline): void {
  clock.clearTimeout(deadline);
}
