import { ackAt, failAt, operate, seedOf, statefulArgs, type Envelope, type Node, type Seed } from '../src/core.js';

/**
 * Emits the running accumulation of the values: 1:1, each output keeps its input's anchor.
 * If `fn` throws, the item fails and the state is left as it was. A seed given as a function is
 * called once per run. Like {@link reduce}, exactly once across replays and restarts: with a
 * durable store, a state is emitted once its checkpoint is on disk.
 *
 * @example
 * ```ts
 * const runningTotal = scan((sum: number, x: number) => sum + x, 0);
 * ```
 * @see reduce
 */
export function scan<T, A>(fn: (acc: A, value: T) => A, seed: Seed<A>): Node<T, A>;
export function scan<T, A>(name: string, fn: (acc: A, value: T) => A, seed: Seed<A>): Node<T, A>;
export function scan<T, A>(...args: [string | ((acc: A, value: T) => A), unknown, Seed<A>?]): Node<T, A> {
  const [name, fn, seed] = statefulArgs<T, A>('scan', args);
  return operate<T, A>('scan', name, (h, stats) => (out) => {
    let acc = seedOf(seed);
    const emit = (env: Envelope<unknown>) => {
      stats.emitted++;
      out.next(env as Envelope<A>);
    };
    const cell = h.state(stats.name, () => acc, emit);
    if (cell?.restored !== undefined) acc = cell.restored.state as A;
    return {
      next(env) {
        stats.received++;
        const o = env as unknown as Envelope<A>;
        if (cell?.stale(env) === true) {
          ackAt(stats, env);
          return;
        }
        if (cell?.seen(env) === true) {
          // Folded in an earlier attempt: emit again what it emitted then, fold nothing.
          o.value = cell.emitted() as A;
          emit(o);
          return;
        }
        // Written out, not through callOrFail: that shared call site cost reduce about 40
        // instructions per item under callgrind.
        try {
          acc = fn(acc, env.value);
        } catch (e) {
          failAt(stats, env, env.value, e);
          return;
        }
        o.value = acc;
        if (cell === undefined) emit(o);
        else cell.folded(o);
      },
    };
  });
}
