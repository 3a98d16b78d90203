import { named, requireFunction } from './args.js';
import type { Seed } from './seed.js';

/** Reads the arguments of a stateful operator: `(fn, seed)` or `(name, fn, seed)`. */
export function statefulArgs<T, A>(
  operator: string,
  first: string | ((acc: A, value: T) => A),
  second: unknown,
  third: Seed<A> | undefined,
): [name: string | undefined, fn: (acc: A, value: T) => A, seed: Seed<A>] {
  const [name, f] = named(operator, first, second as (acc: A, value: T) => A);
  const fn = requireFunction(operator, 'fn', f);
  return [name, fn, (typeof first === 'string' ? third : second) as Seed<A>];
}
