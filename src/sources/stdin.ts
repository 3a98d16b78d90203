import type { Readable } from 'node:stream';
import { ConsecutionError } from '../errors.js';
import { LineReader } from './lines.js';
import type { Source } from './source.js';

/** Options of {@link fromStdin}. */
export interface StdinSourceOptions {
  /** `lines`: each line is a string item; `ndjson`: each non-empty line is parsed as JSON. @default 'lines' */
  readonly format?: 'lines' | 'ndjson';
  /** Where to read from instead of standard input (a socket, any Readable). @default process.stdin */
  readonly input?: Readable;
  /** The source's name in errors. @default 'stdin' */
  readonly name?: string;
}

/** Validates a line format option. */
export function lineFormat(fn: string, format: unknown): boolean {
  if (format === undefined || format === 'lines') return false;
  if (format === 'ndjson') return true;
  throw new ConsecutionError('OPTIONS_INVALID', `${fn}(): format must be 'lines' or 'ndjson', got ${JSON.stringify(format)}`);
}

/**
 * A source of the lines of standard input (or any readable stream). With `format: 'ndjson'` a
 * line that is not valid JSON does not stop the run: it becomes a failed item (`BAD_INPUT`, not
 * retried) whose failure record holds the raw line, and whose message gives its line number.
 *
 * @example
 * ```ts
 * // cat events.ndjson | node pipeline.js
 * const report = await c.run(fromStdin({ format: 'ndjson' }));
 * ```
 */
export function fromStdin<T = unknown>(options: StdinSourceOptions = {}): Source<T> {
  const ndjson = lineFormat('fromStdin', options.format);
  const name = options.name ?? 'stdin';
  const input = options.input;
  return {
    name,
    open: () => new LineReader<T>({ input: input ?? process.stdin, ndjson, name, offset: 0, ownsInput: input !== undefined }),
  };
}
