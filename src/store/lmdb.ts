import type { RootDatabase } from 'lmdb';
import type { FailureRecord } from '../acker/failure.js';
import { ConsecutionError } from '../errors.js';
import { lockStore } from './lock.js';
import { CHECKPOINT, DEAD, FAILURE, JOURNAL, META, openDb, prepareDir, range, requireDirArg } from './lmdb-file.js';
import { LmdbReads, toJournaled } from './reads.js';
import { isBadInput, type Checkpoint, type JournalEntry, type RedriveOptions, type RedriveResult, type Store } from './store.js';

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
export class LmdbStore extends LmdbReads implements Store {
  readonly durable = true;
  private readonly unlock: () => void;
  private failureKeys: number[];
  private failureSeq: number;
  private closed = false;
  /** Completed items to remove from the journal with the next commit (a replay log's cycle). */
  private forgotten: number[] = [];

  constructor(dir: string) {
    const { db, unlock } = openLocked(dir);
    super(dir, db);
    this.unlock = unlock;
    this.failureKeys = [...this.db.getKeys(range(FAILURE))].map((k) => (k as [string, number])[1]);
    this.failureSeq = (this.failureKeys.at(-1) ?? -1) + 1;
  }

  async journal(entries: readonly JournalEntry[], position: unknown): Promise<void> {
    this.open();
    this.removeForgotten();
    let last: Promise<unknown> | undefined;
    for (const e of entries) last = this.db.put([JOURNAL, e.id], toJournaled(e));
    // Same transaction as `last`: if any write of it fails, `last` rejects. The position goes even
    // without entries: bad input read last is dead-lettered, not journaled, and is not read again.
    if (entries.length > 0) void this.db.put([META, 'next'], entries[entries.length - 1]!.id + 1);
    last = this.db.put([META, 'position'], position);
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
    // Bad input is dead-lettered without a journal entry: its id must not be handed out again.
    if (record.root >= this.nextId()) void this.db.put([META, 'next'], record.root + 1);
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

  /**
   * Moves dead letters back to the journal, in one transaction. Bad input (a line its source could
   * not parse: its item is the raw text) goes only with `includeBadInput`, marked as raw input of
   * its source, so that the next run parses it again instead of sending the text in as a value.
   */
  async redrive(options: RedriveOptions = {}): Promise<RedriveResult> {
    this.open();
    let last: Promise<unknown> | undefined;
    let redriven = 0;
    let skipped = 0;
    for (const r of this.deadLetters()) {
      const bad = isBadInput(r);
      if (bad && options.includeBadInput !== true) {
        skipped++;
        continue;
      }
      const entry = { id: r.root, value: r.item, position: undefined, ...(bad ? { rawOf: r.node } : {}) };
      void this.db.put([JOURNAL, r.root], toJournaled(entry)); // same transaction as `last`
      last = this.db.remove([DEAD, r.root]);
      redriven++;
    }
    await this.durably(last);
    return { redriven, skipped };
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
}

/** Takes the store's lock, then opens it: the lock is released if the opening fails. */
function openLocked(dir: string): { db: RootDatabase; unlock: () => void } {
  prepareDir(dir);
  const unlock = lockStore(dir);
  try {
    return { db: openDb(dir, { readOnly: false }), unlock };
  } catch (e) {
    unlock();
    throw e;
  }
}

/**
 * Opens the store at `dir` (created if missing) for inspection and redrive: pending items, dead
 * letters, failure records, counts. Throws `STORE_LOCKED` while a run has it open; to look at a
 * store without changing it, even while a run holds it, use {@link openStoreReadOnly}.
 *
 * @example
 * ```ts
 * const store = openStore('./state');
 * for (const d of store.deadLetters()) console.log(d.node, d.error.message);
 * await store.redrive(); // { redriven: 2, skipped: 1 }: the next run replays them first
 * await store.close();
 * ```
 */
export function openStore(dir: string): LmdbStore {
  requireDirArg('openStore', dir);
  return new LmdbStore(dir);
}
