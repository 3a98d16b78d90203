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

/**
 * Throws `OPTIONS_INVALID` for a key of `options` that is not in `known` (a misspelt option would
 * otherwise be ignored without a word), naming it, its value and the options there are.
 */
export function rejectUnknown(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConsecutionError(
        'OPTIONS_INVALID',
        `unknown ${where} option ${key} (${preview((options as Record<string, unknown>)[key])}); known options: ${known.join(', ')}`,
      );
    }
  }
}
