import { ConsecutionError, named, requireFunction, type Node } from '../src/core.js';
import { routeBy } from './route.js';

/**
 * Splits items in two: those for which `predicate` is true go to the first branch, the others to
 * the second; the outputs are merged. 1:1, like {@link route}.
 *
 * @example
 * ```ts
 * interface Dollar { isProfit: boolean; cents: number }
 * declare const toPartners: Node<Dollar, never>;
 * declare const toOperating: Node<Dollar, never>;
 * const p = partition((d: Dollar) => d.isProfit, [toPartners, toOperating]);
 * ```
 */
export function partition<I, Y, N>(predicate: (value: I) => boolean, branches: readonly [Node<I, Y>, Node<I, N>]): Node<I, Y | N>;
export function partition<I, Y, N>(
  name: string,
  predicate: (value: I) => boolean,
  branches: readonly [Node<I, Y>, Node<I, N>],
): Node<I, Y | N>;
export function partition<I, O>(
  first: string | ((value: I) => boolean),
  second: ((value: I) => boolean) | readonly [Node<I, O>, Node<I, O>],
  third?: readonly [Node<I, O>, Node<I, O>],
): Node<I, O> {
  const [name, p] = named('partition', first, second as (value: I) => boolean);
  const predicate = requireFunction('partition', 'predicate', p);
  const branches = (typeof first === 'string' ? third : second) as readonly [Node<I, O>, Node<I, O>];
  if (!Array.isArray(branches) || branches.length !== 2) {
    throw new ConsecutionError('OPTIONS_INVALID', 'partition(): branches must be an array of two nodes: [whenTrue, whenFalse]');
  }
  return routeBy('partition', name, (v: I) => (predicate(v) ? 0 : 1), branches);
}
