/** What {@link Progress.read} gives when the worker has not said which item it is on. */
export const UNKNOWN = -1;

/**
 * Where a worker thread is in its batches, in memory it shares with the main thread (a thread
 * only: a child process has no shared memory): the sequence number of the batch it is on (1 for
 * the first it was sent) and the index of the item it started last, or {@link UNKNOWN}. One
 * `Atomics.store` per item; read by the pool when it stops the worker as hung, to blame that item
 * alone. A worker that runs several items at once (concurrency > 1) cannot say which one is stuck:
 * it leaves the index unknown.
 *
 * @example
 * ```ts
 * const p = new Progress();            // main thread: p.shared goes in the `init` message
 * const w = new Progress(p.shared);    // worker: before each batch and each item
 * w.batch(1); w.item(2);
 * p.read(1);                           // 2: the worker is on item 2 of batch 1
 * ```
 */
export class Progress {
  readonly shared: Int32Array;

  constructor(shared?: Int32Array) {
    this.shared = shared ?? new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  }

  /** The worker starts on batch `seq`: which item is not known yet. */
  batch(seq: number): void {
    Atomics.store(this.shared, 0, UNKNOWN);
    Atomics.store(this.shared, 1, seq);
  }

  /** The worker starts on item `index` of its batch. */
  item(index: number): void {
    Atomics.store(this.shared, 0, index);
  }

  /** The item the worker is on in batch `seq`, or UNKNOWN when it is not on that batch or has not said. */
  read(seq: number): number {
    return Atomics.load(this.shared, 1) === seq ? Atomics.load(this.shared, 0) : UNKNOWN;
  }
}
