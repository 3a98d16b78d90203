interface Waiter<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit for a sink: appends made while a commit is in flight wait and go together in the
 * next one (one fsync, one transaction, one request per batch), and each append's promise settles
 * with its batch's commit. An idle sink commits on the next microtask, so the appends of one
 * synchronous burst share a batch. At most `maxBatch` items go in one commit; the rest wait for
 * the next. A commit that rejects rejects every append of its batch with its error.
 *
 * @example
 * ```ts
 * import { appendFile } from 'node:fs/promises';
 * import { GroupCommit } from './group-commit.js';
 * const lines = new GroupCommit<string>((batch) => appendFile('out.txt', batch.join('')), 1000);
 * await Promise.all([lines.append('a\n'), lines.append('b\n')]); // one appendFile call
 * ```
 */
export class GroupCommit<T> {
  private queue: Waiter<T>[] = [];
  private committing: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly commit: (batch: readonly T[]) => Promise<void>,
    private readonly maxBatch = 1000,
  ) {}

  /** Resolves once a commit holding `item` succeeded. */
  append(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Appends waiting or in flight (not yet committed). */
  get size(): number {
    return this.queue.length + (this.committing === undefined ? 0 : 1);
  }

  /** Resolves once every append so far has been committed or has failed. */
  async drain(): Promise<void> {
    while (this.size > 0 || this.scheduled) await (this.committing ?? new Promise<void>((r) => queueMicrotask(r)));
  }

  private schedule(): void {
    if (this.scheduled || this.committing !== undefined) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.next();
    });
  }

  private next(): void {
    if (this.committing !== undefined || this.queue.length === 0) return;
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    const items = batch.map((w) => w.item);
    let run: Promise<void>;
    try {
      run = this.commit(items);
    } catch (e) {
      run = Promise.reject(e);
    }
    this.committing = run.then(
      () => {
        for (const w of batch) w.resolve();
      },
      (e: unknown) => {
        for (const w of batch) w.reject(e);
      },
    ).finally(() => {
      this.committing = undefined;
      this.next();
    });
  }
}
