import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { ConsecutionError, preview } from '../errors.js';
import { LineReader } from './lines.js';
import { lineFormat } from './stdin.js';
import type { Source } from './source.js';

/** Options of {@link fromFile}. */
export interface FileSourceOptions {
  /** `lines`: each line is a string item; `ndjson`: each non-empty line is parsed as JSON. @default 'lines' */
  readonly format?: 'lines' | 'ndjson';
  /** The source's name in errors. @default the file's name */
  readonly name?: string;
}

/**
 * A source of the lines of a file. Each item's position is the byte offset just past its line, so
 * a durable run restarted on its store resumes reading right after the last line it journaled. A
 * malformed NDJSON line becomes a failed item (`BAD_INPUT`), never a crash.
 *
 * @example
 * ```ts
 * await new Consecutor(pipeline, { guarantee: 'replay', store: { path: './state' } }).run(fromFile('events.ndjson', { format: 'ndjson' }));
 * ```
 */
export function fromFile<T = unknown>(path: string, options: FileSourceOptions = {}): Source<T> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `fromFile(): expected a file path, got ${preview(path)}`);
  }
  const ndjson = lineFormat('fromFile', options.format);
  const name = options.name ?? basename(path);
  return {
    name,
    open: (after?: unknown) => {
      const offset = typeof after === 'number' && Number.isInteger(after) && after > 0 ? after : 0;
      return new LineReader<T>({ input: createReadStream(path, { start: offset }), ndjson, name, offset, ownsInput: true });
    },
  };
}
