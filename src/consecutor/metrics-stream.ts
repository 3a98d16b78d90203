import { Observable } from 'rxjs';
import { systemClock } from '../clock/system.js';
import { ConsecutionError, previewTyped } from '../errors.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import type { Clock } from '../types.js';
import { checkClock } from './options.js';
import type { Metrics } from './report.js';

/** Options of {@link metrics$}. */
export interface MetricsStreamOptions {
  /** How often a snapshot is taken, in ms: an integer from 1 to 2147483647. @default 1000 */
  readonly everyMs?: number;
  /**
   * The clock the snapshots are timed on. `c.metrics$()` uses the consecutor's own `clock` option.
   * @default the system clock
   */
  readonly clock?: Clock;
}

/** What {@link metrics$} reads: a Consecutor, or anything else that gives snapshots. */
export interface MetricsSource {
  metrics(): Metrics;
}

const KNOWN = ['everyMs', 'clock'];

/**
 * The snapshots of `c.metrics()` as an Observable: one at once on subscribing, then one every
 * `everyMs` on `clock`. It completes after the first snapshot that shows the run ended, that is
 * one with `running: false` after one with `running: true`: that last snapshot has the run's
 * final counts (it is taken at the first tick after the run ended, up to `everyMs` later).
 * Each subscriber has a timer of its own, cleared when it unsubscribes.
 *
 * `run()` and `up()` mark the run running at once, so subscribe right after starting it.
 * Subscribed when no run is active, it waits for the next one: a run that starts and ends
 * between two snapshots goes unseen, and the stream waits on for a run after it.
 *
 * Options are checked at once: a bad one throws `OPTIONS_INVALID` from this call.
 *
 * @example
 * ```ts
 * import { Consecutor, map } from 'consecution';
 * import { metrics$ } from './metrics-stream.js';
 * const c = new Consecutor(map((x: number) => x * 2), {});
 * const done = c.run([1, 2, 3]);
 * metrics$(c, { everyMs: 5_000 }).subscribe((m) => console.log(`${m.completed}/${m.ingested} done`));
 * await done;
 * ```
 */
export function metrics$(c: MetricsSource, options: MetricsStreamOptions = {}): Observable<Metrics> {
  if (c === null || typeof c !== 'object' || typeof c.metrics !== 'function') {
    throw new ConsecutionError('OPTIONS_INVALID', `metrics$(): expected a Consecutor (an object with a metrics() method), got ${previewTyped(c)}`);
  }
  if (options === null || typeof options !== 'object') optionReader({}, () => 'metrics$(): options').bad('', 'an object', options);
  rejectUnknown('metrics$()', options, KNOWN);
  const r = optionReader(options, (key) => `metrics$(): ${key}`);
  const everyMs = r.timeout('everyMs', 1_000);
  const clock = options.clock === undefined ? systemClock : checkClock(options.clock, r);
  return new Observable<Metrics>((subscriber) => {
    let sawRunning = false;
    const emit = (): void => {
      let m: Metrics;
      try {
        m = c.metrics();
      } catch (e) {
        subscriber.error(e);
        return;
      }
      subscriber.next(m);
      if (m.running) sawRunning = true;
      else if (sawRunning) subscriber.complete();
    };
    emit();
    if (subscriber.closed) return;
    const timer = clock.setInterval(emit, everyMs);
    return () => clock.clearInterval(timer);
  });
}
