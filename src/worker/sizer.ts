/** Items in the first batches, before any worker has answered: a guess at the pace, kept small. */
const FIRST = 2;

/**
 * How many items go into a batch: at most the offload's `batch`, and no more than a worker gets
 * through in about `targetMs` at the pace its answers have shown. A batch of slow items (a call
 * of 100 ms) would otherwise hold each item for the whole batch, past its timeoutMs; fast items
 * still go `batch` at a time. It starts at {@link FIRST} items until the first answers, and never
 * goes below the node's concurrency: a smaller batch would leave a worker's lanes idle.
 */
export class BatchSizer {
  /** Items per batch now. */
  limit: number;
  /** Measured ms per item: a running average, except that a faster pace is taken at once. 0 until the first. */
  private msPerItem = 0;
  /** The fewest items a batch gets (the node's concurrency, once a worker has said it). */
  private floor = 1;

  constructor(
    private readonly max: number,
    private readonly targetMs: number,
  ) {
    this.limit = Math.min(max, FIRST);
  }

  /** A worker works on `concurrency` items at once. */
  parallel(concurrency: number): void {
    this.floor = Math.min(this.max, Math.max(1, concurrency));
    this.limit = Math.max(this.limit, this.floor);
  }

  /** A worker took `ms` to work through `items` items. */
  answered(items: number, ms: number): void {
    if (items <= 0) return;
    const pace = Math.max(0, ms) / items;
    this.msPerItem = this.msPerItem === 0 || pace < this.msPerItem ? pace : (this.msPerItem + pace) / 2;
    const fits = this.msPerItem === 0 ? this.max : Math.floor(this.targetMs / this.msPerItem);
    this.limit = Math.max(this.floor, Math.min(this.max, fits));
  }
}
