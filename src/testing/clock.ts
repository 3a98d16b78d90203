import type { Clock, TimerHandle } from '../types.js';

/** One timer of a {@link VirtualClock}. */
interface VirtualTimer {
  /** When it is due (the clock's ms). */
  at: number;
  /** Set order: timers due at the same ms fire in the order they were set, as Node.js's do. */
  seq: number;
  readonly fn: () => void;
  /** The period of an interval; 0 for a timeout. */
  readonly every: number;
  cleared: boolean;
}

/** Where a {@link VirtualClock} starts unless told: 2000-01-01T00:00:00Z. */
const VIRTUAL_EPOCH = Date.UTC(2000, 0, 1);

/** Node.js's rule: a delay below 1 ms, above 2147483647 or not a number is 1 ms. */
function delayOf(ms: number): number {
  return ms >= 1 && ms <= 2_147_483_647 ? Math.trunc(ms) : 1;
}

/**
 * A clock whose time moves only when the test says: give it to a Consecutor (`clock` option) and
 * its timeouts, stall checks, drain deadline and worker restarts happen at the virtual moment they
 * are due, however loaded the machine is. Modelled on RxJS's TestScheduler and @most/core's
 * virtual timer.
 *
 * - {@link advance} moves time on by some ms at once, firing every timer due by then in order
 *   (those the fired ones set too, if due): synchronous, so no promise callback runs between them,
 *   as if the program had been busy meanwhile.
 * - {@link runUntil} lets the program run: it waits for a turn of the real event loop, fires the
 *   next timer, and so on until a promise settles (a run's report) or a condition holds. Time
 *   flies as long as the program waits only on timers; work that waits on real I/O (a worker
 *   loading, a disk) sees it fly too, so around such work use `advance` in steps and await that
 *   work's own events.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const c = new Consecutor(node('slow', { process: () => new Promise(() => {}) }), { clock, timeoutMs: 30_000 });
 * const report = await clock.runUntil(c.run([1]));   // 30 virtual seconds, at once
 * report.failures[0]!.error.code;                       // 'ACK_TIMEOUT'
 * ```
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  /** Timers not fired yet, by due time then set order (cleared ones are dropped when reached). */
  private queue: VirtualTimer[] = [];
  private live = 0;

  /**
   * @param start The time it starts at, in epoch ms as `Date.now()` gives (the run takes 0 for
   * "not yet"). @default 946684800000 (2000-01-01T00:00:00Z)
   */
  constructor(start = VIRTUAL_EPOCH) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Timers set and neither fired (timeouts) nor cleared. */
  get pending(): number {
    return this.live;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, delayOf(ms), 0);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = delayOf(ms);
    return this.add(fn, every, every);
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    const t = handle as unknown as VirtualTimer | undefined;
    if (t === undefined || t.cleared) return;
    t.cleared = true;
    this.live--;
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /**
   * Moves time on by `ms`, firing in order every timer due by then, those set meanwhile included;
   * each runs with {@link now} at its due time. An exception a timer throws comes out of here.
   *
   * @example
   * ```ts
   * const clock = new VirtualClock();
   * clock.setTimeout(() => console.log(clock.now()), 100);
   * clock.advance(250); // logs 100; clock.now() is 250
   * ```
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance(ms): ms must be a number >= 0, got ${ms}`);
    const end = this.time + ms;
    while (this.fireNext(end));
    this.time = end;
  }

  /**
   * Moves time to the next timer due and fires it. False when no timer is set.
   *
   * @example
   * ```ts
   * declare const clock: VirtualClock;
   * declare const c: Consecutor;
   * while (c.metrics().failed === 0 && clock.next());
   * ```
   */
  next(): boolean {
    return this.fireNext(Infinity);
  }

  /**
   * Lets the program run on virtual time until `until` settles (its value, or its error, comes
   * back) or, given a function, until it returns true: after each turn of the real event loop the
   * next timer fires. With no timer set it waits for real events (I/O) in short real sleeps.
   * Rejects when more than `limitMs` of virtual time have passed first.
   *
   * @example
   * ```ts
   * declare const clock: VirtualClock;
   * declare const c: Consecutor<number, unknown>;
   * declare const items: number[];
   * const report = await clock.runUntil(c.run(items), { limitMs: 60_000 });
   * await clock.runUntil(() => c.metrics().failed >= 2);
   * ```
   */
  runUntil<T>(until: PromiseLike<T>, options?: RunUntilOptions): Promise<T>;
  runUntil(until: () => boolean, options?: RunUntilOptions): Promise<void>;
  async runUntil<T>(until: PromiseLike<T> | (() => boolean), options: RunUntilOptions = {}): Promise<T | undefined> {
    const limitMs = options.limitMs ?? 3_600_000;
    const deadline = this.time + limitMs;
    let settled = false;
    let value: T | undefined;
    let failed = false;
    let error: unknown;
    const done = typeof until === 'function' ? until : () => settled;
    if (typeof until !== 'function') {
      until.then(
        (v) => {
          settled = true;
          value = v;
        },
        (e: unknown) => {
          settled = true;
          failed = true;
          error = e;
        },
      );
    }
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done()) break;
      const at = this.nextDue();
      if (at === undefined) {
        // Only real events can move the program on: wait for them without spinning the CPU.
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      if (at > deadline) throw new Error(`VirtualClock.runUntil: not done after ${limitMs} ms of virtual time (at ${this.time})`);
      this.fireNext(at);
    }
    if (failed) throw error;
    return value;
  }

  private add(fn: () => void, delay: number, every: number): TimerHandle {
    const t: VirtualTimer = { at: this.time + delay, seq: this.seq++, fn, every, cleared: false };
    this.insert(t);
    this.live++;
    return t as unknown as TimerHandle;
  }

  /** Into the queue after every timer due before it or at the same ms. */
  private insert(t: VirtualTimer): void {
    const q = this.queue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = q[mid]!;
      if (m.at < t.at || (m.at === t.at && m.seq < t.seq)) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, t);
  }

  /** When the next live timer is due, dropping cleared ones; undefined when none is set. */
  private nextDue(): number | undefined {
    const q = this.queue;
    while (q.length > 0 && q[0]!.cleared) q.shift();
    return q[0]?.at;
  }

  /** Fires the next timer if it is due by `end`: time moves to its due time. */
  private fireNext(end: number): boolean {
    const at = this.nextDue();
    if (at === undefined || at > end) return false;
    const t = this.queue.shift()!;
    if (at > this.time) this.time = at;
    if (t.every > 0) {
      // Set again before it runs, so that it may clear itself.
      t.at += t.every;
      t.seq = this.seq++;
      this.insert(t);
    } else {
      t.cleared = true;
      this.live--;
    }
    t.fn();
    return true;
  }
}

/** Options of {@link VirtualClock.runUntil}. */
export interface RunUntilOptions {
  /** How much virtual time may pass before it gives up with an error. @default 3_600_000 (an hour) */
  readonly limitMs?: number;
}
