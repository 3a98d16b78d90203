import { readFile as read } from 'node:fs/promises';
import { ConsecutionError, optionReader, previewTyped, rejectUnknown, type Node } from '../src/core.js';
import { node } from './node.js';

/** How {@link readFile} gives a file's content: `text` as a UTF-8 string, `buffer` as its bytes. */
export type ReadAs = 'text' | 'buffer';

/** Options of {@link readFile}. */
export interface ReadFileOptions<A extends ReadAs = 'text'> {
  /** @default 'text' */
  readonly as?: A;
  /** The node's name in metrics and errors. @default 'readFile' */
  readonly name?: string;
  /** Files read at once. @default 4 */
  readonly concurrency?: number;
}

/** A file and its content, as {@link readFile} gives it and {@link writeFile} takes it. */
export interface FileContent<C = string | Uint8Array> {
  readonly path: string;
  readonly content: C;
}

/**
 * A node that reads each file it is given, a path or anything with a `path` (such as the items of
 * `watchDirectory`), whole, and passes `{ path, content }` on: the text (UTF-8) or, with
 * `as: 'buffer'`, the bytes. A file that cannot be read fails that item with the path and the
 * reason (`node "readFile" failed on item ...: cannot read /in/a.csv: it does not exist`), and is
 * tried again like any failed item; the run goes on. An item that is no path fails at once
 * (`BAD_INPUT`, not retried).
 *
 * @example
 * ```ts
 * const upper = pipe(readFile(), map((f: FileContent<string>) => f.content.toUpperCase()), output('texts'));
 * await new Consecutor(upper, { outputs: { texts: [] } }).run(['notes.txt']);
 * ```
 */
export function readFile<A extends ReadAs = 'text'>(
  options: ReadFileOptions<A> = {},
): Node<string | { readonly path: string }, FileContent<A extends 'buffer' ? Buffer : string>> {
  rejectUnknown('readFile()', options, ['as', 'name', 'concurrency']);
  const r = optionReader(options, (key) => `readFile(): ${key}`);
  const as = r.oneOf<ReadAs>('as', ['text', 'buffer'], 'text');
  const name = options.name ?? 'readFile';
  const encoding = as === 'text' ? 'utf8' : undefined;
  return node(name, {
    concurrency: r.integer('concurrency', 1, 4),
    async process(input: string | { readonly path: string }) {
      const path = pathOf(input, name);
      let content: string | Buffer;
      try {
        content = await read(path, encoding);
      } catch (e) {
        throw new Error(`cannot read ${path}: ${readReason(e)}`, { cause: e });
      }
      return { path, content: content as A extends 'buffer' ? Buffer : string };
    },
  });
}

function pathOf(input: unknown, node: string): string {
  const path = typeof input === 'string' ? input : (input as { path?: unknown } | null)?.path;
  if (typeof path === 'string' && path.length > 0) return path;
  throw new ConsecutionError('BAD_INPUT', `node "${node}": expected a file path or an object with a path, got ${previewTyped(input)}`, {
    node,
    retryable: false,
  });
}

function readReason(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return (e as Error).message ?? String(e);
  }
}
