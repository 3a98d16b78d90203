import type { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { rejectUnknown, StreamLines, type Node, type NodeSpec } from '../src/core.js';
import { node } from './node.js';

/** Options of {@link print}. */
export interface PrintOptions {
  /** The node's name in metrics and errors. @default 'print' */
  readonly name?: string;
  /** Where the lines go. @default process.stdout */
  readonly stream?: Writable;
}

/**
 * A node that writes a line per item to stdout, and passes the item on unchanged: a string as it
 * is, anything else as its JSON (or, if it has none, as `util.inspect` shows it on one line). The
 * item is acked once its line is written; a full stdout (a slow reader) holds the items back
 * (`'drain'`), and the lines of items printed together go in one write.
 *
 * @example
 * ```ts
 * await new Consecutor(pipe(map((n: number) => ({ n, square: n * n })), print())).run([1, 2, 3]); // {"n":1,"square":1} ...
 * ```
 */
export function print<T>(options: PrintOptions = {}): Node<T, T> {
  rejectUnknown('print()', options, ['name', 'stream']);
  const stream = options.stream ?? process.stdout;
  let lines: StreamLines | undefined;
  const spec: NodeSpec<T, T> = {
    concurrency: 16,
    async process(value: T) {
      await (lines ??= new StreamLines(stream, 'print()')).write(`${lineOf(value)}\n`);
      return value;
    },
    end() {
      lines?.release();
      lines = undefined;
    },
  };
  return node(options.name ?? 'print', spec) as Node<T, T>;
}

function lineOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // not JSON-able: shown as inspect() shows it
  }
  return inspect(value, { breakLength: Infinity, depth: 4 });
}
