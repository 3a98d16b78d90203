/*
 * The small interfaces a run is built from, in one module of types only (no runtime code): what
 * the parts of a run are handed, so that a test or a simulation can hand them something else.
 * Implementations live beside what they serve (the system clock in clock/system.ts, a virtual one
 * for tests in testing/clock.ts).
 */

declare const timerHandle: unique symbol;

/** A timer a {@link Clock} set: opaque, good only for that clock's `clearTimeout`/`clearInterval`. */
export interface TimerHandle {
  readonly [timerHandle]: true;
}

/**
 * Where a run reads the time and sets its timers: the tick that checks timeouts, a node call's
 * deadline, the drain after a stop, the back-off before a worker restarts. The default is the
 * system clock; tests and simulations pass a virtual one (see `VirtualClock` in
 * `consecution/testing`), so that timeouts happen when the test says, not when a loaded machine
 * gets round to them. Reading it is not free: a run reads it once per tick, never per item.
 *
 * @example
 * ```ts
 * const clock: Clock = {
 *   now: () => Date.now(),
 *   setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
 *   clearTimeout: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
 *   setInterval: (fn, ms) => setInterval(fn, ms) as unknown as TimerHandle,
 *   clearInterval: (h) => clearInterval(h as unknown as NodeJS.Timeout),
 * };
 * declare const pipeline: Node<number, unknown>;
 * const c = new Consecutor(pipeline, { clock });
 * ```
 */
export interface Clock {
  /** The time now, in epoch ms. */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer of {@link setTimeout} not fired yet; undefined, or a timer that fired, is ignored. */
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Calls `fn` every `ms` until {@link clearInterval}. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Stops a timer of {@link setInterval}; undefined is ignored. */
  clearInterval(handle: TimerHandle | undefined): void;
}

// The other interfaces a run is made of, defined beside what implements them and gathered here,
// so that this module lists every seam: what a source gives (Source, SourceReader), what a run
// keeps in its store (Journal) and what the CLI does with one (StoreAdmin, StoreView), what a
// stage sees of its run (StageContext), and where a write goes (OutputTarget, opened with an
// OutputContext).
export type { Source, SourceContext, SourceReader, SourceState } from './sources/source.js';
export type { Journal, StoreAdmin, StoreView } from './store/store.js';
export type { StageContext } from './stage/stage-context.js';
export type { OutputTarget, OutputContext } from './outputs/target.js';
