import type { FailureRecord } from '../acker/failure.js';

/** An input item kept in the journal until its root completes. */
export interface JournalEntry {
  /** The root's lineage id: stable across restarts. */
  readonly id: number;
  readonly value: unknown;
  readonly position: unknown;
  /**
   * Set when the entry is raw input of the source named here, which the next run parses again
   * (Source.parse): bad input redriven with `includeBadInput` (`value` is the raw text, a line,
   * that failed the parsing), or an item journaled as its text (`raw`; read back, `value` is that
   * text).
   */
  readonly rawOf?: string | undefined;
  /**
   * The text the source parsed `value` from (SourceReader.raw), given with `rawOf`: a durable
   * store journals it in place of `value` (a string is written at nearly the cost of a copy, an
   * object graph is encoded field by field), and a restart parses it again through `rawOf`'s
   * Source.parse into an equal value.
   */
  readonly raw?: string | undefined;
  /** The item's identity outside this process, from its source (SourceReader.key), when it had one. */
  readonly key?: string | undefined;
}

/** Options of {@link Store.redrive}. */
export interface RedriveOptions {
  /**
   * Also move bad input (`BAD_INPUT`): raw input that failed its source's parsing, such as a
   * malformed NDJSON line. The next run sends it through the source's parsing again. Without it
   * such records stay dead letters: their item is raw text, not a value the pipeline takes.
   * @default false
   */
  readonly includeBadInput?: boolean;
}

/** What {@link Store.redrive} did. */
export interface RedriveResult {
  /** Dead letters moved back to the journal. */
  readonly redriven: number;
  /** Bad-input dead letters left where they are (see RedriveOptions.includeBadInput). */
  readonly skipped: number;
}

/** The checkpoint of a stateful node: its state and the ids of pending roots already folded into it. */
export interface Checkpoint {
  readonly state: unknown;
  /** Pending items folded into the state: [lineage id, [edge hi, edge lo, what the copy emitted][]]. */
  readonly folded: readonly (readonly [number, readonly FoldedCopy[]])[];
}

/** One folded copy of an item: its edge (its path) and what it emitted. */
export type FoldedCopy = readonly [hi: number, lo: number, value: unknown];

/** Counts of what a store holds. */
export interface StoreStats {
  readonly pending: number;
  readonly deadLetters: number;
  readonly failures: number;
  readonly checkpoints: number;
  /** Where the source was last read: the position of the last item journaled. */
  readonly position: unknown;
}

/**
 * What a run needs of its store, on its hot path: the journal of items in flight (written before
 * they are admitted, forgotten once they settle), the source's position, the next lineage id,
 * failure records, dead letters and stateful nodes' checkpoints. Writes resolve when DURABLE;
 * many writes share one commit (group commit). Reads are synchronous. The run (consecutor/,
 * stage/) sees its store only through this interface.
 *
 * @example
 * ```ts
 * const journal: Journal = openStore('./state');
 * await journal.journal([{ id: journal.nextId(), value: 'a', position: 0 }], 0); // on disk now
 * journal.forget(0); // completed: removed with the next commit
 * await journal.close();
 * ```
 */
export interface Journal {
  /** Whether writes survive the process (false for the memory store: nothing to replay). */
  readonly durable: boolean;
  /** Journals items (and the source position reached) before they are admitted. */
  journal(entries: readonly JournalEntry[], position: unknown): Promise<void>;
  /** Forgets a completed or dead-lettered root (batched; durable with the next commit). */
  forget(id: number): void;
  /** The items still pending (to replay first, after a restart), oldest first. */
  pending(): JournalEntry[];
  /** The position of the last journaled item, to resume the source after. */
  position(): unknown;
  /** The next free lineage id. */
  nextId(): number;
  /**
   * What the idempotency keys of this store's items begin with (before the lineage id), so that
   * keys of different stores never meet in one sink: a short random text made when the store is
   * created and kept in it (the same after a restart); in memory, new for each store, so each
   * run's. A store of an earlier version that has journaled items keeps the empty scope, so that
   * their keys stay what they were.
   */
  scope(): string;
  /** Keeps a dead letter; its journal entry goes in the same commit. */
  deadLetter(record: FailureRecord): Promise<void>;
  /** Keeps a failure record, keeping at most `keep` of them. */
  failure(record: FailureRecord, keep: number): void;
  /** Saves a stateful node's checkpoint, with the journal removes of the items forgotten before it. */
  checkpoint(node: string, checkpoint: Checkpoint): Promise<void>;
  /** The last checkpoint of a node. */
  restore(node: string): Checkpoint | undefined;
  /** Waits for every write so far to be durable, then closes. */
  close(): Promise<void>;
}

/**
 * The reads of a store that `consecution inspect` shows: what is pending, the dead letters and
 * failure records, counts. What a read-only view ({@link openStoreReadOnly}) offers.
 *
 * @example
 * ```ts
 * const view: StoreView = openStoreReadOnly('./state');
 * console.log(view.stats().pending, view.deadLetters().length);
 * await view.close();
 * ```
 */
export interface StoreView {
  /** The items still pending (the next run replays them first), oldest first. */
  pending(): JournalEntry[];
  deadLetters(): FailureRecord[];
  failures(): FailureRecord[];
  stats(): StoreStats;
  close(): Promise<void>;
}

/**
 * The admin side of a store, apart from any run: its reads ({@link StoreView}) and the repair
 * `consecution redrive` makes. The CLI sees a store only through this interface.
 *
 * @example
 * ```ts
 * const admin: StoreAdmin = openStore('./state');
 * if (admin.stats().deadLetters > 0) await admin.redrive(); // { redriven: 2, skipped: 0 }
 * await admin.close();
 * ```
 */
export interface StoreAdmin extends StoreView {
  /**
   * Moves dead letters back to the journal: the next run replays them first. Bad input is left,
   * and counted as skipped, unless `includeBadInput` is set.
   */
  redrive(options?: RedriveOptions): Promise<RedriveResult>;
}

/**
 * Where a run keeps what must survive a crash: both sides in one, what {@link openStore} returns
 * and what the memory store is. A run uses it as its {@link Journal}, the CLI as a
 * {@link StoreAdmin}.
 *
 * @example
 * ```ts
 * const store: Store = openStore('./state');
 * console.log(store.stats()); // { pending: 0, deadLetters: 2, ... }
 * await store.flush();
 * await store.close();
 * ```
 */
export interface Store extends Journal, StoreAdmin {
  /** Waits for every write so far to be durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Whether a dead letter is bad input: `BAD_INPUT` is what a source fails the raw input it cannot
 * parse with (the record's node is then the source), so its item is that raw text, not a value
 * of the pipeline's input type.
 */
export function isBadInput(r: FailureRecord): boolean {
  return r.error.code === 'BAD_INPUT';
}
