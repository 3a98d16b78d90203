import type { Node } from '../src/core.js';
import { expand } from './flatMap.js';

/**
 * Emits the elements of each array (or iterable) value one by one: the inverse of
 * {@link chunk}, so `pipe(chunk(n), flatten())` passes every item through unchanged.
 *
 * @example
 * ```ts
 * interface Order { id: number }
 * declare function enrichBatch(orders: Order[]): Order[];
 * const p = pipe(chunk(100), map(enrichBatch), flatten());
 * ```
 */
export function flatten<T>(name?: string): Node<Iterable<T>, T> {
  return expand('flatten', name, identity);
}

function identity<T>(value: Iterable<T>): Iterable<T> {
  return value;
}
