import { constants } from 'node:buffer';
import { ConsecutionError, messageOf } from '../errors.js';
import { optionReader, rejectUnknown } from '../stage/args.js';

/** How a line source reads a line: `lines` as its text, `ndjson` as the JSON value it holds. */
export type LineFormat = 'lines' | 'ndjson';

/** The options {@link fromFile} and {@link fromStdin} share. */
export interface LineOptions {
  /** `lines`: each line is a string item; `ndjson`: each non-empty line is parsed as JSON. @default 'lines' */
  readonly format?: LineFormat;
  /**
   * The longest line read, in bytes (without its line break). A longer line becomes a failed
   * item (`BAD_INPUT`) that holds its first bytes; the rest is skipped, never kept in memory.
   * @default 16 MiB
   */
  readonly maxLineBytes?: number;
}

/** Where a line source is: the byte offset just past the last line read, and that line's number (from 1). */
export interface LinePosition {
  readonly offset: number;
  readonly line: number;
}

const FORMATS: readonly LineFormat[] = ['lines', 'ndjson'];
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Validates the line options of `fn` at once; a bad value throws `OPTIONS_INVALID` showing it.
 *
 * @example
 * ```ts
 * lineOptions('fromFile', { format: 'ndjson' }); // { format: 'ndjson', maxLineBytes: 16777216 }
 * ```
 */
export function lineOptions(fn: string, options: LineOptions, known: readonly string[] = []): Required<LineOptions> {
  rejectUnknown(`${fn}()`, options, ['format', 'maxLineBytes', ...known]);
  const r = optionReader(options, (key) => `${fn}(): ${key}`);
  const maxLineBytes = r.integer('maxLineBytes', 1, DEFAULT_MAX_LINE_BYTES);
  // A longer line could not be decoded into one string anyway.
  if (maxLineBytes > constants.MAX_STRING_LENGTH) r.bad('maxLineBytes', `an integer from 1 to ${constants.MAX_STRING_LENGTH}`, maxLineBytes);
  return { format: r.oneOf('format', FORMATS, 'lines'), maxLineBytes };
}

/**
 * Parses one line's text (without its line break) as `format`: the text itself for `lines`, the
 * JSON value for `ndjson`. Returns `undefined` for a blank NDJSON line (it is no item), and a
 * `BAD_INPUT` error (not retryable) naming `name` and `line` for text that is not valid JSON.
 *
 * @example
 * ```ts
 * parseLine('{"n":1}', 'ndjson', 'events.ndjson', 3); // { n: 1 }
 * parseLine('{"n":', 'ndjson', 'events.ndjson', 4);   // ConsecutionError BAD_INPUT: events.ndjson line 4: not valid JSON (...)
 * ```
 */
export function parseLine(text: string, format: LineFormat, name: string, line: number): unknown {
  if (format === 'lines') return text;
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    if (text.trim() === '') return undefined;
    return new ConsecutionError('BAD_INPUT', `${name} line ${line}: not valid JSON (${messageOf(e)})`, {
      node: name,
      retryable: false,
      cause: e,
    });
  }
}
