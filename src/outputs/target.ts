import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import { withTimeout } from '../stage/timeout.js';
import type { Clock } from '../types.js';
import type { WriteMeta } from './meta.js';

/**
 * Where a named output can go: anything with `append(value, meta)` (a container, a file writer, a
 * database table, a broker: its promise means "confirmed", and the item is acked only then) or
 * `push(value)` (an array: confirmed at once). `meta` says which copy of which input item the value
 * is; its `key` is an idempotency key, the same when the item is replayed or the run restarted on a
 * durable store (see {@link WriteMeta}).
 *
 * Optional `open(context)` is called when the run starts, before any item is read, with the run's
 * clock (see {@link OutputContext}): if it rejects (or does not settle within the run's timeoutMs)
 * the run fails at once with `OUTPUT_FAILED` naming the output, and reads nothing. Optional `close()` is called when the run ends, after the last write
 * is confirmed, also when the run failed or was stopped (not if its `open()` failed).
 *
 * @example
 * ```ts
 * interface Row { id: number }
 * declare const db: { connect(): Promise<void>; insert(row: Row & { key: string }): Promise<void>; end(): Promise<void> };
 * declare function parse(line: string): Row;
 * const rows: OutputTarget<Row> = {
 *   async open() { await db.connect() },
 *   async append(row, meta) { await db.insert({ ...row, key: meta.key }) }, // ON CONFLICT (key) DO NOTHING
 *   async close() { await db.end() },
 * };
 * const c = new Consecutor(pipe(map(parse), output('rows')), { outputs: { rows, seen: [] } });
 * ```
 */
export type OutputTarget<T = unknown> = ({ append(value: T, meta: WriteMeta): unknown } | { push(value: T): unknown }) & {
  open?(context: OutputContext): unknown;
  close?(): unknown;
};

/**
 * What a run gives a target's `open(context)`: its `clock`, on which a target sets its timers
 * (retry backoff, flush deadlines), so that a run on a `VirtualClock` moves them too.
 *
 * @example
 * ```ts
 * let clock: Clock = systemClock;
 * const slow: OutputTarget<string> = {
 *   open(context) { clock = context.clock },
 *   append: (line) => new Promise((resolve) => clock.setTimeout(() => resolve(line), 100)),
 * };
 * ```
 */
export interface OutputContext {
  readonly clock: Clock;
}

/** Validates an `outputs` entry: it must have `append()` or `push()`; `open` and `close`, if there, are methods. */
export function checkTarget(name: string, target: unknown): OutputTarget {
  const t = target as { append?: unknown; push?: unknown; open?: unknown; close?: unknown } | null;
  if (t === null || typeof t !== 'object' || (typeof t.append !== 'function' && typeof t.push !== 'function')) {
    throw new ConsecutionError('OPTIONS_INVALID', `outputs.${name} must have an append() or a push() method, got ${previewTyped(target)}`);
  }
  for (const m of ['open', 'close'] as const) {
    if (t[m] !== undefined && typeof t[m] !== 'function') {
      throw new ConsecutionError('OPTIONS_INVALID', `outputs.${name}.${m} must be a method, got ${previewTyped(t[m])}`);
    }
  }
  return target as OutputTarget;
}

/**
 * Calls `target.open()` or `close()` (`step`), if it has one; the promise rejects with
 * `OUTPUT_FAILED` naming the output when it throws, rejects or does not settle within `timeoutMs`.
 * Undefined when the target has no such method.
 */
export function lifeStep(name: string, target: OutputTarget, step: 'open' | 'close', timeoutMs: number, clock: Clock): Promise<void> | undefined {
  const fn = target[step];
  if (fn === undefined) return undefined;
  const failed = (e: unknown) =>
    new ConsecutionError('OUTPUT_FAILED', `output "${name}" failed to ${step}: ${messageOf(e)}`, { node: name, cause: e });
  let r: unknown;
  try {
    // open() gets the run's clock; close() nothing.
    r = (fn as (this: OutputTarget, context?: OutputContext) => unknown).call(target, step === 'open' ? { clock } : undefined);
  } catch (e) {
    return Promise.reject(failed(e));
  }
  let late: ConsecutionError | undefined;
  const timedOut = () => (late = new ConsecutionError('OUTPUT_FAILED', `output "${name}" did not ${step} within timeoutMs=${timeoutMs}`, { node: name }));
  return withTimeout(Promise.resolve(r), timeoutMs, timedOut, clock).then(
    () => undefined,
    (e: unknown) => {
      throw e === late ? e : failed(e);
    },
  );

}
