import type { Root } from '../acker/root.js';
import { ConsecutionError, messageOf } from '../errors.js';
import type { Journal } from '../store/store.js';

/** The error of a store that failed: the run ends with it. */
export function storeFailure(e: unknown): ConsecutionError {
  return new ConsecutionError('STORE_FAILED', `the store failed: ${messageOf(e)}`, { cause: e });
}

/**
 * The group commit of a durable run's admission: the items read in one pass of the pump are
 * journaled in one transaction, with the source position of the last item read (bad input
 * included: a restart resumes after it), and admitted once it is on disk. Reading goes on
 * meanwhile (they count toward maxPending already).
 *
 * @example
 * ```ts
 * import type { Root } from '../acker/root.js';
 * import type { Journal } from '../store/store.js';
 * import { GroupCommit } from './group-commit.js';
 * declare const store: Journal;
 * declare const root: Root;
 * const commit = new GroupCommit(store, (roots) => roots.forEach((r) => console.log('on disk', r.id)), console.error);
 * commit.read(root, undefined, false);
 * if (commit.due) commit.write();
 * ```
 */
export class GroupCommit {
  /** Roots read since the last write, to journal. */
  private batch: Root[] = [];
  /** The last root read since the last write, bad input included: its position goes with the batch. */
  private lastRead: Root | undefined;

  constructor(
    private readonly store: Journal,
    /** The roots of a write are on disk: admit them. */
    private readonly durable: (roots: readonly Root[]) => void,
    /** The store failed: the error to end the run with (see {@link storeFailure}). */
    private readonly failed: (e: ConsecutionError) => void,
  ) {}

  /** Whether anything was read since the last write. */
  get due(): boolean {
    return this.lastRead !== undefined;
  }

  /**
   * A root read from the source: journaled with the next write, as the text it was parsed from
   * when the source has it (see SourceReader.raw); bad input (dead-lettered, not journaled) only
   * moves the position on.
   */
  read(root: Root, raw: string | undefined, bad: boolean): void {
    this.lastRead = root;
    if (bad) return;
    root.raw = raw;
    this.batch.push(root);
  }

  /** Journals what was read since the last write, in one transaction. */
  write(): void {
    const batch = this.batch;
    const position = this.lastRead!.position;
    this.batch = [];
    this.lastRead = undefined;
    this.store.journal(batch, position).then(
      () => {
        // On disk: the text is no longer needed (the run goes on with the value).
        for (const root of batch) root.raw = undefined;
        this.durable(batch);
      },
      (e: unknown) => this.failed(storeFailure(e)),
    );
  }
}
