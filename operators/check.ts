import { appendStep, ConsecutionError, stageContext, preview, requireFunction, type Node } from '../src/core.js';

/** Options of {@link check}. */
export interface CheckOptions {
  /** The node's name in metrics and errors. @default `check#n` */
  readonly name?: string;
  /** Whether the check runs; a consecutor's `checks: false` switches every check off. @default true */
  readonly enabled?: boolean;
}

/**
 * A post-condition: an item for which `predicate` is false fails here with `CHECK_FAILED` and
 * `message`. Switched off (costing nothing) with `{ enabled: false }` or the consecutor's
 * `checks: false`.
 *
 * @example
 * ```ts
 * interface Row { amount: number }
 * declare function parse(line: string): Row;
 * const p = pipe(map(parse), check((r: Row) => r.amount >= 0, 'amount must not be negative'));
 * ```
 */
export function check<T>(predicate: (value: T) => boolean, message: string, options: CheckOptions = {}): Node<T, T> {
  const fn = requireFunction('check', 'predicate', predicate) as (value: unknown) => unknown;
  if (typeof message !== 'string') {
    throw new ConsecutionError('OPTIONS_INVALID', `check(): message must be a string, got ${preview(message)}`);
  }
  return (source) => {
    const h = stageContext();
    if (options.enabled === false || !h.checks) return source;
    const stats = h.register('check', options.name);
    const reject = (value: unknown) =>
      new ConsecutionError('CHECK_FAILED', `check "${stats.name}" failed on item ${preview(value)}: ${message}`, {
        node: stats.name,
        retryable: false,
      });
    return appendStep(source, { op: 'check', fn, stats, reject });
  };
}
