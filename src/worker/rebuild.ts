import type { ErrorInfo } from '../acker/failure.js';
import { ConsecutionError, type ErrorCode } from '../errors.js';

/**
 * An error from the other side, with its name, message and stack; one of ours is one of ours
 * again (its code, and whether it is worth retrying, decide what happens to the item).
 *
 * @example
 * ```ts
 * const e = rebuild({ name: 'ConsecutionError', code: 'BAD_INPUT', message: 'no' }, 'parse', false);
 * // e instanceof ConsecutionError, e.code === 'BAD_INPUT', e.retryable === false
 * ```
 */
export function rebuild(info: ErrorInfo, node: string, retryable = true): Error {
  let e: Error;
  if (info.name === 'ConsecutionError' && info.code !== undefined) {
    e = new ConsecutionError(info.code as ErrorCode, info.message, { node, retryable });
  } else {
    e = new Error(info.message);
    e.name = info.name;
    if (info.code !== undefined) (e as Error & { code: string }).code = info.code;
  }
  if (info.stack !== undefined) e.stack = info.stack;
  return e;
}
