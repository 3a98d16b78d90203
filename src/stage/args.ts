import { ConsecutionError, preview, previewTyped } from '../errors.js';
import { suggest } from './suggest.js';

const AsyncFunction = (async () => {}).constructor;
const AsyncGeneratorFunction = async function* () {}.constructor;

/**
 * Throws `OPTIONS_INVALID` unless `fn` is a function, showing what was given instead. The
 * operators that take one call it synchronously, so an `async` function is an error too: its
 * promise would be taken as the result (a filter would keep every item, a map pass promises on).
 */
export function requireFunction<F>(operator: string, what: string, fn: F): F {
  if (typeof fn !== 'function') {
    throw new ConsecutionError(
      'OPTIONS_INVALID',
      `${operator}(): ${what} must be a function, got ${previewTyped(fn)}`,
    );
  }
  if (fn instanceof AsyncFunction || fn instanceof AsyncGeneratorFunction) {
    throw new ConsecutionError(
      'OPTIONS_INVALID',
      `${operator}(): ${what} is an async function, but ${operator}() calls it synchronously and would take its promise for the result; for async work use node(name, { async process(value) { ... } })`,
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
 * Throws `OPTIONS_INVALID` unless `options` is an object: "`fn() takes its options in one object,
 * { shape }; got ...`", `shape` naming its main keys (`'stream, group, consumer, ...'`).
 *
 * @example
 * ```ts
 * const options: unknown = 5;
 * requireOptions('fromInterval()', options, 'everyMs, ...'); // throws: fromInterval() takes its options in one object, { everyMs, ... }; got number 5
 * ```
 */
export function requireOptions(fn: string, options: unknown, shape: string): asserts options is object {
  if (options === null || typeof options !== 'object') {
    throw new ConsecutionError('OPTIONS_INVALID', `${fn} takes its options in one object, { ${shape} }; got ${previewTyped(options)}`);
  }
}

/**
 * Throws `OPTIONS_INVALID` for a key of `options` that is not in `known` (a misspelt option would
 * otherwise be ignored without a word), naming it, its value, the options there are and the one
 * it most likely meant; `node` goes on the error.
 */
export function rejectUnknown(where: string, options: object, known: readonly string[], node?: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const meant = suggest(key, known);
      throw new ConsecutionError(
        'OPTIONS_INVALID',
        `unknown ${where} option ${key} (${preview((options as Record<string, unknown>)[key])}); known options: ${known.join(', ')}${meant === undefined ? '' : `; did you mean ${meant}?`}`,
        node === undefined ? {} : { node },
      );
    }
  }
}

/** The longest delay a Node.js timer takes (2^31 - 1 ms, about 24.8 days): a longer one fires at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** The checks of one options object: each value read is checked at once (see {@link optionReader}). */
export interface OptionReader {
  /** An integer >= `min`, or `fallback` when absent. */
  integer(key: string, min: number, fallback: number): number;
  /**
   * A deadline in ms, or `fallback` when absent: an integer from 1 to {@link MAX_TIMEOUT_MS}. Not
   * Infinity: every node call and every item has a deadline.
   */
  timeout(key: string, fallback: number): number;
  /** One of `allowed`, or `fallback` when absent. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T;
  /** Throws OPTIONS_INVALID: `key` must be `expected`, showing what it was. */
  bad(key: string, expected: string, value: unknown): never;
}

/**
 * Reads an options object for one caller. A bad value throws `OPTIONS_INVALID` with a message
 * that says where (`subject(key)`: "Consecutor option maxPending", "offload(): batch",
 * 'node "geocode": concurrency'), what was expected, and the value given; `node` goes on the error.
 */
export function optionReader(options: object, subject: (key: string) => string, node?: string): OptionReader {
  const o = options as Record<string, unknown>;
  const bad = (key: string, expected: string, value: unknown): never => {
    throw new ConsecutionError('OPTIONS_INVALID', `${subject(key)} must be ${expected}, got ${previewTyped(value)}`, node === undefined ? {} : { node });
  };
  const integer = (key: string, min: number, fallback: number, max: number, range: string): number => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      // Said outright, since Infinity is how "no limit" is often written.
      bad(key, `${v === Infinity || v === -Infinity ? 'a finite integer' : 'an integer'} ${range}`, v);
    }
    return v as number;
  };
  return {
    bad,
    integer: (key, min, fallback) => integer(key, min, fallback, Infinity, `>= ${min}`),
    timeout: (key, fallback) => integer(key, 1, fallback, MAX_TIMEOUT_MS, `from 1 to ${MAX_TIMEOUT_MS} (ms; the longest a Node.js timer waits)`),
    oneOf(key, allowed, fallback) {
      const v = o[key];
      if (v === undefined) return fallback;
      if (!allowed.includes(v as never)) bad(key, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
      return v as typeof fallback;
    },
  };
}

/** The non-empty string option `key` (a name: a stream, a group, a subject), or `fallback` when absent; otherwise `r.bad`. */
export function nameOption(r: OptionReader, options: object, key: string, fallback?: string): string {
  const v = (options as Record<string, unknown>)[key] ?? fallback;
  if (typeof v !== 'string' || v === '') r.bad(key, 'a non-empty string', v);
  return v;
}
