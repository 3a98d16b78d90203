import {
  callOrFail,
  emitChildren,
  FAILED,
  named,
  newSeed,
  operate,
  requireFunction,
  type Node,
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
  return expand('flatMap', name, fn);
}

/** The 1:k stage behind flatMap and flatten. */
export function expand<I, O>(kind: string, name: string | undefined, fn: (value: I) => Iterable<O>): Node<I, O> {
  return operate<I, O>(kind, name, (_ctx, stats) => (out) => {
    const seed: SplitSeed = newSeed(stats.name);
    return {
      next(env) {
        stats.received++;
        const values = callOrFail(stats, env, childrenOf, fn, env.value);
        if (values !== FAILED) emitChildren(out, stats, env, values, seed);
      },
    };
  });
}

/** What `fn` made of a value, as an array; anything but an iterable is an error. */
function childrenOf<I, O>(fn: (value: I) => Iterable<O>, value: I): readonly O[] {
  const r = fn(value);
  if (Array.isArray(r)) return r as O[];
  if (r === null || typeof (r as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
    const got = r === null ? 'null' : r instanceof Promise ? 'a Promise (for async work use node())' : typeof r;
    throw new TypeError(`expected an array or an iterable, got ${got}`);
  }
  return Array.from(r);
}
