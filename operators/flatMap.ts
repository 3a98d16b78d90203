import { Observable } from 'rxjs';
import {
  emitChildren,
  failAt,
  stageContext,
  markStage,
  named,
  requireFunction,
  newSeed,
  type Envelope,
  type Node,
  type NodeStats,
  type SplitSeed,
} from '../src/core.js';

/**
 * Maps each value to any number of values (an array or any iterable): 1:k, so the acker gets ONE
 * update for the k children (none when k is 1); an empty result acks the item.
 *
 * @example
 * ```ts
 * const words = flatMap('words', (line: string) => line.split(/\s+/).filter(Boolean));
 * ```
 * @see flatten
 */
export function flatMap<I, O>(fn: (value: I) => Iterable<O>): Node<I, O>;
export function flatMap<I, O>(name: string, fn: (value: I) => Iterable<O>): Node<I, O>;
export function flatMap<I, O>(first: string | ((value: I) => Iterable<O>), second?: (value: I) => Iterable<O>): Node<I, O> {
  const [name, f] = named('flatMap', first, second);
  const fn = requireFunction('flatMap', 'fn', f);
  return (source) => expand(source, 'flatMap', name, fn);
}

/** The 1:k stage behind flatMap and flatten. */
export function expand<I, O>(
  source: Observable<Envelope<I>>,
  kind: string,
  name: string | undefined,
  fn: (value: I) => Iterable<O>,
): Observable<Envelope<O>> {
  const stats = stageContext().register(kind, name);
  const out = new Observable<Envelope<O>>((subscriber) => {
    const seed: SplitSeed = newSeed(stats.name);
    return source.subscribe({
      next(env) {
        stats.received++;
        const values = childrenOf(stats, env, fn);
        if (values !== undefined) emitChildren(subscriber, stats, env, values, seed);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
  });
  return markStage(out, { nodes: [stats], upstream: source });
}

function childrenOf<I, O>(stats: NodeStats, env: Envelope<I>, fn: (value: I) => Iterable<O>): readonly O[] | undefined {
  try {
    const r = fn(env.value);
    if (Array.isArray(r)) return r as O[];
    if (r === null || typeof (r as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
      const got = r === null ? 'null' : r instanceof Promise ? 'a Promise (for async work use node())' : typeof r;
      throw new TypeError(`expected an array or an iterable, got ${got}`);
    }
    return Array.from(r);
  } catch (e) {
    failAt(stats, env, env.value, e);
    return undefined;
  }
}
