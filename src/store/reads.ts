import type { FailureRecord } from '../acker/failure.js';
import type { StoreDbs } from './layout.js';
import type { Checkpoint, JournalEntry, StoreStats, StoreView } from './store.js';

/** A journal entry as it is on disk. `r` (JournalEntry.rawOf) is absent but for redriven bad input. */
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
export abstract class LmdbReads implements StoreView {
  readonly dir: string;
  protected readonly dbs: StoreDbs;

  protected constructor(dir: string, dbs: StoreDbs) {
    this.dir = dir;
    this.dbs = dbs;
  }

  abstract close(): Promise<void>;

  /** The last checkpoint of a stateful node. */
  restore(node: string): Checkpoint | undefined {
    return this.dbs.checkpoints.get(node) as Checkpoint | undefined;
  }

  /** The items still pending (the next run replays them first), oldest first. */
  pending(): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const { key: id, value } of this.dbs.journal.getRange()) {
      const j = value as Journaled;
      out.push(j.r === undefined ? { id, value: j.v, position: j.p } : { id, value: j.v, position: j.p, rawOf: j.r });
    }
    return out;
  }

  /** The position of the last journaled item, to resume the source after. */
  position(): unknown {
    return this.dbs.meta.get('position');
  }

  /** The next free lineage id. */
  nextId(): number {
    return (this.dbs.meta.get('next') as number | undefined) ?? 0;
  }

  deadLetters(): FailureRecord[] {
    return [...this.dbs.dead.getRange()].map((e) => e.value as FailureRecord);
  }

  failures(): FailureRecord[] {
    return [...this.dbs.failures.getRange()].map((e) => e.value as FailureRecord);
  }

  stats(): StoreStats {
    const { journal, dead, failures, checkpoints } = this.dbs;
    return {
      pending: journal.getCount(),
      deadLetters: dead.getCount(),
      failures: failures.getCount(),
      checkpoints: checkpoints.getCount(),
      position: this.position(),
    };
  }
}
