import type { FailureRecord } from '../acker/failure.js';
import { ConsecutionError } from '../errors.js';
import type { StoreDbs } from './layout.js';
import { lockStore } from './lock.js';
import { openDb, prepareDir, requireDirArg } from './lmdb-file.js';
import { LmdbReads, toJournaled } from './reads.js';
import { newScope } from './scope.js';
import { isBadInput, type Checkpoint, type JournalEntry, type RedriveOptions, type RedriveResult, type Store } from './store.js';

/**
 * The durable store on LMDB (lmdb-js). Writes are grouped into shared transactions and resolve
 * only once flushed to disk (`db.flushed`: with overlappingSync a committed transaction is not yet
 * durable). Writes that must land together go in one `batch()`, a transaction across the store's
 * databases (layout.ts). The directory holds `data.mdb` and a lock file naming the process that
 * has it open.
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
    const { dbs, unlock } = openLocked(dir);
    super(dir, dbs);
    this.unlock = unlock;
    const meta = dbs.meta;
    if (meta.get('scope') === undefined) meta.putSync('scope', this.nextId() > 0 ? '' : newScope());
    this.failureKeys = [...dbs.failures.getKeys()] as number[];
    this.failureSeq = (this.failureKeys.at(-1) ?? -1) + 1;
  }

  async journal(entries: readonly JournalEntry[], position: unknown): Promise<void> {
    this.open();
    const { root, journal, meta } = this.dbs;
    // One transaction: the entries, the next id and the position land together or not at all. The
    // position goes even without entries: bad input read last is dead-lettered, not journaled, and
    // is not read again.
    await this.durably(
      root.batch(() => {
        this.removeForgotten();
        for (const e of entries) void journal.put(e.id, toJournaled(e));
        if (entries.length > 0) void meta.put('next', entries[entries.length - 1]!.id + 1);
        void meta.put('position', position);
      }),
    );
  }

  scope(): string {
    return this.dbs.meta.get('scope') as string;
  }

  forget(id: number): void {
    if (!this.closed) this.forgotten.push(id);
  }

  /**
   * Issues the removes of completed items in the transaction being built. A remove lost in a crash
   * only means that item is replayed once more after a restart (at-least-once).
   */
  private removeForgotten(): void {
    const ids = this.forgotten;
    if (ids.length === 0) return;
    this.forgotten = [];
    const journal = this.dbs.journal;
    for (const id of ids) void journal.remove(id);
  }

  async deadLetter(record: FailureRecord): Promise<void> {
    this.open();
    const { root, journal, dead, meta } = this.dbs;
    // Bad input is dead-lettered without a journal entry: its id must not be handed out again.
    const next = record.root >= this.nextId() ? record.root + 1 : undefined;
    await this.durably(
      root.batch(() => {
        void dead.put(record.root, record);
        if (next !== undefined) void meta.put('next', next);
        void journal.remove(record.root);
      }),
    );
  }

  failure(record: FailureRecord, keep: number): void {
    if (this.closed) return;
    const failures = this.dbs.failures;
    const key = this.failureSeq++;
    void failures.put(key, record);
    this.failureKeys.push(key);
    while (this.failureKeys.length > keep) void failures.remove(this.failureKeys.shift()!);
  }

  async checkpoint(node: string, checkpoint: Checkpoint): Promise<void> {
    this.open();
    // A checkpoint no longer lists the folds of items that completed since the last one: their
    // journal entries must go in the same transaction (or an earlier one). Were the checkpoint on
    // disk first, a crash would replay those items into a state that already holds them.
    await this.durably(
      this.dbs.root.batch(() => {
        this.removeForgotten();
        void this.dbs.checkpoints.put(node, checkpoint);
      }),
    );
  }

  async redrive(options: RedriveOptions = {}): Promise<RedriveResult> {
    this.open();
    const { root, journal, dead } = this.dbs;
    let redriven = 0;
    let skipped = 0;
    const moved = root.batch(() => {
      for (const r of this.deadLetters()) {
        const bad = isBadInput(r);
        if (bad && options.includeBadInput !== true) {
          skipped++;
          continue;
        }
        void journal.put(r.root, toJournaled({ id: r.root, value: r.item, position: undefined, ...(bad ? { rawOf: r.node } : {}) }));
        void dead.remove(r.root);
        redriven++;
      }
    });
    await this.durably(moved);
    return { redriven, skipped };
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    // A write of its own, so that a transaction takes the removes, and `flushed` covers it.
    await this.dbs.root.batch(() => {
      this.removeForgotten();
      void this.dbs.meta.put('flushed', Date.now());
    });
    await this.dbs.root.flushed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.dbs.root.close();
    this.unlock();
  }

  /** Resolves once the transaction of `commit` is committed AND flushed to disk. */
  private async durably(commit: Promise<unknown>): Promise<void> {
    await commit;
    await this.dbs.root.flushed;
  }

  /** Throws STORE_CLOSED (a rejection, in the async writes) once the store is closed. */
  private open(): void {
    if (this.closed) throw new ConsecutionError('STORE_CLOSED', `store ${this.dir} is closed`);
  }
}

/** Takes the store's lock, then opens it: the lock is released if the opening fails. */
function openLocked(dir: string): { dbs: StoreDbs; unlock: () => void } {
  prepareDir(dir);
  const unlock = lockStore(dir);
  try {
    return { dbs: openDb(dir, { readOnly: false }), unlock };
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
