import type { FailureRecord } from '../acker/failure.js';
import { previewTyped } from '../errors.js';
import { fail, LAYOUT, type StoreDbs } from './layout.js';
import type { Checkpoint, JournalEntry, StoreStats, StoreView } from './store.js';

/**
 * A journal entry as it is on disk: `[value, position]`, `[value, position, rawOf]` for raw
 * input (redriven bad input, or an item journaled as its text: JournalEntry.raw), `[value, position, rawOf | null, key]` for an item its source gave a key
 * (SourceReader.key). An array, not an object: msgpack would write an object as a record whose
 * definition goes with every entry (each is its own message), a cost on every item's journaling.
 */
export type Journaled = readonly [value: unknown, position: unknown, rawOf?: string | null, key?: string];

/** The on-disk form of a journal entry. */
export function toJournaled(e: JournalEntry): Journaled {
  // An item journaled as its text: the text, which its source (rawOf) parses again after a restart.
  const value = e.raw !== undefined && e.rawOf !== undefined ? e.raw : e.value;
  if (e.key !== undefined) return [value, e.position, e.rawOf ?? null, e.key];
  return e.rawOf === undefined ? [value, e.position] : [value, e.position, e.rawOf];
}

/** A journal entry read back; anything but the form above is refused, never misread. */
export function fromJournaled(dir: string, id: number, j: unknown): JournalEntry {
  if (!Array.isArray(j) || j.length < 2 || j.length > 4 || (j.length === 4 && typeof j[3] !== 'string')) {
    throw fail(dir, `journal entry #${id} is not in layout ${LAYOUT}'s form [value, position, rawOf?, key?] (got ${previewTyped(j)})`);
  }
  const [value, position, rawOf, key] = j as unknown as Journaled;
  const entry: JournalEntry = rawOf === undefined || rawOf === null ? { id, value, position } : { id, value, position, rawOf };
  return key === undefined ? entry : { ...entry, key };
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
    for (const { key, value } of this.dbs.journal.getRange()) out.push(fromJournaled(this.dir, key, value));
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
