import { ConsecutionError } from '../errors.js';
import { named, requireFunction } from './args.js';
import type { Seed } from './seed.js';

/**
 * Reads the arguments of a stateful operator: `(fn, seed)` or `(name, fn, seed)`. The seed is
 * required: without one the first fold would start from undefined (a sum would be NaN). An
 * explicit `undefined` is a seed like any other.
 */
export function statefulArgs<T, A>(operator: string, args: readonly unknown[]): [name: string | undefined, fn: (acc: A, value: T) => A, seed: Seed<A>] {
  const [first, second, third] = args;
  const [name, f] = named(operator, first as string | ((acc: A, value: T) => A), second as (acc: A, value: T) => A);
  const fn = requireFunction(operator, 'fn', f);
  requireSeed(operator, args.length >= (typeof first === 'string' ? 3 : 2));
  return [name, fn, (typeof first === 'string' ? third : second) as Seed<A>];
}

/** Throws `OPTIONS_INVALID` unless a seed was given. */
export function requireSeed(operator: string, given: boolean): void {
  if (!given) {
    throw new ConsecutionError(
      'OPTIONS_INVALID',
      `${operator}(): give a seed, the state before the first item: ${operator}(fn, 0), or a function that makes it, ${operator}(fn, () => new Map())`,
    );
  }
}
