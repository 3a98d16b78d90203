import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes all of `bytes` at the end of `fh` (opened for appending): a write may take fewer bytes
 * than it was given, so it goes on until every byte is written.
 *
 * @example
 * ```ts
 * import { open } from 'node:fs/promises';
 * import { writeAll } from './fs-durable.js';
 * const fh = await open('out.txt', 'a');
 * await writeAll(fh, Buffer.from('a line\n'));
 * ```
 */
export async function writeAll(fh: FileHandle, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, at, bytes.length - at);
    at += bytesWritten;
  }
}

/**
 * fsyncs the directory `dir`, so that a file just created, renamed or removed in it survives a
 * crash of the machine (the file's own fsync does not make its directory entry durable).
 *
 * @example
 * ```ts
 * import { rename } from 'node:fs/promises';
 * import { syncDirectory } from './fs-durable.js';
 * await rename('out/.a.txt.tmp', 'out/a.txt');
 * await syncDirectory('out');
 * ```
 */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Why a file could not be opened or written, in words that name the path: "the directory /a/b
 * does not exist" for a missing directory, else the system's code and message.
 *
 * @example
 * ```ts
 * declare const e: unknown; // from open('/no/such/dir/out.txt', 'a')
 * await fsReason(e, '/no/such/dir/out.txt'); // 'the directory /no/such/dir does not exist'
 * ```
 */
export async function fsReason(e: unknown, path: string): Promise<string> {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') {
    const dir = dirname(path);
    const exists = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!exists) return `the directory ${dir} does not exist`;
  }
  return err.message ?? String(e);
}
