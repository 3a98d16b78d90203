import { appendStep, stageContext, named, requireFunction, type Node } from '../src/core.js';

/**
 * Keeps the values for which `predicate` is true. A dropped item is acked here: it is complete.
 *
 * @example
 * ```ts
 * const evens = filter('evens', (n: number) => n % 2 === 0);
 * ```
 * @see map
 */
export function filter<T, S extends T>(predicate: (value: T) => value is S): Node<T, S>;
export function filter<T>(predicate: (value: T) => boolean): Node<T, T>;
export function filter<T, S extends T>(name: string, predicate: (value: T) => value is S): Node<T, S>;
export function filter<T>(name: string, predicate: (value: T) => boolean): Node<T, T>;
export function filter<T>(first: string | ((value: T) => boolean), second?: (value: T) => boolean): Node<T, T> {
  const [name, p] = named('filter', first, second);
  const fn = requireFunction('filter', 'predicate', p) as (value: unknown) => unknown;
  return (source) => appendStep(source, { op: 'filter', fn, stats: stageContext().register('filter', name) });
}
