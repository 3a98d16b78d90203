import type { Either, Left } from 'fp-ts/lib/Either.js';
import { ConsecutionError, preview } from '../errors.js';

/** Whether a node's result is an fp-ts Either (`Left` fails the item, `Right` pushes its value). */
export function isEither(r: unknown): r is Either<unknown, unknown> {
  if (r === null || typeof r !== 'object') return false;
  const tag = (r as { _tag?: unknown })._tag;
  return (tag === 'Left' && 'left' in r) || (tag === 'Right' && 'right' in r);
}

/**
 * fp-ts's own `isLeft`: the same tag test, without loading fp-ts/lib (CommonJS, about 20 ms) in
 * every worker that runs an offloaded node.
 */
export function isLeft<E, A>(r: Either<E, A>): r is Left<E> {
  return r._tag === 'Left';
}

/** The failure of an item a node rejected with an fp-ts `Left`: not retried, the Left kept as its reason. */
export function rejection(node: string, value: unknown, reason: unknown): ConsecutionError {
  return new ConsecutionError('NODE_REJECTED', `node "${node}" rejected item ${preview(value)}: ${preview(reason)}`, {
    node,
    retryable: false,
    reason,
  });
}
