import { systemClock } from '../clock/system.js';
import type { Clock } from '../types.js';

/**
 * `p`, unless it has not settled within `ms` on `clock`: then the result rejects with what
 * `timedOut()` returns, called once at that moment (to abort, to retire a context). No limit when
 * `ms` <= 0. Imports only the system clock, so a worker can use it too (on real time).
 */
export function withTimeout<T>(p: PromiseLike<T>, ms: number, timedOut: () => unknown, clock: Clock = systemClock): Promise<T> {
  if (ms <= 0) return Promise.resolve(p);
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(timedOut()), ms);
    p.then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(timer);
        reject(e);
      },
    );
  });
}
