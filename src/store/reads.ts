import type { RootDatabase } from 'lmdb';
import type { FailureRecord } from '../acker/failure.js';
import { CHECKPOINT, DEAD, FAILURE, JOURNAL, META, range } from './lmdb-file.js';
import type { Checkpoint, JournalEntry, StoreStats } from './store.js';

/** A journal entry as it is on disk. `r` (JournalEntry.rawOf) is absent in older stores: a value. */
export interface Journaled {
  readonly v: unknown;
  readonly p: unknown;
  readonly r?: string;
}

/** The on-disk form of a journal entry. */
export function toJournaled(e: JournalEntry): Journaled {
  return e.rawOf === undefined ? { v: e.value, p: e.position } : { v: e.value, p: e.position, r: e.rawOf };
}

/**
 * The reads of a store on LMDB: synchronous, each one a consistent snapshot. Shared by the
 * writer ({@link LmdbStore}) and the read-only store ({@link ReadOnlyStore}).
 */
export abstract class LmdbReads {
  readonly dir: string;
  protected readonly db: RootDatabase;

  protected constructor(dir: string, db: RootDatabase) {
    this.dir = dir;
    this.db = db;
  }

  /** The last checkpoint of a stateful node. */
  restore(node: string): Checkpoint | undefined {
    return this.db.get([CHECKPOINT, node]) as Checkpoint | undefined;
  }

  /** The items still pending (the next run replays them first), oldest first. */
  pending(): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const { key, value } of this.db.getRange(range(JOURNAL))) {
      const j = value as Journaled;
      const id = (key as [string, number])[1];
      out.push(j.r === undefined ? { id, value: j.v, position: j.p } : { id, value: j.v, position: j.p, rawOf: j.r });
    }
    return out;
  }

  /** The position of the last journaled item, to resume the source after. */
  position(): unknown {
    return this.db.get([META, 'position']);
  }

  /** The next free lineage id. */
  nextId(): number {
    return (this.db.get([META, 'next']) as number | undefined) ?? 0;
  }

  deadLetters(): FailureRecord[] {
    return [...this.db.getRange(range(DEAD))].map((e) => e.value as FailureRecord);
  }

  failures(): FailureRecord[] {
    return [...this.db.getRange(range(FAILURE))].map((e) => e.value as FailureRecord);
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
}
