import type { Clock, TimerHandle } from '../types.js';

type NodeTimer = ReturnType<typeof setTimeout>;

/**
 * The real clock: `Date.now()` and Node.js timers. What a run uses unless its `clock` option says
 * otherwise. Free of imports but types, so that a worker can use it too.
 *
 * @example
 * ```ts
 * const started = systemClock.now();
 * const timer = systemClock.setTimeout(() => console.log('a second later'), 1_000);
 * systemClock.clearTimeout(timer);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (h) => clearTimeout(h as unknown as NodeTimer | undefined),
  setInterval: (fn, ms) => setInterval(fn, ms) as unknown as TimerHandle,
  clearInterval: (h) => clearInterval(h as unknown as NodeTimer | undefined),
};
