import { Observable } from 'rxjs';
import { failAt, host, markStage, named, requireFunction, type Envelope, type Node, seedOf, type Seed } from '../src/core.js';

/**
 * Emits the running accumulation of the values: 1:1, each output keeps its input's anchor.
 * If `fn` throws, the item fails and the state is left as it was. A seed given as a function is
 * called once per run.
 *
 * @example
 * ```ts
 * const runningTotal = scan((sum: number, x: number) => sum + x, 0);
 * ```
 * @see reduce
 */
export function scan<T, A>(fn: (acc: A, value: T) => A, seed: Seed<A>): Node<T, A>;
export function scan<T, A>(name: string, fn: (acc: A, value: T) => A, seed: Seed<A>): Node<T, A>;
export function scan<T, A>(first: string | ((acc: A, value: T) => A), second: unknown, third?: Seed<A>): Node<T, A> {
  const [name, f] = named('scan', first, second as (acc: A, value: T) => A);
  const fn = requireFunction('scan', 'fn', f);
  const seed = (typeof first === 'string' ? third : second) as Seed<A>;
  return (source) => {
    const stats = host().register('scan', name);
    const out = new Observable<Envelope<A>>((subscriber) => {
      let acc = seedOf(seed);
      return source.subscribe({
        next(env) {
          stats.received++;
          try {
            acc = fn(acc, env.value);
          } catch (e) {
            failAt(stats, env, env.value, e);
            return;
          }
          stats.emitted++;
          const o = env as unknown as Envelope<A>;
          o.value = acc;
          subscriber.next(o);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
    return markStage(out, { nodes: [stats], upstream: source });
  };
}
