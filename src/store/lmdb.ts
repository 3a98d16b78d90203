import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { RootDatabase } from 'lmdb';
import type { FailureRecord } from '../acker/failure.js';
import { ConsecutionError, messageOf } from '../errors.js';
import { lockStore } from './lock.js';
import type { Checkpoint, JournalEntry, Store, StoreStats } from './store.js';

const FORMAT = 'consecution-store/1';

// Keys are ordered arrays: [kind, ...]. Each kind is one letter; a range over kind k ends at the
// next letter.
const JOURNAL = 'j';
const DEAD = 'd';
const FAILURE = 'f';
const CHECKPOINT = 'c';
const META = 'm';

interface Journaled {
  readonly v: unknown;
  readonly p: unknown;
}

function range(kind: string) {
  return { start: [kind], end: [String.fromCharCode(kind.charCodeAt(0) + 1)] };
}

function fail(dir: string, why: string, cause?: unknown): ConsecutionError {
  return new ConsecutionError('STORE_FAILED', `cannot open store ${dir}: ${why}`, cause === undefined ? {} : { cause });
}

/**
 * The durable store on LMDB (lmdb-js). Writes are grouped into shared transactions and resolve
 * only once flushed to disk (`db.flushed`: with overlappingSync a committed transaction is not yet
 * durable). The directory holds `data.mdb` and a lock file naming the process that has it open.
 *
 * @example
 * ```ts
 * const store = openStore('./state');
 * console.log(store.stats()); // { pending: 0, deadLetters: 2, ... }
 * await store.close();
 * ```
 */
export class LmdbStore implements Store {
  readonly durable = true;
  readonly dir: string;
  private readonly db: RootDatabase;
  private readonly unlock: () => void;
  private failureKeys: number[];
  private failureSeq: number;
  private closed = false;
  /** Completed items to remove from the journal with the next commit (a replay log's cycle). */
  private forgotten: number[] = [];

  constructor(dir: string) {
    this.dir = dir;
    prepareDir(dir);
    this.unlock = lockStore(dir);
    try {
      this.db = openDb(dir);
      this.checkFormat();
    } catch (e) {
      this.unlock();
      throw e;
    }
    this.failureKeys = [...this.db.getKeys(range(FAILURE))].map((k) => (k as [string, number])[1]);
    this.failureSeq = (this.failureKeys.at(-1) ?? -1) + 1;
  }

  async journal(entries: readonly JournalEntry[], position: unknown): Promise<void> {
    this.open();
    this.removeForgotten();
    let last: Promise<unknown> | undefined;
    for (const e of entries) last = this.db.put([JOURNAL, e.id], { v: e.value, p: e.position } satisfies Journaled);
    if (entries.length > 0) {
      // Same transaction as `last`: if any write of it fails, `last` rejects.
      void this.db.put([META, 'position'], position);
      last = this.db.put([META, 'next'], entries[entries.length - 1]!.id + 1);
    }
    await this.durably(last);
  }

  forget(id: number): void {
    if (!this.closed) this.forgotten.push(id);
  }

  /**
   * Issues the removes of completed items in the transaction being built. A remove lost in a crash
   * only means that item is replayed once more after a restart (at-least-once); its write shares
   * the fate (and the awaited promise) of the transaction it joins.
   */
  private removeForgotten(): void {
    const ids = this.forgotten;
    if (ids.length === 0) return;
    this.forgotten = [];
    for (const id of ids) void this.db.remove([JOURNAL, id]);
  }

  async deadLetter(record: FailureRecord): Promise<void> {
    this.open();
    void this.db.put([DEAD, record.root], record); // same transaction as the remove awaited below
    await this.durably(this.db.remove([JOURNAL, record.root]));
  }

  failure(record: FailureRecord, keep: number): void {
    if (this.closed) return;
    const key = this.failureSeq++;
    void this.db.put([FAILURE, key], record);
    this.failureKeys.push(key);
    while (this.failureKeys.length > keep) void this.db.remove([FAILURE, this.failureKeys.shift()!]);
  }

  async checkpoint(node: string, checkpoint: Checkpoint): Promise<void> {
    this.open();
    // A checkpoint no longer lists the folds of items that completed since the last one: their
    // journal entries must go in the same transaction (or an earlier one). Were the checkpoint on
    // disk first, a crash would replay those items into a state that already holds them.
    this.removeForgotten();
    await this.durably(this.db.put([CHECKPOINT, node], checkpoint));
  }

  restore(node: string): Checkpoint | undefined {
    return this.db.get([CHECKPOINT, node]) as Checkpoint | undefined;
  }

  pending(): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const { key, value } of this.db.getRange(range(JOURNAL))) {
      const j = value as Journaled;
      out.push({ id: (key as [string, number])[1], value: j.v, position: j.p });
    }
    return out;
  }

  position(): unknown {
    return this.db.get([META, 'position']);
  }

  nextId(): number {
    return (this.db.get([META, 'next']) as number | undefined) ?? 0;
  }

  deadLetters(): FailureRecord[] {
    return [...this.db.getRange(range(DEAD))].map((e) => e.value as FailureRecord);
  }

  failures(): FailureRecord[] {
    return [...this.db.getRange(range(FAILURE))].map((e) => e.value as FailureRecord);
  }

  async redrive(): Promise<number> {
    this.open();
    const dead = this.deadLetters();
    let last: Promise<unknown> | undefined;
    for (const r of dead) {
      void this.db.put([JOURNAL, r.root], { v: r.item, p: undefined } satisfies Journaled); // same transaction as `last`
      last = this.db.remove([DEAD, r.root]);
    }
    await this.durably(last);
    return dead.length;
  }

  stats(): StoreStats {
    return {
      pending: this.db.getCount(range(JOURNAL)),
      deadLetters: this.db.getCount(range(DEAD)),
      failures: this.db.getCount(range(FAILURE)),
      checkpoints: this.db.getCount(range(CHECKPOINT)),
      position: this.position(),
    };
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    this.removeForgotten();
    await this.db.put([META, 'flushed'], Date.now());
    await this.db.flushed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.db.close();
    this.unlock();
  }

  /** Resolves once the transaction of `last` is committed AND flushed to disk. */
  private async durably(last: Promise<unknown> | undefined): Promise<void> {
    if (last !== undefined) await last;
    await this.db.flushed;
  }

  /** Throws STORE_CLOSED (a rejection, in the async writes) once the store is closed. */
  private open(): void {
    if (this.closed) throw new ConsecutionError('STORE_CLOSED', `store ${this.dir} is closed`);
  }

  private checkFormat(): void {
    const format = this.db.get([META, 'format']);
    if (format === FORMAT) return;
    if (format !== undefined || this.db.getCount() > 0) {
      throw fail(this.dir, `it holds data that is not a consecution store (format ${JSON.stringify(format ?? null)})`);
    }
    this.db.putSync([META, 'format'], FORMAT);
  }
}

function prepareDir(dir: string): void {
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

function openDb(dir: string): RootDatabase {
  checkDataFile(dir, join(dir, 'data.mdb'));
  lmdb ??= createRequire(import.meta.url)('lmdb') as typeof import('lmdb');
  try {
    const db = lmdb.open({ path: join(dir, 'data.mdb'), encoder: { structuredClone: true } });
    db.getCount(); // reading fails at once on a file that is not LMDB
    return db;
  } catch (e) {
    throw fail(dir, `data.mdb is corrupted or not an LMDB file (${messageOf(e)})`, e);
  }
}

/**
 * Opens the store at `dir` (created if missing) for inspection and redrive: pending items, dead
 * letters, failure records, counts. Throws `STORE_LOCKED` while a run has it open.
 *
 * @example
 * ```ts
 * const store = openStore('./state');
 * for (const d of store.deadLetters()) console.log(d.node, d.error.message);
 * await store.redrive(); // the next run replays them first
 * await store.close();
 * ```
 */
export function openStore(dir: string): LmdbStore {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `openStore(): expected a directory path, got ${JSON.stringify(dir)}`);
  }
  return new LmdbStore(dir);
}
