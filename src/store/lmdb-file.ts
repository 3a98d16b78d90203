import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { RootDatabase } from 'lmdb';
import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import { ENCODER, MAX_DBS, fail, openLayout, type StoreDbs } from './layout.js';

// The store directory on disk and its LMDB file, shared by the writer (LmdbStore), the read-only
// view and the migration. What the file holds inside is layout.ts's.

/** Checks the directory argument of `fn` (openStore, openStoreReadOnly) at once. */
export function requireDirArg(fn: string, dir: unknown): asserts dir is string {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `${fn}(): expected a directory path, got ${previewTyped(dir)}`);
  }
}

/** Makes the store directory if it is missing, and checks that it is a writable directory. */
export function prepareDir(dir: string): void {
  try {
    // The parent recursively, the store itself not: a recursive mkdir can hang on /proc.
    if (!existsSync(dir)) {
      mkdirSync(dirname(resolve(dir)), { recursive: true });
      mkdirSync(dir);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw fail(dir, 'it is a file, not a directory', e);
    throw fail(dir, messageOf(e), e);
  }
  if (!statSync(dir).isDirectory()) throw fail(dir, 'it is a file, not a directory');
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw fail(dir, 'the directory is not writable', e);
  }
}

/**
 * Checks, without creating anything, that `dir` holds a store: a directory with a data file. For
 * the commands that only make sense on a store that exists (inspect, redrive).
 */
export function requireStore(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw fail(dir, 'it does not exist');
    throw fail(dir, messageOf(e), e);
  }
  if (!isDir) throw fail(dir, 'it is a file, not a directory');
  if (!existsSync(join(dir, 'data.mdb'))) throw fail(dir, 'it holds no data.mdb, so it is not a store (a run with store: { path } makes one)');
}

/** LMDB's meta page magic (0xBEEFC0DE, little-endian), found near the start of a data file. */
const LMDB_MAGIC = Buffer.from([0xde, 0xc0, 0xef, 0xbe]);

/**
 * Checks that an existing data file is LMDB before lmdb-js maps it: given a foreign file, the
 * native layer crashes the process (a segmentation fault) instead of throwing.
 */
function checkDataFile(dir: string, file: string): void {
  if (!existsSync(file)) return;
  const head = Buffer.alloc(64);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 0 && statSync(file).size === 0) return;
  if (head.subarray(0, n).indexOf(LMDB_MAGIC) < 0) {
    throw fail(dir, 'data.mdb is corrupted or not an LMDB file (no LMDB header)');
  }
}

// lmdb (and its native addons) load on the first store opened, not on import: a program, or a
// worker thread, that never opens a store does not pay for them.
let lmdb: typeof import('lmdb') | undefined;

/**
 * Opens the LMDB file of a store, after checking it is one, and the store in it (see
 * openLayout). Read-only, it writes nothing (and needs no writer's lock: LMDB readers run beside
 * a writer); the file at `path` defaults to the store's own `data.mdb`.
 */
export function openDb(dir: string, how: { readOnly: boolean; path?: string }): StoreDbs {
  const root = openRoot(dir, how);
  try {
    return openLayout(root, dir, how.readOnly);
  } catch (e) {
    void root.close();
    throw e;
  }
}

/** Opens the LMDB environment of a store's data file, whatever its layout (see openDb). */
export function openRoot(dir: string, how: { readOnly: boolean; path?: string }): RootDatabase {
  const path = how.path ?? join(dir, 'data.mdb');
  checkDataFile(dir, path);
  lmdb ??= createRequire(import.meta.url)('lmdb') as typeof import('lmdb');
  try {
    const root = lmdb.open({ path, readOnly: how.readOnly, maxDbs: MAX_DBS, encoder: ENCODER });
    root.getCount(); // reading fails at once on a file that is not LMDB
    return root;
  } catch (e) {
    throw fail(dir, `data.mdb is corrupted or not an LMDB file (${messageOf(e)})`, e);
  }
}
