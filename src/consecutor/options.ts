import type { Guarantee } from '../acker/acker.js';
import { systemClock } from '../clock/system.js';
import { ConsecutionError } from '../errors.js';
import { checkTarget, type OutputTarget } from '../outputs/target.js';
import { optionReader, rejectUnknown, type OptionReader } from '../stage/args.js';
import type { Clock } from '../types.js';

/** Where offloaded nodes run. */
export type Mode = 'sync' | 'thread' | 'process';

/** Options of a {@link Consecutor}. Every one is validated when the consecutor is built. */
export interface ConsecutorOptions {
  /** What is tracked and promised: see the README's table. @default 'track' */
  readonly guarantee?: Guarantee;
  /**
   * Under `replay`: how many times a failed item runs again before it is dead-lettered. Only
   * `replay` replays, so giving it with another guarantee is an error. @default 3
   */
  readonly retries?: number;
  /** An item not completely processed within this many ms fails with `ACK_TIMEOUT` (at most 2147483647, a Node.js timer's longest). @default 30000 */
  readonly timeoutMs?: number;
  /**
   * After {@link Consecutor.stop}: how long the items in flight get to settle. Past it the run ends
   * at once and what has not settled stays pending (in the journal of a durable store, for the
   * next run), and the report says so with a `DRAIN_TIMEOUT` error (at most 2147483647).
   * @default timeoutMs
   */
  readonly drainMs?: number;
  /** The most input items in flight at once; the source is paused beyond it (tracked levels: `none` tracks nothing to count). @default 1000 */
  readonly maxPending?: number;
  /**
   * Named outputs: anything with `append(value, meta)` or `push(value)`, and optionally `open()` and
   * `close()` (see {@link OutputTarget}). `deadLetter` receives dead letters; `default` what leaves the pipeline's end.
   */
  readonly outputs?: Readonly<Record<string, OutputTarget<never>>>;
  /** How many failure records the report keeps (the last ones). @default 100 */
  readonly keepFailures?: number;
  /** Whether `check()` stages run. @default true */
  readonly checks?: boolean;
  /**
   * Whether the run keeps its gauges (busy, rate, latency, slowest, queued; see NodeMetrics): two
   * clock reads per item of a node with lanes, and a sample per tick. Counts are kept either way.
   * @default true
   */
  readonly metrics?: boolean;
  /** Where offloaded nodes run. @default 'sync' */
  readonly mode?: Mode;
  /**
   * A durable store (LMDB in this directory): items are journaled before they are admitted, and a
   * run started on it first replays what a killed run left pending, then resumes its source.
   * Needs a tracked guarantee. @default in memory: nothing survives the process
   */
  readonly store?: { readonly path: string };
  /**
   * Where the run reads the time and sets its timers (timeouts, the drain after a stop, worker
   * restarts): for tests and simulations, which pass a virtual clock (`VirtualClock` from
   * `consecution/testing`) and move time on themselves. Offloaded nodes' workers keep real time.
   * @default the system clock (`Date.now()` and Node.js timers)
   *
   * @example
   * ```ts
   * declare const pipeline: Node<number, unknown>;
   * declare const items: number[];
   * const clock = new VirtualClock();
   * const report = await clock.runUntil(new Consecutor(pipeline, { clock, timeoutMs: 5_000 }).run(items));
   * ```
   */
  readonly clock?: Clock;
}

export interface ResolvedOptions {
  readonly guarantee: Guarantee;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly drainMs: number;
  readonly maxPending: number;
  readonly outputs: ReadonlyMap<string, OutputTarget>;
  readonly keepFailures: number;
  readonly checks: boolean;
  readonly metrics: boolean;
  readonly mode: Mode;
  readonly store: { readonly path: string } | undefined;
  readonly clock: Clock;
}

/** The values of the `guarantee` option. */
export const GUARANTEES: readonly Guarantee[] = ['none', 'confirm', 'track', 'replay'];
/** The values of the `mode` option (the Consecutor's, and an offload's own). */
export const MODES: readonly Mode[] = ['sync', 'thread', 'process'];
const KNOWN = ['guarantee', 'retries', 'timeoutMs', 'drainMs', 'maxPending', 'outputs', 'keepFailures', 'checks', 'metrics', 'mode', 'store', 'clock'];
const CLOCK_METHODS = ['now', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const;

/** Validates options at once, with messages that show the bad value. */
export function resolveOptions(options: ConsecutorOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  const subject = (key: string) => `Consecutor option ${key}`;
  if (options === null || typeof options !== 'object') optionReader({}, subject).bad('(options)', 'an object', options);
  const o = options as Record<string, unknown>;
  rejectUnknown('Consecutor', o, KNOWN);
  // Typed as OptionReader so that TypeScript knows r.bad() never returns.
  const r: OptionReader = optionReader(o, subject);
  const outputs = new Map<string, OutputTarget>();
  if (o.outputs !== undefined) {
    if (o.outputs === null || typeof o.outputs !== 'object') r.bad('outputs', 'an object of named outputs', o.outputs);
    for (const [name, target] of Object.entries(o.outputs)) outputs.set(name, checkTarget(name, target));
  }
  if (o.checks !== undefined && typeof o.checks !== 'boolean') r.bad('checks', 'a boolean', o.checks);
  if (o.metrics !== undefined && typeof o.metrics !== 'boolean') r.bad('metrics', 'a boolean', o.metrics);
  const guarantee = r.oneOf('guarantee', GUARANTEES, 'track');
  if (o.retries !== undefined && guarantee !== 'replay') {
    throw new ConsecutionError(
      'OPTIONS_INVALID',
      `Consecutor option retries has no effect under guarantee '${guarantee}'${o.guarantee === undefined ? ' (the default)' : ''}: items are replayed only under 'replay'`,
    );
  }
  let store: { path: string } | undefined;
  if (o.store !== undefined) {
    const path: unknown = o.store !== null && typeof o.store === 'object' ? (o.store as Record<string, unknown>).path : undefined;
    if (typeof path !== 'string' || path.length === 0) r.bad('store', 'an object { path: string }', o.store);
    if (guarantee === 'none') r.bad('store', "used with a tracked guarantee (not 'none': nothing could be forgotten once done)", o.store);
    store = { path };
  }
  const timeoutMs = r.timeout('timeoutMs', 30_000);
  const clock = o.clock === undefined ? systemClock : checkClock(o.clock, r);
  return {
    guarantee,
    store,
    retries: r.integer('retries', 0, 3),
    timeoutMs,
    drainMs: r.timeout('drainMs', timeoutMs),
    maxPending: r.integer('maxPending', 1, 1_000),
    keepFailures: r.integer('keepFailures', 0, 100),
    checks: o.checks !== false,
    metrics: o.metrics !== false,
    mode: r.oneOf('mode', MODES, 'sync'),
    outputs,
    clock,
  };
}

/** A clock option: anything with the methods of a Clock. */
export function checkClock(clock: unknown, r: OptionReader): Clock {
  const c = clock as Record<string, unknown> | null;
  if (c === null || typeof c !== 'object' || CLOCK_METHODS.some((m) => typeof c[m] !== 'function')) {
    r.bad('clock', `a Clock (an object with methods ${CLOCK_METHODS.join(', ')})`, clock);
  }
  return clock as Clock;
}

/** Options of one `Consecutor.run()`. */
export interface RunOptions {
  /** Aborting it stops the run, as `c.stop()` does; the run's promise resolves with the report (`stopped: true`). */
  readonly signal?: AbortSignal;
}

/** Validates the options of one run, with messages that show the bad value. */
export function resolveRunOptions(options: RunOptions | undefined): RunOptions {
  if (options === undefined) return {};
  const subject = (key: string) => `run() option ${key}`;
  if (options === null || typeof options !== 'object') optionReader({}, subject).bad('(options)', 'an object', options);
  const o = options as Record<string, unknown>;
  rejectUnknown('run()', o, ['signal']);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) optionReader(o, subject).bad('signal', 'an AbortSignal', o.signal);
  return options;
}
