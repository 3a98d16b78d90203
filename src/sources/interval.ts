import { systemClock } from '../clock/system.js';
import { optionReader, requireOptions } from '../stage/args.js';
import type { Source } from './source.js';
import { TickReader, tickPosition, tickSettings, type Schedule, type Tick, type TickOptions } from './ticks.js';

/** Options of {@link fromInterval}. */
export interface IntervalOptions<T> extends TickOptions<T> {
  /** The time between two scheduled ticks, in ms (an integer >= 1). */
  readonly everyMs: number;
}

/**
 * A source that fires every `everyMs` from the run's start (the first tick at start + everyMs),
 * on the run's clock (a `VirtualClock` in tests); each tick's item is `produce(tick)` (by default
 * the {@link Tick} `{ n, at, missed }`). It ends after `count` ticks, or on `stop()`.
 *
 * On a durable store each tick fires once across restarts: the position is the tick, so a restart
 * goes on with the next `n` on the same grid (`at` + k × everyMs); a tick journaled and not yet
 * completed is replayed from the journal like any item. `catchUp` decides what becomes of the
 * ticks whose time came while the run was down or full (`maxPending`): by default the latest of
 * them fires late and the others are counted in its `missed`. A tick is fired once it is
 * journaled: one read but not yet journaled at a kill -9 fires again after the restart.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<{ polledAt: number }, unknown>;
 * const c = new Consecutor(pipeline, { store: { path: './state' } });
 * const done = c.run(fromInterval({ everyMs: 60_000, jitterMs: 5_000, produce: (tick) => ({ polledAt: tick.at }) }));
 * process.once('SIGTERM', () => void c.stop());
 * await done;
 * ```
 */
export function fromInterval<T = Tick>(options: IntervalOptions<T>): Source<T> {
  requireOptions('fromInterval()', options, 'everyMs, ...');
  const r = optionReader(options, (key) => `fromInterval(): ${key}`);
  if (options.everyMs === undefined) r.bad('everyMs', 'an integer >= 1 (ms)', undefined);
  const everyMs = r.integer('everyMs', 1, 1);
  const settings = tickSettings('fromInterval', options, 'interval', ['everyMs']);
  if (settings.jitterMs >= everyMs) r.bad('jitterMs', `less than everyMs (${everyMs})`, settings.jitterMs);
  return {
    name: settings.name,
    open(after, context) {
      const last = tickPosition(after);
      const start = last?.at ?? (context?.clock ?? systemClock).now();
      return new TickReader(settings, intervalSchedule(start, everyMs), last, context);
    },
  };
}

/** Every `every` ms from `anchor` on: anchor + every, anchor + 2 × every, ... */
function intervalSchedule(anchor: number, every: number): Schedule {
  const slotAtOrBefore = (t: number) => anchor + Math.floor((t - anchor) / every) * every;
  return {
    next: (t) => slotAtOrBefore(t) + every,
    passed(after, now) {
      const first = slotAtOrBefore(after) + every;
      if (first > now) return undefined;
      const last = slotAtOrBefore(now);
      return { count: (last - first) / every + 1, last };
    },
  };
}
