import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ConsecutionError, preview } from '../errors.js';
import { lineOptions, type LineOptions, type LinePosition } from './line-format.js';
import { LineReader, type LineReaderOptions } from './lines.js';
import { lineParser } from './parse.js';
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
 * declare const pipeline: Node<unknown, unknown>;
 * await new Consecutor(pipeline, { guarantee: 'replay', store: { path: './state' } }).run(fromFile('events.ndjson', { format: 'ndjson' }));
 * ```
 */
export function fromFile<T = unknown>(path: string, options: FileSourceOptions = {}): Source<T> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `fromFile(): expected a file path, got ${preview(path)}`);
  }
  const { format, maxLineBytes } = lineOptions('fromFile', options, ['name']);
  const name = options.name ?? basename(path);
  return {
    name,
    parse: lineParser<T>(format, name),
    open: (after?: unknown) => {
      const start = resumeAt(path, after);
      const input = createReadStream(path, { start: start.offset - (start.byteBefore ? 1 : 0) });
      // Its size now, for progress (a missing file fails in the stream, with its own message).
      const size = statSync(path, { throwIfNoEntry: false })?.size;
      return new LineReader<T>({ input, format, maxLineBytes, name, start, ownsInput: true, ...(size === undefined ? {} : { totalBytes: size }) });
    },
  };
}

/**
 * Where to resume after the journaled position `after`: a {@link LinePosition}, or a plain byte
 * offset journaled by an older version (whose lines before it are then counted). Reading starts
 * at the byte before, which tells whether the line before it had its line break.
 */
function resumeAt(path: string, after: unknown): LineReaderOptions['start'] & { byteBefore: boolean } {
  if (isLinePosition(after)) return { offset: after.offset, line: after.line, byteBefore: after.offset > 0 };
  if (!isCount(after) || after === 0) return { offset: 0, line: 0, byteBefore: false };
  return { offset: after, line: () => countLines(path, after), byteBefore: true };
}

function isLinePosition(p: unknown): p is LinePosition {
  return p !== null && typeof p === 'object' && isCount((p as LinePosition).offset) && isCount((p as LinePosition).line);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** The number of the line that ends at byte `end` (> 0): one more than the line breaks before its last byte. */
async function countLines(path: string, end: number): Promise<number> {
  let breaks = 0;
  if (end < 2) return 1;
  for await (const chunk of createReadStream(path, { end: end - 2 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) breaks++;
  }
  return breaks + 1;
}
