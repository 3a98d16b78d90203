import {
  callOrFail,
  ConsecutionError,
  FAILED,
  failAt,
  fanOut,
  preview,
  requireFunction,
  type Node,
  type OutputOf,
} from '../src/core.js';

/** Branches of {@link route}: an array (the function returns an index) or a record (it returns a key). */
export type Branches<I, O> = readonly Node<I, O>[] | Readonly<Record<string, Node<I, O>>>;

/** What the merged branches emit: the union of the branches' outputs. */
export type BranchOutput<B> = B extends readonly (infer N)[] ? OutputOf<N> : OutputOf<B[keyof B]>;

/**
 * Sends each item to ONE branch, chosen by `pick` (a key of the record of branches, or an index
 * of the array), and merges the branches' outputs. 1:1: no acker traffic. A key that matches no
 * branch fails the item with `ROUTE_UNMATCHED`, unless the record has a `default` branch.
 *
 * @example
 * ```ts
 * interface Dollar { revenue: number }
 * declare const profit: Node<Dollar, never>;
 * declare const operating: Node<Dollar, never>;
 * const p = route('budget', (d: Dollar) => (d.revenue > 1e6 ? 'profit' : 'operating'), { profit, operating });
 * ```
 * @see partition
 */
export function route<I, B extends Branches<I, unknown>>(pick: (value: I) => string | number, branches: B): Node<I, BranchOutput<B>>;
export function route<I, B extends Branches<I, unknown>>(
  name: string,
  pick: (value: I) => string | number,
  branches: B,
): Node<I, BranchOutput<B>>;
export function route<I, O>(
  first: string | ((value: I) => string | number),
  second: ((value: I) => string | number) | Branches<I, O>,
  third?: Branches<I, O>,
): Node<I, O> {
  return typeof first === 'string'
    ? routeBy('route', first, second as (value: I) => string | number, third!)
    : routeBy('route', undefined, first, second as Branches<I, O>);
}

/** route's implementation, shared with partition. */
export function routeBy<I, O>(
  kind: string,
  name: string | undefined,
  pick: (value: I) => string | number,
  branches: Branches<I, O>,
): Node<I, O> {
  requireFunction(kind, 'the routing function', pick);
  if (branches === null || typeof branches !== 'object') {
    throw new ConsecutionError('OPTIONS_INVALID', `${kind}(): branches must be an array or a record of nodes, got ${preview(branches)}`);
  }
  const labels = Object.keys(branches);
  const list = labels.map((l) => (branches as Record<string, Node<I, O>>)[l]!);
  if (list.length === 0) throw new ConsecutionError('OPTIONS_INVALID', `${kind}(): give at least one branch`);
  list.forEach((b, i) => requireFunction(kind, `branch "${labels[i]}"`, b));
  const byIndex = Array.isArray(branches);
  const index: Record<string, number> = Object.create(null) as Record<string, number>;
  labels.forEach((l, i) => (index[l] = i));
  const fallback = byIndex ? undefined : index['default'];
  return fanOut(kind, name, list, labels, (_ctx, stats) => (env, subs) => {
    stats.received++;
    const key = callOrFail(stats, env, pick, env.value);
    if (key === FAILED) return;
    const i = byIndex ? (Number.isInteger(key) ? (key as number) : -1) : (index[key] ?? fallback ?? -1);
    const sub = subs[i];
    if (sub === undefined) {
      const error = new ConsecutionError(
        'ROUTE_UNMATCHED',
        `${kind} "${stats.name}": ${preview(key)} for item ${preview(env.value)} matches no branch (branches: ${labels.join(', ')})`,
        { node: stats.name, retryable: false },
      );
      failAt(stats, env, env.value, error);
      return;
    }
    stats.emitted++;
    sub.next(env);
  });
}
