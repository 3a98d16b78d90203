import type { Clock } from '../types.js';

/**
 * The time a run's source waited because `maxPending` items were pending (Storm's
 * `__skipped-max-spout-ms`): the clock is read only when the pump stops at the limit and when it
 * reads again, not per item.
 *
 * @example
 * ```ts
 * const blocked = new BlockedTime(systemClock);
 * blocked.start(); // the pump stopped at maxPending
 * blocked.end();   // it reads again
 * blocked.ms();
 * ```
 */
export class BlockedTime {
  private total = 0;
  private since = -1;

  constructor(private readonly clock: Clock) {}

  start(): void {
    if (this.since < 0) this.since = this.clock.now();
  }

  end(): void {
    if (this.since < 0) return;
    this.total += this.clock.now() - this.since;
    this.since = -1;
  }

  /** The total so far, the current wait included. */
  ms(): number {
    return this.total + (this.since < 0 ? 0 : this.clock.now() - this.since);
  }
}
