import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { RootDatabase } from 'lmdb';
import { ConsecutionError, messageOf, previewTyped } from '../errors.js';

// The store directory on disk, shared by the writer (LmdbStore) and the read-only view.

const FORMAT = 'consecution-store/1';

// Keys are ordered arrays: [kind, ...]. Each kind is one letter; a range over kind k ends at the
// next letter.
export const JOURNAL = 'j';
export const DEAD = 'd';
export const FAILURE = 'f';
export const CHECKPOINT = 'c';
export const META = 'm';

/** The key range of one kind. */
/** Checks the directory argument of `fn` (openStore, openStoreReadOnly) at once. */
export function requireDirArg(fn: string, dir: unknown): asserts dir is string {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `${fn}(): expected a directory path, got ${previewTyped(dir)}`);
  }
}

export function range(kind: string) {
  return { start: [kind], end: [String.fromCharCode(kind.charCodeAt(0) + 1)] };
}

/** A STORE_FAILED error that names the store and says why. */
export function fail(dir: string, why: string, cause?: unknown): ConsecutionError {
  return new ConsecutionError('STORE_FAILED', `cannot open store ${dir}: ${why}`, cause === undefined ? {} : { cause });
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
 * Opens the LMDB file of a store, after checking it is one, and checks its format. Read-only, it
 * writes nothing (and needs no writer's lock: LMDB readers run beside a writer); the file at
 * `path` defaults to the store's own `data.mdb`.
 */
export function openDb(dir: string, how: { readOnly: boolean; path?: string }): RootDatabase {
  const path = how.path ?? join(dir, 'data.mdb');
  checkDataFile(dir, path);
  lmdb ??= createRequire(import.meta.url)('lmdb') as typeof import('lmdb');
  let db: RootDatabase;
  try {
    db = lmdb.open({ path, readOnly: how.readOnly, encoder: { structuredClone: true } });
    db.getCount(); // reading fails at once on a file that is not LMDB
  } catch (e) {
    throw fail(dir, `data.mdb is corrupted or not an LMDB file (${messageOf(e)})`, e);
  }
  try {
    checkFormat(db, dir, how.readOnly);
  } catch (e) {
    void db.close();
    throw e;
  }
  return db;
}

/** Refuses an LMDB file that holds something else; stamps an empty one (unless read-only). */
function checkFormat(db: RootDatabase, dir: string, readOnly: boolean): void {
  let format: unknown;
  try {
    format = db.get([META, 'format']);
  } catch (e) {
    throw fail(dir, `it holds data that is not a consecution store (${messageOf(e)})`, e);
  }
  if (format === FORMAT) return;
  if (format !== undefined || db.getCount() > 0) {
    throw fail(dir, `it holds data that is not a consecution store (format ${JSON.stringify(format ?? null)})`);
  }
  if (!readOnly) db.putSync([META, 'format'], FORMAT);
}
