import { ConsecutionError, named, preview, requireFunction, requireSeed, seedOf, type Node, type Seed } from '../src/core.js';
import { fold } from './reduce.js';

/**
 * Keyed aggregation: folds each value into the state of its key (`keyOf(value)`), and emits the
 * Map of all keys' states when the input completes. Each key's state starts from `seed` (a
 * function seed is called once per key). Exact like {@link reduce}: under `replay` and with a
 * durable store, a replayed item is not folded twice, and the Map is checkpointed.
 *
 * @example
 * ```ts
 * interface Order { country: string; cents: number }
 * const revenueByCountry = aggregate((o: Order) => o.country, (sum: number, o: Order) => sum + o.cents, 0);
 * ```
 * @see reduce
 */
export function aggregate<T, K, A>(keyOf: (value: T) => K, fn: (acc: A, value: T) => A, seed: Seed<A>): Node<T, Map<K, A>>;
export function aggregate<T, K, A>(name: string, keyOf: (value: T) => K, fn: (acc: A, value: T) => A, seed: Seed<A>): Node<T, Map<K, A>>;
export function aggregate<T, K, A>(
  first: string | ((value: T) => K),
  second: ((value: T) => K) | ((acc: A, value: T) => A),
  third: ((acc: A, value: T) => A) | Seed<A>,
  fourth?: Seed<A>,
): Node<T, Map<K, A>> {
  const [name, k] = named('aggregate', first, second as (value: T) => K);
  const keyOf = requireFunction('aggregate', 'keyOf', k);
  const fn = requireFunction('aggregate', 'fn', (typeof first === 'string' ? third : second) as (acc: A, value: T) => A);
  requireSeed('aggregate', arguments.length >= (typeof first === 'string' ? 4 : 3));
  const seed = (typeof first === 'string' ? fourth : third) as Seed<A>;
  if (typeof first !== 'string' && fourth !== undefined) {
    throw new ConsecutionError('OPTIONS_INVALID', `aggregate(): too many arguments (${preview(fourth)}); a name goes first`);
  }
  return fold<T, Map<K, A>>(
    'aggregate',
    name,
    (states, value) => {
      const key = keyOf(value);
      states.set(key, fn(states.has(key) ? states.get(key)! : seedOf(seed), value));
      return states;
    },
    () => new Map<K, A>(),
  );
}
