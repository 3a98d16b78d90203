import type { Cron } from 'croner';
import { loadOptional } from '../connectors/optional.js';
import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import type { Source } from './source.js';
import { TickReader, tickPosition, tickSettings, type Schedule, type Tick, type TickOptions } from './ticks.js';

/** Options of {@link fromCron}. */
export interface CronSourceOptions<T> extends TickOptions<T> {
  /** The IANA time zone the expression is read in, such as 'Europe/Paris' or 'UTC'. @default the process's local time zone */
  readonly timezone?: string;
}

/** How many passed-over times fromCron counts one by one (see Tick.missed). */
const MAX_COUNTED = 10_000;

/**
 * A source that fires on a cron schedule, on the run's clock (a `VirtualClock` in tests). The
 * expression is croner's: five fields (minute to weekday), or six with seconds first, or a
 * nickname such as `@daily`; it is read in `timezone`. Each tick's item is `produce(tick)` (by
 * default the {@link Tick} `{ n, at, missed }`). It ends after `count` ticks, when the schedule has
 * no next time, or on `stop()`. Needs the optional package croner (`npm install croner`), loaded
 * when the run opens it; an invalid expression fails the run then (`SOURCE_FAILED`), before any tick.
 *
 * On a durable store each tick fires once across restarts: the position is the tick, so a restart
 * goes on after the last one journaled; a tick journaled and not yet completed is replayed from
 * the journal like any item. `catchUp` decides what becomes of the times that came while the run
 * was down or full (`maxPending`): by default the latest of them fires late and the others are
 * counted in its `missed`; `'all'` fires each, `'none'` none.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<{ day: string }, unknown>;
 * const c = new Consecutor(pipeline, { store: { path: './state' } });
 * const daily = fromCron('0 6 * * *', { timezone: 'Europe/Paris', catchUp: 'last', produce: (t) => ({ day: new Date(t.at).toISOString().slice(0, 10) }) });
 * await c.run(daily, { signal: AbortSignal.timeout(86_400_000) });
 * ```
 */
export function fromCron<T = Tick>(expression: string, options: CronSourceOptions<T> = {}): Source<T> {
  if (typeof expression !== 'string' || expression.trim().length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `fromCron(): expected a cron expression such as '*/5 * * * *', got ${previewTyped(expression)}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new ConsecutionError('OPTIONS_INVALID', `fromCron(): options must be an object, got ${previewTyped(options)}`);
  }
  const settings = tickSettings('fromCron', options, `cron(${expression})`, ['timezone']);
  const timezone = checkTimezone(options.timezone);
  return {
    name: settings.name,
    open(after, context) {
      const schedule = loadOptional<typeof import('croner')>('croner', 'fromCron').then((croner) => {
        let cron: Cron;
        try {
          cron = new croner.Cron(expression, { paused: true, ...(timezone === undefined ? {} : { timezone }) });
        } catch (e) {
          throw new ConsecutionError('OPTIONS_INVALID', `fromCron(): the cron expression '${expression}' is not valid: ${messageOf(e)}`, { cause: e });
        }
        return cronSchedule(cron);
      });
      // Read at once by the run; a stop before that must not leave its failure unhandled.
      schedule.catch(() => {});
      return new TickReader(settings, schedule, tickPosition(after), context);
    },
  };
}

function checkTimezone(timezone: unknown): string | undefined {
  if (timezone === undefined) return undefined;
  try {
    if (typeof timezone !== 'string') throw new TypeError('not a string');
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone;
  } catch {
    throw new ConsecutionError('OPTIONS_INVALID', `fromCron(): timezone must be an IANA time zone such as 'Europe/Paris' or 'UTC', got ${previewTyped(timezone)}`);
  }
}

/** The times of `cron`, found by croner (used only as a calculator: the timers are the run's clock's). */
function cronSchedule(cron: Cron): Schedule {
  const next = (t: number) => cron.nextRun(new Date(t))?.getTime();
  return {
    next,
    passed(after, now) {
      const first = next(after);
      if (first === undefined || first > now) return undefined;
      // previousRuns gives the times strictly before its reference.
      const last = Math.max(first, cron.previousRuns(1, new Date(now + 1))[0]?.getTime() ?? first);
      let count = 1;
      for (let t = first; t < last && count < MAX_COUNTED; count++) t = next(t) ?? last;
      return { count, last };
    },
  };
}
