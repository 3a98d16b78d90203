import {
  childHi,
  childLo,
  ConsecutionError,
  Envelope,
  fanOut,
  requireFunction,
  newSeed,
  split,
  type Node,
  type InputOf,
  type OutputOf,
  type SplitSeed,
} from '../src/core.js';

/**
 * Sends every item to every branch and merges the branches' outputs: 1:k with k branches, so the
 * acker gets one update per item. The item is complete when every branch has completed its copy.
 * Branches share the value: treat it as immutable.
 *
 * @example
 * ```ts
 * interface Dollar { partner: string; cents: number }
 * interface Company { name: string }
 * declare function toCompany(d: Dollar): Company;
 * declare const partners: Record<string, Node<Dollar, never>>;
 * const p = broadcast('fan', pipe(map(toCompany), output('company')), route((d: Dollar) => d.partner, partners));
 * ```
 * @see route
 */
export function broadcast<B extends Node<any, unknown>[]>(...branches: B): Node<InputOf<B[number]>, OutputOf<B[number]>>;
export function broadcast<B extends Node<any, unknown>[]>(name: string, ...branches: B): Node<InputOf<B[number]>, OutputOf<B[number]>>;
export function broadcast<I, O>(...args: (string | Node<I, O>)[]): Node<I, O> {
  const name = typeof args[0] === 'string' ? args.shift() as string : undefined;
  const branches = args as Node<I, O>[];
  if (branches.length === 0) throw new ConsecutionError('OPTIONS_INVALID', 'broadcast(): give at least one branch');
  branches.forEach((b, i) => requireFunction('broadcast', `branch ${i}`, b));
  const k = branches.length;
  const labels = branches.map((_, i) => String(i));
  return fanOut<I, O>('broadcast', name, branches, labels, (_ctx, stats) => {
    const seed: SplitSeed = newSeed(stats.name);
    return (env, subs) => {
      stats.received++;
      stats.emitted += k;
      const { value, anchor, attempt } = env;
      split(env, k, seed);
      subs[0]!.next(env);
      for (let i = 1; i < k; i++) subs[i]!.next(new Envelope(value, anchor, childHi(seed, i), childLo(seed, i), attempt));
    };
  });
}
