import { appendStep, stageContext, named, requireFunction, type Node } from '../src/core.js';

/**
 * Transforms each value with `fn`: a 1:1 node, so the item keeps its anchor and costs the acker
 * nothing. Adjacent `map`, `filter` and `check` stages fuse into one. What `fn` throws fails the
 * item at this node.
 *
 * @example
 * ```ts
 * const p = pipe(map('cents', (d: number) => Math.round(d * 100)), output('cents'));
 * ```
 * @see filter
 */
export function map<I, O>(fn: (value: I) => O): Node<I, O>;
export function map<I, O>(name: string, fn: (value: I) => O): Node<I, O>;
export function map<I, O>(first: string | ((value: I) => O), second?: (value: I) => O): Node<I, O> {
  const [name, f] = named('map', first, second);
  const fn = requireFunction('map', 'fn', f) as (value: unknown) => unknown;
  return (source) => appendStep(source, { op: 'map', fn, stats: stageContext().register('map', name) });
}
