import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConsecutionError, fsReason, optionReader, previewTyped, rejectUnknown, syncDirectory, writeAll, type Node } from '../src/core.js';
import { node } from './node.js';
import type { FileContent } from './readFile.js';

/** Options of {@link writeFile}. */
export interface WriteFileOptions {
  /** The node's name in metrics and errors. @default 'writeFile' */
  readonly name?: string;
  /** Files written at once. @default 4 */
  readonly concurrency?: number;
}

/**
 * A node that writes each `{ path, content }` (a string, as UTF-8, or bytes) to
 * `dir/<basename of path>` and passes the new path on. The file is written under a temporary name
 * (`.<name>.tmp` in `dir`), fsync'd, renamed into place and the directory fsync'd: a reader never
 * sees half a file, and once the item is acked the file survives a kill -9 or a power loss.
 * Writing the same item again (a replay) writes the same file again: idempotent; a temporary file
 * left by a kill is overwritten and renamed by the replay of its item. Two items with the same
 * basename are written one after the other: the later one wins. A write that fails (the directory
 * does not exist, disk full) fails that item with the path and the reason, and removes its
 * temporary file; an item that is no `{ path, content }` fails at once (`BAD_INPUT`, not retried).
 *
 * @example
 * ```ts
 * const archive = pipe(readFile(), map((f: FileContent<string>) => ({ ...f, content: f.content.trim() })), writeFile('archive'), output('written'));
 * ```
 */
export function writeFile(dir: string, options: WriteFileOptions = {}): Node<FileContent, string> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `writeFile(): expected a directory, got ${previewTyped(dir)}`);
  }
  rejectUnknown('writeFile()', options, ['name', 'concurrency']);
  const r = optionReader(options, (key) => `writeFile(): ${key}`);
  const name = options.name ?? 'writeFile';
  // One write at a time per file: they share its temporary name.
  const writing = new Map<string, Promise<unknown>>();
  return node(name, {
    concurrency: r.integer('concurrency', 1, 4),
    async process(file: FileContent) {
      const { path, content } = fileOf(file, name);
      const target = join(dir, basename(path));
      const before = writing.get(target);
      const write = (before === undefined ? Promise.resolve() : before.then(noop, noop)).then(() => writeDurably(target, content));
      writing.set(target, write);
      try {
        await write;
      } finally {
        if (writing.get(target) === write) writing.delete(target);
      }
      return target;
    },
  });
}

const noop = () => {};

/** Writes `target` under its temporary name, fsyncs it, renames it into place and fsyncs the directory. */
async function writeDurably(target: string, content: string | Uint8Array): Promise<void> {
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.tmp`);
  try {
    const fh = await open(temp, 'w');
    try {
      await writeAll(fh, typeof content === 'string' ? Buffer.from(content) : Buffer.from(content.buffer, content.byteOffset, content.byteLength));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, target);
    await syncDirectory(dir);
  } catch (e) {
    await rm(temp, { force: true }).catch(noop);
    throw new Error(`cannot write ${target}: ${await fsReason(e, target)}`, { cause: e });
  }
}

function fileOf(file: unknown, node: string): { path: string; content: string | Uint8Array } {
  const f = file as { path?: unknown; content?: unknown } | null;
  if (f !== null && typeof f === 'object' && typeof f.path === 'string' && f.path.length > 0 && (typeof f.content === 'string' || f.content instanceof Uint8Array)) {
    return { path: f.path, content: f.content };
  }
  throw new ConsecutionError('BAD_INPUT', `node "${node}": expected { path, content } with a string or bytes as content, got ${previewTyped(file)}`, {
    node,
    retryable: false,
  });
}
