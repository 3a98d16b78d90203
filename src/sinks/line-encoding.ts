import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import type { LineFormat } from '../sources/line-format.js';

/**
 * One value as one line of `format`, with its line break: `ndjson` as its JSON, `lines` as its
 * text (a string as it is; a number, bigint or boolean as `String(value)`). A value that cannot be
 * one line (not JSON-able; in `lines` a non-primitive, or a string holding a line break) throws
 * `BAD_INPUT`, not retryable, naming `who` and showing the value: the item fails alone.
 *
 * @example
 * ```ts
 * encodeLine({ n: 1 }, 'ndjson', 'toFile("out.ndjson")'); // '{"n":1}\n'
 * encodeLine('a\nb', 'lines', 'toStdout()');              // throws BAD_INPUT: a line may not hold a line break
 * ```
 */
export function encodeLine(value: unknown, format: LineFormat, who: string): string {
  if (format === 'ndjson') {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (e) {
      throw bad(who, `cannot write ${previewTyped(value)} as JSON: ${messageOf(e)}`, e);
    }
    if (json === undefined) throw bad(who, `cannot write ${previewTyped(value)} as JSON`);
    return `${json}\n`;
  }
  const t = typeof value;
  if (t === 'string') {
    if ((value as string).includes('\n')) throw bad(who, `a line may not hold a line break, got ${previewTyped(value)} (write it as 'ndjson')`);
    return `${value as string}\n`;
  }
  if (t === 'number' || t === 'bigint' || t === 'boolean') return `${String(value)}\n`;
  throw bad(who, `format 'lines' writes strings, numbers and booleans, got ${previewTyped(value)} (write it as 'ndjson')`);
}

function bad(who: string, message: string, cause?: unknown): ConsecutionError {
  return new ConsecutionError('BAD_INPUT', `${who}: ${message}`, { retryable: false, ...(cause === undefined ? {} : { cause }) });
}
