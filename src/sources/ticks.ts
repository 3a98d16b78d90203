import { systemClock } from '../clock/system.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import { isPromiseLike } from '../stage/promise.js';
import type { Clock, TimerHandle } from '../types.js';
import type { SourceContext, SourceReader } from './source.js';

/**
 * One tick of {@link fromInterval} or {@link fromCron}: what `produce` is given, and the item
 * when there is no `produce`.
 *
 * @example
 * ```ts
 * const tick: Tick = { n: 0, at: Date.UTC(2026, 0, 1, 9), missed: 0 };
 * ```
 */
export interface Tick {
  /** The tick's number: 0 for the first, counted on across restarts on a durable store. */
  readonly n: number;
  /** The time it was scheduled for, in epoch ms (jitter and lateness not included). */
  readonly at: number;
  /**
   * How many scheduled times were passed over just before this one (see {@link CatchUp}). A
   * fromCron count stops at 10,000: beyond that it says "at least".
   */
  readonly missed: number;
}

/**
 * What a timed source does with scheduled times that came while it could not fire: while the run
 * was down (between a stop or a crash and the restart on the same durable store) and while the run
 * was full (`maxPending` items in flight, so that the source was not read).
 *
 * - `'last'`: the latest of them fires as soon as it can (late); the ones before it are skipped
 *   and counted in its `missed`.
 * - `'all'`: every one of them fires, late, in order, as fast as the run takes them.
 * - `'none'`: none fires; they are counted in the `missed` of the next tick, which fires on time.
 *
 * @example
 * ```ts
 * const reports = fromCron('0 6 * * *', { timezone: 'Europe/Paris', catchUp: 'last' });
 * ```
 */
export type CatchUp = 'none' | 'last' | 'all';

/** The options {@link fromInterval} and {@link fromCron} share. */
export interface TickOptions<T> {
  /** The source's name in errors and failure records. */
  readonly name?: string;
  /**
   * Each tick fires up to this many ms after its scheduled time, by a delay drawn afresh each time
   * from [0, jitterMs) (never as far as the next scheduled time), so that many processes on one
   * schedule do not all fire at once. A late tick fires at once, without jitter. @default 0
   */
  readonly jitterMs?: number;
  /** How many ticks fire in all, across restarts on a durable store; then the source ends. @default unlimited */
  readonly count?: number;
  /** See {@link CatchUp}. @default 'last' */
  readonly catchUp?: CatchUp;
  /**
   * Makes the item of a tick (it may return a promise). If it throws or rejects, that tick's item
   * fails (`SOURCE_FAILED`, dead-lettered with the tick as its value) and the ticks go on.
   * @default the tick itself
   */
  readonly produce?: (tick: Tick) => T | Promise<T>;
  /** Where the jitter comes from: a function returning a number in [0, 1). For tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * When a timed source fires: its scheduled times, in epoch ms. Made at `open()`, on the time the
 * schedule counts from.
 */
export interface Schedule {
  /** The first scheduled time strictly after `t`; undefined when there is none (the schedule is over). */
  next(t: number): number | undefined;
  /** The scheduled times in (after, now]: how many (see {@link Tick.missed}) and the latest; undefined if none. */
  passed(after: number, now: number): { readonly count: number; readonly last: number } | undefined;
}

/** Where a timed source is: the last tick read. A restart on a durable store resumes after it. */
export interface TickPosition {
  readonly n: number;
  readonly at: number;
}

const CATCH_UP: readonly CatchUp[] = ['none', 'last', 'all'];
/** The longest delay one timer takes; a longer wait is made of several. */
const MAX_DELAY_MS = 2_147_483_647;

/** The checked options of a timed source. */
export interface TickSettings<T> {
  readonly name: string;
  readonly jitterMs: number;
  readonly count: number;
  readonly catchUp: CatchUp;
  readonly produce: ((tick: Tick) => T | Promise<T>) | undefined;
  readonly random: () => number;
}

/** Validates the shared options of `fn` (known: its own option names), throwing `OPTIONS_INVALID` with the bad value. */
export function tickSettings<T>(fn: string, options: TickOptions<T>, name: string, known: readonly string[]): TickSettings<T> {
  rejectUnknown(`${fn}()`, options, ['name', 'jitterMs', 'count', 'catchUp', 'produce', 'random', ...known]);
  const r = optionReader(options, (key) => `${fn}(): ${key}`);
  for (const key of ['produce', 'random'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') r.bad(key, 'a function', options[key]);
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) r.bad('name', 'a non-empty string', options.name);
  return {
    name: options.name ?? name,
    jitterMs: r.integer('jitterMs', 0, 0),
    count: r.integer('count', 0, Infinity),
    catchUp: r.oneOf('catchUp', CATCH_UP, 'last'),
    produce: options.produce,
    random: options.random ?? Math.random,
  };
}

/** The position a durable run journaled, if it is a tick's (anything else: the source starts afresh). */
export function tickPosition(after: unknown): TickPosition | undefined {
  const p = after as TickPosition | null | undefined;
  if (p === null || typeof p !== 'object') return undefined;
  return Number.isSafeInteger(p.n) && p.n >= 0 && Number.isFinite(p.at) ? { n: p.n, at: p.at } : undefined;
}

/**
 * The reader of a timed source: each read waits on the run's clock for the next scheduled time
 * (plus jitter) and returns its item; scheduled times passed while it was not read are dealt with
 * by `catchUp`. `schedule` is a promise when it must be loaded first (fromCron's parser).
 */
export class TickReader<T> implements SourceReader<T> {
  position: TickPosition | undefined = undefined;
  error: unknown = undefined;
  /** A pending read only waits for a timer: close() ends it at once, and no tick is lost by that. */
  readonly closeSettlesRead = true;
  private readonly settings: TickSettings<T>;
  private readonly clock: Clock;
  private schedule: Schedule | Promise<Schedule>;
  /** The scheduled time of the last tick fired or passed over; undefined until the first read of a fresh start. */
  private cursor: number | undefined;
  private n: number;
  private missed = 0;
  private timer: TimerHandle | undefined;
  private wake: ((r: IteratorResult<T, unknown>) => void) | undefined;
  private closed = false;

  /**
   * `after`: the last tick a durable run journaled, which this one goes on after. Without it the
   * schedule counts from its first read (once it is loaded): what came before is not missed.
   */
  constructor(settings: TickSettings<T>, schedule: Schedule | Promise<Schedule>, after: TickPosition | undefined, context: SourceContext | undefined) {
    this.settings = settings;
    this.schedule = schedule;
    this.clock = context?.clock ?? systemClock;
    this.cursor = after?.at;
    this.n = after === undefined ? 0 : after.n + 1;
  }

  read(): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>> {
    if (this.schedule instanceof Promise) {
      return this.schedule.then((s) => {
        this.schedule = s;
        return this.read();
      });
    }
    if (this.closed || this.n >= this.settings.count) return { done: true, value: undefined };
    const schedule = this.schedule;
    const now = this.clock.now();
    this.cursor ??= now;
    let at = schedule.next(this.cursor);
    if (at === undefined) return { done: true, value: undefined };
    if (at <= now) {
      const { catchUp } = this.settings;
      if (catchUp === 'all') return this.fire(at);
      const passed = schedule.passed(this.cursor, now)!;
      if (catchUp === 'last') {
        this.missed += passed.count - 1;
        return this.fire(passed.last);
      }
      this.missed += passed.count;
      this.cursor = passed.last;
      at = schedule.next(passed.last);
      if (at === undefined) return { done: true, value: undefined };
    }
    const due = at + this.jitter(schedule, at);
    return new Promise((resolve) => {
      this.wake = resolve;
      this.waitUntil(due, () => {
        this.wake = undefined;
        resolve(this.fire(at));
      });
    });
  }

  /** The run ended or was stopped: a pending read ends at once (its tick was not fired, so it is not lost). */
  close(): void {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    const wake = this.wake;
    this.wake = undefined;
    wake?.({ done: true, value: undefined });
  }

  /** Fires the tick scheduled at `at`: its item, or (produce failed) the tick as a failed item. */
  private fire(at: number): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>> {
    const tick: Tick = { n: this.n, at, missed: this.missed };
    this.n++;
    this.missed = 0;
    this.cursor = at;
    const { produce } = this.settings;
    if (produce === undefined) return this.item(tick, tick as T, undefined);
    let made: T | Promise<T>;
    try {
      made = produce(tick);
    } catch (e) {
      return this.item(tick, tick as T, this.failed(tick, e));
    }
    if (!isPromiseLike(made)) return this.item(tick, made, undefined);
    return Promise.resolve(made).then(
      (value) => this.item(tick, value, undefined),
      (e: unknown) => this.item(tick, tick as T, this.failed(tick, e)),
    );
  }

  private item(tick: Tick, value: T, error: unknown): IteratorResult<T, unknown> {
    this.position = { n: tick.n, at: tick.at };
    this.error = error;
    return { done: false, value };
  }

  private failed(tick: Tick, e: unknown): ConsecutionError {
    const when = new Date(tick.at).toISOString();
    return new ConsecutionError('SOURCE_FAILED', `${this.settings.name}: produce(tick) failed for tick n=${tick.n} at ${when}: ${messageOf(e)}`, {
      node: this.settings.name,
      cause: e,
    });
  }

  /** A delay in [0, jitterMs) that never reaches the next scheduled time. */
  private jitter(schedule: Schedule, at: number): number {
    const { jitterMs, random } = this.settings;
    if (jitterMs === 0) return 0;
    const after = schedule.next(at);
    const room = after === undefined ? jitterMs : Math.min(jitterMs, after - at);
    const r = random();
    if (!(r >= 0 && r < 1)) {
      throw new ConsecutionError('OPTIONS_INVALID', `${this.settings.name}: random() must return a number in [0, 1), returned ${preview(r)}`);
    }
    return Math.floor(r * room);
  }

  /** Calls `then` once the clock reaches `due`, in several timers if it is further than one can wait. */
  private waitUntil(due: number, then: () => void): void {
    const delay = due - this.clock.now();
    if (delay > MAX_DELAY_MS) this.timer = this.clock.setTimeout(() => this.waitUntil(due, then), MAX_DELAY_MS);
    else this.timer = this.clock.setTimeout(then, Math.max(delay, 0));
  }
}
