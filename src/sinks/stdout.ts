import type { Writable } from 'node:stream';
import type { LineFormat } from '../sources/line-format.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import type { LineTarget } from './file.js';
import { encodeLine } from './line-encoding.js';
import { StreamLines } from './stream-lines.js';

/** Options of {@link toStdout}. */
export interface StdoutSinkOptions {
  /** `ndjson`: each value as a line of JSON; `lines`: strings (numbers, booleans) as they are. @default 'ndjson' */
  readonly format?: LineFormat;
  /** Where the lines go instead of process.stdout (process.stderr, a socket). @default process.stdout */
  readonly stream?: Writable;
}

/**
 * An output target writing one line per value to stdout. An append is confirmed once the stream
 * has taken its line (handed to the pipe, file or terminal behind stdout); when the stream is
 * full, the next lines wait for its `'drain'`, so a slow reader (`| less`) holds the run back
 * through `maxPending` instead of filling memory. What a kill -9 leaves: every confirmed line was
 * handed to the operating system; whoever reads stdout may not have read it yet. A value that
 * cannot be a line fails its item alone (`BAD_INPUT`); a stream that fails (`EPIPE`) fails the
 * items being written with `OUTPUT_FAILED`.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<string, unknown>;
 * await new Consecutor(pipeline, { outputs: { default: toStdout({ format: 'ndjson' }) } }).run(['a']);
 * ```
 */
export function toStdout<T = unknown>(options: StdoutSinkOptions = {}): LineTarget<T> {
  rejectUnknown('toStdout()', options, ['format', 'stream']);
  const r = optionReader(options, (key) => `toStdout(): ${key}`);
  const format = r.oneOf('format', ['ndjson', 'lines'], 'ndjson');
  const stream = options.stream ?? process.stdout;
  if (typeof (stream as Partial<Writable>).write !== 'function') r.bad('stream', 'a writable stream', stream);
  const who = 'toStdout()';
  let lines: StreamLines | undefined;
  const out = () => (lines ??= new StreamLines(stream, who));
  return {
    append: (value) => out().write(encodeLine(value, format, who)),
    async open() {
      out();
    },
    async close() {
      const l = lines;
      lines = undefined;
      if (l === undefined) return;
      await l.drain();
      l.release();
    },
  };
}
