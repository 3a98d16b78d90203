import type { Readable } from 'node:stream';
import { lineOptions, type LineOptions } from './line-format.js';
import { LineReader } from './lines.js';
import { lineParser } from './parse.js';
import type { Source } from './source.js';

/** Options of {@link fromStdin}. */
export interface StdinSourceOptions extends LineOptions {
  /** Where to read from instead of standard input (a socket, any Readable). @default process.stdin */
  readonly input?: Readable;
  /** The source's name in errors. @default 'stdin' */
  readonly name?: string;
}

/**
 * A source of the lines of standard input (or any readable stream). With `format: 'ndjson'` a
 * line that is not valid JSON does not stop the run: it becomes a failed item (`BAD_INPUT`, not
 * retried) whose failure record holds the raw line, and whose message gives its line number. A
 * line longer than `maxLineBytes` fails the same way; its record holds the line's first bytes.
 *
 * @example
 * ```ts
 * // cat events.ndjson | node pipeline.js
 * declare const c: Consecutor<unknown, unknown>;
 * const report = await c.run(fromStdin({ format: 'ndjson' }));
 * ```
 */
export function fromStdin<T = unknown>(options: StdinSourceOptions = {}): Source<T> {
  const { format, maxLineBytes } = lineOptions('fromStdin', options, ['input', 'name']);
  const name = options.name ?? 'stdin';
  const input = options.input;
  return {
    name,
    parse: lineParser<T>(format, name),
    open: () =>
      new LineReader<T>({
        input: input ?? process.stdin,
        format,
        maxLineBytes,
        name,
        start: { offset: 0, line: 0 },
        ownsInput: input !== undefined,
      }),
  };
}
