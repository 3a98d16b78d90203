import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { ConsecutionError, preview } from '../errors.js';
import { LineReader, lineOptions, type LineOptions, type LinePosition } from './lines.js';
import type { Source } from './source.js';

/** Options of {@link fromFile}. */
export interface FileSourceOptions extends LineOptions {
  /** The source's name in errors. @default the file's name */
  readonly name?: string;
}

/**
 * A source of the lines of a file. Each item's position is `{ offset, line }`: the byte offset
 * just past its line and the line's number. A durable run restarted on its store resumes reading
 * right after the last line it journaled (a bad line included), and counts lines on from there.
 * A malformed NDJSON line, or one longer than `maxLineBytes`, becomes a failed item (`BAD_INPUT`),
 * never a crash.
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
  const { format, maxLineBytes } = lineOptions('fromFile', options);
  const name = options.name ?? basename(path);
  return {
    name,
    open: (after?: unknown) => {
      const start = resumeAt(path, after);
      const input = createReadStream(path, { start: start.offset });
      return new LineReader<T>({ input, format, maxLineBytes, name, start, ownsInput: true });
    },
  };
}

/**
 * Where to resume after the journaled position `after`: a {@link LinePosition}, or a plain byte
 * offset journaled by an older version (whose lines before it are then counted).
 */
function resumeAt(path: string, after: unknown): { offset: number; line: number | (() => Promise<number>) } {
  if (isLinePosition(after)) return after;
  if (!isCount(after) || after === 0) return { offset: 0, line: 0 };
  return { offset: after, line: () => countLines(path, after) };
}

function isLinePosition(p: unknown): p is LinePosition {
  return p !== null && typeof p === 'object' && isCount((p as LinePosition).offset) && isCount((p as LinePosition).line);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** The number of line breaks in the file's first `end` bytes. */
async function countLines(path: string, end: number): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path, { end: end - 1 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}
