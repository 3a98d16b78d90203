import { ConsecutionError, preview } from '../errors.js';

/** Throws `OPTIONS_INVALID` unless `fn` is a function, showing what was given instead. */
export function requireFunction<F>(operator: string, what: string, fn: F): F {
  if (typeof fn !== 'function') {
    throw new ConsecutionError(
      'OPTIONS_INVALID',
      `${operator}(): ${what} must be a function, got ${typeof fn} ${preview(fn)}`,
    );
  }
  return fn;
}

/**
 * Reads the optional name that an operator takes first: `map(fn)` or `map('double', fn)`.
 * Returns the name (undefined for an automatic one) and the remaining argument.
 */
export function named<R>(operator: string, first: string | R, second: R | undefined): [string | undefined, R] {
  if (typeof first === 'string') {
    if (first.length === 0) throw new ConsecutionError('OPTIONS_INVALID', `${operator}(): a node name must not be empty`);
    return [first, second as R];
  }
  return [undefined, first];
}
