import { ConsecutionError } from '../errors.js';
import type { Clock, TimerHandle } from '../types.js';

/**
 * A pool's restart policy for workers that die: restarted with back-off (50 ms, 100 ms, 200 ms
 * ... for deaths close together), unless more than `maxRestarts` die within `windowMs`, after
 * which the run fails with WORKER_CRASHED.
 *
 * @example
 * ```ts
 * declare function fail(e: ConsecutionError): void;
 * declare function start(): void; // a new worker in the dead one's slot
 * const restarts = new Restarts('parse', 3, 60_000, systemClock);
 * const giveUp = restarts.died(systemClock.now(), 'exit code 1');
 * if (giveUp !== undefined) fail(giveUp);
 * else restarts.after(start);
 * ```
 */
export class Restarts {
  /** When workers died (epoch ms), within the window. */
  private readonly deaths: number[] = [];
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly node: string,
    private readonly maxRestarts: number,
    private readonly windowMs: number,
    /** The run's clock: the back-off is a timer on it. */
    private readonly clock: Clock,
  ) {}

  /** Counts a death at `now`: the error to fail the run with when workers die too often, else undefined. */
  died(now: number, why: string): ConsecutionError | undefined {
    const { deaths } = this;
    deaths.push(now);
    while (deaths.length > 0 && deaths[0]! < now - this.windowMs) deaths.shift();
    if (deaths.length <= this.maxRestarts) return undefined;
    return new ConsecutionError(
      'WORKER_CRASHED',
      `node "${this.node}": workers died ${deaths.length} times within ${this.windowMs} ms (last: ${why}); giving up`,
      { node: this.node },
    );
  }

  /** Runs `restart` after the back-off the deaths so far call for. */
  after(restart: () => void): void {
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      restart();
    }, 50 * 2 ** (this.deaths.length - 1));
    this.timers.add(t);
  }

  /** Cancels every restart not yet run. */
  clear(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
  }
}
