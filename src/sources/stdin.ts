import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ConsecutionError, messageOf } from '../errors.js';
import type { Source, SourceReader } from './source.js';

/** Options of {@link fromStdin}. */
export interface StdinSourceOptions {
  /** `lines`: each line is a string item; `ndjson`: each non-empty line is parsed as JSON. @default 'lines' */
  readonly format?: 'lines' | 'ndjson';
  /** Where to read from instead of standard input (a file stream, a socket). @default process.stdin */
  readonly input?: Readable;
  /** The source's name in errors. @default 'stdin' */
  readonly name?: string;
}

/**
 * A source of the lines of standard input (or any readable stream). With `format: 'ndjson'` a
 * line that is not valid JSON does not stop the run: it becomes a failed item (`BAD_INPUT`, not
 * retried) whose failure record holds the raw line and its line number.
 *
 * @example
 * ```ts
 * // cat events.ndjson | node pipeline.js
 * const report = await c.run(fromStdin({ format: 'ndjson' }));
 * ```
 */
export function fromStdin<T = unknown>(options: StdinSourceOptions = {}): Source<T> {
  const format = options.format ?? 'lines';
  if (format !== 'lines' && format !== 'ndjson') {
    throw new ConsecutionError('OPTIONS_INVALID', `fromStdin(): format must be 'lines' or 'ndjson', got ${JSON.stringify(format)}`);
  }
  const name = options.name ?? 'stdin';
  return { name, open: () => new LineReader<T>(options.input ?? process.stdin, format === 'ndjson', name) };
}

class LineReader<T> implements SourceReader<T> {
  /** The 1-based line number of the last item. */
  position = 0;
  error: unknown = undefined;
  private readonly lines: AsyncIterator<string>;
  private readonly ndjson: boolean;
  private readonly name: string;
  private readonly input: Readable;

  constructor(input: Readable, ndjson: boolean, name: string) {
    this.input = input;
    this.ndjson = ndjson;
    this.name = name;
    this.lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async read(): Promise<IteratorResult<T, unknown>> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done === true) return { done: true, value: undefined };
      this.position++;
      this.error = undefined;
      if (!this.ndjson) return { done: false, value: r.value as T };
      if (r.value.trim() === '') continue;
      try {
        return { done: false, value: JSON.parse(r.value) as T };
      } catch (e) {
        this.error = new ConsecutionError('BAD_INPUT', `${this.name} line ${this.position}: not valid JSON (${messageOf(e)})`, {
          node: this.name,
          retryable: false,
          cause: e,
        });
        return { done: false, value: r.value as T };
      }
    }
  }

  async close(): Promise<void> {
    await this.lines.return?.();
    if (this.input !== process.stdin) this.input.destroy();
  }
}
